"""The hub's URLs with single sign-on's routed, for tests that configure an identity
provider after the settings were read (the hub routes them only when it starts with one)."""

from django.urls import URLResolver, include, path

from macehub import urls as hub_urls
from macehub.access import account_urls

_accounts = (
    [*account_urls.urlpatterns, *account_urls.SINGLE_SIGN_ON_URLPATTERNS],
    account_urls.app_name,
)

urlpatterns = [
    path("accounts/", include(_accounts)),
    *(pattern for pattern in hub_urls.urlpatterns
      if not (isinstance(pattern, URLResolver) and pattern.app_name == "accounts")),
]

handler403 = hub_urls.handler403
handler404 = hub_urls.handler404
handler500 = hub_urls.handler500
