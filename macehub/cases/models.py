"""Child safeguarding cases: one open case per child across agencies, with the risk tier
and its history, the workers and advocates (with continuity), the safeguarding plan,
contacts, missing episodes and outcomes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from macehub.cases.codes import (
    Brag,
    CaseStatus,
    ClosureReason,
    ContactKind,
    DecisionKind,
    DecisionStatus,
    DomainRating,
    ExploitationModel,
    IndicatorDomain,
    InterviewOfferer,
    InterviewResponse,
    JoinedReferralReview,
    MissingEpisodeState,
    NrmDecision,
    OutcomeKind,
    PlanItemStatus,
    PlanOwnerKind,
    PoliceRiskGrade,
    RiskTier,
    SeenAnswer,
    closure_reason_label,
    default_exploitation_types,
    domain_label,
    exploitation_model_label,
    exploitation_type_labels,
    police_risk_grade_label,
    seen_answer_label,
    tier_rank,
)
from macehub.people.codes import CoordinateSource


class Indicator(models.Model):
    """One exploitation indicator from the catalogue, with its domain and weight
    (Low 1, Medium 2, High 3). Loaded from ``cases/data/indicators.csv``. A referral
    records the indicators seen and a case's risk assessment rates their domains, so
    the catalogue sits with cases, below referrals; its table keeps the name it was
    created with (``referrals_indicator``), so moving it moved no data."""

    code = models.CharField(max_length=40, primary_key=True)
    domain = models.CharField(max_length=20, choices=IndicatorDomain.choices)
    label = models.CharField(max_length=200)
    weight = models.PositiveSmallIntegerField()
    sort_order = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    HIGH = 3

    class Meta:
        db_table = "referrals_indicator"
        ordering = ["sort_order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=3), name="indicator_weight_1_to_3"
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def weight_label(self) -> str:
        return {1: "Low", 2: "Medium", 3: "High"}[self.weight]


def return_interview_window() -> dt.timedelta:
    return dt.timedelta(hours=settings.RETURN_INTERVIEW_HOURS)


class Case(models.Model):
    """A child's MACE case. The referrals that opened or joined it point at it
    (``Referral.case``, read as ``case.referrals``): referrals sit above cases, so the case
    does not point back."""

    reference = models.CharField(max_length=20, unique=True)
    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="cases")
    opened_at = models.DateTimeField(db_index=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    lead_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="led_cases"
    )
    key_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="key_worker_cases",
    )
    risk_tier = models.CharField(max_length=10, choices=RiskTier.choices, db_index=True)
    exploitation_types = models.JSONField(
        default=default_exploitation_types,
        help_text="The exploitation types (codes.ExploitationType) the case is about: one "
        "or more",
    )
    exploitation_model = models.CharField(
        max_length=30, choices=ExploitationModel.choices, blank=True,
        help_text="How the exploitation happens (codes.ExploitationModel); blank when it has "
        "not been recorded, which the problem profile counts as its own row.",
    )
    is_restricted = models.BooleanField(
        default=False, help_text="Opening a restricted case asks for a reason, which is audited."
    )
    status = models.CharField(
        max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN, db_index=True
    )
    restriction_reason = models.TextField(
        blank=True, help_text="Why the case was restricted (or the restriction lifted)."
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    closure_reason = models.CharField(max_length=20, choices=ClosureReason.choices, blank=True)
    closure_reason_words = models.CharField(
        max_length=200, blank=True,
        help_text="The reason's words when the case closed, kept as recorded when the code "
        "list changes.",
    )
    closure_note = models.TextField(blank=True)
    version = models.PositiveIntegerField(
        default=1, help_text="Raised on every change to the case itself, so concurrent edits "
        "are detected."
    )

    class Meta:
        ordering = ["-opened_at"]
        indexes = [
            # The case list's own order (most serious tier first, newest first), so a
            # page of it is read in order rather than every case sorted.
            models.Index(tier_rank().desc(), F("opened_at").desc(),
                         F("id").desc(), name="case_list_order"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["child"], condition=Q(status="open"), name="one_open_case_per_child",
                violation_error_message="a child can have only one open case",
            ),
            models.CheckConstraint(
                condition=Q(status="open") | (Q(closed_at__isnull=False) & ~Q(closure_reason="")),
                name="closed_case_has_date_and_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status == CaseStatus.OPEN

    @property
    def closure_reason_text(self) -> str:
        """Why the case closed, in the words recorded at the time."""
        if not self.closure_reason:
            return ""
        return self.closure_reason_words or closure_reason_label(self.closure_reason)

    @property
    def exploitation_type_labels(self) -> list[str]:
        return exploitation_type_labels(self.exploitation_types or [])

    @property
    def exploitation_model_label(self) -> str:
        """The model's words, or "Not recorded" (a state of its own, never dropped)."""
        return exploitation_model_label(self.exploitation_model)


class RiskTierChange(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tier_history")
    from_tier = models.CharField(max_length=10, choices=RiskTier.choices, blank=True)
    to_tier = models.CharField(max_length=10, choices=RiskTier.choices)
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_tier or '–'} → {self.to_tier}"


class ReferralJoined(models.Model):
    """A new referral joined the child's open case (triage's decision to open a case
    found one open already). Triage's rating may differ from the case's tier, so the case
    asks its key worker to review the tier: they change it, or record that they reviewed
    it and keep it, with a reason. Either acknowledges this record.

    The referral is named by its reference and referring agency, as the case shows it:
    the case does not reach into the referral."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals_joined")
    referral_reference = models.CharField(max_length=20)
    referring_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="+"
    )
    joined_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        help_text="The triage officer whose decision joined the referral to the case",
    )
    brag = models.CharField(max_length=10, choices=Brag.choices, blank=True,
                            help_text="Triage's BRAG rating")
    risk_tier = models.CharField(max_length=10, choices=RiskTier.choices, blank=True,
                                 help_text="Triage's risk tier")
    case_tier = models.CharField(max_length=10, choices=RiskTier.choices,
                                 help_text="The case's tier when the referral joined")
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=JoinedReferralReview.choices, blank=True)
    outcome_note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["joined_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(acknowledged_by__isnull=True, acknowledged_at__isnull=True,
                            outcome="")
                | (Q(acknowledged_by__isnull=False, acknowledged_at__isnull=False)
                   & ~Q(outcome="")),
                name="referral_joined_acknowledged_with_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.referral_reference}"

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    @property
    def triage_tier_name(self) -> str:
        return _tier_name(self.risk_tier)

    @property
    def case_tier_name(self) -> str:
        return _tier_name(self.case_tier)

    @property
    def brag_name(self) -> str:
        return Brag(self.brag).short_label if self.brag else ""


class CaseDecisionRequest(models.Model):
    """A change to the case that a worker asks for and a supervisor or the MACE chair
    approves or rejects with a comment: closing it, lowering its risk tier from High or
    Medium, lifting its restriction. Approval applies the change; rejection leaves the
    case as it was. The database refuses a decision by the person who asked, and a
    second request of the same kind while one is waiting."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="decision_requests")
    kind = models.CharField(max_length=20, choices=DecisionKind.choices)
    reason = models.TextField(
        blank=True, help_text="Why the change is asked for (for a closure, the note)."
    )
    closure_reason = models.CharField(max_length=20, choices=ClosureReason.choices, blank=True)
    cancel_open_plan_items = models.BooleanField(
        default=False, help_text="For a closure: the requester confirmed the open plan items "
        "should be cancelled."
    )
    from_tier = models.CharField(max_length=10, choices=RiskTier.choices, blank=True)
    to_tier = models.CharField(max_length=10, choices=RiskTier.choices, blank=True)
    case_version = models.PositiveIntegerField(help_text="The case's version when asked.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    status = models.CharField(
        max_length=20, choices=DecisionStatus.choices, default=DecisionStatus.PENDING,
        db_index=True,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"], condition=Q(status="pending"),
                name="one_pending_decision_request_of_a_kind_per_case",
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("requested_by")),
                name="case_decision_not_by_its_requester",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_by__isnull=True, decided_at__isnull=True)
                | Q(status="withdrawn", decided_at__isnull=False)
                | (Q(status__in=["approved", "rejected"], decided_by__isnull=False,
                     decided_at__isnull=False) & ~Q(decision_comment="")),
                name="case_decision_with_who_when_and_comment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.get_kind_display()} ({self.get_status_display()})"

    @property
    def is_pending(self) -> bool:
        return self.status == DecisionStatus.PENDING

    @property
    def asked_for(self) -> str:
        """What is asked, in words: "Close the case: Stepped down to another service"."""
        if self.kind == DecisionKind.CLOSE:
            return f"Close the case: {closure_reason_label(self.closure_reason)}"
        if self.kind == DecisionKind.LOWER_TIER:
            return (f"Lower the risk tier from {_tier_name(self.from_tier)} to "
                    f"{_tier_name(self.to_tier)}")
        return "Lift the restriction"


def _tier_name(tier: str) -> str:
    return RiskTier(tier).short_label if tier else ""


class AdvocateAllocation(models.Model):
    """A named victim advocate for the child; each change of advocate is a new row, so
    the number of changes per child measures continuity."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="advocacy")
    advocate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="advocacy"
    )
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)
    allocated_at = models.DateTimeField(default=timezone.now)
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(ended_on__isnull=True),
                name="one_current_advocate_per_case",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="advocacy_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.advocate_id} from {self.started_on}"


class CaseAllocation(models.Model):
    """A member of partner staff allocated to work on the case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="allocations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_allocations"
    )
    allocated_at = models.DateTimeField(auto_now_add=True)
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="case_allocation_once")
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.user_id}"


class CaseShare(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shares")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.CASCADE, related_name="+")
    shared_at = models.DateTimeField(auto_now_add=True)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    reason = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "agency"], name="case_share_once")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.agency_id}"


class PlanItem(models.Model):
    """One action of the child's safeguarding plan, owned by a named person: either a
    member of hub staff (``owner``, with the agency they act for), or a named person at a
    partner agency (``partner_owner_...``, for example a school's designated safeguarding
    lead). A partner owner is a name on the plan, not a user: owning an action gives them
    no access to the case, and the key worker chases their actions when overdue."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plan_items")
    action = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", help_text="The member of hub staff who owns the action.",
    )
    owner_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="The agency the hub owner acts for.",
    )
    partner_owner_name = models.CharField(max_length=200, blank=True)
    partner_owner_role = models.CharField(
        max_length=200, blank=True, help_text="For example, designated safeguarding lead"
    )
    partner_owner_agency = models.CharField(
        max_length=200, blank=True, help_text="Their school, practice or service."
    )
    partner_owner_contact = models.CharField(
        max_length=300, blank=True, help_text="A phone number or email address."
    )
    due_on = models.DateField(db_index=True)
    status = models.CharField(
        max_length=10, choices=PlanItemStatus.choices, default=PlanItemStatus.OPEN, db_index=True
    )
    completed_on = models.DateField(
        null=True, blank=True, help_text="When the action was done or cancelled."
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    completion_note = models.TextField(blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | Q(completed_on__isnull=False),
                name="finished_plan_item_has_date",
            ),
            models.CheckConstraint(
                condition=(
                    Q(owner__isnull=False, owner_agency__isnull=False, partner_owner_name="",
                      partner_owner_role="", partner_owner_agency="", partner_owner_contact="")
                    | (Q(owner__isnull=True, owner_agency__isnull=True)
                       & ~Q(partner_owner_name="") & ~Q(partner_owner_agency=""))
                ),
                name="plan_item_owned_by_hub_staff_or_a_partner",
            ),
        ]

    def __str__(self) -> str:
        return self.action[:60]

    @property
    def is_open(self) -> bool:
        return self.status == PlanItemStatus.OPEN

    @property
    def owner_kind(self) -> PlanOwnerKind:
        return PlanOwnerKind.HUB_STAFF if self.owner_id is not None else PlanOwnerKind.PARTNER

    @property
    def owned_by_partner(self) -> bool:
        return self.owner_kind == PlanOwnerKind.PARTNER

    @property
    def owner_name(self) -> str:
        """The owner's name, for either kind of owner."""
        if self.owner is not None:
            return self.owner.display_name
        return self.partner_owner_name

    @property
    def owner_agency_name(self) -> str:
        if self.owner_agency is not None:
            return self.owner_agency.name
        return self.partner_owner_agency


class Contact(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    occurred_at = models.DateTimeField()
    kind = models.CharField(max_length=20, choices=ContactKind.choices)
    with_whom = models.CharField(max_length=200)
    summary = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    # Set when a victim advocate records the contact: the agency whose advocacy service
    # it was. Its notes (who it was with, what was said) are that service's; everyone
    # else sees that the contact happened (when, what kind, by whom). The access policy's
    # ``advocacy_notes_relation`` says who may read them.
    advocacy_service = models.ForeignKey(
        "accounts.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Whether the child was seen, and if so whether seen alone (``SeenAnswer``). Blank on
    # contacts recorded before the questions were asked: not recorded. Seen alone is
    # "not applicable" when the child was not seen.
    child_seen = models.CharField(max_length=20, choices=SeenAnswer.choices, blank=True)
    child_seen_alone = models.CharField(max_length=20, choices=SeenAnswer.choices, blank=True)
    child_words = models.TextField(
        blank=True, help_text="The voice of the child: what they said, and what they want, in "
        "their own words where possible."
    )

    class Meta:
        ordering = ["-occurred_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(child_seen="yes") | ~Q(child_seen_alone__in=["yes", "no"]),
                name="contact_seen_alone_only_when_seen",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"

    @property
    def confidential_to_advocacy(self) -> bool:
        return self.advocacy_service_id is not None

    @property
    def child_seen_text(self) -> str:
        return seen_answer_label(self.child_seen)

    @property
    def child_seen_alone_text(self) -> str:
        if self.child_seen and self.child_seen != SeenAnswer.YES:
            return str(SeenAnswer.NOT_APPLICABLE.label)
        return seen_answer_label(self.child_seen_alone)


class MissingEpisode(models.Model):
    """A time the child went missing from home or care. The episode is the child's,
    with or without an open case (``case`` is kept for context: the case open when it was
    recorded). A return home interview must be *offered* within ``RETURN_INTERVIEW_HOURS``
    of the return, by an independent person where possible; the child may decline it."""

    child = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="missing_episodes"
    )
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="missing_episodes",
    )
    went_missing_at = models.DateTimeField()
    returned_at = models.DateTimeField(null=True, blank=True)
    # Where the child went missing from and where they were found, when known: a postcode
    # each, with British National Grid coordinates (metres).
    missing_from_postcode = models.CharField(max_length=8, blank=True)
    missing_from_easting = models.PositiveIntegerField(null=True, blank=True)
    missing_from_northing = models.PositiveIntegerField(null=True, blank=True)
    missing_from_source = models.CharField(max_length=10, choices=CoordinateSource.choices,
                                           blank=True)
    found_postcode = models.CharField(max_length=8, blank=True)
    found_easting = models.PositiveIntegerField(null=True, blank=True)
    found_northing = models.PositiveIntegerField(null=True, blank=True)
    found_source = models.CharField(max_length=10, choices=CoordinateSource.choices,
                                    blank=True)
    interview_offered_at = models.DateTimeField(
        null=True, blank=True, help_text="When the return home interview was offered."
    )
    interview_offered_by = models.CharField(
        max_length=200, blank=True, help_text="The name of the person who offered it."
    )
    interview_offered_by_agency = models.CharField(
        max_length=200, blank=True, help_text="Their agency or service."
    )
    interview_offerer = models.CharField(
        max_length=20, choices=InterviewOfferer.choices, blank=True,
        help_text="Whether the person offering it was independent.",
    )
    interview_response = models.CharField(
        max_length=10, choices=InterviewResponse.choices, blank=True,
        help_text="Whether the child accepted or declined the interview.",
    )
    return_interview_at = models.DateTimeField(
        null=True, blank=True, help_text="When the return home interview was held."
    )
    interview_outcome = models.TextField(
        blank=True, help_text="What the interview found, and what follows from it."
    )
    notes = models.TextField(blank=True)
    police_reference = models.CharField(
        max_length=50, blank=True, help_text="The police missing person report reference."
    )
    police_risk_grade = models.CharField(
        max_length=20, choices=PoliceRiskGrade.choices, blank=True,
        help_text="The police risk assessment of the report; blank when not known.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-went_missing_at", "-pk"]
        indexes = [
            # The performance measures of episodes begun, and returns, in a period.
            models.Index(fields=["went_missing_at"], name="missing_went_missing_at_idx"),
            models.Index(fields=["returned_at"], name="missing_returned_at_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(returned_at__isnull=True)
                | Q(returned_at__gte=models.F("went_missing_at")),
                name="returned_after_missing",
            ),
            models.CheckConstraint(
                condition=Q(return_interview_at__isnull=True)
                | (Q(returned_at__isnull=False)
                   & Q(return_interview_at__gte=models.F("returned_at"))),
                name="interview_after_return",
            ),
            models.CheckConstraint(
                condition=Q(interview_offered_at__isnull=True)
                | (Q(returned_at__isnull=False)
                   & Q(interview_offered_at__gte=models.F("returned_at"))),
                name="interview_offered_after_return",
            ),
            models.CheckConstraint(
                condition=Q(return_interview_at__isnull=True)
                | (Q(interview_offered_at__isnull=False)
                   & Q(return_interview_at__gte=models.F("interview_offered_at"))
                   & Q(interview_response="accepted")),
                name="interview_held_after_accepted_offer",
            ),
            models.CheckConstraint(
                condition=Q(interview_response="") | Q(interview_offered_at__isnull=False),
                name="interview_answer_after_offer",
            ),
        ]

    def __str__(self) -> str:
        return f"Missing {self.went_missing_at:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # An episode recorded with a case is the case's child's.
        if self.child_id is None and self.case_id is not None:
            self.child_id = Case.objects.values_list("child_id", flat=True).get(pk=self.case_id)
        super().save(*args, **kwargs)

    @property
    def police_risk_grade_text(self) -> str:
        return police_risk_grade_label(self.police_risk_grade)

    @property
    def return_interview_due_at(self) -> dt.datetime | None:
        """The offer is due a fixed number of elapsed hours after the return (counted in
        UTC, so a clock change does not move it by an hour)."""
        if self.returned_at is None:
            return None
        return self.returned_at.astimezone(dt.UTC) + return_interview_window()

    @property
    def interview_offered_in_time(self) -> bool | None:
        due = self.return_interview_due_at
        if due is None or self.interview_offered_at is None:
            return None
        return self.interview_offered_at <= due

    @property
    def interview_declined(self) -> bool:
        return self.interview_response == InterviewResponse.DECLINED

    def state(self, now: dt.datetime) -> MissingEpisodeState:
        """Where the episode stands against the return home interview clock at ``now``.
        A declined interview is not overdue, however late it was offered."""
        due = self.return_interview_due_at
        if due is None:
            return MissingEpisodeState.STILL_MISSING
        if self.return_interview_at is not None:
            return MissingEpisodeState.HELD
        if self.interview_declined:
            return MissingEpisodeState.DECLINED
        if self.interview_offered_at is not None:
            if self.interview_offered_at <= due:
                return MissingEpisodeState.OFFERED_IN_TIME
            return MissingEpisodeState.OFFERED_LATE
        if now > due:
            return MissingEpisodeState.OFFER_OVERDUE
        return MissingEpisodeState.OFFER_DUE


class CaseOutcome(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="outcomes")
    kind = models.CharField(max_length=20, choices=OutcomeKind.choices)
    recorded_on = models.DateField(help_text="When the outcome was achieved.")
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_on"]

    def __str__(self) -> str:
        return self.get_kind_display()


class NrmReferral(models.Model):
    """The child's referral into the National Referral Mechanism (trafficking and modern
    slavery) by a first responder organisation, and the competent authority's
    reasonable-grounds and conclusive-grounds decisions as they arrive.

    The dates follow each other: a reasonable-grounds decision is not before the
    referral, and a conclusive-grounds decision not before the reasonable-grounds one
    (which must be positive for the conclusive stage to follow)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="nrm_referrals")
    referred_on = models.DateField()
    first_responder_organisation = models.CharField(max_length=200)
    referred_by = models.CharField(
        max_length=200, help_text="The person at the first responder organisation who referred"
    )
    reasonable_grounds_on = models.DateField(null=True, blank=True)
    reasonable_grounds = models.CharField(max_length=10, choices=NrmDecision.choices, blank=True)
    conclusive_grounds_on = models.DateField(null=True, blank=True)
    conclusive_grounds = models.CharField(max_length=10, choices=NrmDecision.choices, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-referred_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reasonable_grounds_on__isnull=True, reasonable_grounds="")
                | (Q(reasonable_grounds_on__gte=models.F("referred_on"))
                   & ~Q(reasonable_grounds="")),
                name="nrm_reasonable_grounds_dated_after_referral",
            ),
            models.CheckConstraint(
                condition=Q(conclusive_grounds_on__isnull=True, conclusive_grounds="")
                | (Q(conclusive_grounds_on__gte=models.F("reasonable_grounds_on"))
                   & ~Q(conclusive_grounds="") & Q(reasonable_grounds="positive")),
                name="nrm_conclusive_grounds_after_positive_reasonable_grounds",
            ),
        ]

    def __str__(self) -> str:
        return f"NRM referral {self.referred_on:%Y-%m-%d}"


class RiskAssessment(models.Model):
    """A structured exploitation risk assessment of the child: each domain of the
    indicator catalogue rated, a professional judgement of the risk tier, a summary, and
    the date it is next reviewed (set by tier, ``cases.reviews``).

    The judgement does not change the case's tier: a different judgement is shown beside
    the tier, and the tier is changed on its own (with its own reason and approval)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="risk_assessments")
    assessed_on = models.DateField(db_index=True,
                                   help_text="The day the child's risk was assessed.")
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    judgement = models.CharField(
        max_length=10, choices=RiskTier.choices,
        help_text="The assessor's professional judgement of the child's risk tier.",
    )
    case_tier = models.CharField(
        max_length=10, choices=RiskTier.choices,
        help_text="The case's risk tier when the assessment was recorded.",
    )
    summary = models.TextField()
    next_review_on = models.DateField(db_index=True)

    class Meta:
        ordering = ["-assessed_on", "-recorded_at", "-id"]
        indexes = [
            # A case's latest assessment in one index probe, newest first, without a
            # sort: the review clock reads it for every open case (work queues, the
            # risk reviews list).
            models.Index(fields=["case", "-assessed_on", "-recorded_at", "-id"],
                         name="risk_assessment_latest_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(next_review_on__gt=models.F("assessed_on")),
                name="risk_review_after_assessment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.judgement} on {self.assessed_on}"


class RiskAssessmentRating(models.Model):
    """One domain of an assessment (health, behaviour, grooming, online...), rated with
    a short note of what it rests on."""

    assessment = models.ForeignKey(RiskAssessment, on_delete=models.CASCADE,
                                   related_name="ratings")
    # A domain code of the indicator catalogue (``codes.IndicatorDomain``); kept
    # without choices so the catalogue can gain a domain without a migration here.
    domain = models.CharField(max_length=20)
    rating = models.CharField(max_length=10, choices=DomainRating.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "domain"],
                                    name="one_rating_per_domain"),
        ]

    def __str__(self) -> str:
        return f"{self.domain}: {self.rating}"

    @property
    def domain_label(self) -> str:
        return domain_label(self.domain)
