"""Workforce training (C9): the courses of the tiered framework, who must take each
(``CourseRequirement``, one row per rule), and each person's training records.

A ``Course`` is data (seeded from ``data/courses.csv``; the training lead adds and edits
them): its tier, validity in months (none: it never expires), the evidence expected,
and the specialist work it qualifies someone for (``qualifies_for``, '|'-separated
``Allocation`` codes). A ``CourseRequirement`` says who must take it: a role (empty:
every role), narrowed to a kind of agency or to one team when given. A
``TrainingRecord`` says a person completed a course on a day, until when it holds, with
what evidence, and where the record came from (entered, or a ``TrainingImport`` of a
learning system's file)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from macehub.accounts.roles import AgencyKind, Role
from macehub.training.codes import Allocation, RecordSource, Tier


class Course(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    title = models.CharField(max_length=200, unique=True)
    tier = models.CharField(max_length=12, choices=Tier.choices, db_index=True)
    description = models.TextField(blank=True)
    validity_months = models.PositiveIntegerField(
        null=True, blank=True, help_text="How long a completion holds; empty: for good.")
    evidence = models.CharField(max_length=200, blank=True,
                                help_text="The evidence expected: a certificate, an "
                                          "attendance record, an assessed interview...")
    qualifies_for = models.CharField(
        max_length=100, blank=True,
        help_text="The specialist work it qualifies for, separated by '|'.")
    is_active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["tier", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def allocations(self) -> list[str]:
        return [code for code in self.qualifies_for.split("|") if code]

    def allocation_labels(self) -> list[str]:
        return [str(Allocation(code).label) for code in self.allocations
                if code in Allocation.values]


class CourseRequirement(models.Model):
    """One rule of who must take a course: holders of ``role`` (every role when empty),
    in an agency of ``agency_kind`` (any, when empty) and in ``team`` (any, when none)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="requirements")
    role = models.CharField(max_length=40, choices=Role.choices, blank=True)
    agency_kind = models.CharField(max_length=40, choices=AgencyKind.choices, blank=True)
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, null=True,
                             blank=True, related_name="+")

    class Meta:
        ordering = ["course", "role", "pk"]

    def __str__(self) -> str:
        return f"{self.course_id}: {self.describe()}"

    def describe(self) -> str:
        who = str(Role(self.role).label) if self.role else "Every role"
        if self.agency_kind:
            who += f" in {AgencyKind(self.agency_kind).label.lower()}"
        if self.team is not None:
            who += f" in {self.team.name}"
        return who


class TrainingImport(models.Model):
    """A learning system's file of training records, imported whole for one agency."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(max_length=200)
    records = models.PositiveIntegerField()
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    imported_at = models.DateTimeField()

    class Meta:
        ordering = ["-imported_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.records} records)"


class TrainingRecord(models.Model):
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="training_records")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="records")
    completed_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True, db_index=True)
    evidence = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=10, choices=RecordSource.choices,
                              default=RecordSource.ENTERED)
    training_import = models.ForeignKey(TrainingImport, on_delete=models.PROTECT, null=True,
                                        blank=True, related_name="training_records")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-completed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["person", "course", "completed_on"],
                                    name="training_record_once_a_day"),
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True)
                | models.Q(expires_on__gt=models.F("completed_on")),
                name="training_expires_after_completion"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.course_id} on {self.completed_on}"

    def holds_on(self, day: dt.date) -> bool:
        """Whether the record is current on ``day``: completed by then, not yet expired."""
        return self.completed_on <= day and (self.expires_on is None or self.expires_on > day)
