"""The intelligence measures the hub reports (DOMAIN.md, "Performance measures"):
submissions from partners, reports reviewed in time and shared with partners, and how
fully the ethnicity and nationality of the suspects named are recorded.

Registered with ``@metric`` (``macehub.core.metrics``) and built from
``macehub.core.measures``: counts and shares computed in the database, trends in one query
per metric.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet

from macehub.access.actions import Action
from macehub.access.policy import allows
from macehub.core.measures import (
    Measure,
    dated,
    dates_query,
    done_within,
    list_url,
    name_label,
    when_text,
)
from macehub.core.metrics import (
    Behind,
    Better,
    Breakdown,
    Figure,
    Filters,
    Period,
    RecordList,
    Unit,
    metric,
)
from macehub.intelligence.codes import EntityRole, ReportStatus
from macehub.intelligence.models import Dissemination, IntelligenceReport, ReportLink, Submission
from macehub.intelligence.selectors import ANY_SUBMITTER, CURRENT, reports_about_area
from macehub.people.areas import people_living_in
from macehub.people.measures import Group, narrow, recording_metrics
from macehub.people.models import Person

if TYPE_CHECKING:
    from macehub.accounts.models import User


def intelligence_review_days() -> int:
    """How many days the hub allows for reviewing an intelligence report (setting
    ``INTELLIGENCE_REVIEW_DAYS``, default 7)."""
    return int(settings.INTELLIGENCE_REVIEW_DAYS)



def _reports_received(user: User, period: Period, filters: Filters) -> str | None:
    """Intelligence reports (not historic ones) received in the period; the agency is
    the owning team's."""
    if not allows(user, Action.INTELLIGENCE_VIEW):
        return None
    return list_url("intelligence:report_list",
                    {"status": CURRENT, **dates_query("received", period)},
                    filters, agency="owning_agency")


def _submissions_received(user: User, period: Period, filters: Filters) -> str | None:
    """The reports written from partners' submissions received in the period (the hub
    has no list of submissions of its own); the agency is the submitting one."""
    if not allows(user, Action.INTELLIGENCE_VIEW):
        return None
    return list_url("intelligence:report_list",
                    {"submitted_by": ANY_SUBMITTER, **dates_query("received", period)},
                    filters, agency="submitted_by")



def _report_columns(report: IntelligenceReport) -> tuple[str, ...]:
    return (report.reference, when_text(report.received_at), report.get_status_display(),
            when_text(report.reviewed_at))


def _report_list(behind: Behind, measure: Measure) -> RecordList:
    return RecordList(
        behind=behind, cell=measure.cell, noun="intelligence reports",
        record_type="intelligence.intelligencereport", url_name="intelligence:report_detail",
        url_kwarg="intel_report_pk", headers=("Reference", "Received", "Status", "Reviewed"),
        describe=_report_columns, order_by=("-received_at",),
    )



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
                            dated(_submissions, "received_at"), path="report_id")


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
                          dated(_reports, "received_at"))

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


def _suspect_rows(filters: Filters) -> QuerySet[Any, Any]:
    links = ReportLink.objects.filter(role=EntityRole.SUSPECT, person__isnull=False)
    if filters.agency_id is not None:
        links = links.filter(report__owning_team__agency_id=filters.agency_id)
    if filters.area_code:
        links = links.filter(person_id__in=people_living_in(filters.area_code))
    return links



SUSPECTS = Group(
    _suspect_rows, person="person_id", field="report__received_at",
    described="people linked as suspects to intelligence received",
    equality_population="suspects_intelligence",
    behind=(Behind(Action.INTELLIGENCE_VIEW, IntelligenceReport,
                   dated(_suspect_rows, "report__received_at"), path="report_id"),
            Behind(Action.PERSON_VIEW, Person, dated(_suspect_rows, "report__received_at"),
                   path="person_id")),
)
recording_metrics(who="suspects", group=SUSPECTS)
