"""The problem profile's pages, under ``/profile/``: hotspots, patterns, the document."""

from django.urls import URLPattern, path

from macehub.profile import hotspot_views

app_name = "profile"

urlpatterns: list[URLPattern] = [
    # Places: hotspots, density and near repeats.
    path("hotspots/", hotspot_views.hotspots, name="hotspots"),
]
