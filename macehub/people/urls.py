from django.urls import path

from macehub.people import views, views_link_lists, views_matches
from macehub.people.urls_areas import area_urlpatterns

app_name = "people"

urlpatterns = [
    path("", views.search, name="search"),
    path("new/", views.create, name="create"),
    path("<int:person_pk>/", views.detail, name="detail"),
    path("<int:person_pk>/change/", views.edit, name="edit"),
    path("<int:person_pk>/statutory-status/", views.statutory_status, name="statutory_status"),
    path("<int:person_pk>/share/", views.share, name="share"),
    path("<int:person_pk>/shares/<int:person_share_pk>/stop/", views.stop_sharing,
         name="stop_sharing"),
    path("<int:person_pk>/access-log/", views.access_log, name="access_log"),
    path("matches/", views_matches.match_queue, name="match_queue"),
    path("matches/find/", views_matches.find_matches, name="find_matches"),
    path("matches/<int:match_pk>/", views_matches.match_review, name="match_review"),
    path("matches/<int:match_pk>/merge/", views_matches.merge_pair, name="merge_pair"),
    path("merges/<int:merge_pk>/", views_matches.merge_detail, name="merge_detail"),
    path("link-lists/", views_link_lists.link_lists, name="link_lists"),
    path("link-lists/<int:job_pk>/", views_link_lists.link_job, name="link_job"),
    path("link-lists/<int:job_pk>/pairs.csv", views_link_lists.link_job_pairs,
         name="link_job_pairs"),
    *area_urlpatterns,
]
