"""Referrals into the hub: who referred which child, why, how the hub screened it, and
what triage decided, against which clock."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from macehub.referrals.codes import (
    OUTCOME_PLAIN_WORDS,
    Brag,
    ExploitationModel,
    IndicatorDomain,
    ReferralSource,
    ReferralStatus,
    RiskTier,
    TriageOutcome,
    default_exploitation_types,
    exploitation_type_labels,
)


class Indicator(models.Model):
    """One exploitation indicator from the catalogue, with its domain and weight
    (Low 1, Medium 2, High 3). Loaded from ``referrals/data/indicators.csv``."""

    code = models.CharField(max_length=40, primary_key=True)
    domain = models.CharField(max_length=20, choices=IndicatorDomain.choices)
    label = models.CharField(max_length=200)
    weight = models.PositiveSmallIntegerField()
    sort_order = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    HIGH = 3

    class Meta:
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
    immediate_risk = models.BooleanField(default=False)
    disclosure = models.BooleanField(
        default=False, help_text="The child has disclosed abuse or harm to someone"
    )
    missing_episodes = models.PositiveSmallIntegerField(
        default=0, help_text="Times missing from home or care in the last 30 days"
    )
    online_platforms = models.JSONField(default=list, blank=True)
    indicators = models.ManyToManyField(Indicator, through="ReferralIndicator")

    # Screening, stored as it was shown so the suggestion can be explained later.
    screening_score = models.PositiveSmallIntegerField(default=0)
    suggested_brag = models.CharField(max_length=10, choices=Brag.choices)
    suggested_tier = models.CharField(max_length=10, choices=RiskTier.choices, blank=True)
    screening_reasons = models.JSONField(default=list)
    # The clock that runs from receipt, by the suggested BRAG rating.
    clock_brag = models.CharField(max_length=10, choices=Brag.choices)
    decision_due_at = models.DateTimeField(db_index=True)

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
        related_name="linked_referrals",
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            # The triage queue: undecided referrals by the time left on their clock.
            models.Index(fields=["status", "decision_due_at"], name="referral_queue_idx"),
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
    def outcome_in_plain_words(self) -> str:
        return OUTCOME_PLAIN_WORDS.get(TriageOutcome(self.outcome), "") if self.outcome else ""


class ReferralIndicator(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="indicator_links")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "indicator"], name="indicator_once_per_referral"
            )
        ]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.indicator_id}"
