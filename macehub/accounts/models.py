"""Who works in the hub: agencies, their teams, users and the roles each user holds, and
the requests to change a user's access that a second administrator must approve."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django_otp.models import Device

from macehub.accounts.roles import (
    ROLE_CHANGE_STATUS_COLOURS,
    ROLES_HELD_WITHOUT_AGENCY,
    AgencyKind,
    Role,
    RoleChangeStatus,
)
from macehub.envconfig import env_str

NO_AGENCY_MESSAGE = "Select the user's agency: a user without an agency cannot hold a role"


@dataclass(frozen=True)
class UserAccess:
    """What decides what a user may see and do: their roles, agency and team, and whether
    they can sign in. Changing any of it is a change of access."""

    roles: frozenset[str]
    agency_id: int | None
    team_id: int | None
    is_active: bool

    def roles_needing_agency(self) -> frozenset[str]:
        return self.roles - ROLES_HELD_WITHOUT_AGENCY if self.agency_id is None else frozenset()


class Agency(models.Model):
    """A partner organisation: a police force, a council's children's services, a trust..."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40, choices=AgencyKind.choices)
    is_active = models.BooleanField(default=True)
    # Single sign-on: the value of the identity provider's organisation claim that means
    # this agency (``macehub.accounts.single_sign_on``). Blank: its staff use hub accounts.
    # Blank in the database too, for rows written without it (older code, raw inserts).
    identity_provider_organisation = models.CharField(max_length=200, blank=True, default="",
                                                      db_default="")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        constraints = [
            models.UniqueConstraint(
                fields=["identity_provider_organisation"],
                condition=~Q(identity_provider_organisation=""),
                name="identity_provider_organisation_names_one_agency",
                violation_error_message="Another agency already has this identity provider "
                "organisation",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A team within an agency. Members of a hub team work inside the MACE hub itself."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)
    is_hub_team = models.BooleanField(
        default=False,
        help_text="Members of a hub team see hub records without per-record sharing.",
    )
    is_active = models.BooleanField(default=True)
    # Single sign-on: the group, in the identity provider's groups claim, whose members
    # join this team when they first sign in. Blank: none. Never a hub team's (joining a
    # hub team is a change of access a second administrator approves).
    identity_provider_group = models.CharField(max_length=200, blank=True, default="",
                                               db_default="")

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="team_name_unique_in_agency"),
            models.UniqueConstraint(
                fields=["agency", "identity_provider_group"],
                condition=~Q(identity_provider_group=""),
                name="identity_provider_group_names_one_team_in_agency",
                violation_error_message="Another team of this agency already has this "
                "identity provider group",
            ),
            models.CheckConstraint(
                condition=Q(identity_provider_group="") | Q(is_hub_team=False),
                name="hub_team_joined_by_approval_not_identity_provider_group",
                violation_error_message="A hub team cannot have an identity provider group: "
                "joining a hub team is approved by a second administrator",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency.name})"


# The Django plugin of mypy cannot follow IdentityProviderDevice's user back through
# django-otp's untyped Device.
class User(AbstractUser):  # type: ignore[django-manager-missing]
    """A person who signs in. Belongs to one agency and at most one team."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="users", null=True, blank=True
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="members", null=True, blank=True
    )
    job_title = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    @property
    def role_codes(self) -> frozenset[str]:
        cached: frozenset[str] | None = getattr(self, "_role_codes", None)
        if cached is None:
            if not self.pk:
                return frozenset()
            cached = frozenset(self.role_assignments.values_list("role", flat=True))
            self._role_codes = cached
        return cached

    def forget_cached_roles(self) -> None:
        self.__dict__.pop("_role_codes", None)

    @property
    def role_labels(self) -> list[str]:
        return [Role(code).label for code in sorted(self.role_codes)]

    @property
    def is_hub_member(self) -> bool:
        return bool(self.team_id and self.team and self.team.is_hub_team)

    @cached_property
    def is_partner_system(self) -> bool:
        """The service account of a partner system's API client, not a person."""
        return bool(self.pk) and ApiClient.objects.filter(service_account_id=self.pk).exists()

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Taking away the agency of a user who holds roles would leave the roles without
        # the agency that limits them (see ROLES_HELD_WITHOUT_AGENCY).
        update_fields = kwargs.get("update_fields")
        if (
            self.pk
            and self.agency_id is None
            and (update_fields is None or "agency" in update_fields)
            and self.role_assignments.exclude(role__in=ROLES_HELD_WITHOUT_AGENCY).exists()
        ):
            raise ValidationError({"agency": NO_AGENCY_MESSAGE})
        super().save(*args, **kwargs)


class RoleAssignment(models.Model):
    """One role held by one user. A user can hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=40, choices=Role.choices)

    class Meta:
        ordering = ["role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="role_held_once_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.role not in ROLES_HELD_WITHOUT_AGENCY and self.user.agency_id is None:
            raise ValidationError({"roles": NO_AGENCY_MESSAGE})
        super().save(*args, **kwargs)


class RoleChangeRequest(models.Model):
    """A change to a user's roles, team, agency or sign-in that one administrator asked for
    and a second must approve before it applies (granting hub team membership, or a role
    that reads intelligence, every record or the accounts themselves).

    It records the user's access when it was asked for (``old_*``) and the access asked
    for (``new_*``): approval applies ``new_*`` only if the user's access is still
    ``old_*``, so a request never overwrites a change made since. The database refuses a
    request about its own requester, and a decision by the requester or the user it is
    about.
    """

    subject = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="role_change_requests"
    )
    requested_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="role_changes_requested"
    )
    requested_at = models.DateTimeField()
    reason = models.TextField()
    old_roles = models.JSONField(default=list, help_text="Role codes, sorted")
    new_roles = models.JSONField(default=list, help_text="Role codes, sorted")
    old_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    new_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    old_team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    new_team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    old_is_active = models.BooleanField()
    new_is_active = models.BooleanField()
    status = models.CharField(
        max_length=20, choices=RoleChangeStatus.choices, default=RoleChangeStatus.PENDING,
        db_index=True,
    )
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="role_changes_decided", null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(requested_by=F("subject")),
                name="role_change_not_requested_for_oneself",
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True)
                | (~Q(decided_by=F("requested_by")) & ~Q(decided_by=F("subject"))),
                name="role_change_decided_by_a_second_administrator",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status=RoleChangeStatus.PENDING, decided_by__isnull=True,
                      decided_at__isnull=True)
                    | (~Q(status=RoleChangeStatus.PENDING) & Q(decided_by__isnull=False,
                                                                decided_at__isnull=False))
                ),
                name="role_change_decided_with_who_and_when",
            ),
        ]

    def __str__(self) -> str:
        return f"Change of access for {self.subject} ({self.get_status_display()})"

    @classmethod
    def between(cls, old: UserAccess, new: UserAccess, **fields: Any) -> RoleChangeRequest:
        """An unsaved request from one access to another (also used to word the
        difference between two accesses with ``changes``)."""
        return cls(
            old_roles=sorted(old.roles), new_roles=sorted(new.roles),
            old_agency_id=old.agency_id, new_agency_id=new.agency_id,
            old_team_id=old.team_id, new_team_id=new.team_id,
            old_is_active=old.is_active, new_is_active=new.is_active,
            **fields,
        )

    @property
    def is_pending(self) -> bool:
        return self.status == RoleChangeStatus.PENDING

    @property
    def status_colour(self) -> str:
        return ROLE_CHANGE_STATUS_COLOURS[RoleChangeStatus(self.status)]

    @property
    def old_access(self) -> UserAccess:
        return UserAccess(frozenset(self.old_roles), self.old_agency_id, self.old_team_id,
                          self.old_is_active)

    @property
    def new_access(self) -> UserAccess:
        return UserAccess(frozenset(self.new_roles), self.new_agency_id, self.new_team_id,
                          self.new_is_active)

    def changes(self) -> list[tuple[str, str, str]]:
        """What the request changes, in words: (what, from, to), only what differs."""
        rows = []
        if set(self.old_roles) != set(self.new_roles):
            rows.append(("Roles", _role_words(self.old_roles), _role_words(self.new_roles)))
        if self.old_agency_id != self.new_agency_id:
            rows.append(("Agency", _name_or_none(self.old_agency), _name_or_none(self.new_agency)))
        if self.old_team_id != self.new_team_id:
            rows.append(("Team", _team_words(self.old_team), _team_words(self.new_team)))
        if self.old_is_active != self.new_is_active:
            rows.append(("Can sign in", _yes_no(self.old_is_active), _yes_no(self.new_is_active)))
        return rows


def _role_words(codes: list[str]) -> str:
    """The roles' names in the order the hub lists roles (``Role``)."""
    return ", ".join(role.label for role in Role if role.value in codes) or "None"


def _name_or_none(agency: Agency | None) -> str:
    return agency.name if agency else "None"


def _team_words(team: Team | None) -> str:
    if team is None:
        return "None"
    return f"{team.name} (hub team)" if team.is_hub_team else team.name


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


class ExternalIdentity(models.Model):
    """A user's account at an agency's identity provider: the provider (its issuer) and
    the provider's subject for them, the only thing that finds the user at single sign-on
    (never their e-mail address, which would let the provider take over a hub account)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_identities")
    issuer = models.CharField(max_length=500)
    subject = models.CharField(max_length=255)
    first_signed_in = models.DateTimeField()
    last_signed_in = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"],
                                    name="external_identity_once_per_provider")
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.issuer}"


class IdentityProvider(models.Model):
    """One agency's own identity provider (the force's Entra ID tenant, the council's, the
    trust's): single sign-on through it puts a person into ``agency`` and nowhere else,
    whatever organisation its claims name, so one agency's provider can never sign
    someone into another agency.

    The client secret is never stored here: ``client_secret_variable`` names the
    environment variable that holds it (or, with ``_FILE`` after the name, the file), so
    it stays with the deployment's other secrets. The name must end ``_OIDC_SECRET``: the
    hub sends that variable's value to the provider's token endpoint, which the
    administrator also chooses, so any other name could hand the hub's own secrets (its
    ``SECRET_KEY``, its database password) to a server of their choosing. A provider
    whose secret is missing is not offered at sign-in (``is_usable``)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT,
                               related_name="identity_providers")
    # Shown on the sign-in page: "Sign in with <name>".
    name = models.CharField(max_length=200, unique=True)
    # In the sign-in's start address: /accounts/single-sign-on/with/<slug>/.
    slug = models.SlugField(max_length=60, unique=True)
    issuer = models.CharField(max_length=500)
    authorization_endpoint = models.URLField(max_length=500)
    token_endpoint = models.URLField(max_length=500)
    userinfo_endpoint = models.URLField(max_length=500)
    jwks_endpoint = models.URLField(max_length=500)
    client_id = models.CharField(max_length=200)
    client_secret_variable = models.CharField(
        max_length=100,
        validators=[RegexValidator(r"^[A-Z][A-Z0-9_]*_OIDC_SECRET$", "Enter the name of "
                                   "an environment variable ending _OIDC_SECRET, in "
                                   "capitals, digits and underscores, like "
                                   "MACEHUB_COUNCIL_OIDC_SECRET")],
        help_text="The environment variable that holds the client secret (or, with _FILE "
        "after its name, the file that does); its name ends _OIDC_SECRET. The secret itself "
        "is never stored in the hub.")
    groups_claim = models.CharField(max_length=100, default="groups", db_default="groups")
    # The ID token's ``amr`` values (RFC 8176) this provider is trusted to vouch for as
    # the hub's second factor, separated by spaces; blank: the hub always asks its own.
    mfa_methods = models.CharField(max_length=200, blank=True, default="mfa otp hwk sc",
                                   db_default="mfa otp hwk sc")
    is_active = models.BooleanField(default=True, db_default=True)
    # Concurrent-edit detection for the administration page.
    version = models.PositiveIntegerField(default=1, db_default=1)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "client_id"],
                                    name="identity_provider_client_once_per_issuer",
                                    violation_error_message="Another identity provider "
                                    "already has this issuer and client ID"),
        ]

    def __str__(self) -> str:
        return self.name

    def client_secret(self) -> str:
        """The client secret from the environment (or its file); blank if it is missing."""
        try:
            return env_str(self.client_secret_variable, "")
        except ImproperlyConfigured:
            # A ``_FILE`` that points nowhere: the provider is not usable, the hub runs on.
            return ""

    @property
    def is_usable(self) -> bool:
        """Active and with its secret in place: only then offered at sign-in."""
        return self.is_active and bool(self.client_secret())

    @property
    def mfa_method_list(self) -> list[str]:
        return self.mfa_methods.split()


class IdentityProviderDevice(Device):
    """The second factor an identity provider vouched for: a sign-in whose ID token says
    the person passed multi-factor authentication there is marked verified with this
    device (as an authenticator app's code marks it), so the hub does not ask for its own
    code. It takes no codes: only single sign-on can mark a session with it."""

    def verify_token(self, token: Any) -> bool:
        return False


class ApiClient(models.Model):
    """A partner system that calls the hub's API: it acts as its own service account, a
    user of the owning agency that holds the roles the administrators granted it and
    cannot sign in to the pages, so every rule of the access policy applies to it as to
    a person of that agency. Its secret token is shown once, when it is issued, and kept
    only as a hash (``macehub.accounts.api_tokens``)."""

    name = models.CharField(max_length=200, unique=True)
    service_account = models.OneToOneField(
        User, on_delete=models.PROTECT, related_name="api_client"
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    token_hash = models.CharField(max_length=64, unique=True)
    # The token's first characters, so a partner can tell which token a client holds.
    token_prefix = models.CharField(max_length=16)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # When a token is renewed, the one it replaces keeps working until ``previous_token_until``
    # (at most a week), so the partner can switch over without a gap.
    previous_token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    previous_token_prefix = models.CharField(max_length=16, blank=True, db_default="",
                                             default="")
    previous_token_until = models.DateTimeField(null=True, blank=True)
    previous_token_last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, revoked_by__isnull=True)
                | Q(revoked_at__isnull=False, revoked_by__isnull=False),
                name="api_client_revoked_with_who_and_when",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def agency(self) -> Agency | None:
        return self.service_account.agency

    def is_usable_at(self, moment: Any) -> bool:
        return self.revoked_at is None and moment < self.expires_at

    def previous_token_works_at(self, moment: Any) -> bool:
        return (self.revoked_at is None and self.previous_token_until is not None
                and moment < self.previous_token_until)
