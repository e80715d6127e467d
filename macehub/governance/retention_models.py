"""Retention review's records: the rules (loaded from a file by a data migration), each
decision to keep a record, each request to dispose of one (approved or rejected by a
second officer), the tombstone a disposal leaves, and legal holds that stop disposal.

Records of other apps are named by their kind (a key of ``governance.retention.RECORD_KINDS``)
and id, not by a foreign key: governance sits below the apps whose records it reviews,
and a tombstone outlives the record it stands for."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from macehub.governance.retention_codes import ClockStart, DisposalStatus


class RetentionRule(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    record_kind = models.CharField(max_length=40)
    category = models.CharField(max_length=40)
    label = models.CharField(max_length=200)
    clock_starts = models.CharField(max_length=20, choices=ClockStart.choices)
    review_years = models.PositiveSmallIntegerField(
        help_text="Years from the clock's start to the first review, and between reviews")
    keep_until_age = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Never disposed of before the subject is this age")
    source = models.CharField(max_length=200)
    to_check = models.BooleanField(
        default=False, help_text="States national practice or an agency's schedule: check locally")

    class Meta:
        ordering = ["record_kind", "category"]
        constraints = [
            models.UniqueConstraint(fields=["record_kind", "category"],
                                    name="one_retention_rule_per_category"),
        ]

    def __str__(self) -> str:
        return self.label


class RetentionDecision(models.Model):
    """A decision to keep a record, and when it is next reviewed. Never changed: the
    latest decision on a record sets its next review."""

    record_kind = models.CharField(max_length=40)
    record_id = models.PositiveBigIntegerField()
    rule = models.ForeignKey(RetentionRule, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    next_review_on = models.DateField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [models.Index(fields=["record_kind", "record_id"], name="retention_decision_rec")]

    def __str__(self) -> str:
        return f"Kept until review on {self.next_review_on:%d %B %Y}"


class DisposalRequest(models.Model):
    """A request to dispose of a record, which another information governance officer
    approves or rejects."""

    record_kind = models.CharField(max_length=40)
    record_id = models.PositiveBigIntegerField()
    reference = models.CharField(max_length=40)
    rule = models.ForeignKey(RetentionRule, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=DisposalStatus.choices,
                              default=DisposalStatus.PENDING, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["record_kind", "record_id"],
                                    condition=Q(status="pending"),
                                    name="one_pending_disposal_per_record"),
            models.CheckConstraint(
                condition=Q(status="pending") | (Q(decided_by__isnull=False)
                                                 & ~Q(decided_by=models.F("requested_by"))),
                name="disposal_decided_by_another_officer"),
        ]

    def __str__(self) -> str:
        return f"Disposal of {self.reference}"


class DisposalTombstone(models.Model):
    """What is left of a disposed record: its kind and reference, when, under which rule,
    who asked and who approved. Nothing about the person."""

    record_kind = models.CharField(max_length=40)
    record_id = models.PositiveBigIntegerField()
    reference = models.CharField(max_length=40)
    rule = models.ForeignKey(RetentionRule, on_delete=models.PROTECT, related_name="+")
    request = models.OneToOneField(DisposalRequest, on_delete=models.PROTECT,
                                   related_name="tombstone")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    disposed_at = models.DateTimeField()

    class Meta:
        ordering = ["-disposed_at"]

    def __str__(self) -> str:
        return f"{self.reference} (disposed of)"


class LegalHold(models.Model):
    """An investigation or inquiry that needs records kept: none it names is disposed of
    until it is released."""

    name = models.CharField(max_length=200)
    reason = models.TextField()
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    placed_on = models.DateField()
    released_on = models.DateField(null=True, blank=True)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-placed_on", "-id"]

    def __str__(self) -> str:
        return self.name


class HeldRecord(models.Model):
    hold = models.ForeignKey(LegalHold, on_delete=models.CASCADE, related_name="records")
    record_kind = models.CharField(max_length=40)
    record_id = models.PositiveBigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["hold", "record_kind", "record_id"],
                                    name="record_held_once_per_hold"),
        ]
        indexes = [models.Index(fields=["record_kind", "record_id"], name="held_record_rec")]

    def __str__(self) -> str:
        return f"{self.record_kind} {self.record_id} held by {self.hold_id}"
