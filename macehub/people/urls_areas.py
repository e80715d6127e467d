"""URLs of the area pages (census populations, no personal data); included from
``people.urls`` under the "people" namespace."""

from django.urls import URLPattern, path

from macehub.people.views_areas import area_detail, area_list

area_urlpatterns: list[URLPattern] = [
    path("areas/", area_list, name="area_list"),
    path("areas/<str:area_code>/", area_detail, name="area_detail"),
]
