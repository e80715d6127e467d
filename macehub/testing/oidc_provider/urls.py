"""The test identity provider's addresses: its sign-in page and the OpenID endpoints."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("", include("oidc_provider.urls", namespace="oidc_provider")),
]
