"""Network and group pages (include at ``networks/``). Each network page has its export
beside it, at ``export.csv`` under its address, with the page's filters."""

from django.urls import path

from macehub.networks import views
from macehub.networks.urls_groups import group_urlpatterns

app_name = "networks"

urlpatterns = [
    # The network around a person, a group's members, and each kind of entity
    path("people/<int:person_pk>/", views.person_network, name="person_network"),
    path("people/<int:person_pk>/export.csv", views.person_export, name="person_export"),
    path("groups/<int:group_pk>/network/", views.group_network, name="group_network"),
    path("groups/<int:group_pk>/network/export.csv", views.group_export,
         name="group_export"),
    path("vehicles/<int:intel_vehicle_pk>/", views.vehicle_network, name="vehicle_network"),
    path("vehicles/<int:intel_vehicle_pk>/export.csv", views.vehicle_export,
         name="vehicle_export"),
    path("phones/<int:intel_phone_pk>/", views.phone_network, name="phone_network"),
    path("phones/<int:intel_phone_pk>/export.csv", views.phone_export, name="phone_export"),
    path("accounts/<int:intel_account_pk>/", views.account_network, name="account_network"),
    path("accounts/<int:intel_account_pk>/export.csv", views.account_export,
         name="account_export"),
    path("premises/<int:intel_premises_pk>/", views.premises_network,
         name="premises_network"),
    path("premises/<int:intel_premises_pk>/export.csv", views.premises_export,
         name="premises_export"),
    path("locations/<int:intel_location_pk>/", views.location_network,
         name="location_network"),
    path("locations/<int:intel_location_pk>/export.csv", views.location_export,
         name="location_export"),
    # Groups
    *group_urlpatterns,
]
