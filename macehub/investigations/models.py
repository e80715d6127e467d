"""Investigations (C7): crimes with their child victims and suspects, an officer in the
case and a supervisor, lines of enquiry, supervisory reviews due at set points, and the
Home Office outcome.

An investigation is its police force's record (``owning_agency``). Each child victim is
a person, linked to their safeguarding case where there is one; each suspect a person.
A supervisory review is due on allocation, at a set interval while the investigation is
open, before a file goes for a charging decision and before closure
(``investigations.reviews``), and is signed by someone other than the officer in the
case."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from macehub.investigations.codes import (
    ChargingDecision,
    ChargingDecisionMaker,
    EnquiryStatus,
    EntitlementResponse,
    InvestigationStatus,
    JourneyStepKind,
    JourneyStepStatus,
    OutcomeCode,
    PreTrialTherapy,
    ReleaseKind,
    ReviewPoint,
    VictimsCodeRight,
    WithdrawalReason,
)
from macehub.people.codes import CoordinateSource


class Investigation(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=200, help_text="What the investigation is called "
                                                       "(an operation name, or the crime).")
    summary = models.TextField(blank=True)
    owning_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT,
                                      related_name="+")
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, null=True,
                             blank=True, related_name="+")
    reported_on = models.DateField(help_text="When the crime was first reported.")
    status = models.CharField(max_length=20, choices=InvestigationStatus.choices,
                              default=InvestigationStatus.OPEN, db_index=True)
    officer_in_case = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                        null=True, blank=True, related_name="+")
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    allocated_at = models.DateTimeField(null=True, blank=True)
    charging_requested_at = models.DateTimeField(
        null=True, blank=True, help_text="When the file went for a charging decision.")
    outcome = models.CharField(max_length=3, choices=OutcomeCode.choices, blank=True)
    outcome_on = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-reported_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status != InvestigationStatus.CLOSED


class Crime(models.Model):
    """One crime under investigation: its offence (Home Office classification code, see
    ``investigations.offences``), when and where."""

    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE,
                                      related_name="crimes")
    offence_code = models.CharField(max_length=10)
    committed_on = models.DateField(null=True, blank=True,
                                    help_text="Empty when not known.")
    location = models.CharField(max_length=200, blank=True)
    postcode = models.CharField(max_length=8, blank=True,
                                help_text="Where it was committed, when known.")
    easting = models.PositiveIntegerField(null=True, blank=True)
    northing = models.PositiveIntegerField(null=True, blank=True)
    coordinates_source = models.CharField(max_length=10, choices=CoordinateSource.choices,
                                          blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.investigation_id}: {self.offence_code}"


class InvestigationVictim(models.Model):
    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE,
                                      related_name="victims")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT,
                               related_name="investigations_as_victim")
    case = models.ForeignKey("cases.Case", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", help_text="The child's safeguarding case.")
    # The child's journey through the investigation and any prosecution (recorded by
    # the officer in the case and the child's victim advocate).
    needs_assessed_on = models.DateField(null=True, blank=True)
    needs_assessment = models.TextField(blank=True, help_text="What the child needs to take "
                                                              "part: support, communication, "
                                                              "safety.")
    pre_trial_therapy = models.CharField(max_length=12, choices=PreTrialTherapy.choices,
                                         blank=True)
    withdrew_on = models.DateField(null=True, blank=True, help_text="When the child withdrew "
                                                                    "their support.")
    withdrawal_reason = models.CharField(max_length=12, choices=WithdrawalReason.choices,
                                         blank=True)
    withdrawal_note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["investigation", "person"],
                                    name="investigation_victim_once"),
            models.CheckConstraint(
                condition=models.Q(withdrew_on__isnull=True, withdrawal_reason="")
                | models.Q(withdrew_on__isnull=False) & ~models.Q(withdrawal_reason=""),
                name="victim_withdrawal_has_a_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.investigation_id}: victim {self.person_id}"


class InvestigationSuspect(models.Model):
    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE,
                                      related_name="suspects")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT,
                               related_name="investigations_as_suspect")

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["investigation", "person"],
                                               name="investigation_suspect_once")]

    def __str__(self) -> str:
        return f"{self.investigation_id}: suspect {self.person_id}"


class LineOfEnquiry(models.Model):
    """A line of enquiry in the investigation plan: who owns it, by when, and its result."""

    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE,
                                      related_name="enquiries")
    description = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              null=True, blank=True, related_name="+")
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=EnquiryStatus.choices,
                              default=EnquiryStatus.OPEN)
    result = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "lines of enquiry"

    def __str__(self) -> str:
        return f"{self.investigation_id}: {self.description[:40]}"


class SupervisoryReview(models.Model):
    """A review due at one of the set points, and, once signed, what the supervisor
    checked and when the next is due."""

    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE,
                                      related_name="reviews")
    point = models.CharField(max_length=20, choices=ReviewPoint.choices)
    due_at = models.DateTimeField(db_index=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="+")
    victim_safeguarding = models.TextField(blank=True)
    lines_of_enquiry = models.TextField(blank=True)
    suspect_management = models.TextField(blank=True)
    evidence_and_disclosure = models.TextField(blank=True)
    next_review_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["reviewed_at", "due_at"],
                                name="investigation_review_due")]

    def __str__(self) -> str:
        return f"{self.investigation_id}: {self.point} due {self.due_at:%Y-%m-%d}"

    @property
    def is_done(self) -> bool:
        return self.reviewed_at is not None


class SuspectRelease(models.Model):
    """A suspect on pre-charge bail (with its conditions) or released under
    investigation, from a day until its expiry or review date; ended when the suspect is
    charged, bailed again or released from it. One open at a time for a suspect."""

    suspect = models.ForeignKey(InvestigationSuspect, on_delete=models.CASCADE,
                                related_name="releases")
    kind = models.CharField(max_length=4, choices=ReleaseKind.choices)
    conditions = models.TextField(blank=True)
    starts_on = models.DateField()
    expires_on = models.DateField(
        db_index=True, help_text="When bail expires, or when release under investigation is "
                                 "next reviewed.")
    ended_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-starts_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.suspect_id}: {self.kind} to {self.expires_on}"


class ChargingDecisionRecord(models.Model):
    """A charging decision on a file sent for one: who decided (the CPS, or the police
    where the Director's Guidance lets them), what, and when. A file can come back with
    an action plan and go again, so an investigation may have several."""

    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE,
                                      related_name="charging_decisions")
    decision = models.CharField(max_length=20, choices=ChargingDecision.choices)
    decided_by = models.CharField(max_length=10, choices=ChargingDecisionMaker.choices)
    decided_on = models.DateField()
    note = models.TextField(blank=True, help_text="The decision-maker's reasons, or what "
                                                  "the action plan asks for.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["decided_on", "pk"]

    def __str__(self) -> str:
        return f"{self.investigation_id}: {self.decision} on {self.decided_on}"


class VictimEntitlement(models.Model):
    """A Victims' Code right offered to a child victim, and whether they took it up."""

    victim = models.ForeignKey(InvestigationVictim, on_delete=models.CASCADE,
                               related_name="entitlements")
    right = models.CharField(max_length=2, choices=VictimsCodeRight.choices)
    offered_on = models.DateField()
    response = models.CharField(max_length=10, choices=EntitlementResponse.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["victim", "pk"]
        constraints = [models.UniqueConstraint(fields=["victim", "right"],
                                               name="victim_entitlement_once")]

    def __str__(self) -> str:
        return f"{self.victim_id}: right {self.right} {self.response}"


class JourneyStep(models.Model):
    """A step of the child's journey: an Achieving Best Evidence interview (planned and
    held, trauma-informed: who, where, with an intermediary or not), a special measure
    applied for and granted or refused, or a court hearing with the witness care
    arranged for it."""

    victim = models.ForeignKey(InvestigationVictim, on_delete=models.CASCADE,
                               related_name="steps")
    kind = models.CharField(max_length=16, choices=JourneyStepKind.choices)
    # Which special measure or hearing (code lists by kind); empty for an interview.
    what = models.CharField(max_length=20, blank=True)
    on = models.DateField(help_text="The day it is or was held, applied for or decided.")
    status = models.CharField(max_length=10, choices=JourneyStepStatus.choices)
    place = models.CharField(max_length=200, blank=True)
    who = models.CharField(max_length=200, blank=True,
                           help_text="Who interviews the child, or the court.")
    interviewing_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", help_text="The officer of the force who interviews the child "
                                    "(an ABE interview).")
    intermediary = models.CharField(max_length=200, blank=True)
    arrangements = models.TextField(blank=True, help_text="Trauma-informed arrangements, or "
                                                          "the witness care at court.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["on", "pk"]

    def __str__(self) -> str:
        return f"{self.victim_id}: {self.kind} {self.status} on {self.on}"


class AdvocateNote(models.Model):
    """A victim advocate's note on the child's journey. Confidential to the advocacy
    service that wrote it (``advocacy_service``), as the case's advocacy contacts are:
    the officer in the case never reads it."""

    victim = models.ForeignKey(InvestigationVictim, on_delete=models.CASCADE,
                               related_name="advocate_notes")
    text = models.TextField()
    advocacy_service = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT,
                                         related_name="+")
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    written_at = models.DateTimeField()

    class Meta:
        ordering = ["-written_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.victim_id}: note by {self.written_by_id}"
