"""Who works in the hub: agencies, their teams, users and the roles each user holds."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from macehub.accounts.roles import AgencyKind, Role


class Agency(models.Model):
    """A partner organisation: a police force, a council's children's services, a trust..."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40, choices=AgencyKind.choices)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

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

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="team_name_unique_in_agency")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency.name})"


class User(AbstractUser):
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

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


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
