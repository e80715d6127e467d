"""Intelligence: partner submissions, graded intelligence reports (3x5x2, historic
5x5x5 kept readable), the entities they mention, and every dissemination.

Handling codes are enforced by the access policy (``report_relation``), not displayed:
a report with handling code C is seen only by its owning team and the teams and
agencies its conditions name.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from macehub.core.codes import short_label as code_short_label
from macehub.core.phones import display_phone
from macehub.intelligence.codes import (
    AccountPlatform,
    EntityRole,
    HandlingCode,
    IntelligenceAssessment,
    LawfulBasis,
    LegacyHandlingCode,
    LegacyIntelligenceEvaluation,
    LegacySourceEvaluation,
    PremisesKind,
    Priority,
    ReportStatus,
    ReviewAction,
    SecurityMarking,
    SourceEvaluation,
)
from macehub.intelligence.normalise import display_registration, registration_keys, search_keys
from macehub.people.codes import CoordinateSource


class Location(models.Model):
    description = models.CharField(max_length=200, help_text="e.g. 'Car park behind the Co-op'")
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=8, blank=True, db_index=True)
    area = models.ForeignKey("people.Area", on_delete=models.PROTECT, null=True, blank=True)
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    # British National Grid (metres); latitude and longitude above are derived from them
    # for the map when they are known.
    easting = models.PositiveIntegerField(null=True, blank=True)
    northing = models.PositiveIntegerField(null=True, blank=True)
    coordinates_source = models.CharField(max_length=10, choices=CoordinateSource.choices,
                                          blank=True)
    # Phonetic keys of the description and address, for spelling-tolerant search.
    search_keys = models.CharField(max_length=500, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["description"]

    def __str__(self) -> str:
        return self.description

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_keys = location_search_keys(self)
        super().save(*args, **kwargs)

    @property
    def coordinates(self) -> str:
        if self.latitude is None or self.longitude is None:
            return ""
        return f"{self.latitude}, {self.longitude}"

    @property
    def grid_reference(self) -> str:
        """Easting and northing in metres, with where they came from."""
        if self.easting is None or self.northing is None:
            return ""
        source = (f" ({self.get_coordinates_source_display().lower()})"
                  if self.coordinates_source else "")
        return f"{self.easting}, {self.northing}{source}"


def location_search_keys(location: Location) -> str:
    """What ``Location.save`` stores; call it before ``bulk_create``."""
    return search_keys(location.description, location.address)[:500]


class Vehicle(models.Model):
    """A vehicle, known by its registration. Make, model and colour are its registered
    details (e.g. from a DVLA check), never what a report said: a report's description
    of a vehicle is on its link (``ReportLink.description``), so it is seen only by those
    who may see that report."""

    registration = models.CharField(max_length=10, unique=True, help_text="Normalised: no spaces")
    make = models.CharField(max_length=60, blank=True)
    model = models.CharField(max_length=60, blank=True)
    colour = models.CharField(max_length=40, blank=True)
    # The registration with each character left out in turn, for finding a registration
    # typed with one slip (``normalise.registration_keys``); trigram-indexed on PostgreSQL.
    registration_keys = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["registration"]

    def __str__(self) -> str:
        return display_registration(self.registration)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.registration_keys = registration_keys(self.registration)
        super().save(*args, **kwargs)


class PhoneNumber(models.Model):
    number = models.CharField(max_length=20, unique=True, help_text="E.164, e.g. +447700900123")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return display_phone(self.number)


class OnlineAccount(models.Model):
    platform = models.CharField(max_length=20, choices=AccountPlatform.choices)
    handle = models.CharField(max_length=100, help_text="Normalised: lower case, no leading @")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["platform", "handle"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "handle"], name="account_once_per_platform")
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} @{self.handle}"


class Premises(models.Model):
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=PremisesKind.choices)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, null=True, blank=True)
    licence_reference = models.CharField(max_length=60, blank=True)
    search_keys = models.CharField(max_length=500, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "premises"

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_keys = premises_search_keys(self)
        super().save(*args, **kwargs)


def premises_search_keys(premises: Premises) -> str:
    """What ``Premises.save`` stores; call it before ``bulk_create``."""
    return search_keys(premises.name)[:500]


class Submission(models.Model):
    """Information from any partner, in their own words, awaiting a hub researcher."""

    reference = models.CharField(max_length=20, unique=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="intelligence_submitted"
    )
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(db_index=True)
    what = models.TextField()
    when = models.CharField(max_length=200, blank=True)
    where = models.CharField(max_length=300, blank=True)
    who = models.TextField(blank=True)
    how_known = models.TextField()
    report = models.OneToOneField(
        "IntelligenceReport", on_delete=models.PROTECT, null=True, blank=True,
        related_name="submission",
    )

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return self.reference


class IntelligenceReport(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    owning_team = models.ForeignKey(
        "accounts.Team", on_delete=models.PROTECT, related_name="intelligence_reports"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(db_index=True)
    occurred_on = models.DateField(null=True, blank=True)
    source_text = models.TextField(
        help_text="As received; may identify the source. Never leaves the owning team."
    )
    sanitised_text = models.TextField(
        blank=True, help_text="Safe to show beyond the owning team: nothing identifies a source."
    )
    # 3x5x2 grading
    source_evaluation = models.CharField(max_length=1, choices=SourceEvaluation.choices, blank=True)
    intelligence_assessment = models.CharField(
        max_length=1, choices=IntelligenceAssessment.choices, blank=True
    )
    handling_code = models.CharField(max_length=1, choices=HandlingCode.choices, default="C")
    handling_conditions = models.TextField(blank=True)
    permitted_teams = models.ManyToManyField("accounts.Team", blank=True, related_name="+")
    permitted_agencies = models.ManyToManyField("accounts.Agency", blank=True, related_name="+")
    security_marking = models.CharField(
        max_length=20, choices=SecurityMarking.choices, default=SecurityMarking.OFFICIAL_SENSITIVE
    )
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.LOW)
    # Historic 5x5x5 grading: read-only, shown as it was recorded.
    is_legacy_5x5x5 = models.BooleanField(default=False)
    legacy_source_evaluation = models.CharField(
        max_length=1, choices=LegacySourceEvaluation.choices, blank=True
    )
    legacy_intelligence_evaluation = models.CharField(
        max_length=1, choices=LegacyIntelligenceEvaluation.choices, blank=True
    )
    legacy_handling_code = models.CharField(
        max_length=1, choices=LegacyHandlingCode.choices, blank=True
    )
    # Review
    status = models.CharField(
        max_length=20, choices=ReportStatus.choices, default=ReportStatus.AWAITING_REVIEW,
        db_index=True,
    )
    review_action = models.CharField(max_length=20, choices=ReviewAction.choices, blank=True)
    review_note = models.TextField(
        blank=True, help_text="What the action is: who is tasked, what is to be developed"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(handling_code="C") | ~Q(handling_conditions=""),
                name="condition_c_states_its_conditions",
            ),
            models.CheckConstraint(
                condition=Q(reviewed_at__isnull=True) | Q(reviewed_at__gte=models.F("received_at")),
                name="report_reviewed_after_received",
            ),
        ]
        indexes = [
            # The columns the handling codes are enforced on (``policy.scope``): the
            # report list's count reads this small index alone, not every report's row
            # (an analyst's count at national scale 24-48 ms to 5 ms).
            models.Index(fields=["handling_code", "owning_team", "id"],
                         name="report_handling_access"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def priority_short(self) -> str:
        """"High", "Medium" or "Low", for tables."""
        # A value that has left the code list is shown as stored, as before.
        return code_short_label("priority", self.priority)

    @property
    def is_read_only(self) -> bool:
        """Historic 5x5x5 records are shown as they were recorded, never changed."""
        return self.is_legacy_5x5x5

    @property
    def time_to_review(self) -> dt.timedelta | None:
        """From receipt to the first review: the hub's measure of its own timeliness."""
        if self.reviewed_at is None:
            return None
        return self.reviewed_at - self.received_at

    @property
    def grading(self) -> str:
        if self.is_legacy_5x5x5:
            return (f"{self.legacy_source_evaluation}{self.legacy_intelligence_evaluation}"
                    f"{self.legacy_handling_code} (5x5x5)")
        return f"{self.source_evaluation}{self.intelligence_assessment}{self.handling_code}"


class ReportLink(models.Model):
    """An entity a report mentions, and its role there. Exactly one entity per link."""

    report = models.ForeignKey(IntelligenceReport, on_delete=models.CASCADE, related_name="links")
    role = models.CharField(max_length=30, choices=EntityRole.choices)
    description = models.CharField(
        max_length=300, blank=True,
        help_text="How this report describes it, e.g. 'grey Ford Focus, tinted windows'",
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True,
        related_name="report_links",
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, null=True, blank=True, related_name="report_links"
    )
    vehicle = models.ForeignKey(
        Vehicle, on_delete=models.PROTECT, null=True, blank=True, related_name="report_links"
    )
    phone = models.ForeignKey(
        PhoneNumber, on_delete=models.PROTECT, null=True, blank=True, related_name="report_links"
    )
    account = models.ForeignKey(
        OnlineAccount, on_delete=models.PROTECT, null=True, blank=True,
        related_name="report_links",
    )
    premises = models.ForeignKey(
        Premises, on_delete=models.PROTECT, null=True, blank=True, related_name="report_links"
    )

    ENTITY_FIELDS = ("person", "location", "vehicle", "phone", "account", "premises")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(person__isnull=False, location__isnull=True, vehicle__isnull=True,
                      phone__isnull=True, account__isnull=True, premises__isnull=True)
                    | Q(person__isnull=True, location__isnull=False, vehicle__isnull=True,
                        phone__isnull=True, account__isnull=True, premises__isnull=True)
                    | Q(person__isnull=True, location__isnull=True, vehicle__isnull=False,
                        phone__isnull=True, account__isnull=True, premises__isnull=True)
                    | Q(person__isnull=True, location__isnull=True, vehicle__isnull=True,
                        phone__isnull=False, account__isnull=True, premises__isnull=True)
                    | Q(person__isnull=True, location__isnull=True, vehicle__isnull=True,
                        phone__isnull=True, account__isnull=False, premises__isnull=True)
                    | Q(person__isnull=True, location__isnull=True, vehicle__isnull=True,
                        phone__isnull=True, account__isnull=True, premises__isnull=False)
                ),
                name="link_names_exactly_one_entity",
            )
        ]

    def __str__(self) -> str:
        return f"{self.report_id} {self.role}"

    @property
    def kind(self) -> str:
        """The field naming the entity: "person", "vehicle"..."""
        for name in self.ENTITY_FIELDS:
            if getattr(self, f"{name}_id") is not None:
                return name
        return ""

    @property
    def entity(self) -> models.Model | None:
        for name in self.ENTITY_FIELDS:
            value = getattr(self, name)
            if value is not None:
                return value
        return None


class Dissemination(models.Model):
    """A report shared with a partner agency: what was shared, under which handling code
    and conditions, and on what lawful basis."""

    report = models.ForeignKey(
        IntelligenceReport, on_delete=models.PROTECT, related_name="disseminations"
    )
    to_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    shared_text = models.TextField()
    handling_code = models.CharField(max_length=1, choices=HandlingCode.choices)
    handling_conditions = models.TextField(blank=True)
    lawful_basis = models.CharField(max_length=20, choices=LawfulBasis.choices)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    shared_at = models.DateTimeField()
    # The information-sharing agreement it relies on (none on disseminations from before
    # the register, shown as not recorded); where no agreement covered the two agencies,
    # why it was shared anyway (``governance.sharing_services.agreement_relied_on``).
    agreement = models.ForeignKey("governance.SharingAgreement", on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")
    reason_without_agreement = models.TextField(blank=True)

    class Meta:
        ordering = ["-shared_at"]

    def __str__(self) -> str:
        return f"{self.report_id} → {self.to_agency_id}"


class EntitySearchEntry(models.Model):
    """One place, vehicle, phone, account or premises as one report mentions it (one row
    per link), folded for search. Entity search reads only this table
    (``intelligence.search``): an entity is found through the reports that mention it,
    so the user's access is the filter ``report in the reports they may see``, in the
    same query that finds and ranks; ``intelligence.search_index`` keeps it in step with
    every write. People are not here: they are found through the person name index,
    by the people rules. Trigram-indexed on PostgreSQL."""

    link = models.OneToOneField(ReportLink, on_delete=models.CASCADE, related_name="+")
    # The link's report, so that the access filter needs no join through the link.
    report = models.ForeignKey(IntelligenceReport, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10)  # an EntityKind, the link's field
    entity_id = models.BigIntegerField()
    # The normalised form looked up whole or in part: a location's postcode (upper case,
    # no spaces), a registration, an E.164 number, a handle, a licence reference (lower
    # case).
    text = models.CharField(max_length=100, blank=True)
    # A registration with look-alike characters read alike (O as 0, I as 1...).
    plate = models.CharField(max_length=20, blank=True)
    # Folded words (``names.fold``), wrapped in spaces: " brackenford bus station ".
    words = models.CharField(max_length=500, blank=True)
    # Phonetic keys of the words (places, premises), or a registration with each
    # character left out in turn (vehicles), wrapped in spaces.
    keys = models.CharField(max_length=500, blank=True)
    # How the entity is shown; ties of score are ordered by it.
    label = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = "entity search entry"
        verbose_name_plural = "entity search entries"
        indexes = [models.Index(fields=["kind", "entity_id"], name="intel_search_entity")]

    def __str__(self) -> str:
        return f"{self.kind} {self.entity_id}: {self.label}"
