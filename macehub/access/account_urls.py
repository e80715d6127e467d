"""The accounts pages' addresses (sign-in, two-factor, administration, changes of access).

They live in ``access`` because every one of those pages asks the access policy, and
``accounts`` sits below ``access`` in the layers; the namespace stays ``accounts`` so the
URL names (``accounts:login``...) did not change when the pages moved up.
"""

from django.conf import settings
from django.urls import path

from macehub.access import account_views as views
from macehub.access import single_sign_on_views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("admin/", views.admin_home, name="admin_home"),
    path("admin/agencies/", views.agency_list, name="agency_list"),
    path("admin/agencies/new/", views.agency_edit, name="agency_create"),
    path("admin/agencies/<int:agency_pk>/", views.agency_edit, name="agency_edit"),
    path("admin/teams/", views.team_list, name="team_list"),
    path("admin/teams/new/", views.team_edit, name="team_create"),
    path("admin/teams/<int:team_pk>/", views.team_edit, name="team_edit"),
    path("admin/users/", views.user_list, name="user_list"),
    path("admin/users/new/", views.user_edit, name="user_create"),
    path("admin/users/<int:user_pk>/", views.user_edit, name="user_edit"),
    path("admin/role-changes/", views.role_change_list, name="role_change_list"),
    path("admin/role-changes/<int:role_change_pk>/", views.role_change_detail,
         name="role_change_detail"),
    path("admin/role-changes/<int:role_change_pk>/decide/", views.role_change_decide,
         name="role_change_decide"),
    path("admin/api-clients/", views.api_client_list, name="api_client_list"),
    path("admin/api-clients/new/", views.api_client_create, name="api_client_create"),
    path("admin/api-clients/<int:api_client_pk>/", views.api_client_detail,
         name="api_client_detail"),
    path("admin/api-clients/<int:api_client_pk>/new-token/", views.api_client_renew_token,
         name="api_client_renew_token"),
    path("admin/identity-providers/", views.identity_provider_list,
         name="identity_provider_list"),
    path("admin/identity-providers/new/", views.identity_provider_edit,
         name="identity_provider_create"),
    path("admin/identity-providers/<int:identity_provider_pk>/", views.identity_provider_edit,
         name="identity_provider_edit"),
    # Single sign-on with an agency's own identity provider (data, so always routed),
    # and the callback every provider returns to.
    path("single-sign-on/with/<slug:slug>/", single_sign_on_views.agency_single_sign_on_start,
         name="oidc_provider_start"),
    path("single-sign-on/callback/", single_sign_on_views.single_sign_on_callback,
         name="oidc_callback"),
]

# The hub-wide provider's start exists only when it is configured in the settings.
SINGLE_SIGN_ON_URLPATTERNS = [
    path("single-sign-on/", single_sign_on_views.single_sign_on_start, name="oidc_start"),
]
if settings.OIDC_ENABLED:
    urlpatterns += SINGLE_SIGN_ON_URLPATTERNS
