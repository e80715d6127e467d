"""Single sign-on's two addresses: the start, which sends the person to their agency's
identity provider, and the callback it returns them to (``accounts.single_sign_on``
decides who they are). Routed only when single sign-on is configured
(``settings.OIDC_ENABLED``).

A refused sign-in gets a page saying why and what to do, rather than the sign-in page
again; a provider that vouched for a second factor marks the session verified with the
user's ``IdentityProviderDevice``, as an authenticator app's code would."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django_otp import login as otp_login
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from macehub.access.views import public
from macehub.accounts.models import IdentityProviderDevice
from macehub.accounts.single_sign_on import (
    OTHER_AGENCY,
    SECOND_FACTOR_ASSERTED,
    SIGN_IN_REFUSAL,
    SWITCHED_OFF,
    UNKNOWN_ORGANISATION,
)

# Why a single sign-on was refused, in the words the refusal page uses.
REFUSAL_HEADINGS = {
    UNKNOWN_ORGANISATION: "Your organisation does not sign in to the hub this way",
    OTHER_AGENCY: "Your account belongs to another agency",
    SWITCHED_OFF: "Your account has been switched off",
}
REFUSAL_EXPLANATIONS = {
    UNKNOWN_ORGANISATION: "Your identity provider signed you in, but the organisation it "
    "names is not one of the hub's agencies that use single sign-on.",
    OTHER_AGENCY: "Your identity provider names a different organisation from the agency "
    "your hub account belongs to. A hub administrator must move your account first.",
    SWITCHED_OFF: "Your hub account cannot be used to sign in.",
}
NOT_FINISHED_HEADING = "Signing in did not finish"
NOT_FINISHED_EXPLANATION = ("Your identity provider did not complete the sign-in, or it took "
                            "too long.")


class HubOIDCCallbackView(OIDCAuthenticationCallbackView):
    def login_success(self) -> HttpResponse:
        response: HttpResponse = super().login_success()
        if getattr(self.request, SECOND_FACTOR_ASSERTED, False):
            device, _ = IdentityProviderDevice.objects.get_or_create(
                user=self.user, defaults={"name": "Identity provider", "confirmed": True})
            otp_login(self.request, device)
        return response

    def login_failure(self) -> HttpResponse:
        reason = getattr(self.request, SIGN_IN_REFUSAL, "")
        return render(
            self.request,
            "accounts/sign_in_refused.html",
            {
                "heading": REFUSAL_HEADINGS.get(reason, NOT_FINISHED_HEADING),
                "explanation": REFUSAL_EXPLANATIONS.get(reason, NOT_FINISHED_EXPLANATION),
                "refused": reason in REFUSAL_HEADINGS,
            },
            status=403 if reason in REFUSAL_HEADINGS else 400,
        )


single_sign_on_start = public(OIDCAuthenticationRequestView.as_view())
single_sign_on_callback = public(HubOIDCCallbackView.as_view())
