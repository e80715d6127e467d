"""A subject access request, what was gathered for it, and the officer's redactions.

The request names the person the hub holds by their pk (``person_id``), not by a
foreign key: governance sits below the people app and never reads it (the people app
names the person through ``subject_access.SUBJECT_NAMES``). What was gathered is copied
onto the request as ``DisclosureItem``s, so the review and the bundle read one fixed set
even as the records go on changing; a second gathering replaces them. The withheld
schedule and the bundle are kept on the request as they were produced."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from macehub.governance.subject_access import due_on
from macehub.governance.subject_access_codes import (
    CLOSED_STATUSES,
    IdentityCheck,
    RedactionReason,
    RequestStatus,
)


class SubjectAccessRequest(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    requester_name = models.CharField(max_length=200)
    requester_relationship = models.CharField(
        max_length=200, help_text="The person themselves, or who they are to the person "
                                  "(parent, solicitor)")
    requester_contact = models.CharField(max_length=300, blank=True)
    person_id = models.PositiveIntegerField(db_index=True)
    received_on = models.DateField()
    identity_verified_on = models.DateField(null=True, blank=True)
    identity_check = models.CharField(max_length=20, choices=IdentityCheck.choices,
                                      blank=True)
    identity_note = models.CharField(max_length=300, blank=True)
    extension_months = models.PositiveSmallIntegerField(default=0)
    extension_reason = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=RequestStatus.choices,
                              default=RequestStatus.RECEIVED, db_index=True)
    status_reason = models.TextField(blank=True,
                                     help_text="Why the request was withdrawn or refused")
    gathered_at = models.DateTimeField(null=True, blank=True)
    bundle_produced_at = models.DateTimeField(null=True, blank=True)
    bundle_pdf = models.BinaryField(null=True, blank=True, editable=False)
    # What was withheld and why, as the bundle listed it: [{"reference", "heading",
    # "field", "reason", "reason_label", "note"}].
    withheld_schedule = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["received_on", "reference"]
        constraints = [
            models.CheckConstraint(condition=models.Q(extension_months__lte=2),
                                   name="subject_access_extension_at_most_two_months"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def due_on(self) -> dt.date:
        return due_on(self.received_on, self.extension_months)

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES

    def is_overdue(self, today: dt.date) -> bool:
        return self.is_open and self.due_on < today


class DisclosureItem(models.Model):
    """One item a source returned for the request, as it was when gathered."""

    request = models.ForeignKey(SubjectAccessRequest, on_delete=models.CASCADE,
                                related_name="items")
    position = models.PositiveIntegerField()
    source = models.CharField(max_length=40)
    source_label = models.CharField(max_length=100)
    record_type = models.CharField(max_length=80)
    record_id = models.PositiveIntegerField()
    reference = models.CharField(max_length=60)
    date = models.DateField(null=True, blank=True)
    heading = models.CharField(max_length=300)
    # [{"name", "label", "text"}], in the order the source gave them.
    fields = models.JSONField(default=list)
    others_named = models.JSONField(default=list, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.reference} {self.heading}"


class Redaction(models.Model):
    """A field of an item withheld from the disclosure, why, and who decided."""

    item = models.ForeignKey(DisclosureItem, on_delete=models.CASCADE,
                             related_name="redactions")
    field_name = models.CharField(max_length=60)
    reason = models.CharField(max_length=20, choices=RedactionReason.choices)
    note = models.TextField(blank=True)
    # Marked when gathered (source details, handling conditions), not by an officer yet.
    by_default = models.BooleanField(default=False)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "field_name"],
                                               name="one_redaction_per_field")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.field_name} ({self.reason})"
