"""The investigations measures (issue 15): supervisory reviews signed on time, and of the
investigations closed, the share charged or summonsed (outcome 1) and the share lost to
evidential difficulties (outcomes 14 to 16, attrition).

Registered with ``@metric`` (``macehub.core.metrics``). In an area, an investigation
counts when one of its child victims lives there; by agency, the force whose
investigation it is. Every figure counts investigations the access policy governs
through ``INVESTIGATION_VIEW``: anyone who may not see every investigation counted sees
the figures with small numbers suppressed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.utils import timezone

from macehub.access.actions import Action
from macehub.cases.models import AdvocateAllocation
from macehub.core.measures import (
    Measure,
    dated,
    median_hours,
    median_hours_by_month,
    when_text,
    within,
)
from macehub.core.metrics import (
    TOTAL,
    Behind,
    Better,
    Figure,
    Filters,
    Period,
    RecordList,
    Unit,
    metric,
)
from macehub.investigations.codes import (
    ATTRITION_OUTCOMES,
    CHARGE_OUTCOMES,
    InvestigationStatus,
)
from macehub.investigations.models import Investigation, InvestigationVictim, SupervisoryReview
from macehub.people.measures import narrow

GROUP = "Investigations"
AREA_AND_AGENCY = (
    " In an area, an investigation counts when one of its child victims lives there; by "
    "agency, the force whose investigation it is."
)


def investigations_in_scope(filters: Filters) -> QuerySet[Any, Any]:
    """The investigations the filters take in: by the force whose investigation it is,
    and in an area when one of its child victims lives there. (The forensics measures
    count the devices of the same investigations.)"""
    investigations = narrow(Investigation.objects.all(), Filters(agency_id=filters.agency_id),
                            person="", agency="owning_agency_id")
    if filters.area_code:
        # By a subquery, not a join: two victims in the area count the investigation once.
        living_there = narrow(InvestigationVictim.objects.all(),
                              Filters(area_code=filters.area_code), person="person_id",
                              agency=None)
        investigations = investigations.filter(pk__in=living_there.values("investigation_id"))
    return investigations


def _reviews_fallen_due(filters: Filters) -> QuerySet[Any, Any]:
    """Reviews signed, or waiting past their due time (one still in its time is left
    out until it is signed or late)."""
    return SupervisoryReview.objects.filter(
        investigation__in=investigations_in_scope(filters).values("pk")).filter(
        Q(reviewed_at__isnull=False) | Q(due_at__lt=timezone.now()))


def _closed(filters: Filters) -> QuerySet[Any, Any]:
    return investigations_in_scope(filters).filter(status=InvestigationStatus.CLOSED,
                                           closed_at__isnull=False)


def _investigation_columns(investigation: Investigation) -> tuple[str, ...]:
    return (investigation.reference, investigation.get_status_display(),
            investigation.get_outcome_display() or "None yet", when_text(investigation.closed_at))


def _investigation_list(behind: Behind, measure: Measure) -> RecordList:
    return RecordList(
        behind=behind, cell=measure.cell, noun="investigations",
        record_type="investigations.investigation", url_name="investigations:detail",
        url_kwarg="investigation_pk", headers=("Reference", "Status", "Outcome", "Closed"),
        describe=_investigation_columns, order_by=("-closed_at", "-pk"),
    )


REVIEWS = Measure(rows=_reviews_fallen_due, field="due_at", splits={},
                  hit=lambda: Q(reviewed_at__lte=F("due_at")))
REVIEWS_BEHIND = Behind(Action.INVESTIGATION_VIEW, Investigation,
                        dated(_reviews_fallen_due, "due_at"), path="investigation_id")


@metric(
    code="investigation_reviews_on_time",
    name="Supervisory reviews on time",
    definition=(
        "Of the supervisory reviews of investigations that fell due in the period (on "
        "allocation, at the date the last review set, before a charging decision and "
        "before closure), the share a supervisor signed by the time it was due. A review "
        "not yet signed counts, as late, once its time is up." + AREA_AND_AGENCY
    ),
    numerator="Reviews signed by their due time",
    denominator="Reviews due in the period",
    unit=Unit.PERCENTAGE,
    better=Better.HIGHER,
    group=GROUP,
    trend=REVIEWS.trend,
    behind=[REVIEWS_BEHIND],
)
def investigation_reviews_on_time(period: Period, filters: Filters) -> list[Figure]:
    return REVIEWS.figures(period, filters)


CLOSED_BEHIND = Behind(Action.INVESTIGATION_VIEW, Investigation, dated(_closed, "closed_at"))
CHARGED = Measure(rows=_closed, field="closed_at", splits={},
                  hit=lambda: Q(outcome__in=[code.value for code in CHARGE_OUTCOMES]))


@metric(
    code="investigations_charged",
    name="Investigations ending in a charge or summons",
    definition=(
        "Of the investigations closed in the period, the share whose Home Office outcome "
        "was a charge or summons (outcome 1)." + AREA_AND_AGENCY
    ),
    numerator="Investigations closed with a charge or summons",
    denominator="Investigations closed in the period",
    unit=Unit.PERCENTAGE,
    better=Better.HIGHER,
    group=GROUP,
    trend=CHARGED.trend,
    population="investigations_closed",
    behind=[CLOSED_BEHIND],
    records=_investigation_list(CLOSED_BEHIND, CHARGED),
)
def investigations_charged(period: Period, filters: Filters) -> list[Figure]:
    return CHARGED.figures(period, filters)


ATTRITION = Measure(rows=_closed, field="closed_at", splits={},
                    hit=lambda: Q(outcome__in=[code.value for code in ATTRITION_OUTCOMES]))


@metric(
    code="investigation_attrition",
    name="Investigations lost to evidential difficulties (attrition)",
    definition=(
        "Of the investigations closed in the period, the share closed for evidential "
        "difficulties: the victim declined or was unable to support identifying the "
        "suspect, or the suspect was identified but the evidence or the victim's support "
        "fell short (Home Office outcomes 14, 15 and 16)." + AREA_AND_AGENCY
    ),
    numerator="Investigations closed with outcome 14, 15 or 16",
    denominator="Investigations closed in the period",
    unit=Unit.PERCENTAGE,
    better=Better.LOWER,
    group=GROUP,
    trend=ATTRITION.trend,
    population="investigations_closed",
    behind=[CLOSED_BEHIND],
    records=_investigation_list(CLOSED_BEHIND, ATTRITION),
)
def investigation_attrition(period: Period, filters: Filters) -> list[Figure]:
    return ATTRITION.figures(period, filters)


def _charged(filters: Filters) -> QuerySet[Any, Any]:
    """Investigations closed with a charge or summons, each with the time from the day
    the crime was reported to the day of the charge."""
    return _closed(filters).filter(
        outcome__in=[code.value for code in CHARGE_OUTCOMES], outcome_on__isnull=False
    ).order_by().annotate(took=ExpressionWrapper(F("outcome_on") - F("reported_on"),
                                                 output_field=DurationField()))


def days_to_charge_trend(months: Sequence[Period], filters: Filters) -> list[Figure]:
    return median_hours_by_month(_charged(filters), "closed_at", months, unit=Unit.MEDIAN_DAYS)


CHARGED_BEHIND = Behind(Action.INVESTIGATION_VIEW, Investigation, dated(_charged, "closed_at"))


@metric(
    code="investigation_days_to_charge",
    name="Median time from report to charge",
    definition=(
        "For the investigations closed in the period with a charge or summons (outcome "
        "1), the median number of days from the day the crime was reported to the day of "
        "the charge. Half were charged sooner, half later." + AREA_AND_AGENCY
    ),
    numerator="Median days from report to charge",
    denominator="Investigations charged in the period",
    unit=Unit.MEDIAN_DAYS,
    better=Better.LOWER,
    group=GROUP,
    trend=days_to_charge_trend,
    population="investigations_closed",
    behind=[CHARGED_BEHIND],
    records=_investigation_list(CLOSED_BEHIND, CHARGED),
)
def investigation_days_to_charge(period: Period, filters: Filters) -> list[Figure]:
    took = list(_charged(filters).filter(within(period, "closed_at")).values_list(
        "took", flat=True))
    return [Figure(TOTAL, "", "All", median_hours(took, unit=Unit.MEDIAN_DAYS), len(took))]


# --- The victim's journey -------------------------------------------------------------

VICTIMS_IN_SCOPE = (
    " A child counts in the area where they live; by agency, the force whose "
    "investigation it is."
)


def _victims_at_outcome(filters: Filters) -> QuerySet[Any, Any]:
    """The child victims of investigations closed with an outcome, each marked with
    whether an advocate was allocated to them on the day of the outcome
    (``advocate_at_outcome``) and at any time from the day the crime was reported to the
    outcome (``had_advocate``)."""
    victims = narrow(InvestigationVictim.objects.filter(
        investigation__status=InvestigationStatus.CLOSED,
        investigation__closed_at__isnull=False, investigation__outcome_on__isnull=False),
        filters, person="person_id", agency="investigation__owning_agency_id")
    allocations = AdvocateAllocation.objects.filter(case__child_id=OuterRef("person_id"))
    return victims.annotate(
        advocate_at_outcome=Exists(allocations.filter(
            started_on__lte=OuterRef("investigation__outcome_on")).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=OuterRef("investigation__outcome_on")))),
        had_advocate=Exists(allocations.filter(
            started_on__lte=OuterRef("investigation__outcome_on")).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=OuterRef("investigation__reported_on")))),
    )


def _with_advocate(filters: Filters) -> QuerySet[Any, Any]:
    return _victims_at_outcome(filters).filter(had_advocate=True)


def _without_advocate(filters: Filters) -> QuerySet[Any, Any]:
    return _victims_at_outcome(filters).filter(had_advocate=False)


VICTIMS_BEHIND = Behind(Action.INVESTIGATION_VIEW, Investigation,
                        dated(_victims_at_outcome, "investigation__closed_at"),
                        path="investigation_id")
SUPPORTED = Measure(rows=_victims_at_outcome, field="investigation__closed_at", splits={},
                    hit=lambda: Q(advocate_at_outcome=True))


@metric(
    code="victims_supported_to_outcome",
    name="Child victims with an advocate at the outcome",
    definition=(
        "Of the child victims of investigations closed in the period, the share who had a "
        "victim advocate allocated on the day of the outcome: supported through to it."
        + VICTIMS_IN_SCOPE
    ),
    numerator="Child victims with an advocate on the day of the outcome",
    denominator="Child victims of investigations closed in the period",
    unit=Unit.PERCENTAGE,
    better=Better.HIGHER,
    group=GROUP,
    trend=SUPPORTED.trend,
    population="victims_of_closed_investigations",
    behind=[VICTIMS_BEHIND],
)
def victims_supported_to_outcome(period: Period, filters: Filters) -> list[Figure]:
    return SUPPORTED.figures(period, filters)


def _withdrew() -> Q:
    return Q(withdrew_on__isnull=False)


WITHDRAWALS_WITH = Measure(rows=_with_advocate, field="investigation__closed_at", splits={},
                           hit=_withdrew)
WITHDRAWALS_WITHOUT = Measure(rows=_without_advocate, field="investigation__closed_at",
                              splits={}, hit=_withdrew)
WITHDRAWAL = (
    "Of the child victims of investigations closed in the period who {had} a victim "
    "advocate at some time from the report to the outcome, the share who withdrew their "
    "support for the investigation. Read beside the same figure for children {other} "
    "one: the difference is what advocacy is asked to show." + VICTIMS_IN_SCOPE
)


@metric(
    code="victim_withdrawal_with_advocate",
    name="Child victims withdrawing support, with an advocate",
    definition=WITHDRAWAL.format(had="had", other="without"),
    numerator="Child victims with an advocate who withdrew support",
    denominator="Child victims with an advocate, investigations closed in the period",
    unit=Unit.PERCENTAGE,
    better=Better.LOWER,
    group=GROUP,
    trend=WITHDRAWALS_WITH.trend,
    behind=[Behind(Action.INVESTIGATION_VIEW, Investigation,
                   dated(_with_advocate, "investigation__closed_at"),
                   path="investigation_id")],
)
def victim_withdrawal_with_advocate(period: Period, filters: Filters) -> list[Figure]:
    return WITHDRAWALS_WITH.figures(period, filters)


@metric(
    code="victim_withdrawal_without_advocate",
    name="Child victims withdrawing support, without an advocate",
    definition=WITHDRAWAL.format(had="had no", other="with"),
    numerator="Child victims without an advocate who withdrew support",
    denominator="Child victims without an advocate, investigations closed in the period",
    unit=Unit.PERCENTAGE,
    better=Better.LOWER,
    group=GROUP,
    trend=WITHDRAWALS_WITHOUT.trend,
    behind=[Behind(Action.INVESTIGATION_VIEW, Investigation,
                   dated(_without_advocate, "investigation__closed_at"),
                   path="investigation_id")],
)
def victim_withdrawal_without_advocate(period: Period, filters: Filters) -> list[Figure]:
    return WITHDRAWALS_WITHOUT.figures(period, filters)
