"""Tactical meetings (C5): a series of meetings (the weekly tactical meeting, the
partnership's strategic meeting) with its standing member agencies; each meeting with its
date, chair and attendance by agency; an agenda that writes itself from what changed
since the series' last meeting (``meetings.agenda``), each item linked to its record;
for each item the discussion, the decision and actions with an owner, agency and due
date; minutes approved by the chair, and then frozen.

Need to know: an item linked to a record (``record_type``/``record_id``) is seen only by
those the access policy lets read that record through ``view_action``; its actions go
with it. A free-text item is seen by every reader of the meeting."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models

from macehub.meetings.codes import ActionStatus, AttendanceStatus, SeriesKind


class MeetingSeries(models.Model):
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=SeriesKind.choices)
    standing_agencies = models.ManyToManyField(
        "accounts.Agency", related_name="+",
        help_text="The agencies that are standing members of the series.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "meeting series"

    def __str__(self) -> str:
        return self.name


class Meeting(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    series = models.ForeignKey(MeetingSeries, on_delete=models.PROTECT,
                               related_name="meetings")
    held_on = models.DateField(db_index=True)
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+")
    agenda_prepared_at = models.DateTimeField(
        null=True, blank=True,
        help_text="The moment the agenda covers changes up to (when it was last prepared, "
        "or the end of the meeting's day); the next meeting's agenda starts there.")
    minutes_approved_at = models.DateTimeField(null=True, blank=True)
    minutes_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL,
                                            on_delete=models.PROTECT, null=True,
                                            blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-held_on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["series", "held_on"],
                                               name="one_meeting_a_day_per_series")]

    def __str__(self) -> str:
        return f"{self.reference} {self.series.name} {self.held_on:%d %B %Y}"

    @property
    def is_frozen(self) -> bool:
        return self.minutes_approved_at is not None


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=AttendanceStatus.choices)
    attendee = models.CharField(max_length=200, blank=True,
                                help_text="Who came (the deputy's name and role).")

    class Meta:
        ordering = ["agency__name"]
        constraints = [models.UniqueConstraint(fields=["meeting", "agency"],
                                               name="attendance_once_per_agency")]

    def __str__(self) -> str:
        return f"{self.agency_id}: {self.status}"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    source = models.CharField(max_length=40, help_text="The agenda source; 'chair' for "
                              "an item the chair added.")
    title = models.CharField(max_length=300)
    record_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+")
    record_id = models.PositiveBigIntegerField(null=True, blank=True)
    view_action = models.CharField(max_length=60, blank=True,
                                   help_text="The access policy's action that reads the "
                                   "linked record; empty for a free-text item.")
    link = models.CharField(max_length=200, blank=True)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, null=True,
                               blank=True, related_name="agenda_items",
                               help_text="The child or person the item is about, if any.")
    dropped = models.BooleanField(default=False)
    summary = models.TextField(blank=True, help_text="The discussion, in short.")
    decision = models.TextField(blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["meeting", "position", "pk"]
        indexes = [models.Index(fields=["record_type", "record_id"],
                                name="agenda_item_record")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_free_text(self) -> bool:
        return self.record_type_id is None


class MeetingAction(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="meeting_actions")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(db_index=True)
    status = models.CharField(max_length=10, choices=ActionStatus.choices,
                              default=ActionStatus.OPEN, db_index=True)
    completed_on = models.DateField(null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True,
                                   help_text="When the owner was last sent a reminder.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.reference

    def is_overdue(self, today: dt.date) -> bool:
        return self.status == ActionStatus.OPEN and self.due_on < today
