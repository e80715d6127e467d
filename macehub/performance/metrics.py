"""The hub's first performance measures (DOMAIN.md, "Performance measures"), each
registered with ``@metric`` and built from ``measures``: counts and shares computed in the
database, trends in one query per metric. Medians fetch only the durations of the period
(portable across SQLite and PostgreSQL) and take the median exactly, rounding it once by
the hub's rule (``macehub.core.figures``).

Other apps add their own measures the same way, in their own ``metrics.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from macehub.access.actions import Action
from macehub.access.policy import allows
from macehub.cases.codes import Brag, RiskTier
from macehub.cases.models import AdvocateAllocation, MissingEpisode, RiskTierChange
from macehub.cases.models import Case as SafeguardingCase
from macehub.cases.selectors import MissingWhen
from macehub.intelligence.codes import EntityRole, ReportStatus
from macehub.intelligence.models import Dissemination, IntelligenceReport, ReportLink, Submission
from macehub.intelligence.selectors import ANY_SUBMITTER, CURRENT, reports_about_area
from macehub.people.areas import people_living_in
from macehub.people.codes import NATIONALITY_NOT_STATED
from macehub.people.models import EthnicGroup, Person
from macehub.performance.measures import (
    ByArea,
    Measure,
    Split,
    Splitter,
    choice_label,
    counts,
    done_within,
    median_hours,
    name_label,
    narrow,
    span,
    within,
)
from macehub.performance.registry import (
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
from macehub.referrals.codes import ReferralSource, ReferralStatus
from macehub.referrals.models import PartnerCheck, Referral

if TYPE_CHECKING:
    from macehub.accounts.models import User

NOT_DECIDED = "Not yet decided"

SOURCE_SPLIT: Split = ("source", choice_label(dict(ReferralSource.choices)))
BRAG_LABELS = {key: str(label).split(" – ")[0] for key, label in Brag.choices}
TIER_LABELS = {key: str(label).split(" – ")[0] for key, label in RiskTier.choices}


def intelligence_review_days() -> int:
    """How many days the hub allows for reviewing an intelligence report (setting
    ``INTELLIGENCE_REVIEW_DAYS``, default 7)."""
    return int(settings.INTELLIGENCE_REVIEW_DAYS)


def return_interview_hours() -> int:
    return int(getattr(settings, "RETURN_INTERVIEW_HOURS", 72))


# --- drill-down ----------------------------------------------------------------------
# A figure links to the list of the records behind it: the list page narrowed to the
# period's dates and to the figure's area and agency, through the list's own filter form
# (so the list shows only what the access policy lets the user see). No link for a user
# whose role may not open that list.

def _day(name: str, day: dt.date) -> dict[str, int]:
    """A date as the lists' GOV.UK date inputs take it: day, month and year."""
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


def _between(name: str, period: Period) -> dict[str, int]:
    """The period as a list's ``<name>_from`` and ``<name>_to`` dates."""
    return _day(f"{name}_from", period.start) | _day(f"{name}_to", period.end)


def _list_url(url_name: str, query: Mapping[str, Any], filters: Filters, *, agency: str
              ) -> str:
    """The list at ``url_name`` with ``query``, the area and the agency (the list's
    ``agency`` parameter)."""
    params = dict(query)
    if filters.area_code:
        params["area"] = filters.area_code
    if filters.agency_id is not None:
        params[agency] = filters.agency_id
    return f"{reverse(url_name)}?{urlencode(params)}"


def _referrals(show: str, dated: str) -> DrillDownFunc:
    """Referrals received (``dated`` "received") or decided in the period, on the list of
    referrals ``show`` names; the agency is the referrer's."""

    def drill_down(user: User, period: Period, filters: Filters) -> str | None:
        if not allows(user, Action.REFERRAL_VIEW):
            return None
        return _list_url("referrals:queue", {"show": show, **_between(dated, period)},
                         filters, agency="referrer_agency")

    return drill_down


_referrals_received = _referrals("all", "received")
_referrals_decided = _referrals("decided", "decided")


def _open_cases(user: User, period: Period, filters: Filters) -> str | None:
    """Cases open at the end of the period, whether or not they have closed since."""
    if not allows(user, Action.CASE_LIST):
        return None
    return _list_url("cases:list", {"status": "all", **_day("open_on", period.end)},
                     filters, agency="lead_agency")


def _episodes_missing(missing: str) -> DrillDownFunc:
    """Missing episodes (with or without a case) that began (or ended) in the period;
    the agency is the lead agency of the case each was recorded with."""

    def drill_down(user: User, period: Period, filters: Filters) -> str | None:
        if not allows(user, Action.MISSING_EPISODE_LIST):
            return None
        return _list_url("cases:missing_episode_list",
                         {"missing": missing, **_between("missing", period)},
                         filters, agency="lead_agency")

    return drill_down


_went_missing = _episodes_missing(MissingWhen.WENT_MISSING)
_came_back = _episodes_missing(MissingWhen.CAME_BACK)


def _reports_received(user: User, period: Period, filters: Filters) -> str | None:
    """Intelligence reports (not historic ones) received in the period; the agency is
    the owning team's."""
    if not allows(user, Action.INTELLIGENCE_VIEW):
        return None
    return _list_url("intelligence:report_list",
                     {"status": CURRENT, **_between("received", period)},
                     filters, agency="owning_agency")


def _submissions_received(user: User, period: Period, filters: Filters) -> str | None:
    """The reports written from partners' submissions received in the period (the hub
    has no list of submissions of its own); the agency is the submitting one."""
    if not allows(user, Action.INTELLIGENCE_VIEW):
        return None
    return _list_url("intelligence:report_list",
                     {"submitted_by": ANY_SUBMITTER, **_between("received", period)},
                     filters, agency="submitted_by")


def _recording_by_agency(population: str) -> DrillDownFunc:
    """No list of people by what is recorded about them: the data-quality page shows the
    same people's recording agency by agency and month (aggregates only)."""

    def drill_down(user: User, period: Period, filters: Filters) -> str | None:
        if not allows(user, Action.EQUALITY_VIEW):
            return None
        query = {"population": population, **_day("start", period.start),
                 **_day("end", period.end)}
        return f"{reverse('equality:completeness')}?{urlencode(query)}"

    return drill_down


# --- the records behind a breakdown cell, listed -------------------------------------


def _when(moment: dt.datetime | None) -> str:
    return "" if moment is None else f"{timezone.localtime(moment):%-d %b %Y %H:%M}"


def _referral_columns(referral: Referral) -> tuple[str, ...]:
    return (referral.reference, referral.child.full_name, _when(referral.received_at),
            BRAG_LABELS.get(referral.brag, NOT_DECIDED), _when(referral.decided_at))


def _referral_list(behind: Behind, measure: Measure) -> RecordList:
    return RecordList(
        behind=behind, cell=measure.cell, noun="referrals", record_type="referrals.referral",
        url_name="referrals:detail", url_kwarg="referral_pk",
        headers=("Reference", "Child", "Received", "BRAG rating", "Decided"),
        describe=_referral_columns, select_related=("child",), order_by=("-received_at",),
    )


def _report_columns(report: IntelligenceReport) -> tuple[str, ...]:
    return (report.reference, _when(report.received_at), report.get_status_display(),
            _when(report.reviewed_at))


def _report_list(behind: Behind, measure: Measure) -> RecordList:
    return RecordList(
        behind=behind, cell=measure.cell, noun="intelligence reports",
        record_type="intelligence.intelligencereport", url_name="intelligence:report_detail",
        url_kwarg="intel_report_pk", headers=("Reference", "Received", "Status", "Reviewed"),
        describe=_report_columns, order_by=("-received_at",),
    )


# --- the records behind the figures --------------------------------------------------
# For the access policy: a user who may open every record a metric counts (over the
# period and its trend) sees its figures exact; anyone else, small numbers suppressed.

RowsFunc = Callable[[Filters], QuerySet[Any, Any]]


def _dated(rows: RowsFunc, field: str) -> Callable[[Period, Filters], QuerySet[Any, Any]]:
    """The rows dated (by ``field``) within a span."""
    return lambda span, filters: rows(filters).filter(within(span, field))


# --- referrals -----------------------------------------------------------------------


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
    behind=[Behind(Action.REFERRAL_VIEW, Referral, _dated(_all_referrals, "received_at"))],
    records=_referral_list(
        Behind(Action.REFERRAL_VIEW, Referral, _dated(_all_referrals, "received_at")),
        RECEIVED),
)
def referrals_received(period: Period, filters: Filters) -> list[Figure]:
    return RECEIVED.figures(period, filters)


REFERRALS_DECIDED = Behind(Action.REFERRAL_VIEW, Referral,
                           _dated(_decided_referrals, "decided_at"))

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
    if not months:
        return []
    which = Case(*(When(within(month, "decided_at"), then=Value(i))
                   for i, month in enumerate(months)), output_field=IntegerField())
    rows = (_decision_times(_decided_referrals(filters))
            .filter(within(span(months), "decided_at"))
            .annotate(month=which).values_list("month", "took"))
    by_month: dict[int, list[dt.timedelta]] = {}
    for i, took in rows:
        by_month.setdefault(i, []).append(took)
    return [Figure(TOTAL, "", "All", median_hours(by_month.get(i, [])),
                   len(by_month.get(i, []))) for i in range(len(months))]


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


CHECKS_BEHIND = Behind(Action.REFERRAL_VIEW, Referral, _dated(_partner_checks, "due_at"),
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


# --- cases ---------------------------------------------------------------------------


def _open_at(moment: dt.datetime) -> Q:
    """Cases open at ``moment``: opened before it and not closed by then."""
    return Q(opened_at__lt=moment) & (Q(closed_at__isnull=True) | Q(closed_at__gte=moment))


def _cases(filters: Filters) -> QuerySet[Any, Any]:
    return narrow(SafeguardingCase.objects.all(), filters, person="child_id",
                   agency="lead_agency_id")


def tier_at(moment: dt.datetime) -> Coalesce:
    """The risk tier a case held at ``moment``: its last tier change before then (the
    case's tier now if its history holds none)."""
    latest = (RiskTierChange.objects.filter(case=OuterRef("pk"), changed_at__lt=moment)
              .order_by("-changed_at", "-pk").values("to_tier")[:1])
    return Coalesce(Subquery(latest, output_field=CharField()), F("risk_tier"))


def _open_during(span: Period, filters: Filters) -> QuerySet[Any, Any]:
    """Cases open at some moment of the span (the figures count those open at the end of
    the period, and of each month of the trend)."""
    return _cases(filters).filter(Q(opened_at__lt=span.ends_before) & (
        Q(closed_at__isnull=True) | Q(closed_at__gte=span.starts_at)))


def children_at_risk_trend(months: Sequence[Period], filters: Filters) -> list[Figure]:
    if not months:
        return []
    open_some_time = Q(opened_at__lt=months[-1].ends_before) & (
        Q(closed_at__isnull=True) | Q(closed_at__gte=months[0].ends_before))
    row = _cases(filters).filter(open_some_time).aggregate(**{
        f"n{i}": Count("child_id", distinct=True, filter=_open_at(month.ends_before))
        for i, month in enumerate(months)
    })
    return [Figure(TOTAL, "", "All", row[f"n{i}"]) for i in range(len(months))]


@metric(
    code="children_at_risk",
    name="Children at risk, by risk tier",
    definition=(
        "Children with an open MACE case at the end of the period (opened before it ended "
        "and not closed by then), by the risk tier their case held at the end of the "
        "period. The area is the district of the child's current address."
    ),
    numerator="Children with an open case at the end of the period",
    unit=Unit.COUNT,
    better=Better.NEITHER,
    breakdowns=(Breakdown.TIER, Breakdown.AGENCY, Breakdown.AREA),
    drill_down=_open_cases,
    group="Safeguarding",
    trend=children_at_risk_trend,
    behind=[Behind(Action.CASE_VIEW, SafeguardingCase, _open_during)],
)
def children_at_risk(period: Period, filters: Filters) -> list[Figure]:
    open_then = _cases(filters).filter(_open_at(period.ends_before)).annotate(
        tier_then=tier_at(period.ends_before)
    )
    return counts(
        open_then,
        {
            Breakdown.TIER: ("tier_then", choice_label(TIER_LABELS)),
            Breakdown.AGENCY: ("lead_agency__name", name_label),
            Breakdown.AREA: ByArea("child_id"),
        },
        distinct="child_id",
    )


def _episodes(filters: Filters) -> QuerySet[Any, Any]:
    """Every child's missing episodes, with or without a case (the agency is the lead
    agency of the case an episode was recorded with)."""
    return narrow(MissingEpisode.objects.all(), filters, person="child_id",
                   agency="case__lead_agency_id")


NO_CASE = "No MACE case"


def _case_agency_label(key: Any) -> str:
    return str(key) if key else NO_CASE


EPISODE_SPLITS: Mapping[Breakdown, Splitter] = {
    Breakdown.AGENCY: ("case__lead_agency__name", _case_agency_label),
    Breakdown.AREA: ByArea("child_id"),
}


def _episodes_behind(field: str) -> list[Behind]:
    """An episode is the child's: the child's record governs it, and the case it was
    recorded with, if any."""
    rows = _dated(_episodes, field)
    return [
        Behind(Action.PERSON_VIEW, Person, rows, path="child_id"),
        Behind(Action.CASE_VIEW, SafeguardingCase,
               lambda span, filters: rows(span, filters).filter(case__isnull=False),
               path="case_id"),
    ]

EPISODES = Measure(rows=_episodes, field="went_missing_at", splits=EPISODE_SPLITS)


@metric(
    code="missing_episodes",
    name="Missing episodes",
    definition=(
        "Times a child known to the hub went missing from home or care in the period, "
        "with or without a MACE case. The agency is the lead agency of the case the "
        "episode was recorded with. The area is the district of the child's current "
        "address."
    ),
    numerator="Missing episodes that began in the period",
    unit=Unit.COUNT,
    better=Better.LOWER,
    breakdowns=(Breakdown.AGENCY, Breakdown.AREA),
    drill_down=_went_missing,
    group="Safeguarding",
    trend=EPISODES.trend,
    behind=_episodes_behind("went_missing_at"),
)
def missing_episodes(period: Period, filters: Filters) -> list[Figure]:
    return EPISODES.figures(period, filters)


RETURN_INTERVIEWS = done_within(
    _episodes, started="returned_at", done="interview_offered_at",
    allowed=lambda: dt.timedelta(hours=return_interview_hours()), splits=EPISODE_SPLITS,
)


@metric(
    code="return_interviews_in_time",
    name="Return home interviews offered within 72 hours",
    definition=(
        "Of the children who came back from a missing episode in the period (with or "
        "without a MACE case), the share offered a return home interview within 72 hours "
        "of coming back, whether they then accepted or declined it. Returns less than 72 "
        "hours ago without an offer yet are still in time and not counted. The area is "
        "the district of the child's current address."
    ),
    numerator="Returns with an interview offered within 72 hours",
    denominator="Returns in the period whose 72 hours have passed, or with an offer",
    unit=Unit.PERCENTAGE,
    better=Better.HIGHER,
    target=90,
    breakdowns=(Breakdown.AGENCY, Breakdown.AREA),
    drill_down=_came_back,
    group="Safeguarding",
    trend=RETURN_INTERVIEWS.trend,
    behind=_episodes_behind("returned_at"),
)
def return_interviews_in_time(period: Period, filters: Filters) -> list[Figure]:
    return RETURN_INTERVIEWS.figures(period, filters)


def _allocations(filters: Filters) -> QuerySet[Any, Any]:
    """Advocate allocations, each marked with whether it replaced an earlier one."""
    earlier = AdvocateAllocation.objects.filter(case=OuterRef("case")).filter(
        Q(started_on__lt=OuterRef("started_on"))
        | Q(started_on=OuterRef("started_on"), pk__lt=OuterRef("pk"))
    )
    return narrow(
        AdvocateAllocation.objects.all(), filters,
        person="case__child_id", agency="case__lead_agency_id",
    ).annotate(is_change=Exists(earlier))


def _advocate_measure(period: Period) -> dict[str, Count]:
    started = Q(started_on__gte=period.start, started_on__lte=period.end)
    overlapping = Q(started_on__lte=period.end) & (
        Q(ended_on__isnull=True) | Q(ended_on__gte=period.start))
    return {"changes": Count("pk", filter=started & Q(is_change=True)),
            "children": Count("case__child_id", distinct=True, filter=overlapping)}


def _allocated_during(span: Period, filters: Filters) -> QuerySet[Any, Any]:
    return _allocations(filters).filter(
        Q(started_on__lte=span.end) & (Q(ended_on__isnull=True) | Q(ended_on__gte=span.start)))


def advocate_changes_trend(months: Sequence[Period], filters: Filters) -> list[Figure]:
    measure: dict[str, Count] = {}
    for i, month in enumerate(months):
        measure |= {f"{key}{i}": value for key, value in _advocate_measure(month).items()}
    row = _allocations(filters).aggregate(**measure) if months else {}
    return [Figure(TOTAL, "", "All", row[f"changes{i}"], row[f"children{i}"])
            for i in range(len(months))]


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
    trend=advocate_changes_trend,
    behind=[Behind(Action.CASE_VIEW, SafeguardingCase, _allocated_during, path="case_id")],
)
def advocate_changes_per_child(period: Period, filters: Filters) -> list[Figure]:
    row = _allocations(filters).aggregate(**_advocate_measure(period))
    return [Figure(TOTAL, "", "All", row["changes"], row["children"])]


# --- intelligence --------------------------------------------------------------------

INTELLIGENCE_AREA = (
    " In an area, only intelligence about it counts: reports linked to a location or "
    "premises there, or to a person whose current address is there."
)


def _submissions(filters: Filters) -> QuerySet[Any, Any]:
    submissions = Submission.objects.all()
    if filters.area_code:
        submissions = submissions.filter(report_id__in=reports_about_area(filters.area_code))
    return narrow(submissions, Filters(agency_id=filters.agency_id), person="",
                   agency="agency_id")


SUBMITTED = Measure(rows=_submissions, field="received_at",
                    splits={Breakdown.AGENCY: ("agency__name", name_label)})


SUBMISSIONS_BEHIND = Behind(Action.INTELLIGENCE_VIEW, IntelligenceReport,
                            _dated(_submissions, "received_at"), path="report_id")


@metric(
    code="intelligence_submitted",
    name="Intelligence submitted by partners",
    definition=(
        "Intelligence submissions the hub received from any agency in the period."
        + INTELLIGENCE_AREA + " A submission not yet written up as a report has no area."
    ),
    numerator="Submissions received in the period",
    unit=Unit.COUNT,
    better=Better.NEITHER,
    breakdowns=(Breakdown.AGENCY,),
    drill_down=_submissions_received,
    group="Intelligence",
    trend=SUBMITTED.trend,
    # A submission is seen through the report written from it (one not written up is
    # seen by nobody but its submitter, so it counts as unseen).
    behind=[SUBMISSIONS_BEHIND],
    records=_report_list(SUBMISSIONS_BEHIND, SUBMITTED),
)
def intelligence_submitted(period: Period, filters: Filters) -> list[Figure]:
    return SUBMITTED.figures(period, filters)


def _reports(filters: Filters) -> QuerySet[Any, Any]:
    reports = IntelligenceReport.objects.exclude(status=ReportStatus.HISTORIC)
    if filters.area_code:
        reports = reports.filter(pk__in=reports_about_area(filters.area_code))
    return narrow(reports, Filters(agency_id=filters.agency_id), person="",
                   agency="owning_team__agency_id")


REPORTS_RECEIVED = Behind(Action.INTELLIGENCE_VIEW, IntelligenceReport,
                          _dated(_reports, "received_at"))

REVIEWED_IN_TIME = done_within(
    _reports, started="received_at", done="reviewed_at",
    allowed=lambda: dt.timedelta(days=intelligence_review_days()),
    splits={Breakdown.AGENCY: ("owning_team__agency__name", name_label)},
)


@metric(
    code="intelligence_reviewed_in_time",
    name="Intelligence reviewed in time",
    definition=(
        "Of the intelligence reports received in the period, the share a hub researcher "
        "reviewed within the days the hub allows (7 unless configured). Reports still "
        "within that time and not yet reviewed are not counted." + INTELLIGENCE_AREA
    ),
    numerator="Reports reviewed within the allowed days",
    denominator="Reports received in the period, reviewed or past their review time",
    unit=Unit.PERCENTAGE,
    better=Better.HIGHER,
    target=90,
    breakdowns=(Breakdown.AGENCY,),
    drill_down=_reports_received,
    group="Intelligence",
    trend=REVIEWED_IN_TIME.trend,
    behind=[REPORTS_RECEIVED],
    records=_report_list(REPORTS_RECEIVED, REVIEWED_IN_TIME),
)
def intelligence_reviewed_in_time(period: Period, filters: Filters) -> list[Figure]:
    return REVIEWED_IN_TIME.figures(period, filters)


DISSEMINATED = Measure(
    rows=_reports, field="received_at", splits={},
    hit=lambda: Q(Exists(Dissemination.objects.filter(report=OuterRef("pk")))),
)


@metric(
    code="intelligence_disseminated",
    name="Intelligence shared with partners",
    definition=(
        "Of the intelligence reports received in the period, the share disseminated to "
        "at least one partner agency (so far)." + INTELLIGENCE_AREA
    ),
    numerator="Reports disseminated to a partner",
    denominator="Reports received in the period",
    unit=Unit.PERCENTAGE,
    better=Better.HIGHER,
    drill_down=_reports_received,
    group="Intelligence",
    trend=DISSEMINATED.trend,
    behind=[REPORTS_RECEIVED],
    records=_report_list(REPORTS_RECEIVED, DISSEMINATED),
)
def intelligence_disseminated(period: Period, filters: Filters) -> list[Figure]:
    return DISSEMINATED.figures(period, filters)


# --- recording of ethnicity and nationality ------------------------------------------

RECORDED, NOT_STATED, NOT_RECORDED = "recorded", "not_stated", "not_recorded"
RECORDING_LABELS = {RECORDED: "Recorded", NOT_STATED: "Not stated (declined)",
                    NOT_RECORDED: "Not recorded"}


@dataclass(frozen=True)
class Group:
    """The people a recording metric is about, as the rows that bring them in: each row
    names a person (``person``, a path to their id) and a date (``field``)."""

    rows: Callable[[Filters], QuerySet[Any, Any]]
    person: str
    field: str
    described: str
    # The same people as a population of the disproportionality and data-quality pages.
    equality_population: str
    # The records that bring them in, and the people themselves.
    behind: tuple[Behind, ...] = ()
    # What the people are called on the page, when not their code's word: the code
    # stays, so months already published keep their figures under it.
    called: str = ""


def _victim_rows(filters: Filters) -> QuerySet[Any, Any]:
    return _all_referrals(filters)


def _suspect_rows(filters: Filters) -> QuerySet[Any, Any]:
    links = ReportLink.objects.filter(role=EntityRole.SUSPECT, person__isnull=False)
    if filters.agency_id is not None:
        links = links.filter(report__owning_team__agency_id=filters.agency_id)
    if filters.area_code:
        links = links.filter(person_id__in=people_living_in(filters.area_code))
    return links


VICTIMS = Group(
    _victim_rows, person="child_id", field="received_at",
    described="children with a referral received, whatever was decided: not the same as "
              "victims",
    equality_population="children_referred", called="children referred",
    behind=(Behind(Action.REFERRAL_VIEW, Referral, _dated(_victim_rows, "received_at")),
            Behind(Action.PERSON_VIEW, Person, _dated(_victim_rows, "received_at"),
                   path="child_id")),
)
SUSPECTS = Group(
    _suspect_rows, person="person_id", field="report__received_at",
    described="people linked as suspects to intelligence received",
    equality_population="suspects_intelligence",
    behind=(Behind(Action.INTELLIGENCE_VIEW, IntelligenceReport,
                   _dated(_suspect_rows, "report__received_at"), path="report_id"),
            Behind(Action.PERSON_VIEW, Person, _dated(_suspect_rows, "report__received_at"),
                   path="person_id")),
)


def _recording_state(not_recorded: Q, not_stated: Q) -> Case:
    return Case(
        When(not_recorded, then=Value(NOT_RECORDED)),
        When(not_stated, then=Value(NOT_STATED)),
        default=Value(RECORDED),
        output_field=CharField(),
    )


def _recording_metric(
    *, who: str, group: Group, what: str,
    not_recorded: Callable[[str], Q], not_stated: Callable[[str], Q],
) -> None:
    called = group.called or who
    Who = called[0].upper() + called[1:]
    person = group.person.removesuffix("_id") + "__"
    # One row per (row, recording state) would double count people: count distinct ids.
    state = _recording_state(not_recorded(person), not_stated(person))

    def rows(filters: Filters) -> QuerySet[Any, Any]:
        return group.rows(filters).annotate(recording=state)

    shared = Measure(rows=rows, field=group.field, splits={},
                     hit=lambda: Q(recording=RECORDED), distinct=group.person)

    @metric(
        code=f"{who}_{what}_recorded",
        name=f"{Who} with {what} recorded",
        definition=(
            f"Of the {called} the hub dealt with in the period ({group.described}), the "
            f"share whose {what} is recorded. 'Not stated' (asked and declined) "
            "and 'not recorded' (never asked) are shown separately, never dropped."
        ),
        numerator=f"{Who} with a recorded {what}",
        denominator=f"{Who} in the period",
        unit=Unit.PERCENTAGE,
        better=Better.HIGHER,
        target=90,
        breakdowns=(Breakdown.RECORDING,),
        group="Data quality",
        trend=shared.trend,
        population=who,
        drill_down=_recording_by_agency(group.equality_population),
        drill_down_label="See recording by agency and month",
        drill_down_lists_records=False,
        behind=group.behind,
    )
    def compute(period: Period, filters: Filters) -> list[Figure]:
        figures = shared.figures(period, filters)
        denominator = figures[0].denominator
        found = {
            row["recording"]: row["n"]
            for row in rows(filters).filter(within(period, group.field)).order_by()
            .values("recording").annotate(n=Count(group.person, distinct=True))
        }
        figures += [
            Figure(Breakdown.RECORDING, key, label, found.get(key, 0), denominator)
            for key, label in RECORDING_LABELS.items()
        ]
        return figures


for _who, _group in (("victims", VICTIMS), ("suspects", SUSPECTS)):
    _recording_metric(
        who=_who, group=_group, what="ethnicity",
        not_recorded=lambda p: Q(**{f"{p}self_defined_ethnicity__isnull": True}),
        not_stated=lambda p: Q(**{f"{p}self_defined_ethnicity_id": EthnicGroup.NOT_STATED}),
    )
    _recording_metric(
        who=_who, group=_group, what="nationality",
        not_recorded=lambda p: Q(**{f"{p}nationality": ""}),
        not_stated=lambda p: Q(**{f"{p}nationality": NATIONALITY_NOT_STATED}),
    )
