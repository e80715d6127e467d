"""The problem profile's pages, under ``/profile/``: hotspots, patterns, the document."""

from django.urls import URLPattern, path

from macehub.profile import hotspot_views, views

app_name = "profile"

urlpatterns: list[URLPattern] = [
    # Places: hotspots, density and near repeats.
    path("hotspots/", hotspot_views.hotspots, name="hotspots"),
    # Patterns and the document.
    path("patterns/", views.patterns_page, name="patterns"),
    path("documents/", views.profile_list, name="documents"),
    path("documents/new/", views.new_profile, name="new"),
    path("documents/drafts/<int:draft_profile_pk>/", views.draft, name="draft"),
    path("documents/drafts/<int:draft_profile_pk>/sections/<str:profile_section_key>/",
         views.edit_section, name="edit_section"),
    path("documents/drafts/<int:draft_profile_pk>/publish/", views.publish, name="publish"),
    path("documents/<int:profile_pk>/restricted/", views.published_restricted,
         name="published_restricted"),
    path("documents/<int:profile_pk>/restricted.pdf", views.restricted_pdf,
         name="restricted_pdf"),
    path("documents/<int:profile_pk>/partnership/", views.published_partnership,
         name="published_partnership"),
    path("documents/<int:profile_pk>/partnership.pdf", views.partnership_pdf,
         name="partnership_pdf"),
]
