"""The register of information-sharing agreements: which agencies agreed to share what,
for what purpose and on what lawful basis, signed when and due for review when.
Disseminations of intelligence and shares of a person's record name the agreement they
rely on (a nullable foreign key on each: records from before the register name none).

The register holds no personal data, so everyone in the hub may read it; information
governance records and changes it. An agreement's status is worked out from its dates
on the day asked (``status_on``), so it never goes stale: in force from signing until
ended, due for review from ``REVIEW_WARNING_DAYS`` before its review date (and still
in force: sharing under it goes on while it is reviewed), ended from the day it ended."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from macehub.governance.codes import AgreementBasis, AgreementStatus

# How long before its review date an agreement shows as due for review, and in
# information governance's work queue.
REVIEW_WARNING_DAYS = 30


class SharingAgreementQuerySet(models.QuerySet["SharingAgreement"]):
    def in_force_on(self, day: dt.date) -> SharingAgreementQuerySet:
        """Signed on or before the day and not ended by it (due for review included)."""
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day), signed_on__lte=day)

    def with_status_on(self, day: dt.date, status: str) -> SharingAgreementQuerySet:
        in_force = self.in_force_on(day)
        warn_from = day + dt.timedelta(days=REVIEW_WARNING_DAYS)
        if status == AgreementStatus.ENDED:
            return self.filter(ended_on__lte=day)
        if status == AgreementStatus.DUE_FOR_REVIEW:
            return in_force.filter(review_on__lte=warn_from)
        if status == AgreementStatus.IN_FORCE:
            return in_force.filter(review_on__gt=warn_from)
        return self

    def covering(self, day: dt.date, *agency_pks: int) -> SharingAgreementQuerySet:
        """In force on the day, with every one of the agencies among its parties."""
        agreements = self.in_force_on(day)
        for pk in agency_pks:
            agreements = agreements.filter(pk__in=SharingAgreement.parties.through.objects
                                           .filter(agency_id=pk).values("sharingagreement_id"))
        return agreements


class SharingAgreement(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=200)
    parties = models.ManyToManyField("accounts.Agency", related_name="sharing_agreements")
    purpose = models.TextField()
    lawful_basis = models.CharField(max_length=30, choices=AgreementBasis.choices)
    # Codes of DataCategory, in the order of the code list.
    data_categories = models.JSONField(default=list)
    signed_on = models.DateField()
    review_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    document_reference = models.CharField(
        max_length=200, blank=True,
        help_text="Where the signed agreement is kept (a document management reference).")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    objects = SharingAgreementQuerySet.as_manager()

    class Meta:
        ordering = ["review_on", "reference"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def status_on(self, day: dt.date) -> AgreementStatus:
        if self.ended_on is not None and self.ended_on <= day:
            return AgreementStatus.ENDED
        if self.review_on <= day + dt.timedelta(days=REVIEW_WARNING_DAYS):
            return AgreementStatus.DUE_FOR_REVIEW
        return AgreementStatus.IN_FORCE

    def in_force_on(self, day: dt.date) -> bool:
        return self.signed_on <= day and (self.ended_on is None or self.ended_on > day)


def agreement_words(agreement: SharingAgreement | None, reason_without: str) -> str:
    """What a dissemination's or share's page says of the agreement it relies on."""
    if agreement is not None:
        return f"{agreement.reference} {agreement.title}"
    if reason_without.strip():
        return f"None in force. Shared because: {reason_without.strip()}"
    return "Not recorded"
