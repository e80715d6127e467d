"""Referrals into the hub: who referred which child, why, how the hub screened it, and
what triage decided, against which clock."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from macehub.cases.codes import Brag, RiskTier, default_exploitation_types, exploitation_type_labels
from macehub.referrals.codes import (
    NOT_KNOWN_TEXT,
    OUTCOME_PLAIN_WORDS,
    ConsentStatus,
    ExploitationModel,
    ImmediateStepKind,
    PartnerCheckResult,
    PartnerFileKind,
    PartnerImportStatus,
    ReferralSource,
    ReferralStatus,
    TriageOutcome,
    YearGroup,
    yes_no_not_known,
)
from macehub.referrals.screening import UNDER_13_RULE


class Referral(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    child = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="referrals"
    )
    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_made"
    )
    referrer_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="referrals_made"
    )
    source = models.CharField(max_length=20, choices=ReferralSource.choices)
    received_at = models.DateTimeField(db_index=True)
    concerns = models.TextField(help_text="What happened and why the referrer is worried")
    exploitation_types = models.JSONField(
        default=default_exploitation_types,
        help_text="The exploitation types (codes.ExploitationType) the referral is about: "
        "one or more; triage may correct them",
    )
    exploitation_model = models.CharField(max_length=40, choices=ExploitationModel.choices)
    # Yes/no answers and the count are null when the referrer did not know: "not known"
    # is an answer of its own, never stored as "no" or 0.
    immediate_risk = models.BooleanField(null=True, blank=True)
    disclosure = models.BooleanField(
        null=True, blank=True, help_text="The child has disclosed abuse or harm to someone"
    )
    sexual_activity = models.BooleanField(
        null=True, blank=True,
        help_text="The referral records sexual activity involving the child",
    )
    missing_episodes = models.PositiveSmallIntegerField(
        null=True, blank=True,
        help_text="Times missing from home or care in the last 30 days; null if not known",
    )
    online_platforms = models.JSONField(default=list, blank=True)
    indicators = models.ManyToManyField("cases.Indicator", through="ReferralIndicator")

    # What the referrer said about the child's home, school and family, kept as said: an
    # existing child's record is never changed by a referral (the hub checks it first).
    child_address_line_1 = models.CharField(max_length=200, blank=True)
    child_address_line_2 = models.CharField(max_length=200, blank=True)
    child_town = models.CharField(max_length=100, blank=True)
    child_postcode = models.CharField(max_length=8, blank=True)
    school = models.CharField(max_length=200, blank=True)
    year_group = models.CharField(max_length=20, choices=YearGroup.choices, blank=True)
    parent_carer_name = models.CharField(max_length=200, blank=True)
    parent_carer_relationship = models.CharField(max_length=100, blank=True)
    parent_carer_contact = models.CharField(
        max_length=200, blank=True, help_text="A phone number, e-mail or address"
    )
    parent_carer_aware = models.BooleanField(
        null=True, blank=True, help_text="The parent or carer knows of the referral; null if "
        "not known"
    )
    consent = models.CharField(
        max_length=20, choices=ConsentStatus.choices, blank=True,
        help_text="Blank only on referrals made before the question was asked",
    )
    consent_not_sought_reason = models.TextField(blank=True)
    referrer_phone = models.CharField(max_length=30, blank=True)

    # Screening, stored as it was shown so the suggestion can be explained later.
    screening_score = models.PositiveSmallIntegerField(default=0)
    suggested_brag = models.CharField(max_length=10, choices=Brag.choices)
    suggested_tier = models.CharField(max_length=10, choices=RiskTier.choices, blank=True)
    screening_reasons = models.JSONField(default=list)
    # The two clocks (``referrals.clocks``). The decision is due within one working day
    # of receipt, whatever the rating. Partner checks are due by the rating's clock:
    # the suggested rating until triage decides, then the rating triage gave.
    decision_due_at = models.DateTimeField(db_index=True)
    partner_check_brag = models.CharField(max_length=10, choices=Brag.choices)
    partner_checks_due_at = models.DateTimeField(
        help_text="When partner information is due, counted from receipt by the rating"
    )

    # Triage
    status = models.CharField(
        max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.AWAITING_TRIAGE,
        db_index=True,
    )
    brag = models.CharField(max_length=10, choices=Brag.choices, blank=True)
    risk_tier = models.CharField(max_length=10, choices=RiskTier.choices, blank=True)
    override_reason = models.TextField(blank=True)
    outcome = models.CharField(max_length=30, choices=TriageOutcome.choices, blank=True)
    outcome_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="referrals_decided",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    referrer_notified_at = models.DateTimeField(null=True, blank=True)
    # The MACE case the decision opened, or the child's case that was already open when
    # the decision was to open one (a second case would split the child's record).
    case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="referrals",
    )
    # Who is working on the referral now, so two triage officers do not work the same
    # one. Cleared when it is released or decided.
    picked_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="referrals_picked_up",
    )
    picked_up_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            # The triage queue: undecided referrals by the time left on their clock.
            models.Index(fields=["status", "decision_due_at"], name="referral_queue_idx"),
            # The performance measures of referrals decided in a period, month by month.
            models.Index(fields=["decided_at"], name="referral_decided_at_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_at__isnull=True) | Q(decided_at__gte=models.F("received_at")),
                name="referral_decided_after_received",
            ),
            models.CheckConstraint(
                condition=Q(status=ReferralStatus.AWAITING_TRIAGE)
                | (Q(decided_at__isnull=False) & ~Q(outcome="")),
                name="decided_referral_has_outcome",
            ),
            models.CheckConstraint(
                condition=~Q(consent=ConsentStatus.NOT_SOUGHT) | ~Q(consent_not_sought_reason=""),
                name="consent_not_sought_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(picked_up_by__isnull=True, picked_up_at__isnull=True)
                | Q(picked_up_by__isnull=False, picked_up_at__isnull=False),
                name="picked_up_by_someone_at_a_time",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_decided(self) -> bool:
        return self.status == ReferralStatus.DECIDED

    @property
    def decided_within_time(self) -> bool | None:
        if self.decided_at is None:
            return None
        return self.decided_at <= self.decision_due_at

    @property
    def exploitation_type_labels(self) -> list[str]:
        return exploitation_type_labels(self.exploitation_types or [])

    @property
    def prompts_immediate_steps(self) -> bool:
        """Screening found sexual activity with a child aged 12 or under: rape in law, so
        the police are told at once and a strategy discussion is held."""
        return any(reason.get("code") == UNDER_13_RULE for reason in self.screening_reasons)

    @property
    def child_address_text(self) -> str:
        parts = (self.child_address_line_1, self.child_address_line_2, self.child_town,
                 self.child_postcode)
        return ", ".join(part for part in parts if part)

    @property
    def immediate_risk_text(self) -> str:
        return yes_no_not_known(self.immediate_risk)

    @property
    def disclosure_text(self) -> str:
        return yes_no_not_known(self.disclosure)

    @property
    def sexual_activity_text(self) -> str:
        return yes_no_not_known(self.sexual_activity)

    @property
    def parent_carer_aware_text(self) -> str:
        return yes_no_not_known(self.parent_carer_aware)

    @property
    def missing_episodes_text(self) -> str:
        return NOT_KNOWN_TEXT if self.missing_episodes is None else str(self.missing_episodes)

    @property
    def consent_text(self) -> str:
        """Not asked on referrals made before the question existed."""
        if not self.consent:
            return "Not asked"
        return str(ConsentStatus(self.consent).label)

    @property
    def outcome_in_plain_words(self) -> str:
        return OUTCOME_PLAIN_WORDS.get(TriageOutcome(self.outcome), "") if self.outcome else ""


class ReferralIndicator(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="indicator_links")
    indicator = models.ForeignKey("cases.Indicator", on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "indicator"], name="indicator_once_per_referral"
            )
        ]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.indicator_id}"


class PartnerCheck(models.Model):
    """Triage asks a partner agency to check what it holds about the referral's child.

    The agency's hub members see the request in their queue and return it: information
    held (with a summary) or nothing held. The check is due by the referral's partner-check
    clock, counted from the request; when triage changes the rating, an outstanding
    check's due time follows the new rating.
    """

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="partner_checks")
    agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="partner_checks"
    )
    question = models.TextField(
        blank=True, help_text="What triage would like the agency to look for, if anything"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="partner_checks_requested"
    )
    requested_at = models.DateTimeField()
    # The rating whose clock set the due time: the referral's, and it follows a change.
    brag = models.CharField(max_length=10, choices=Brag.choices)
    due_at = models.DateTimeField()
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="partner_checks_returned",
    )
    result = models.CharField(max_length=20, choices=PartnerCheckResult.choices, blank=True)
    summary = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [
            # An agency's queue: its outstanding checks by due time.
            models.Index(fields=["agency", "returned_at", "due_at"],
                         name="partner_check_queue_idx"),
            # The performance measure of checks due in a period, month by month.
            models.Index(fields=["due_at"], name="partner_check_due_at_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "agency"], condition=Q(returned_at__isnull=True),
                name="one_outstanding_check_per_agency",
            ),
            models.CheckConstraint(
                condition=(Q(returned_at__isnull=True) & Q(result="")
                           & Q(returned_by__isnull=True))
                | (Q(returned_at__isnull=False) & ~Q(result="")
                   & Q(returned_by__isnull=False)),
                name="returned_check_has_result",
            ),
            models.CheckConstraint(
                condition=~Q(result=PartnerCheckResult.INFORMATION_HELD) | ~Q(summary=""),
                name="information_held_has_summary",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.agency_id}"

    @property
    def is_returned(self) -> bool:
        return self.returned_at is not None

    @property
    def returned_in_time(self) -> bool | None:
        if self.returned_at is None:
            return None
        return self.returned_at <= self.due_at

    def is_overdue(self, now: dt.datetime) -> bool:
        return self.returned_at is None and now > self.due_at


class ImmediateStep(models.Model):
    """Whether a step a referral prompts at once was taken: when, and who recorded it.
    A referral of sexual activity with a child aged 12 or under prompts two (telling the
    police, and a strategy discussion); each is recorded as done, or not done and why."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE,
                                 related_name="immediate_steps")
    kind = models.CharField(max_length=30, choices=ImmediateStepKind.choices)
    done = models.BooleanField()
    done_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, help_text="Who was told or took part; or why not")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "kind"], name="one_step_of_each_kind"),
            models.CheckConstraint(
                condition=(Q(done=True) & Q(done_at__isnull=False))
                | (Q(done=False) & Q(done_at__isnull=True) & ~Q(note="")),
                name="step_done_when_or_not_done_why",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.kind}"


class ReferralAddition(models.Model):
    """Information the referrer added to their referral after sending it. What was sent
    is never edited: each addition is appended, with when and by whom."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="additions")
    text = models.TextField()
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+")
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="addition_has_text"),
        ]

    def __str__(self) -> str:
        return f"{self.referral_id}: addition {self.pk}"

    def is_new_since_decision(self) -> bool:
        """Added after triage decided: the decision did not see it."""
        decided_at = self.referral.decided_at
        return decided_at is not None and self.added_at > decided_at


class PartnerMapping(models.Model):
    """How a partner system's export reads: for each hub field the partner's column
    heading, and for code lists the partner's values translated to the hub's codes
    (``referrals.partner_files``). The code lists stay the hub's."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+",
                               help_text="The partner whose system made the export.")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=PartnerFileKind.choices)
    columns = models.JSONField(default=dict, blank=True,
                               help_text="Hub field: the partner's column heading.")
    translations = models.JSONField(
        default=dict, blank=True,
        help_text="Hub field: {the partner's value: the hub's code}.")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"],
                                               name="partner_mapping_name_once")]

    def __str__(self) -> str:
        return f"{self.agency}: {self.name}"


class PartnerImport(models.Model):
    """A partner's file checked as it was uploaded and imported in the background: its
    progress while it runs and its report after. The checked rows are kept only until
    it ends."""

    mapping = models.ForeignKey(PartnerMapping, on_delete=models.PROTECT, related_name="imports")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField()
    file_name = models.CharField(max_length=200)
    rows = models.JSONField(default=list, blank=True, help_text="Emptied when it ends.")
    status = models.CharField(max_length=10, choices=PartnerImportStatus.choices,
                              default=PartnerImportStatus.QUEUED)
    stage = models.CharField(max_length=200, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True,
                              help_text="Records made, matches proposed, row by row.")
    problem = models.TextField(blank=True, help_text="Why the import failed.")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def per_cent(self) -> int:
        if self.status == PartnerImportStatus.DONE:
            return 100
        return self.rows_done * 100 // self.rows_total if self.rows_total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (PartnerImportStatus.DONE, PartnerImportStatus.FAILED)
