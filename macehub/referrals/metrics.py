"""The referral measures the hub reports (DOMAIN.md, "Performance measures"): referrals
received, decided in time and how long decisions took, partner checks returned in time,
and how fully the ethnicity and nationality of the children referred are recorded.

Registered with ``@metric`` (``macehub.core.metrics``) and built from
``macehub.core.measures``: counts and shares computed in the database, trends in one query
per metric. Medians fetch only the durations of the period (portable across SQLite and
PostgreSQL) and take the median exactly, rounding it once by the hub's rule
(``macehub.core.figures``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import (
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
)
from django.utils import timezone

from macehub.access.actions import Action
from macehub.access.policy import allows
from macehub.cases.codes import Brag
from macehub.core.measures import (
    Measure,
    Split,
    choice_label,
    dated,
    dates_query,
    list_url,
    median_hours,
    median_hours_by_month,
    name_label,
    when_text,
    within,
)
from macehub.core.metrics import (
    TOTAL,
    Behind,
    Better,
    Breakdown,
    DrillDownFunc,
    Figure,
    Filters,
    Period,
    RecordList,
    Unit,
    metric,
)
from macehub.people.measures import ByArea, Group, narrow, recording_metrics
from macehub.people.models import Person
from macehub.referrals.codes import ReferralSource, ReferralStatus
from macehub.referrals.models import PartnerCheck, Referral

if TYPE_CHECKING:
    from macehub.accounts.models import User

NOT_DECIDED = "Not yet decided"

SOURCE_SPLIT: Split = ("source", choice_label(dict(ReferralSource.choices)))
BRAG_LABELS = {key: str(label).split(" – ")[0] for key, label in Brag.choices}


def _referrals(show: str, dated_by: str) -> DrillDownFunc:
    """Referrals received (``dated_by`` "received") or decided in the period, on the list of
    referrals ``show`` names; the agency is the referrer's."""

    def drill_down(user: User, period: Period, filters: Filters) -> str | None:
        if not allows(user, Action.REFERRAL_VIEW):
            return None
        return list_url("referrals:queue", {"show": show, **dates_query(dated_by, period)},
                        filters, agency="referrer_agency")

    return drill_down


_referrals_received = _referrals("all", "received")
_referrals_decided = _referrals("decided", "decided")


def _referral_columns(referral: Referral) -> tuple[str, ...]:
    return (referral.reference, referral.child.full_name, when_text(referral.received_at),
            BRAG_LABELS.get(referral.brag, NOT_DECIDED), when_text(referral.decided_at))


def _referral_list(behind: Behind, measure: Measure) -> RecordList:
    return RecordList(
        behind=behind, cell=measure.cell, noun="referrals", record_type="referrals.referral",
        url_name="referrals:detail", url_kwarg="referral_pk",
        headers=("Reference", "Child", "Received", "BRAG rating", "Decided"),
        describe=_referral_columns, select_related=("child",), order_by=("-received_at",),
    )



def _all_referrals(filters: Filters) -> QuerySet[Any, Any]:
    return narrow(Referral.objects.all(), filters, person="child_id",
                   agency="referrer_agency_id")


def _decided_referrals(filters: Filters) -> QuerySet[Any, Any]:
    return _all_referrals(filters).filter(status=ReferralStatus.DECIDED)


RECEIVED = Measure(
    rows=_all_referrals,
    field="received_at",
    splits={
        Breakdown.SOURCE: SOURCE_SPLIT,
        Breakdown.BRAG: ("brag", choice_label(BRAG_LABELS, NOT_DECIDED)),
        Breakdown.AGENCY: ("referrer_agency__name", name_label),
        Breakdown.AREA: ByArea("child_id"),
    },
)


@metric(
    code="referrals_received",
    name="Referrals received",
    definition=(
        "Referrals the hub received in the period, whatever happened to them. The BRAG "
        "rating is the one triage decided; referrals still awaiting triage are shown as "
        "not yet decided. The area is the district of the child's current address."
    ),
    numerator="Referrals received in the period",
    unit=Unit.COUNT,
    better=Better.NEITHER,
    breakdowns=(Breakdown.SOURCE, Breakdown.BRAG, Breakdown.AGENCY, Breakdown.AREA),
    drill_down=_referrals_received,
    group="Referrals",
    trend=RECEIVED.trend,
    behind=[Behind(Action.REFERRAL_VIEW, Referral, dated(_all_referrals, "received_at"))],
    records=_referral_list(
        Behind(Action.REFERRAL_VIEW, Referral, dated(_all_referrals, "received_at")),
        RECEIVED),
)
def referrals_received(period: Period, filters: Filters) -> list[Figure]:
    return RECEIVED.figures(period, filters)


REFERRALS_DECIDED = Behind(Action.REFERRAL_VIEW, Referral,
                           dated(_decided_referrals, "decided_at"))

DECIDED_IN_TIME = Measure(
    rows=_decided_referrals,
    field="decided_at",
    splits={
        Breakdown.BRAG: ("brag", choice_label(BRAG_LABELS)),
        Breakdown.SOURCE: SOURCE_SPLIT,
    },
    hit=lambda: Q(decided_at__lte=F("decision_due_at")),
)


@metric(
    code="referrals_decided_in_time",
    name="Referrals decided within one working day",
    definition=(
        "Of the referrals decided in the period, the share decided within one working day "
        "of receipt (Working Together 2023: every referral, whatever its rating; weekends "
        "and bank holidays are not working days). The BRAG rating is the one triage "
        "decided."
    ),
    numerator="Referrals decided on or before their decision was due",
    denominator="Referrals decided in the period",
    unit=Unit.PERCENTAGE,
    better=Better.HIGHER,
    target=90,
    breakdowns=(Breakdown.BRAG, Breakdown.SOURCE),
    drill_down=_referrals_decided,
    group="Referrals",
    trend=DECIDED_IN_TIME.trend,
    population="referrals decided",
    behind=[REFERRALS_DECIDED],
    records=_referral_list(REFERRALS_DECIDED, DECIDED_IN_TIME),
)
def referrals_decided_in_time(period: Period, filters: Filters) -> list[Figure]:
    return DECIDED_IN_TIME.figures(period, filters)


def _decision_times(queryset: QuerySet[Any, Any]) -> QuerySet[Any, Any]:
    return queryset.order_by().annotate(
        took=ExpressionWrapper(F("decided_at") - F("received_at"), output_field=DurationField())
    )


def referral_hours_to_decision_trend(
    months: Sequence[Period], filters: Filters
) -> list[Figure]:
    return median_hours_by_month(_decision_times(_decided_referrals(filters)), "decided_at",
                                 months)


@metric(
    code="referral_hours_to_decision",
    name="Median time to a triage decision",
    definition=(
        "The median time, in hours, from receiving a referral to its triage decision, for "
        "the referrals decided in the period. Half were decided faster, half slower."
    ),
    numerator="Median hours from receipt to decision",
    denominator="Referrals decided in the period",
    unit=Unit.MEDIAN_HOURS,
    better=Better.LOWER,
    breakdowns=(Breakdown.BRAG,),
    drill_down=_referrals_decided,
    group="Referrals",
    trend=referral_hours_to_decision_trend,
    population="referrals decided",
    behind=[REFERRALS_DECIDED],
    # The same referrals, rated alike: the cells of the share decided in time.
    records=_referral_list(REFERRALS_DECIDED, DECIDED_IN_TIME),
)
def referral_hours_to_decision(period: Period, filters: Filters) -> list[Figure]:
    decided = _decided_referrals(filters).filter(within(period, "decided_at"))
    rows = list(_decision_times(decided).values_list("brag", "took"))
    by_brag: dict[str, list[dt.timedelta]] = {}
    for brag, took in rows:
        by_brag.setdefault(brag, []).append(took)
    figures = [Figure(TOTAL, "", "All", median_hours([t for _, t in rows]), len(rows))]
    label = choice_label(BRAG_LABELS)
    for brag in sorted(by_brag):
        durations = by_brag[brag]
        figures.append(
            Figure(Breakdown.BRAG, brag, label(brag), median_hours(durations), len(durations))
        )
    return figures


def _partner_checks(filters: Filters) -> QuerySet[Any, Any]:
    """Partner checks whose time is up (returned, or due and still outstanding); the
    agency is the one asked."""
    return narrow(PartnerCheck.objects.all(), filters, person="referral__child_id",
                  agency="agency_id").filter(
        Q(returned_at__isnull=False) | Q(due_at__lt=timezone.now()))


CHECKS_IN_TIME = Measure(
    rows=_partner_checks,
    field="due_at",
    splits={
        Breakdown.AGENCY: ("agency__name", name_label),
        Breakdown.BRAG: ("brag", choice_label(BRAG_LABELS)),
    },
    hit=lambda: Q(returned_at__lte=F("due_at")),
)


CHECKS_BEHIND = Behind(Action.REFERRAL_VIEW, Referral, dated(_partner_checks, "due_at"),
                       path="referral_id")


@metric(
    code="partner_checks_in_time",
    name="Partner checks returned within their BRAG time",
    definition=(
        "Of the partner checks due in the period, the share the agency asked returned by "
        "the time the referral's BRAG rating set (Red 2 hours, Amber 6, Green 24, Blue one "
        "working day from the request, as configured). A check still outstanding after "
        "its time counts as late; one not yet due is not counted."
    ),
    numerator="Checks returned on or before they were due",
    denominator="Checks due in the period, returned or overdue",
    unit=Unit.PERCENTAGE,
    better=Better.HIGHER,
    target=90,
    breakdowns=(Breakdown.AGENCY, Breakdown.BRAG),
    group="Referrals",
    trend=CHECKS_IN_TIME.trend,
    behind=[CHECKS_BEHIND],
    records=_referral_list(CHECKS_BEHIND, CHECKS_IN_TIME),
)
def partner_checks_in_time(period: Period, filters: Filters) -> list[Figure]:
    return CHECKS_IN_TIME.figures(period, filters)


# --- recording of ethnicity and nationality ------------------------------------------


def _victim_rows(filters: Filters) -> QuerySet[Any, Any]:
    return _all_referrals(filters)


VICTIMS = Group(
    _victim_rows, person="child_id", field="received_at",
    described="children with a referral received, whatever was decided: not the same as "
              "victims",
    equality_population="children_referred", called="children referred",
    behind=(Behind(Action.REFERRAL_VIEW, Referral, dated(_victim_rows, "received_at")),
            Behind(Action.PERSON_VIEW, Person, dated(_victim_rows, "received_at"),
                   path="child_id")),
)
recording_metrics(who="victims", group=VICTIMS)
