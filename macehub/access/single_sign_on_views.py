"""Single sign-on's addresses: the starts, which send the person to an identity
provider, and the callback every provider returns them to (``accounts.single_sign_on``
decides who they are). Each agency's own provider starts at its slug's address (404 for
one that is inactive or lacks its secret); the hub-wide provider of the settings starts
at the plain address, routed only when it is configured (``settings.OIDC_ENABLED``).
The provider a sign-in started with is kept in the session against the sign-in's
``state``, so the callback uses that provider's client and keys and no other, even with
two sign-ins under way in one browser.

A refused sign-in gets a page saying why and what to do, rather than the sign-in page
again; a provider that vouched for a second factor marks the session verified with the
user's ``IdentityProviderDevice``, as an authenticator app's code would."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django_otp import login as otp_login
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from macehub.access.views import public
from macehub.accounts.models import IdentityProvider, IdentityProviderDevice
from macehub.accounts.single_sign_on import (
    OTHER_AGENCY,
    OTHER_ISSUER,
    SECOND_FACTOR_ASSERTED,
    SIGN_IN_PROVIDER,
    SIGN_IN_REFUSAL,
    SWITCHED_OFF,
    UNKNOWN_ORGANISATION,
    usable_identity_provider,
)

# The session's record of which agency's provider each sign-in under way started with,
# by the sign-in's state.
PROVIDER_BY_STATE = "single_sign_on_provider_by_state"

# Why a single sign-on was refused, in the words the refusal page uses.
REFUSAL_HEADINGS = {
    UNKNOWN_ORGANISATION: "Your organisation does not sign in to the hub this way",
    OTHER_AGENCY: "Your account belongs to another agency",
    SWITCHED_OFF: "Your account has been switched off",
    OTHER_ISSUER: "Your identity provider is not the one this sign-in started with",
}
REFUSAL_EXPLANATIONS = {
    UNKNOWN_ORGANISATION: "Your identity provider signed you in, but the organisation it "
    "names is not one of the hub's agencies that use single sign-on.",
    OTHER_AGENCY: "The identity provider you used signs people in to a different agency "
    "from the one your hub account belongs to. Sign in with your own agency's account, or "
    "ask a hub administrator to move your account.",
    SWITCHED_OFF: "Your hub account cannot be used to sign in.",
    OTHER_ISSUER: "The sign-in came back from a different identity provider. Start again "
    "from the hub's sign-in page.",
}
NOT_FINISHED_HEADING = "Signing in did not finish"
NOT_FINISHED_EXPLANATION = ("Your identity provider did not complete the sign-in, or it took "
                            "too long.")


class AgencyProviderStartView(OIDCAuthenticationRequestView):
    """Sends the person to their agency's own identity provider, with its client."""

    def get(self, request: HttpRequest, slug: str = "") -> HttpResponse:
        provider = usable_identity_provider(slug)
        if provider is None:
            raise Http404("No identity provider signs people in at this address")
        self.OIDC_OP_AUTH_ENDPOINT = provider.authorization_endpoint
        self.OIDC_RP_CLIENT_ID = provider.client_id
        response: HttpResponse = super().get(request)
        state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
        started = dict(request.session.get(PROVIDER_BY_STATE, {}))
        # As many sign-ins under way as mozilla-django-oidc keeps states for.
        waiting = request.session.get("oidc_states", {})
        started = {key: value for key, value in started.items() if key in waiting}
        started[state] = provider.slug
        request.session[PROVIDER_BY_STATE] = started
        return response


class HubOIDCCallbackView(OIDCAuthenticationCallbackView):
    def get(self, request: HttpRequest) -> HttpResponse:
        """Puts the provider this sign-in started with on the request for the backend:
        the agency's provider (even if deactivated since: the backend refuses it), or
        ``None`` for the hub-wide one."""
        started: dict[str, str] = dict(request.session.get(PROVIDER_BY_STATE, {}))
        slug = started.pop(request.GET.get("state", ""), None)
        if slug is not None:
            request.session[PROVIDER_BY_STATE] = started
        provider = (IdentityProvider.objects.select_related("agency").filter(slug=slug).first()
                    if slug is not None else None)
        if slug is not None and provider is None:
            raise Http404("No identity provider signs people in at this address")
        setattr(request, SIGN_IN_PROVIDER, provider)
        response: HttpResponse = super().get(request)
        return response

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
agency_single_sign_on_start = public(AgencyProviderStartView.as_view())
single_sign_on_callback = public(HubOIDCCallbackView.as_view())
