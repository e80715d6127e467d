"""Two-factor enforcement: a signed-in user who has not passed a TOTP check this session
can reach only the two-factor pages and sign-out until they do."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from macehub.accounts.two_factor import session_is_verified

TWO_FACTOR_OPEN_URL_NAMES = ("accounts:two_factor_setup", "accounts:two_factor_verify",
                             "accounts:logout")


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.REQUIRE_TWO_FACTOR:
            return self.get_response(request)
        user = request.user
        if not user.is_authenticated or session_is_verified(user):
            return self.get_response(request)
        open_paths = {reverse(name) for name in TWO_FACTOR_OPEN_URL_NAMES}
        if request.path in open_paths or request.path.startswith(settings.STATIC_URL):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": "Two-factor authentication is required."}, status=403
            )
        from django_otp import devices_for_user

        if any(True for _ in devices_for_user(user, confirmed=True)):
            return redirect(f"{reverse('accounts:two_factor_verify')}?next={request.path}")
        return redirect("accounts:two_factor_setup")
