"""The disruption register (C6): what the hub and its partners do to disrupt those who
exploit children, and whether it works.

A ``Tactic`` is data (seeded from ``data/tactics.csv``; a hub adds its own): its legal
basis, the kinds of target it applies to, the kind of agency that leads it, and whether
it expires (and its usual length). A ``Disruption`` applies one tactic to exactly one
target (a person, a group, premises, a vehicle, a location or an online account: a check
constraint holds it to one), names the children it protects, and carries its dates and
status; a ``Breach`` records each breach of it."""

from __future__ import annotations

import operator
from functools import reduce

from django.conf import settings
from django.db import models

from macehub.accounts.roles import AgencyKind
from macehub.disruption.codes import DisruptionStatus, TargetKind

# The foreign key of each kind of target, by kind.
TARGET_FIELDS: dict[str, str] = {
    TargetKind.PERSON: "target_person",
    TargetKind.GROUP: "target_group",
    TargetKind.PREMISES: "target_premises",
    TargetKind.VEHICLE: "target_vehicle",
    TargetKind.LOCATION: "target_location",
    TargetKind.ACCOUNT: "target_account",
}


class Tactic(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120, unique=True)
    legal_basis = models.CharField(max_length=300)
    target_kinds = models.CharField(
        max_length=100, help_text="The kinds of target it applies to, separated by '|'.")
    lead_agency_kind = models.CharField(max_length=30, choices=AgencyKind.choices)
    expires = models.BooleanField(default=False)
    usual_length_days = models.PositiveIntegerField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def kinds(self) -> list[str]:
        return [kind for kind in self.target_kinds.split("|") if kind]

    @property
    def police_only(self) -> bool:
        """A police power: recorded only by police staff."""
        return self.lead_agency_kind == AgencyKind.POLICE

    def kind_labels(self) -> str:
        return ", ".join(str(TargetKind(kind).label).lower() for kind in self.kinds
                         if kind in TargetKind.values)


def _one_target() -> models.Q:
    """Exactly one target, in the field its kind names."""
    terms = []
    for kind, field in TARGET_FIELDS.items():
        others = {f"{other}__isnull": True for other in TARGET_FIELDS.values()
                  if other != field}
        terms.append(models.Q(target_kind=kind, **{f"{field}__isnull": False}, **others))
    return reduce(operator.or_, terms)


class Disruption(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    tactic = models.ForeignKey(Tactic, on_delete=models.PROTECT, related_name="disruptions")
    target_kind = models.CharField(max_length=10, choices=TargetKind.choices)
    target_person = models.ForeignKey("people.Person", on_delete=models.PROTECT, null=True,
                                      blank=True, related_name="disruptions_targeting")
    target_group = models.ForeignKey("networks.Group", on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="disruptions")
    target_premises = models.ForeignKey("intelligence.Premises", on_delete=models.PROTECT,
                                        null=True, blank=True, related_name="disruptions")
    target_vehicle = models.ForeignKey("intelligence.Vehicle", on_delete=models.PROTECT,
                                       null=True, blank=True, related_name="disruptions")
    target_location = models.ForeignKey("intelligence.Location", on_delete=models.PROTECT,
                                        null=True, blank=True, related_name="disruptions")
    target_account = models.ForeignKey("intelligence.OnlineAccount", on_delete=models.PROTECT,
                                       null=True, blank=True, related_name="disruptions")
    children = models.ManyToManyField("people.Person", blank=True, through="DisruptionChild",
                                      related_name="disruptions_protecting")
    investigation = models.ForeignKey("investigations.Investigation", on_delete=models.PROTECT,
                                      null=True, blank=True, related_name="disruptions")
    status = models.CharField(max_length=10, choices=DisruptionStatus.choices,
                              default=DisruptionStatus.PLANNED, db_index=True)
    agreed_at = models.ForeignKey(
        "meetings.AgendaItem", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="disruptions", help_text="The meeting decision that agreed it.")
    applied_on = models.DateField(null=True, blank=True)
    started_on = models.DateField(null=True, blank=True,
                                  help_text="When it was granted or served.")
    expires_on = models.DateField(null=True, blank=True, db_index=True)
    details = models.TextField(blank=True)
    lead_officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    lead_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT,
                                    related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=_one_target(),
                                              name="disruption_one_target")]

    def __str__(self) -> str:
        return f"{self.reference} {self.tactic.name}"

    @property
    def target(self) -> models.Model | None:
        field = TARGET_FIELDS.get(self.target_kind)
        return getattr(self, field) if field else None


class DisruptionChild(models.Model):
    """A child the disruption protects."""

    disruption = models.ForeignKey(Disruption, on_delete=models.CASCADE,
                                   related_name="child_links")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT,
                               related_name="disruption_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["disruption", "person"],
                                               name="disruption_child_once")]

    def __str__(self) -> str:
        return f"{self.disruption_id}: child {self.person_id}"


class Breach(models.Model):
    disruption = models.ForeignKey(Disruption, on_delete=models.CASCADE,
                                   related_name="breaches")
    occurred_on = models.DateField()
    what_happened = models.TextField()
    action_taken = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-occurred_on", "-pk"]

    def __str__(self) -> str:
        return f"Breach of {self.disruption_id} on {self.occurred_on}"
