"""The hub's first performance measures (DOMAIN.md, "Performance measures"), computed in
the database: counts and shares with ``Count(..., filter=...)``, one query per total and
one per breakdown. Medians fetch only the durations of the period (portable across
SQLite and PostgreSQL) and take the median with the standard library.

Other apps add their own measures the same way, in their own ``metrics.py``.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.urls import reverse
from django.utils import timezone

from macehub.access.actions import Action
from macehub.access.policy import allows
from macehub.cases.models import AdvocateAllocation, MissingEpisode
from macehub.cases.models import Case as SafeguardingCase
from macehub.intelligence.codes import EntityRole, ReportStatus
from macehub.intelligence.models import Dissemination, IntelligenceReport, ReportLink, Submission
from macehub.people.codes import NATIONALITY_NOT_STATED
from macehub.people.models import Area, EthnicGroup, Person, PersonAddress
from macehub.performance.registry import (
    TOTAL,
    Better,
    Breakdown,
    Figure,
    Filters,
    Period,
    Unit,
    metric,
)
from macehub.referrals.codes import Brag, ReferralSource, ReferralStatus, RiskTier
from macehub.referrals.models import Referral

if TYPE_CHECKING:
    from macehub.accounts.models import User

Labeller = Callable[[Any], str]
Split = tuple[str, Labeller]

NOT_DECIDED = "Not yet decided"


def _choice_label(choices: Mapping[str, str], blank: str = "Not recorded") -> Labeller:
    def label(key: Any) -> str:
        return str(choices.get(key, key)) if key else blank

    return label


def _name(key: Any) -> str:
    return str(key) if key else "Not recorded"


SOURCE_SPLIT: Split = ("source", _choice_label(dict(ReferralSource.choices)))
BRAG_LABELS = {key: str(label).split(" – ")[0] for key, label in Brag.choices}
TIER_LABELS = {key: str(label).split(" – ")[0] for key, label in RiskTier.choices}


def intelligence_review_days() -> int:
    """How many days the hub allows for reviewing an intelligence report (setting
    ``INTELLIGENCE_REVIEW_DAYS``, default 7)."""
    return int(settings.INTELLIGENCE_REVIEW_DAYS)


def return_interview_hours() -> int:
    return int(getattr(settings, "RETURN_INTERVIEW_HOURS", 72))


# --- filters -------------------------------------------------------------------------


def _area_ids(code: str) -> list[int]:
    """The area and every area inside it."""
    found = list(Area.objects.filter(code=code).values_list("pk", flat=True))
    frontier = found
    while frontier:
        frontier = list(Area.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        found += frontier
    return found


def people_living_in(code: str) -> QuerySet[PersonAddress, Any]:
    """Ids of people whose current address lies in the area (as a subquery)."""
    return PersonAddress.objects.filter(is_current=True, area_id__in=_area_ids(code)).values(
        "person_id"
    )


def _narrow(
    queryset: QuerySet[Any, Any], filters: Filters, *, person: str, agency: str | None
) -> QuerySet[Any, Any]:
    if filters.area_code:
        queryset = queryset.filter(**{f"{person}__in": people_living_in(filters.area_code)})
    if filters.agency_id is not None and agency:
        queryset = queryset.filter(**{agency: filters.agency_id})
    return queryset


def _within(period: Period, field: str) -> Q:
    return Q(**{f"{field}__gte": period.starts_at, f"{field}__lt": period.ends_before})


# --- generic aggregates --------------------------------------------------------------


def counts(
    queryset: QuerySet[Any, Any], splits: Mapping[Breakdown, Split], *, distinct: str = "pk"
) -> list[Figure]:
    """A count for the whole period, then one per category of each breakdown."""
    counter = Count(distinct, distinct=distinct != "pk")
    total = queryset.aggregate(n=counter)["n"]
    figures = [Figure(TOTAL, "", "All", total)]
    for breakdown, (field, label) in splits.items():
        rows = queryset.order_by().values(field).annotate(n=counter).order_by(field)
        figures += [
            Figure(breakdown, str(row[field] or ""), label(row[field]), row["n"]) for row in rows
        ]
    return figures


def shares(
    queryset: QuerySet[Any, Any], hit: Q, splits: Mapping[Breakdown, Split]
) -> list[Figure]:
    """Of the records in ``queryset`` (the denominator), how many match ``hit``."""
    measure = {"num": Count("pk", filter=hit), "den": Count("pk")}
    total = queryset.aggregate(**measure)
    figures = [Figure(TOTAL, "", "All", total["num"], total["den"])]
    for breakdown, (field, label) in splits.items():
        rows = queryset.order_by().values(field).annotate(**measure).order_by(field)
        figures += [
            Figure(breakdown, str(row[field] or ""), label(row[field]), row["num"], row["den"])
            for row in rows
        ]
    return figures


def _median_hours(durations: list[dt.timedelta]) -> Decimal | None:
    if not durations:
        return None
    hours = statistics.median(d.total_seconds() / 3600 for d in durations)
    return Decimal(str(hours)).quantize(Decimal("0.1"))


# --- drill-down ----------------------------------------------------------------------


def _referrals_queue(user: User, period: Period, filters: Filters) -> str | None:
    if not allows(user, Action.REFERRAL_VIEW):
        return None
    return reverse("referrals:queue") + "?show=decided"


def _open_cases(user: User, period: Period, filters: Filters) -> str | None:
    if not allows(user, Action.CASE_LIST):
        return None
    return reverse("cases:list") + "?status=open"


# --- referrals -----------------------------------------------------------------------


def _referrals(period: Period, filters: Filters, field: str) -> QuerySet[Any, Any]:
    queryset = Referral.objects.filter(_within(period, field))
    return _narrow(queryset, filters, person="child_id", agency="referrer_agency_id")


@metric(
    code="referrals_received",
    name="Referrals received",
    definition=(
        "Referrals the hub received in the period, whatever happened to them. The BRAG "
        "rating is the one triage decided; referrals still awaiting triage are shown as "
        "not yet decided."
    ),
    numerator="Referrals received in the period",
    unit=Unit.COUNT,
    better=Better.NEITHER,
    breakdowns=(Breakdown.SOURCE, Breakdown.BRAG, Breakdown.AGENCY),
    drill_down=_referrals_queue,
    group="Referrals",
)
def referrals_received(period: Period, filters: Filters) -> list[Figure]:
    return counts(
        _referrals(period, filters, "received_at"),
        {
            Breakdown.SOURCE: SOURCE_SPLIT,
            Breakdown.BRAG: ("brag", _choice_label(BRAG_LABELS, NOT_DECIDED)),
            Breakdown.AGENCY: ("referrer_agency__name", _name),
        },
    )


@metric(
    code="referrals_decided_in_time",
    name="Referrals decided within their clock",
    definition=(
        "Of the referrals decided in the period, the share decided by the time their "
        "clock (set by the BRAG rating screening suggested) said the decision was due."
    ),
    numerator="Referrals decided on or before their decision was due",
    denominator="Referrals decided in the period",
    unit=Unit.PERCENTAGE,
    better=Better.HIGHER,
    target=90,
    breakdowns=(Breakdown.BRAG, Breakdown.SOURCE),
    drill_down=_referrals_queue,
    group="Referrals",
)
def referrals_decided_in_time(period: Period, filters: Filters) -> list[Figure]:
    decided = _referrals(period, filters, "decided_at").filter(status=ReferralStatus.DECIDED)
    return shares(
        decided,
        Q(decided_at__lte=F("decision_due_at")),
        {
            Breakdown.BRAG: ("clock_brag", _choice_label(BRAG_LABELS)),
            Breakdown.SOURCE: SOURCE_SPLIT,
        },
    )


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
    drill_down=_referrals_queue,
    group="Referrals",
)
def referral_hours_to_decision(period: Period, filters: Filters) -> list[Figure]:
    decided = _referrals(period, filters, "decided_at").filter(status=ReferralStatus.DECIDED)
    rows = list(
        decided.order_by()
        .annotate(took=ExpressionWrapper(F("decided_at") - F("received_at"),
                                         output_field=DurationField()))
        .values_list("clock_brag", "took")
    )
    by_brag: dict[str, list[dt.timedelta]] = {}
    for brag, took in rows:
        by_brag.setdefault(brag, []).append(took)
    figures = [Figure(TOTAL, "", "All", _median_hours([t for _, t in rows]), len(rows))]
    label = _choice_label(BRAG_LABELS)
    for brag in sorted(by_brag):
        durations = by_brag[brag]
        figures.append(
            Figure(Breakdown.BRAG, brag, label(brag), _median_hours(durations), len(durations))
        )
    return figures


# --- cases ---------------------------------------------------------------------------


@metric(
    code="children_at_risk",
    name="Children at risk, by risk tier",
    definition=(
        "Children with an open MACE case at the end of the period (opened before it ended "
        "and not closed by then), by the risk tier their case holds now."
    ),
    numerator="Children with an open case at the end of the period",
    unit=Unit.COUNT,
    better=Better.NEITHER,
    breakdowns=(Breakdown.TIER, Breakdown.AGENCY),
    drill_down=_open_cases,
    group="Safeguarding",
)
def children_at_risk(period: Period, filters: Filters) -> list[Figure]:
    open_then = SafeguardingCase.objects.filter(
        Q(opened_at__lt=period.ends_before)
        & (Q(closed_at__isnull=True) | Q(closed_at__gte=period.ends_before))
    )
    open_then = _narrow(open_then, filters, person="child_id", agency="lead_agency_id")
    return counts(
        open_then,
        {
            Breakdown.TIER: ("risk_tier", _choice_label(TIER_LABELS)),
            Breakdown.AGENCY: ("lead_agency__name", _name),
        },
        distinct="child_id",
    )


def _episodes(period: Period, filters: Filters, field: str) -> QuerySet[Any, Any]:
    queryset = MissingEpisode.objects.filter(_within(period, field))
    return _narrow(queryset, filters, person="case__child_id", agency="case__lead_agency_id")


@metric(
    code="missing_episodes",
    name="Missing episodes",
    definition="Times a child with a MACE case went missing from home or care in the period.",
    numerator="Missing episodes that began in the period",
    unit=Unit.COUNT,
    better=Better.LOWER,
    breakdowns=(Breakdown.AGENCY,),
    drill_down=_open_cases,
    group="Safeguarding",
)
def missing_episodes(period: Period, filters: Filters) -> list[Figure]:
    return counts(
        _episodes(period, filters, "went_missing_at"),
        {Breakdown.AGENCY: ("case__lead_agency__name", _name)},
    )


@metric(
    code="return_interviews_in_time",
    name="Return home interviews within 72 hours",
    definition=(
        "Of the children who came back from a missing episode in the period, the share "
        "offered a return home interview within 72 hours of coming back. Returns less "
        "than 72 hours ago without an interview yet are still in time and not counted."
    ),
    numerator="Returns with an interview within 72 hours",
    denominator="Returns in the period whose 72 hours have passed, or with an interview",
    unit=Unit.PERCENTAGE,
    better=Better.HIGHER,
    target=90,
    breakdowns=(Breakdown.AGENCY,),
    drill_down=_open_cases,
    group="Safeguarding",
)
def return_interviews_in_time(period: Period, filters: Filters) -> list[Figure]:
    return _done_within(
        _episodes(period, filters, "returned_at"),
        started="returned_at", done="return_interview_at",
        allowed=dt.timedelta(hours=return_interview_hours()),
        agency_name="case__lead_agency__name",
    )


@metric(
    code="advocate_changes_per_child",
    name="Changes of victim advocate per child",
    definition=(
        "How often a child's victim advocate changed: new advocates allocated in the "
        "period to a case that already had one, per child with an advocate at any time "
        "in the period. Lower means more continuity."
    ),
    numerator="Advocate allocations in the period that replaced an earlier advocate",
    denominator="Children with a victim advocate at some time in the period",
    unit=Unit.RATE,
    better=Better.LOWER,
    drill_down=_open_cases,
    group="Safeguarding",
)
def advocate_changes_per_child(period: Period, filters: Filters) -> list[Figure]:
    earlier = AdvocateAllocation.objects.filter(case=OuterRef("case")).filter(
        Q(started_on__lt=OuterRef("started_on"))
        | Q(started_on=OuterRef("started_on"), pk__lt=OuterRef("pk"))
    )
    allocations = _narrow(
        AdvocateAllocation.objects.all(), filters,
        person="case__child_id", agency="case__lead_agency_id",
    )
    changes = allocations.filter(
        started_on__gte=period.start, started_on__lte=period.end
    ).filter(Exists(earlier)).count()
    children = (
        allocations.filter(started_on__lte=period.end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=period.start))
        .aggregate(n=Count("case__child_id", distinct=True))["n"]
    )
    return [Figure(TOTAL, "", "All", changes, children)]


# --- intelligence --------------------------------------------------------------------


@metric(
    code="intelligence_submitted",
    name="Intelligence submitted by partners",
    definition="Intelligence submissions the hub received from any agency in the period.",
    numerator="Submissions received in the period",
    unit=Unit.COUNT,
    better=Better.NEITHER,
    breakdowns=(Breakdown.AGENCY,),
    filters=("agency",),
    group="Intelligence",
)
def intelligence_submitted(period: Period, filters: Filters) -> list[Figure]:
    submissions = _narrow(
        Submission.objects.filter(_within(period, "received_at")),
        Filters(agency_id=filters.agency_id), person="", agency="agency_id",
    )
    return counts(submissions, {Breakdown.AGENCY: ("agency__name", _name)})


def _done_within(
    rows: QuerySet[Any, Any], *, started: str, done: str, allowed: dt.timedelta,
    agency_name: str,
) -> list[Figure]:
    """The share of rows whose ``done`` time came within ``allowed`` of ``started``.

    Rows still open count once their time is up (late whatever happens next); rows
    still inside their time are left out until they are done or late.
    """
    due = rows.filter(
        Q(**{f"{done}__isnull": False})
        | Q(**{f"{started}__lt": timezone.now() - allowed})
    )
    return shares(
        due,
        Q(**{f"{done}__lte": F(started) + allowed}),
        {Breakdown.AGENCY: (agency_name, _name)},
    )


def _reports(period: Period, filters: Filters) -> QuerySet[Any, Any]:
    reports = IntelligenceReport.objects.filter(_within(period, "received_at")).exclude(
        status=ReportStatus.HISTORIC
    )
    return _narrow(reports, Filters(agency_id=filters.agency_id), person="",
                   agency="owning_team__agency_id")


@metric(
    code="intelligence_reviewed_in_time",
    name="Intelligence reviewed in time",
    definition=(
        "Of the intelligence reports received in the period, the share a hub researcher "
        "reviewed within the days the hub allows (7 unless configured). Reports still "
        "within that time and not yet reviewed are not counted."
    ),
    numerator="Reports reviewed within the allowed days",
    denominator="Reports received in the period, reviewed or past their review time",
    unit=Unit.PERCENTAGE,
    better=Better.HIGHER,
    target=90,
    breakdowns=(Breakdown.AGENCY,),
    filters=("agency",),
    group="Intelligence",
)
def intelligence_reviewed_in_time(period: Period, filters: Filters) -> list[Figure]:
    return _done_within(
        _reports(period, filters),
        started="received_at", done="reviewed_at",
        allowed=dt.timedelta(days=intelligence_review_days()),
        agency_name="owning_team__agency__name",
    )


@metric(
    code="intelligence_disseminated",
    name="Intelligence shared with partners",
    definition=(
        "Of the intelligence reports received in the period, the share disseminated to "
        "at least one partner agency (so far)."
    ),
    numerator="Reports disseminated to a partner",
    denominator="Reports received in the period",
    unit=Unit.PERCENTAGE,
    better=Better.HIGHER,
    filters=("agency",),
    group="Intelligence",
)
def intelligence_disseminated(period: Period, filters: Filters) -> list[Figure]:
    shared = Exists(Dissemination.objects.filter(report=OuterRef("pk")))
    return shares(_reports(period, filters), Q(shared), {})


# --- recording of ethnicity and nationality ------------------------------------------

RECORDED, NOT_STATED, NOT_RECORDED = "recorded", "not_stated", "not_recorded"
RECORDING_LABELS = {RECORDED: "Recorded", NOT_STATED: "Not stated (declined)",
                    NOT_RECORDED: "Not recorded"}


def _victims(period: Period, filters: Filters) -> QuerySet[Person, Any]:
    children = _referrals(period, filters, "received_at").values("child_id")
    return Person.objects.filter(pk__in=children)


def _suspects(period: Period, filters: Filters) -> QuerySet[Person, Any]:
    links = ReportLink.objects.filter(
        role=EntityRole.SUSPECT, person__isnull=False,
        report__received_at__gte=period.starts_at, report__received_at__lt=period.ends_before,
    )
    if filters.agency_id is not None:
        links = links.filter(report__owning_team__agency_id=filters.agency_id)
    people = Person.objects.filter(pk__in=links.values("person_id"))
    if filters.area_code:
        people = people.filter(pk__in=people_living_in(filters.area_code))
    return people


def _recording_state(not_recorded: Q, not_stated: Q) -> Case:
    return Case(
        When(not_recorded, then=Value(NOT_RECORDED)),
        When(not_stated, then=Value(NOT_STATED)),
        default=Value(RECORDED),
        output_field=CharField(),
    )


def _recording_metric(
    *, who: str, people: Callable[[Period, Filters], QuerySet[Person, Any]], what: str,
    not_recorded: Q, not_stated: Q,
) -> None:
    Who = who.capitalize()

    @metric(
        code=f"{who}_{what}_recorded",
        name=f"{Who} with {what} recorded",
        definition=(
            f"Of the {who} the hub dealt with in the period ("
            + ("children referred" if who == "victims"
               else "people linked as suspects to intelligence received")
            + f"), the share whose {what} is recorded. 'Not stated' (asked and declined) "
            "and 'not recorded' (never asked) are shown separately, never dropped."
        ),
        numerator=f"{Who} with a recorded {what}",
        denominator=f"{Who} in the period",
        unit=Unit.PERCENTAGE,
        better=Better.HIGHER,
        target=90,
        breakdowns=(Breakdown.RECORDING,),
        group="Data quality",
    )
    def compute(period: Period, filters: Filters) -> list[Figure]:
        group = people(period, filters).annotate(
            recording=_recording_state(not_recorded, not_stated)
        )
        figures = shares(group, Q(recording=RECORDED), {})
        denominator = figures[0].denominator
        rows = group.order_by().values("recording").annotate(n=Count("pk"))
        found = {row["recording"]: row["n"] for row in rows}
        figures += [
            Figure(Breakdown.RECORDING, state, label, found.get(state, 0), denominator)
            for state, label in RECORDING_LABELS.items()
        ]
        return figures


for _who, _people in (("victims", _victims), ("suspects", _suspects)):
    _recording_metric(
        who=_who, people=_people, what="ethnicity",
        not_recorded=Q(self_defined_ethnicity__isnull=True),
        not_stated=Q(self_defined_ethnicity_id=EthnicGroup.NOT_STATED),
    )
    _recording_metric(
        who=_who, people=_people, what="nationality",
        not_recorded=Q(nationality=""), not_stated=Q(nationality=NATIONALITY_NOT_STATED),
    )
