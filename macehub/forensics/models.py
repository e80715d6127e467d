"""Digital forensics (C8): devices seized for an investigation (exhibits), triaged in
fast time (a kiosk examination) against a clock set by priority, examined in full where
triage says so against a target of its own, then returned, retained or disposed of.

An exhibit belongs to an investigation (its force's record). The due times are worked
out when the device is recorded (triage) and when it is triaged (full examination) and
stored, so a later change of the local policy in the settings does not move history
(``forensics.clocks``)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from macehub.forensics.codes import (
    DeviceOwner,
    DeviceType,
    ExhibitPriority,
    ExhibitStage,
    LegalAuthority,
)


class Exhibit(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    investigation = models.ForeignKey("investigations.Investigation", on_delete=models.PROTECT,
                                      related_name="exhibits")
    device_type = models.CharField(max_length=20, choices=DeviceType.choices)
    description = models.CharField(max_length=200, help_text="Make, model, colour, case.")
    seized_at = models.DateTimeField()
    seized_from = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True,
        related_name="exhibits_seized_from",
        help_text="A victim or suspect of the investigation; empty for anyone else.")
    owner = models.CharField(max_length=10, choices=DeviceOwner.choices,
                             help_text="Whose device it is.")
    priority = models.CharField(max_length=20, choices=ExhibitPriority.choices)
    legal_authority = models.CharField(max_length=20, choices=LegalAuthority.choices)
    stage = models.CharField(max_length=20, choices=ExhibitStage.choices,
                             default=ExhibitStage.WAITING_TRIAGE, db_index=True)
    triage_due_at = models.DateTimeField(db_index=True)
    triaged_at = models.DateTimeField(null=True, blank=True)
    triaged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    triage_findings = models.TextField(blank=True)
    full_examination_needed = models.BooleanField(null=True, blank=True)
    full_examination_due_at = models.DateTimeField(null=True, blank=True)
    examiner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="+",
                                 help_text="Who wrote the full examination report.")
    full_report_on = models.DateField(null=True, blank=True)
    full_report_at = models.DateTimeField(null=True, blank=True,
                                          help_text="When the report was recorded.")
    full_report_summary = models.TextField(blank=True)
    returned_on = models.DateField(null=True, blank=True)
    returned_to = models.CharField(max_length=200, blank=True)
    retained_reason = models.TextField(blank=True)
    retained_on = models.DateField(null=True, blank=True)
    disposed_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-seized_at", "-pk"]
        indexes = [models.Index(fields=["stage", "seized_at"], name="exhibit_backlog")]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_device_type_display()}"

    @property
    def current_due_at(self) -> dt.datetime | None:
        """The time the unit's next piece of work on it is due, while it waits."""
        if self.stage == ExhibitStage.WAITING_TRIAGE:
            return self.triage_due_at
        if self.stage == ExhibitStage.WAITING_FULL:
            return self.full_examination_due_at
        return None
