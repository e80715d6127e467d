from django.urls import path

from macehub.people import views
from macehub.people.urls_areas import area_urlpatterns

app_name = "people"

urlpatterns = [
    path("", views.search, name="search"),
    path("new/", views.create, name="create"),
    path("<int:person_pk>/", views.detail, name="detail"),
    path("<int:person_pk>/change/", views.edit, name="edit"),
    path("<int:person_pk>/statutory-status/", views.statutory_status, name="statutory_status"),
    path("<int:person_pk>/access-log/", views.access_log, name="access_log"),
    *area_urlpatterns,
]
