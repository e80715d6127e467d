"""The group pages' routes, included by ``networks.urls``."""

from django.urls import path

from macehub.networks import views_groups

group_urlpatterns = [
    path("groups/", views_groups.group_list, name="group_list"),
    path("groups/propose/", views_groups.propose, name="group_propose"),
    path("groups/<int:group_pk>/", views_groups.group_detail, name="group_detail"),
    path("groups/<int:group_pk>/exploitation-model/", views_groups.change_exploitation_model,
         name="group_exploitation_model"),
]
