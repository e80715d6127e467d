"""Forms for signing in, two-factor codes and administering accounts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.db.models import Q, URLField

from macehub.accounts.models import Agency, IdentityProvider, Team, User
from macehub.accounts.roles import Role


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account has been switched off. Ask your administrator.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username",
                                                     "spellcheck": "false"})
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Security code",
        help_text="The 6-digit code from your authenticator app",
        max_length=6,
        min_length=6,
        error_messages={
            "required": "Enter the 6-digit security code",
            "min_length": "Enter the 6-digit security code",
            "max_length": "Enter the 6-digit security code",
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                   "spellcheck": "false"}
        ),
    )

    def clean_token(self) -> str:
        token: str = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError("The security code must be 6 digits")
        return token


class AgencyForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Agency
        fields = ["name", "code", "kind", "is_active", "identity_provider_organisation"]
        labels = {"code": "Short code", "kind": "Kind of agency", "is_active": "Active",
                  "identity_provider_organisation": "Identity provider organisation "
                  "(optional)"}
        help_texts = {
            "code": "Letters, numbers and hyphens, e.g. northshire-police",
            "identity_provider_organisation": "For an agency whose staff sign in with their "
            "organisation's account: the organisation its identity provider names (or its "
            "e-mail domain, if the hub is set up to use that). Leave blank if its staff use "
            "hub accounts.",
        }
        widgets = {"kind": forms.RadioSelect}


class TeamForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Team
        fields = ["agency", "name", "is_hub_team", "is_active", "identity_provider_group"]
        labels = {"is_hub_team": "Works inside the MACE hub", "is_active": "Active",
                  "identity_provider_group": "Identity provider group (optional)"}
        help_texts = {
            "identity_provider_group": "For an agency whose staff sign in with their "
            "organisation's account: the group, at its identity provider, whose members "
            "join this team when they first sign in. Not for a team that works inside the "
            "hub.",
        }


class UserForm(forms.ModelForm):  # type: ignore[type-arg]
    roles = forms.MultipleChoiceField(
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one role"},
    )
    password = forms.CharField(
        label="Initial password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters. Ask the user to change it when they first sign in.",
        error_messages={"required": "Enter an initial password"},
    )
    reason = forms.CharField(
        label="Why does the user need this access?",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "Needed when you give a role that reads intelligence or people's records, "
            "information governance or administration, or put the user in a hub team. "
            "A second administrator approves those changes before they apply."
        ),
    )

    # The user's details, then their access (which a second administrator may have to
    # approve) with the reason for it.
    field_order = ["username", "first_name", "last_name", "email", "job_title", "password",
                   "agency", "team", "roles", "is_active", "reason"]

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "job_title", "agency", "team",
                  "is_active"]
        labels = {"is_active": "Can sign in"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].required = True
        self.fields["agency"].error_messages["required"] = "Select the user's agency"
        self.fields["email"].required = True
        self.fields["email"].error_messages["required"] = "Enter the user's email address"
        if self.instance.pk:
            self.fields["roles"].initial = sorted(self.instance.role_codes)
            del self.fields["password"]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        team, agency = cleaned.get("team"), cleaned.get("agency")
        if team and agency and team.agency_id != agency.pk:
            self.add_error("team", "Select a team that belongs to the user's agency")
        password = cleaned.get("password")
        if password:
            try:
                validate_password(password, self.instance)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class RoleChangeDecisionForm(forms.Form):
    """A second administrator's decision on a change of access."""

    APPROVE, REJECT = "approve", "reject"

    decision = forms.ChoiceField(
        label="Your decision",
        choices=[(APPROVE, "Approve – apply the change now"),
                 (REJECT, "Reject – change nothing")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you approve or reject the change"},
    )
    comment = forms.CharField(
        label="Comment",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you checked, or why you reject it. The requester and information "
                  "governance will read it.",
        error_messages={"required": "Enter a comment on your decision"},
    )


def _token_days_field(label: str, initial: int, most: int, least: int = 1,
                      help_text: str = "", required: str = "") -> forms.IntegerField:
    between = f"Enter a number of days from {least} to {most}"
    return forms.IntegerField(
        label=label, initial=initial, min_value=least, max_value=most, help_text=help_text,
        error_messages={"required": required or between, "invalid": "Enter the number of "
                        "days as a whole number", "min_value": between, "max_value": between},
    )


class ApiClientForm(forms.Form):
    """A partner system's API client: its name, the agency it belongs to and the roles
    its service account holds (which may need a second administrator's approval)."""

    name = forms.CharField(
        label="Partner system's name", max_length=200,
        help_text="For example, the council's children's services case system",
        error_messages={"required": "Enter the partner system's name"},
    )
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.filter(is_active=True),
        help_text="The system acts as a user of this agency and sees what such a user may",
        error_messages={"required": "Select the agency that runs the system"},
    )
    team = forms.ModelChoiceField(queryset=Team.objects.filter(is_active=True), required=False)
    roles = forms.MultipleChoiceField(
        choices=Role.choices, widget=forms.CheckboxSelectMultiple,
        help_text="Usually Referrer: it can refer children, share information and read "
                  "the status of the referrals it made",
        error_messages={"required": "Select at least one role"},
    )
    valid_days = _token_days_field(
        "Days until the token expires", 90, 365,
        required="Enter the number of days until the token expires")
    reason = forms.CharField(
        label="Why does the system need this access?", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when a role reads intelligence or people's records: a second "
                  "administrator approves it before it applies",
    )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        team, agency = cleaned.get("team"), cleaned.get("agency")
        if team and agency and team.agency_id != agency.pk:
            self.add_error("team", "Select a team that belongs to the system's agency")
        return cleaned


class ApiTokenRenewalForm(forms.Form):
    """A new token for a partner system's client, and how long the old one keeps working."""

    valid_days = _token_days_field(
        "Days until the new token expires", 90, 365,
        required="Enter the number of days until the new token expires")
    overlap_days = _token_days_field(
        "Days the current token keeps working", 7, 7, least=0,
        help_text="Time for the partner to put the new token in place, up to 7 days. Enter "
                  "0 to stop the current token at once, for example if it may have leaked")


ENDPOINT_FIELDS = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint",
                   "jwks_endpoint")


class IdentityProviderForm(forms.ModelForm):  # type: ignore[type-arg]
    """An agency's own identity provider, as a hub administrator registers it: what the
    provider's administrators give for the hub's client, and the environment variable
    the deployment holds its secret in."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = IdentityProvider
        # An endpoint typed without its scheme is taken as https://, never http://.
        formfield_callback = staticmethod(
            lambda field, **kwargs: field.formfield(assume_scheme="https", **kwargs)
            if isinstance(field, URLField) else field.formfield(**kwargs))
        fields = ["agency", "name", "slug", "issuer", *ENDPOINT_FIELDS, "client_id",
                  "client_secret_variable", "groups_claim", "mfa_methods", "is_active"]
        labels = {
            "name": "Name on the sign-in button",
            "slug": "Short name in the sign-in address",
            "issuer": "Issuer",
            "authorization_endpoint": "Authorization endpoint",
            "token_endpoint": "Token endpoint",
            "userinfo_endpoint": "User info endpoint",
            "jwks_endpoint": "Signing keys (JWKS) endpoint",
            "client_id": "Client ID",
            "client_secret_variable": "Environment variable holding the client secret",
            "groups_claim": "Groups claim",
            "mfa_methods": "Methods trusted as a second factor (optional)",
            "is_active": "Offered at sign-in",
        }
        help_texts = {
            "agency": "Everyone this provider signs in joins this agency, and only this "
            "agency, whatever organisation the provider names",
            "name": "People see \"Sign in with\" and this name, for example Northshire "
            "Council",
            "slug": "Lower-case letters, numbers and hyphens, for example northshire-council",
            "issuer": "Exactly as the provider's ID tokens give it (the iss claim)",
            "groups_claim": "The claim listing the person's groups; a group that is a "
            "team's identity provider group puts them in that team",
            "mfa_methods": "The provider's amr values, separated by spaces, that stand for "
            "the hub's own second factor (for example mfa). Leave blank to always ask for "
            "the hub's code",
            "is_active": "Untick to stop people signing in with this provider",
        }
        error_messages = {
            "agency": {"required": "Select the agency this provider signs people into"},
            "name": {"required": "Enter the name on the sign-in button"},
            "slug": {"required": "Enter the short name in the sign-in address",
                     "invalid": "Use only lower-case letters, numbers and hyphens"},
            "issuer": {"required": "Enter the issuer"},
            "client_id": {"required": "Enter the client ID"},
            "client_secret_variable": {
                "required": "Enter the environment variable holding the client secret"},
            "groups_claim": {"required": "Enter the groups claim"},
            **{name: {"required": f"Enter the {label.lower()}",
                      "invalid": f"Enter the {label.lower()} as a web address"}
               for name, label in (("authorization_endpoint", "authorization endpoint"),
                                   ("token_endpoint", "token endpoint"),
                                   ("userinfo_endpoint", "user info endpoint"),
                                   ("jwks_endpoint", "signing keys endpoint"))},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agencies = Agency.objects.filter(is_active=True)
        if self.instance.pk:
            agencies = Agency.objects.filter(Q(is_active=True) | Q(pk=self.instance.agency_id))
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        for name in ("slug", "issuer", *ENDPOINT_FIELDS, "client_id",
                     "client_secret_variable", "groups_claim", "mfa_methods"):
            self.fields[name].widget.attrs["spellcheck"] = "false"

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        # A provider's endpoints carry codes and tokens: never over plain HTTP, except
        # on a demonstration hub.
        if not settings.DEMO_MODE:
            for name in ENDPOINT_FIELDS:
                value = cleaned.get(name)
                if value and not str(value).startswith("https://"):
                    self.add_error(name, "Enter an address that starts with https://")
        return cleaned
