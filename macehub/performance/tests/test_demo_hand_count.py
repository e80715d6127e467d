"""Every registered performance metric against a hand count of the small demo data set.

The demo data set is generated once for the module as of a fixed day (``AS_OF``), with
the clock stopped on that day's evening (``macehub.testing.clock``), inside a transaction
rolled back at the end: the same data and the same "now" whatever day the suite runs,
so a difference found is found again. ``test_demo_hand_count_any_day`` repeats the
comparison for a day drawn from a seed, because varying days find what one day does not.

A few edge cases the generator does not make are planted on top: a child with several
current addresses, an address with no area, a same-day change of advocate, two tier
changes at the same moment, and records at the edges of the hub's months (London time)
and across a change of the clocks.

The hand count reads the rows with the plain ORM (``.objects.all()``) and counts them
again in Python loops, following the definitions the hub publishes, never the metrics'
own querysets or aggregates. Each metric is compared category by category for the last
three whole months and the month so far, for the whole hub, every agency and every area
(county, districts and wards); its trend is compared with its monthly figures and the
hand count.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from macehub.accountability.models import ImprovementAction, Recommendation, StatusChange
from macehub.accounts.models import Agency, RoleAssignment, Team, User
from macehub.cases.codes import RiskTier
from macehub.cases.models import AdvocateAllocation, Case, MissingEpisode, RiskTierChange
from macehub.conftest import load_code_lists
from macehub.core.metrics import (
    TOTAL,
    Breakdown,
    Figure,
    Filters,
    Period,
    all_metrics,
    get_metric,
)
from macehub.disruption.models import Breach, Disruption, DisruptionChild, Tactic
from macehub.forensics.models import Exhibit
from macehub.intelligence.codes import EntityRole, ReportStatus
from macehub.intelligence.models import (
    Dissemination,
    IntelligenceReport,
    Location,
    Premises,
    ReportLink,
    Submission,
)
from macehub.investigations.models import Investigation, InvestigationVictim, SupervisoryReview
from macehub.meetings.models import AgendaItem, Attendance, Meeting, MeetingAction, MeetingSeries
from macehub.networks.models import Group, GroupMember
from macehub.people.codes import NATIONALITY_NOT_STATED, AreaKind
from macehub.people.models import Area, EthnicGroup, Person, PersonAddress
from macehub.referrals.clocks import decision_due_at
from macehub.referrals.codes import ReferralStatus
from macehub.referrals.models import PartnerCheck, Referral
from macehub.testing.clock import on_demo_day
from macehub.training.models import Course, CourseRequirement, TrainingRecord

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")

# The hand count's day. Its months are August, September and October 2026 and 1 to 3
# November: months of 31 and 30 days; September begins in summer time (its first hour is
# still August in UTC) and the clocks go back in October (25 October), so durations across
# the change and months that start in different offsets are all counted; reviews and
# returns from missing episodes in the last days are still inside their time.
AS_OF = dt.date(2026, 11, 4)
DEMO_SEED = 7
RETURN_INTERVIEW = dt.timedelta(hours=72)
AREA_NOT_KNOWN = "Area not known"
NOT_RECORDED_LABEL = "Not recorded"
RECORDING_STATES = ("recorded", "not_stated", "not_recorded")

T = TypeVar("T")
Key = tuple[str, str]  # (breakdown, category)
Value = tuple[Decimal | int | None, int | None]  # (numerator, denominator)


# --- the demo data, read once ------------------------------------------------------------


def months_before(today: dt.date, count: int) -> list[Period]:
    """The ``count`` whole months before ``today``'s month, oldest first."""
    found = []
    year, month = today.year, today.month
    for _ in range(count):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        found.append(Period.month(year, month))
    return found[::-1]


def starts(period: Period) -> dt.datetime:
    return dt.datetime.combine(period.start, dt.time.min, tzinfo=LONDON)


def ends_before(period: Period) -> dt.datetime:
    return dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=LONDON)


def within(period: Period, moment: dt.datetime | None) -> bool:
    return moment is not None and starts(period) <= moment < ends_before(period)


@dataclass
class Demo:
    """The demo rows the hand count needs, as plain model instances."""

    months: list[Period]
    areas: dict[int, Area]
    agencies: dict[int, Agency]
    teams: dict[int, Team]
    people: dict[int, Person]
    current_addresses: dict[int, list[PersonAddress]]
    referrals: list[Referral]
    checks: list[PartnerCheck]
    cases: dict[int, Case]
    tier_changes: dict[int, list[RiskTierChange]]
    episodes: list[MissingEpisode]
    allocations: list[AdvocateAllocation]
    submissions: list[Submission]
    reports: dict[int, IntelligenceReport]
    links: list[ReportLink]
    locations: dict[int, Location]
    premises: dict[int, Premises]
    disseminated: set[int]
    groups: dict[int, Group] = field(default_factory=dict)
    group_members: dict[int, list[GroupMember]] = field(default_factory=dict)
    investigations: dict[int, Investigation] = field(default_factory=dict)
    investigation_victims: dict[int, list[InvestigationVictim]] = field(default_factory=dict)
    reviews: list[SupervisoryReview] = field(default_factory=list)
    exhibits: list[Exhibit] = field(default_factory=list)
    meetings: dict[int, Meeting] = field(default_factory=dict)
    standing: dict[int, set[int]] = field(default_factory=dict)  # series: agencies
    attendance: list[Attendance] = field(default_factory=list)
    meeting_actions: list[MeetingAction] = field(default_factory=list)
    agenda_items: list[AgendaItem] = field(default_factory=list)
    disruptions: list[Disruption] = field(default_factory=list)
    breaches: list[Breach] = field(default_factory=list)
    tactics: dict[int, Tactic] = field(default_factory=dict)
    disruption_children: dict[int, list[DisruptionChild]] = field(default_factory=dict)
    recommendations: list[Recommendation] = field(default_factory=list)
    improvement_actions: list[ImprovementAction] = field(default_factory=list)
    status_changes: list[StatusChange] = field(default_factory=list)
    staff: dict[int, User] = field(default_factory=dict)
    staff_roles: dict[int, set[str]] = field(default_factory=dict)
    courses: dict[int, Course] = field(default_factory=dict)
    course_rules: list[CourseRequirement] = field(default_factory=list)
    training_records: dict[int, list[TrainingRecord]] = field(default_factory=dict)
    _trees: dict[str, set[int]] = field(default_factory=dict)
    _referral_children: dict[int, int] = field(default_factory=dict)

    # Areas ----------------------------------------------------------------------------

    def area_tree(self, code: str) -> set[int]:
        """The area with this code and every area below it."""
        if code not in self._trees:
            found = {pk for pk, area in self.areas.items() if area.code == code}
            while True:
                below = {pk for pk, area in self.areas.items()
                         if area.parent_id in found and pk not in found}
                if not below:
                    break
                found |= below
            self._trees[code] = found
        return self._trees[code]

    def lives_in(self, person_id: int | None, code: str) -> bool:
        """Any of the person's current addresses lies in the area (or below it)."""
        tree = self.area_tree(code)
        return any(address.area_id in tree
                   for address in self.current_addresses.get(person_id or 0, []))

    def district(self, person_id: int | None) -> tuple[str, str]:
        """(code, name) of the district of the person's current address: the latest
        ``lived_from`` (an unknown one counts as oldest), then the highest id."""
        addresses = self.current_addresses.get(person_id or 0, [])
        if not addresses:
            return "", AREA_NOT_KNOWN
        latest = max(addresses, key=lambda a: (a.lived_from is not None,
                                               a.lived_from or dt.date.min, a.pk))
        area = self.areas.get(latest.area_id or 0)
        while area is not None:
            if area.kind == AreaKind.DISTRICT:
                return area.code, area.name
            area = self.areas.get(area.parent_id or 0)
        return "", AREA_NOT_KNOWN

    def report_about(self, report_id: int | None, code: str) -> bool:
        """A link of the report is to a location or premises in the area, or to a person
        whose current address is in it."""
        tree = self.area_tree(code)
        for link in self.links:
            if link.report_id != report_id:
                continue
            if link.location_id is not None and self.locations[link.location_id].area_id in tree:
                return True
            if link.premises_id is not None:
                location_id = self.premises[link.premises_id].location_id
                if location_id is not None and self.locations[location_id].area_id in tree:
                    return True
            if link.person_id is not None and self.lives_in(link.person_id, code):
                return True
        return False

    # Agencies -------------------------------------------------------------------------

    def agency_split(self, agency_id: int | None) -> tuple[str, str]:
        if agency_id is None:
            return "", NOT_RECORDED_LABEL
        name = self.agencies[agency_id].name
        return name, name

    def report_agency(self, report: IntelligenceReport) -> int:
        return self.teams[report.owning_team_id].agency_id

    # Scopes ---------------------------------------------------------------------------

    def case_in_scope(self, case: Case, filters: Filters) -> bool:
        if filters.agency_id is not None and case.lead_agency_id != filters.agency_id:
            return False
        return not filters.area_code or self.lives_in(case.child_id, filters.area_code)

    def referral_in_scope(self, referral: Referral, filters: Filters) -> bool:
        if filters.agency_id is not None and referral.referrer_agency_id != filters.agency_id:
            return False
        return not filters.area_code or self.lives_in(referral.child_id, filters.area_code)

    def check_in_scope(self, check: PartnerCheck, filters: Filters) -> bool:
        if filters.agency_id is not None and check.agency_id != filters.agency_id:
            return False
        if not self._referral_children:  # each referral's child, looked up once
            self._referral_children.update({r.pk: r.child_id for r in self.referrals})
        child_id = self._referral_children[check.referral_id]
        return not filters.area_code or self.lives_in(child_id, filters.area_code)

    def group_in_scope(self, group: Group, filters: Filters) -> bool:
        """By the agency of the team that found it; in an area when a member lives there."""
        if filters.agency_id is not None and (
                group.proposing_team_id is None
                or self.teams[group.proposing_team_id].agency_id != filters.agency_id):
            return False
        return not filters.area_code or any(
            self.lives_in(member.person_id, filters.area_code)
            for member in self.group_members.get(group.pk, []))

    def investigation_in_scope(self, investigation_id: int, filters: Filters) -> bool:
        """By the force whose investigation it is; in an area when a child victim lives
        there."""
        investigation = self.investigations[investigation_id]
        if filters.agency_id is not None and investigation.owning_agency_id != filters.agency_id:
            return False
        return not filters.area_code or any(
            self.lives_in(victim.person_id, filters.area_code)
            for victim in self.investigation_victims.get(investigation_id, []))

    def report_in_scope(self, report: IntelligenceReport, filters: Filters) -> bool:
        if filters.agency_id is not None and self.report_agency(report) != filters.agency_id:
            return False
        return not filters.area_code or self.report_about(report.pk, filters.area_code)


def by(rows: Iterable[T], key: Callable[[T], int]) -> dict[int, list[T]]:
    grouped: dict[int, list[T]] = {}
    for row in rows:
        grouped.setdefault(key(row), []).append(row)
    return grouped


def read_demo(months: list[Period]) -> Demo:
    return Demo(
        months=months,
        areas={area.pk: area for area in Area.objects.all()},
        agencies={agency.pk: agency for agency in Agency.objects.all()},
        teams={team.pk: team for team in Team.objects.all()},
        people={person.pk: person for person in Person.objects.all()},
        current_addresses=by(
            (a for a in PersonAddress.objects.all() if a.is_current), lambda a: a.person_id
        ),
        referrals=list(Referral.objects.all()),
        checks=list(PartnerCheck.objects.all()),
        cases={case.pk: case for case in Case.objects.all()},
        tier_changes=by(RiskTierChange.objects.all(), lambda c: c.case_id),
        episodes=list(MissingEpisode.objects.all()),
        allocations=list(AdvocateAllocation.objects.all()),
        submissions=list(Submission.objects.all()),
        reports={report.pk: report for report in IntelligenceReport.objects.all()},
        links=list(ReportLink.objects.all()),
        locations={location.pk: location for location in Location.objects.all()},
        premises={premises.pk: premises for premises in Premises.objects.all()},
        disseminated={d.report_id for d in Dissemination.objects.all()},
        groups={group.pk: group for group in Group.objects.all()},
        group_members=by(GroupMember.objects.all(), lambda m: m.group_id),
        investigations={i.pk: i for i in Investigation.objects.all()},
        investigation_victims=by(InvestigationVictim.objects.all(),
                                 lambda v: v.investigation_id),
        reviews=list(SupervisoryReview.objects.all()),
        exhibits=list(Exhibit.objects.all()),
        meetings={m.pk: m for m in Meeting.objects.all()},
        standing={series_id: {agency_id for _s, agency_id in rows} for series_id, rows in by(
            MeetingSeries.standing_agencies.through.objects
            .values_list("meetingseries_id", "agency_id"), lambda row: row[0]).items()},
        attendance=list(Attendance.objects.all()),
        meeting_actions=list(MeetingAction.objects.all()),
        agenda_items=list(AgendaItem.objects.all()),
        disruptions=list(Disruption.objects.all()),
        breaches=list(Breach.objects.all()),
        tactics={tactic.pk: tactic for tactic in Tactic.objects.all()},
        disruption_children=by(DisruptionChild.objects.all(), lambda c: c.disruption_id),
        recommendations=list(Recommendation.objects.all()),
        improvement_actions=list(ImprovementAction.objects.all()),
        status_changes=list(StatusChange.objects.all()),
        staff={user.pk: user for user in User.objects.all()},
        staff_roles={user_id: {role for _u, role in rows} for user_id, rows in by(
            RoleAssignment.objects.values_list("user_id", "role"), lambda row: row[0]).items()},
        courses={course.pk: course for course in Course.objects.all()},
        course_rules=list(CourseRequirement.objects.all()),
        training_records=by(TrainingRecord.objects.all(), lambda t: t.person_id),
    )


def plant_edge_cases(months: list[Period]) -> None:
    """Cases the generator does not make, so the rules for them are counted too: a child
    with several current addresses, a child whose address has no area, two advocates
    allocated the same day, and two tier changes at the same moment."""
    whole = months[:-1]
    referred = sorted(
        (r for r in Referral.objects.all() if within(whole[1], r.received_at)),
        key=lambda r: (r.received_at, r.pk),
    )
    moved = referred[0].child_id
    unplaced = next(r.child_id for r in reversed(referred) if r.child_id != moved)
    districts = sorted((a for a in Area.objects.all() if a.kind == AreaKind.DISTRICT),
                       key=lambda a: a.code)
    wards = {a.parent_id: a for a in sorted(Area.objects.all(), key=lambda a: a.code)
             if a.kind == AreaKind.WARD}
    home = [a for a in PersonAddress.objects.all() if a.person_id == moved and a.is_current]
    was = {a.area.parent_id for a in home if a.area is not None}
    elsewhere = [wards[d.pk] for d in districts if d.pk not in was and d.pk in wards]
    latest = max((a.lived_from for a in home if a.lived_from), default=dt.date(2020, 1, 1))
    # The latest current address counts for the breakdown; one with no date never wins.
    for area, lived_from in ((elsewhere[0], latest + dt.timedelta(days=1)),
                             (elsewhere[1], None)):
        PersonAddress.objects.create(person_id=moved, line_1="1 Edge Row", town="Edgetown",
                                     postcode="XE1 1EE", area=area, lived_from=lived_from)
    for address in PersonAddress.objects.all():
        if address.person_id == unplaced and address.is_current:
            address.area = None
            address.save()
    # A second advocate the same day: a change (a later id), as is the first only if
    # the case had an advocate before.
    first = min((a for a in AdvocateAllocation.objects.all()
                 if whole[0].start <= a.started_on <= whole[-1].end),
                key=lambda a: (a.started_on, a.pk))
    AdvocateAllocation.objects.create(case_id=first.case_id, advocate_id=first.advocate_id,
                                      started_on=first.started_on, ended_on=first.started_on,
                                      end_reason="Edge case: same-day change")
    # Two tier changes at the same moment: the later id is the tier held.
    end = ends_before(whole[1])
    case = min((c for c in Case.objects.all()
                if c.opened_at < end - dt.timedelta(days=1)
                and (c.closed_at is None or c.closed_at >= end)), key=lambda c: c.pk)
    changed_by = RiskTierChange.objects.filter(case=case).first()
    assert changed_by is not None
    at = end - dt.timedelta(hours=1)
    for tier in (RiskTier.HIGH, RiskTier.LOW):
        RiskTierChange.objects.create(case=case, to_tier=tier, changed_at=at,
                                      changed_by_id=changed_by.changed_by_id,
                                      reason="Edge case: same moment")


def _referral_at(template: Referral, reference: str, received: dt.datetime,
                 decided: dt.datetime) -> None:
    """A copy of a decided referral, received and decided at the given moments."""
    copy = Referral.objects.get(pk=template.pk)
    copy.pk = None
    copy._state.adding = True
    copy.reference, copy.case = reference, None
    copy.received_at, copy.decided_at = received, decided
    copy.decision_due_at = decision_due_at(received)
    copy.save()


def _report_at(template: IntelligenceReport, reference: str, received: dt.datetime) -> None:
    """A copy of a report and its links, received at ``received``, reviewed a day later."""
    copy = IntelligenceReport.objects.get(pk=template.pk)
    copy.pk = None
    copy._state.adding = True
    copy.reference, copy.received_at = reference, received
    copy.reviewed_at = received + dt.timedelta(days=1)
    copy.save()
    for link in ReportLink.objects.filter(report_id=template.pk):
        link.pk, link.report_id = None, copy.pk
        link._state.adding = True
        link.save()


def clock_changes(period: Period) -> list[dt.date]:
    """The days in the period on which the clocks change in London."""
    days = [period.start + dt.timedelta(days=n)
            for n in range((period.end - period.start).days + 1)]
    return [day for day in days
            if dt.datetime.combine(day, dt.time(0), tzinfo=LONDON).utcoffset()
            != dt.datetime.combine(day, dt.time(12), tzinfo=LONDON).utcoffset()]


def plant_clock_edges(months: list[Period]) -> None:
    """Records where the hub's months (London time) and UTC's part: in each whole month, a
    referral and a report received at half past midnight on its first day (in summer time,
    still the month before in UTC) and a referral decided at half past eleven on its last
    evening; and, on a day the clocks change, a referral received at half past midnight
    and decided at half past three, which took an hour more or less than the wall clock
    says."""
    referral = min((r for r in Referral.objects.all() if r.status == ReferralStatus.DECIDED),
                   key=lambda r: r.pk)
    report = min((r for r in IntelligenceReport.objects.all()
                  if r.status == ReportStatus.REVIEWED), key=lambda r: r.pk)
    for n, period in enumerate(months[:-1]):
        first = dt.datetime.combine(period.start, dt.time(0, 30), tzinfo=LONDON)
        last = dt.datetime.combine(period.end, dt.time(23, 30), tzinfo=LONDON)
        _referral_at(referral, f"EDGE-{n}-FIRST", first, first + dt.timedelta(hours=7))
        _referral_at(referral, f"EDGE-{n}-LAST", last - dt.timedelta(hours=5), last)
        _report_at(report, f"EDGE-INT-{n}", first)
        for day in clock_changes(period):
            received = dt.datetime.combine(day, dt.time(0, 30), tzinfo=LONDON)
            decided = dt.datetime.combine(day, dt.time(3, 30), tzinfo=LONDON)
            _referral_at(referral, f"EDGE-{n}-{day:%d}", received, decided)


@contextmanager
def demo_as_of(as_of: dt.date, seed: int = DEMO_SEED) -> Iterator[Demo]:
    """The small demo data set as of ``as_of``, with the clock stopped on that day's
    evening, edge cases planted, read for the hand count; rolled back afterwards, so
    no other test sees it."""
    with (
        on_demo_day(as_of),
        override_settings(DEMO_MODE=True),
        transaction.atomic(),
    ):
        load_code_lists()  # a transactional test run before may have flushed them
        call_command("demo_data", "--scale=small", f"--seed={seed}", f"--as-of={as_of}",
                     stdout=io.StringIO())
        # The last three whole months, and this month so far (where returns and reports
        # still inside their time are left out).
        months = [*months_before(as_of, 3), Period.month(as_of.year, as_of.month)]
        plant_edge_cases(months)
        plant_clock_edges(months)
        yield read_demo(months)
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[Demo]:
    """The demo data set as of ``AS_OF``, generated once for the module; its clock stays
    stopped on ``AS_OF`` for every test of the module."""
    with django_db_blocker.unblock(), demo_as_of(AS_OF) as demo:
        yield demo


# --- counting by hand --------------------------------------------------------------------


@dataclass
class Expected:
    values: dict[Key, Value] = field(default_factory=dict)
    labels: dict[Key, str] = field(default_factory=dict)  # only the labels checked


Splits = Mapping[str, Callable[[T], tuple[str, str]]]


def tally(
    rows: Iterable[T], splits: Splits[T], *, hit: Callable[[T], bool] | None = None,
    who: Callable[[T], object] | None = None, labelled: Iterable[str] = (),
) -> Expected:
    """Count rows (or ``who`` they are about, each once) for the total and each category;
    with ``hit``, the numerator of a share too."""
    everyone: dict[Key, set[object]] = {(TOTAL, ""): set()}
    hits: dict[Key, set[object]] = {(TOTAL, ""): set()}
    expected = Expected()
    for row in rows:
        counted = id(row) if who is None else who(row)
        keys: list[Key] = [(TOTAL, "")]
        for breakdown, split in splits.items():
            category, label = split(row)
            keys.append((breakdown, category))
            if breakdown in labelled:
                expected.labels[breakdown, category] = label
        for key in keys:
            everyone.setdefault(key, set()).add(counted)
            if hit is not None and hit(row):
                hits.setdefault(key, set()).add(counted)
    for key, found in everyone.items():
        if hit is None:
            expected.values[key] = (len(found), None)
        else:
            expected.values[key] = (len(hits.get(key, set())), len(found))
    return expected


def median_hours(durations: Sequence[dt.timedelta]) -> Decimal | None:
    """The median in hours, to 0.1 (halves up, as the hub publishes), from exact
    seconds."""
    if not durations:
        return None
    hours = sorted(Fraction(int(d.total_seconds()), 3600) for d in durations)
    middle = len(hours) // 2
    median = hours[middle] if len(hours) % 2 else (hours[middle - 1] + hours[middle]) / 2
    return Decimal(math.floor(median * 10 + Fraction(1, 2))) / 10


def median_days(durations: Sequence[dt.timedelta]) -> Decimal | None:
    """The median in days, to 0.1 (halves up), from exact seconds."""
    if not durations:
        return None
    days = sorted(Fraction(int(d.total_seconds()), 86400) for d in durations)
    middle = len(days) // 2
    median = days[middle] if len(days) % 2 else (days[middle - 1] + days[middle]) / 2
    return Decimal(math.floor(median * 10 + Fraction(1, 2))) / 10


# --- the hand counts, one per metric -------------------------------------------------


def referrals_received(d: Demo, period: Period, filters: Filters) -> Expected:
    rows = [r for r in d.referrals
            if within(period, r.received_at) and d.referral_in_scope(r, filters)]
    return tally(rows, {
        Breakdown.SOURCE: lambda r: (r.source, r.get_source_display()),
        Breakdown.BRAG: lambda r: (r.brag, r.get_brag_display().split(" – ")[0]
                                   if r.brag else "Not yet decided"),
        Breakdown.AGENCY: lambda r: d.agency_split(r.referrer_agency_id),
        Breakdown.AREA: lambda r: d.district(r.child_id),
    }, labelled=(Breakdown.BRAG, Breakdown.AGENCY, Breakdown.AREA))


def _decided(d: Demo, period: Period, filters: Filters) -> list[Referral]:
    return [r for r in d.referrals
            if r.status == ReferralStatus.DECIDED and within(period, r.decided_at)
            and d.referral_in_scope(r, filters)]


def referrals_decided_in_time(d: Demo, period: Period, filters: Filters) -> Expected:
    return tally(
        _decided(d, period, filters),
        {Breakdown.BRAG: lambda r: (r.brag, ""), Breakdown.SOURCE: lambda r: (r.source, "")},
        hit=lambda r: r.decided_at is not None and r.decided_at <= r.decision_due_at,
    )


def referral_hours_to_decision(d: Demo, period: Period, filters: Filters) -> Expected:
    taken: dict[Key, list[dt.timedelta]] = {(TOTAL, ""): []}
    for r in _decided(d, period, filters):
        assert r.decided_at is not None
        took = r.decided_at - r.received_at
        taken[TOTAL, ""].append(took)
        taken.setdefault((Breakdown.BRAG, r.brag), []).append(took)
    return Expected({key: (median_hours(durations), len(durations))
                     for key, durations in taken.items()})


def partner_checks_in_time(d: Demo, period: Period, filters: Filters) -> Expected:
    """Checks due in the period whose time is up (returned, or still out after it); in
    time if returned by their due time."""
    now = timezone.now()
    rows = [c for c in d.checks
            if within(period, c.due_at) and (c.returned_at is not None or c.due_at < now)
            and d.check_in_scope(c, filters)]
    return tally(rows, {
        Breakdown.AGENCY: lambda c: d.agency_split(c.agency_id),
        Breakdown.BRAG: lambda c: (c.brag, ""),
    }, hit=lambda c: c.returned_at is not None and c.returned_at <= c.due_at,
        labelled=(Breakdown.AGENCY,))


def tier_at(d: Demo, case: Case, moment: dt.datetime) -> str:
    """The tier the case held at ``moment``: the latest change before it (ties by id)."""
    before = [c for c in d.tier_changes.get(case.pk, []) if c.changed_at < moment]
    if not before:
        return case.risk_tier
    return max(before, key=lambda c: (c.changed_at, c.pk)).to_tier


def children_at_risk(d: Demo, period: Period, filters: Filters) -> Expected:
    end = ends_before(period)
    open_then = [c for c in d.cases.values()
                 if c.opened_at < end and (c.closed_at is None or c.closed_at >= end)
                 and d.case_in_scope(c, filters)]
    return tally(open_then, {
        Breakdown.TIER: lambda c: (tier_at(d, c, end), ""),
        Breakdown.AGENCY: lambda c: d.agency_split(c.lead_agency_id),
        Breakdown.AREA: lambda c: d.district(c.child_id),
    }, who=lambda c: c.child_id, labelled=(Breakdown.AGENCY, Breakdown.AREA))


def _episode_case(d: Demo, e: MissingEpisode) -> Case | None:
    return d.cases[e.case_id] if e.case_id is not None else None


def _episodes(d: Demo, filters: Filters) -> list[MissingEpisode]:
    """Every child's episodes, with or without a case: the agency is the lead agency of
    the case an episode was recorded with (none without a case), the area the child's."""
    rows = []
    for e in d.episodes:
        case = _episode_case(d, e)
        if filters.agency_id is not None and (
                case is None or case.lead_agency_id != filters.agency_id):
            continue
        if filters.area_code and not d.lives_in(e.child_id, filters.area_code):
            continue
        rows.append(e)
    return rows


def _episode_agency(d: Demo, e: MissingEpisode) -> tuple[str, str]:
    case = _episode_case(d, e)
    return d.agency_split(case.lead_agency_id) if case is not None else ("", "No MACE case")


def _episode_splits(d: Demo) -> Splits[MissingEpisode]:
    return {
        Breakdown.AGENCY: lambda e: _episode_agency(d, e),
        Breakdown.AREA: lambda e: d.district(e.child_id),
    }


def missing_episodes(d: Demo, period: Period, filters: Filters) -> Expected:
    rows = [e for e in _episodes(d, filters) if within(period, e.went_missing_at)]
    return tally(rows, _episode_splits(d), labelled=(Breakdown.AGENCY, Breakdown.AREA))


def return_interviews_in_time(d: Demo, period: Period, filters: Filters) -> Expected:
    """Offered (whatever the child then said) within 72 elapsed hours of the return."""
    now = timezone.now()
    rows = [e for e in _episodes(d, filters)
            if e.returned_at is not None and within(period, e.returned_at)
            and (e.interview_offered_at is not None
                 or e.returned_at < now - RETURN_INTERVIEW)]
    return tally(
        rows, _episode_splits(d),
        hit=lambda e: (e.interview_offered_at is not None and e.returned_at is not None
                       and e.interview_offered_at <= e.returned_at + RETURN_INTERVIEW),
        labelled=(Breakdown.AGENCY, Breakdown.AREA),
    )


def advocate_changes_per_child(d: Demo, period: Period, filters: Filters) -> Expected:
    allocations = [a for a in d.allocations if d.case_in_scope(d.cases[a.case_id], filters)]
    changes = 0
    for a in allocations:
        if not period.start <= a.started_on <= period.end:
            continue
        if any(b.case_id == a.case_id and (b.started_on < a.started_on
                                           or (b.started_on == a.started_on and b.pk < a.pk))
               for b in allocations):
            changes += 1
    children = {d.cases[a.case_id].child_id for a in allocations
                if a.started_on <= period.end
                and (a.ended_on is None or a.ended_on >= period.start)}
    return Expected({(TOTAL, ""): (changes, len(children))})


def intelligence_submitted(d: Demo, period: Period, filters: Filters) -> Expected:
    rows = [s for s in d.submissions if within(period, s.received_at)
            and (filters.agency_id is None or s.agency_id == filters.agency_id)
            and (not filters.area_code or d.report_about(s.report_id, filters.area_code))]
    return tally(rows, {Breakdown.AGENCY: lambda s: d.agency_split(s.agency_id)},
                 labelled=(Breakdown.AGENCY,))


def _reports(d: Demo, period: Period, filters: Filters) -> list[IntelligenceReport]:
    return [r for r in d.reports.values()
            if within(period, r.received_at) and r.status != ReportStatus.HISTORIC
            and d.report_in_scope(r, filters)]


def intelligence_reviewed_in_time(d: Demo, period: Period, filters: Filters) -> Expected:
    allowed = dt.timedelta(days=int(settings.INTELLIGENCE_REVIEW_DAYS))
    now = timezone.now()
    rows = [r for r in _reports(d, period, filters)
            if r.reviewed_at is not None or r.received_at < now - allowed]
    return tally(
        rows, {Breakdown.AGENCY: lambda r: d.agency_split(d.report_agency(r))},
        hit=lambda r: r.reviewed_at is not None and r.reviewed_at <= r.received_at + allowed,
        labelled=(Breakdown.AGENCY,),
    )


def intelligence_disseminated(d: Demo, period: Period, filters: Filters) -> Expected:
    return tally(_reports(d, period, filters), {}, hit=lambda r: r.pk in d.disseminated)


def victims(d: Demo, period: Period, filters: Filters) -> set[int]:
    return {r.child_id for r in d.referrals
            if within(period, r.received_at) and d.referral_in_scope(r, filters)}


def suspects(d: Demo, period: Period, filters: Filters) -> set[int]:
    found = set()
    for link in d.links:
        report = d.reports[link.report_id]
        if (link.role == EntityRole.SUSPECT and link.person_id is not None
                and within(period, report.received_at)
                and (filters.agency_id is None or d.report_agency(report) == filters.agency_id)
                and (not filters.area_code or d.lives_in(link.person_id, filters.area_code))):
            found.add(link.person_id)
    return found


def ethnicity_state(person: Person) -> str:
    if person.self_defined_ethnicity_id is None:
        return "not_recorded"
    if person.self_defined_ethnicity_id == EthnicGroup.NOT_STATED:
        return "not_stated"
    return "recorded"


def nationality_state(person: Person) -> str:
    if person.nationality == "":
        return "not_recorded"
    if person.nationality == NATIONALITY_NOT_STATED:
        return "not_stated"
    return "recorded"


def recording(
    who: Callable[[Demo, Period, Filters], set[int]], state: Callable[[Person], str]
) -> Callable[[Demo, Period, Filters], Expected]:
    def count(d: Demo, period: Period, filters: Filters) -> Expected:
        states = [state(d.people[pk]) for pk in who(d, period, filters)]
        expected = Expected({(TOTAL, ""): (states.count("recorded"), len(states))})
        for each in RECORDING_STATES:
            expected.values[Breakdown.RECORDING, each] = (states.count(each), len(states))
        return expected

    return count


def groups_identified(d: Demo, period: Period, filters: Filters) -> Expected:
    return tally([g for g in d.groups.values()
                  if within(period, g.proposed_at) and d.group_in_scope(g, filters)], {})


def _confirmed_in(d: Demo, period: Period, filters: Filters) -> list[Group]:
    return [g for g in d.groups.values() if g.status == "confirmed"
            and within(period, g.decided_at) and d.group_in_scope(g, filters)]


def groups_confirmed(d: Demo, period: Period, filters: Filters) -> Expected:
    return tally(_confirmed_in(d, period, filters), {})


def children_in_confirmed_groups(d: Demo, period: Period, filters: Filters) -> Expected:
    children = [member for group in _confirmed_in(d, period, filters)
                for member in d.group_members.get(group.pk, []) if member.part == "victim"]
    return tally(children, {}, who=lambda member: member.person_id)


def group_hours_to_confirmation(d: Demo, period: Period, filters: Filters) -> Expected:
    taken = [g.decided_at - g.first_intelligence_at for g in _confirmed_in(d, period, filters)
             if g.decided_at is not None and g.first_intelligence_at is not None]
    return Expected({(TOTAL, ""): (median_hours(taken), len(taken))})


def investigation_reviews_on_time(d: Demo, period: Period, filters: Filters) -> Expected:
    """Reviews due in the period, signed or past their time; on time if signed by then."""
    now = timezone.now()
    due = [r for r in d.reviews if within(period, r.due_at)
           and (r.reviewed_at is not None or r.due_at < now)
           and d.investigation_in_scope(r.investigation_id, filters)]
    return tally(due, {}, hit=lambda r: r.reviewed_at is not None and r.reviewed_at <= r.due_at)


def _closed_investigations(d: Demo, period: Period, filters: Filters) -> list[Investigation]:
    return [i for i in d.investigations.values() if i.status == "closed"
            and within(period, i.closed_at) and d.investigation_in_scope(i.pk, filters)]


def investigations_charged(d: Demo, period: Period, filters: Filters) -> Expected:
    return tally(_closed_investigations(d, period, filters), {},
                 hit=lambda i: i.outcome == "1")


def investigation_attrition(d: Demo, period: Period, filters: Filters) -> Expected:
    return tally(_closed_investigations(d, period, filters), {},
                 hit=lambda i: i.outcome in {"14", "15", "16"})


def investigation_days_to_charge(d: Demo, period: Period, filters: Filters) -> Expected:
    """Days from the day reported to the day charged, for those closed with outcome 1:
    the median in days is the median in hours over 24."""
    taken = [i.outcome_on - i.reported_on for i in _closed_investigations(d, period, filters)
             if i.outcome == "1" and i.outcome_on is not None]
    return Expected({(TOTAL, ""): (median_days(taken), len(taken))})


def _victims_at_outcome(d: Demo, period: Period, filters: Filters
                        ) -> list[tuple[InvestigationVictim, bool, bool]]:
    """Child victims of investigations closed in the period (in the area where the child
    lives; by the investigation's force), each with whether an advocate was allocated on
    the day of the outcome, and at any time from the report to the outcome."""
    children = {case.pk: case.child_id for case in d.cases.values()}
    allocations: dict[int, list[AdvocateAllocation]] = {}
    for allocation in d.allocations:
        allocations.setdefault(children[allocation.case_id], []).append(allocation)
    found = []
    for investigation in d.investigations.values():
        outcome_on = investigation.outcome_on
        if (investigation.status != "closed" or outcome_on is None
                or not within(period, investigation.closed_at)
                or (filters.agency_id is not None
                    and investigation.owning_agency_id != filters.agency_id)):
            continue
        for victim in d.investigation_victims.get(investigation.pk, []):
            if filters.area_code and not d.lives_in(victim.person_id, filters.area_code):
                continue
            held = allocations.get(victim.person_id, [])
            at_outcome = any(a.started_on <= outcome_on
                             and (a.ended_on is None or a.ended_on >= outcome_on)
                             for a in held)
            during = any(a.started_on <= outcome_on and (
                a.ended_on is None or a.ended_on >= investigation.reported_on) for a in held)
            found.append((victim, at_outcome, during))
    return found


def victims_supported_to_outcome(d: Demo, period: Period, filters: Filters) -> Expected:
    return tally(_victims_at_outcome(d, period, filters), {}, hit=lambda row: row[1])


def victim_withdrawal_with_advocate(d: Demo, period: Period, filters: Filters) -> Expected:
    return tally([row for row in _victims_at_outcome(d, period, filters) if row[2]], {},
                 hit=lambda row: row[0].withdrew_on is not None)


def victim_withdrawal_without_advocate(d: Demo, period: Period, filters: Filters
                                       ) -> Expected:
    return tally([row for row in _victims_at_outcome(d, period, filters) if not row[2]], {},
                 hit=lambda row: row[0].withdrew_on is not None)


def forensic_triage_in_time(d: Demo, period: Period, filters: Filters) -> Expected:
    """Devices whose triage fell due in the period, triaged or past their time; in time
    if triaged by then."""
    now = timezone.now()
    due = [e for e in d.exhibits if within(period, e.triage_due_at)
           and (e.triaged_at is not None or e.triage_due_at < now)
           and d.investigation_in_scope(e.investigation_id, filters)]
    return tally(due, {}, hit=lambda e: e.triaged_at is not None
                 and e.triaged_at <= e.triage_due_at)


def forensic_turnaround(d: Demo, period: Period, filters: Filters) -> Expected:
    taken = [e.full_report_at - e.seized_at for e in d.exhibits
             if e.full_report_at is not None and within(period, e.full_report_at)
             and d.investigation_in_scope(e.investigation_id, filters)]
    return Expected({(TOTAL, ""): (median_days(taken), len(taken))})


def _backlog(d: Demo, period: Period, filters: Filters) -> tuple[dt.datetime, list[Exhibit]]:
    """The moment the period's backlog is taken (its end, or now), and the devices
    seized before it still waiting then: not triaged, or needing a full examination not
    yet reported."""
    end = min(ends_before(period), timezone.now())

    def waiting(e: Exhibit) -> bool:
        if e.triaged_at is None or e.triaged_at >= end:
            return True
        return bool(e.full_examination_needed) and (e.full_report_at is None
                                                    or e.full_report_at >= end)

    return end, [e for e in d.exhibits if e.seized_at < end and waiting(e)
                 and d.investigation_in_scope(e.investigation_id, filters)]


def forensic_backlog(d: Demo, period: Period, filters: Filters) -> Expected:
    _, waiting = _backlog(d, period, filters)
    return Expected({(TOTAL, ""): (len(waiting), None)})


def forensic_oldest_waiting_days(d: Demo, period: Period, filters: Filters) -> Expected:
    end, waiting = _backlog(d, period, filters)
    oldest = min((e.seized_at for e in waiting), default=None)
    return Expected({(TOTAL, ""): (0 if oldest is None else (end - oldest).days, None)})


def forensic_old_exhibits(d: Demo, period: Period, filters: Filters) -> Expected:
    end, waiting = _backlog(d, period, filters)
    return Expected({(TOTAL, ""): (
        sum(1 for e in waiting if e.seized_at < end - dt.timedelta(days=90)), None)})


def meeting_attendance(d: Demo, period: Period, filters: Filters) -> Expected:
    """Each standing member agency's place at each meeting held in the period; taken
    when present or a deputy came."""
    rows = []
    for row in d.attendance:
        meeting = d.meetings[row.meeting_id]
        if (period.start <= meeting.held_on <= period.end
                and row.agency_id in d.standing.get(meeting.series_id, set())
                and (filters.agency_id is None or row.agency_id == filters.agency_id)):
            rows.append(row)
    return tally(rows, {Breakdown.AGENCY: lambda r: d.agency_split(r.agency_id)},
                 hit=lambda r: r.status in ("present", "deputy"))


def meeting_actions_on_time(d: Demo, period: Period, filters: Filters) -> Expected:
    """Actions due in the period, due date passed, not dropped; on time if done by it."""
    today = timezone.localdate()
    rows = [a for a in d.meeting_actions if period.start <= a.due_on <= period.end
            and a.due_on < today and a.status != "dropped"
            and (filters.agency_id is None or a.agency_id == filters.agency_id)]
    return tally(rows, {Breakdown.AGENCY: lambda a: d.agency_split(a.agency_id)},
                 hit=lambda a: a.status == "done" and a.completed_on is not None
                 and a.completed_on <= a.due_on)


def meeting_high_risk_to_discussion(d: Demo, period: Period, filters: Filters) -> Expected:
    """Each case's first move to High risk in the period; days from that day to the
    first meeting on or after it that had an item about the child."""
    held: dict[int, list[dt.date]] = {}
    for item in d.agenda_items:
        if item.person_id is not None and not item.dropped:
            held.setdefault(item.person_id, []).append(d.meetings[item.meeting_id].held_on)
    taken = []
    for case_id, changes in d.tier_changes.items():
        case = d.cases[case_id]
        if not d.case_in_scope(case, filters):
            continue
        moves = sorted(c.changed_at for c in changes
                        if c.to_tier == RiskTier.HIGH and within(period, c.changed_at))
        if not moves:
            continue
        day = moves[0].astimezone(LONDON).date()
        later = sorted(h for h in held.get(case.child_id, []) if h >= day)
        if later:
            taken.append(dt.timedelta(days=(later[0] - day).days))
    return Expected({(TOTAL, ""): (median_days(taken), len(taken))})


def meeting_high_risk_discussed(d: Demo, period: Period, filters: Filters) -> Expected:
    """Each case's first move to High risk in the period: discussed at a meeting on or
    after that day, of all that moved."""
    held: dict[int, list[dt.date]] = {}
    for item in d.agenda_items:
        if item.person_id is not None and not item.dropped:
            held.setdefault(item.person_id, []).append(d.meetings[item.meeting_id].held_on)
    moved = discussed = 0
    for case_id, changes in d.tier_changes.items():
        case = d.cases[case_id]
        if not d.case_in_scope(case, filters):
            continue
        moves = sorted(c.changed_at for c in changes
                       if c.to_tier == RiskTier.HIGH and within(period, c.changed_at))
        if not moves:
            continue
        moved += 1
        day = moves[0].astimezone(LONDON).date()
        discussed += any(h >= day for h in held.get(case.child_id, []))
    return Expected({(TOTAL, ""): (discussed, moved)})


# Disruptions: started = granted or served (and since breached or expired), on the day;
# by agency, the lead agency; in an area when one of the children it protects lives there.
DISRUPTION_STARTED = {"granted", "served", "breached", "expired"}


def _on_days(period: Period, day: dt.date | None) -> bool:
    return day is not None and period.start <= day <= period.end


def _led_by(d: Demo, disruption: Disruption, filters: Filters) -> bool:
    if filters.agency_id is not None and disruption.lead_agency_id != filters.agency_id:
        return False
    return not filters.area_code or any(
        d.lives_in(child.person_id, filters.area_code)
        for child in d.disruption_children.get(disruption.pk, []))


def disruptions_started(d: Demo, period: Period, filters: Filters) -> Expected:
    started = [x for x in d.disruptions if x.status in DISRUPTION_STARTED
               and _on_days(period, x.started_on) and _led_by(d, x, filters)]
    return tally(started, {
        Breakdown.TACTIC: lambda x: (d.tactics[x.tactic_id].name,
                                     d.tactics[x.tactic_id].name),
        Breakdown.AGENCY: lambda x: (d.agencies[x.lead_agency_id].name,
                                     d.agencies[x.lead_agency_id].name),
    }, labelled=[Breakdown.TACTIC, Breakdown.AGENCY])


def disruption_breaches(d: Demo, period: Period, filters: Filters) -> Expected:
    by_pk = {x.pk: x for x in d.disruptions}
    return tally([b for b in d.breaches if _on_days(period, b.occurred_on)
                  and _led_by(d, by_pk[b.disruption_id], filters)], {})


def groups_with_active_disruption(d: Demo, period: Period, filters: Filters) -> Expected:
    day = min(period.end, timezone.localdate())
    confirmed_by = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=LONDON)
    active = [x for x in d.disruptions if x.status in DISRUPTION_STARTED
              and x.started_on is not None and x.started_on <= day
              and (x.expires_on is None or x.expires_on > day) and _led_by(d, x, filters)]
    groups = []
    for group in d.groups.values():
        if group.status != "confirmed" or group.decided_at is None \
                or group.decided_at >= confirmed_by:
            continue
        suspects = {m.person_id for m in d.group_members.get(group.pk, [])
                    if m.part == "suspect"}
        if any(x.target_group_id == group.pk or x.target_person_id in suspects
               for x in active):
            groups.append(group)
    return tally(groups, {})


# Inspection recommendations: a recommendation falls due on its last action's due date
# and is on time when first closed (completed or evidenced) by that London day; an
# action is overdue at a day's end when recorded by then, due before it and not done or
# dropped by it. By agency, the action's agency; recommendations are the whole hub's.
CLOSED = {"completed", "evidenced"}


def recommendations_completed_on_time(d: Demo, period: Period, filters: Filters) -> Expected:
    rows = []
    for recommendation in d.recommendations:
        dues = [a.due_on for a in d.improvement_actions
                if a.recommendation_id == recommendation.pk]
        if not dues or not period.start <= max(dues) <= period.end:
            continue
        closings = sorted(c.changed_at for c in d.status_changes
                          if c.recommendation_id == recommendation.pk and c.to_status in CLOSED)
        rows.append((recommendation, max(dues), closings[0] if closings else None))
    return tally(rows, {}, hit=lambda row: row[2] is not None
                 and row[2].astimezone(LONDON).date() <= row[1])


def inspection_actions_overdue(d: Demo, period: Period, filters: Filters) -> Expected:
    day = min(period.end, timezone.localdate())
    recorded_by = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=LONDON)
    return tally([a for a in d.improvement_actions
                  if a.created_at < recorded_by and a.due_on < day
                  and (a.status == "open" or (a.done_on is not None and a.done_on > day))
                  and (filters.agency_id is None or a.agency_id == filters.agency_id)], {})
# Training: of the tier's courses each active member of staff must take (a rule matches
# their role, or every role; their agency's kind and team where it names one), those
# held on the period's last day (today for this month): completed by then, not expired.
# Staff have no area: an area filter leaves the whole hub.


def training_compliance(tier: str) -> Callable[[Demo, Period, Filters], Expected]:
    def count(d: Demo, period: Period, filters: Filters) -> Expected:
        day = min(period.end, timezone.localdate())
        rules = [rule for rule in d.course_rules if d.courses[rule.course_id].tier == tier
                 and d.courses[rule.course_id].is_active]
        values: dict[Key, Value] = {(TOTAL, ""): (0, 0)}
        for user in d.staff.values():
            if not user.is_active or (filters.agency_id is not None
                                      and user.agency_id != filters.agency_id):
                continue
            roles = d.staff_roles.get(user.pk, set())
            kind = d.agencies[user.agency_id].kind if user.agency_id else ""
            must = set()
            for rule in rules:
                if ((not rule.role or rule.role in roles)
                        and (not rule.agency_kind or rule.agency_kind == kind)
                        and (rule.team_id is None or rule.team_id == user.team_id)):
                    must.add(rule.course_id)
            if not must:
                continue
            held = {record.course_id for record in d.training_records.get(user.pk, [])
                    if record.completed_on <= day
                    and (record.expires_on is None or record.expires_on > day)}
            team = d.teams.get(user.team_id or 0)
            team_key = (f"{team.name} ({d.agencies[team.agency_id].name})" if team
                        else "No team")
            agency_key = d.agencies[user.agency_id].name if user.agency_id else "No agency"
            for key in ((TOTAL, ""), (Breakdown.TEAM, team_key),
                        (Breakdown.AGENCY, agency_key)):
                held_before, must_before = values.get(key, (0, 0))
                values[key] = (int(held_before or 0) + len(must & held),
                               int(must_before or 0) + len(must))
        return Expected(values, labels={key: key[1] for key in values if key[0] != TOTAL})
    return count


HandCount = Callable[[Demo, Period, Filters], Expected]

HAND_COUNTS: dict[str, HandCount] = {
    "referrals_received": referrals_received,
    "referrals_decided_in_time": referrals_decided_in_time,
    "referral_hours_to_decision": referral_hours_to_decision,
    "partner_checks_in_time": partner_checks_in_time,
    "children_at_risk": children_at_risk,
    "missing_episodes": missing_episodes,
    "return_interviews_in_time": return_interviews_in_time,
    "advocate_changes_per_child": advocate_changes_per_child,
    "intelligence_submitted": intelligence_submitted,
    "intelligence_reviewed_in_time": intelligence_reviewed_in_time,
    "intelligence_disseminated": intelligence_disseminated,
    "victims_ethnicity_recorded": recording(victims, ethnicity_state),
    "victims_nationality_recorded": recording(victims, nationality_state),
    "suspects_ethnicity_recorded": recording(suspects, ethnicity_state),
    "suspects_nationality_recorded": recording(suspects, nationality_state),
    "groups_identified": groups_identified,
    "groups_confirmed": groups_confirmed,
    "children_in_confirmed_groups": children_in_confirmed_groups,
    "group_hours_to_confirmation": group_hours_to_confirmation,
    "investigation_reviews_on_time": investigation_reviews_on_time,
    "investigations_charged": investigations_charged,
    "investigation_attrition": investigation_attrition,
    "investigation_days_to_charge": investigation_days_to_charge,
    "victims_supported_to_outcome": victims_supported_to_outcome,
    "victim_withdrawal_with_advocate": victim_withdrawal_with_advocate,
    "victim_withdrawal_without_advocate": victim_withdrawal_without_advocate,
    "forensic_triage_in_time": forensic_triage_in_time,
    "forensic_turnaround": forensic_turnaround,
    "forensic_backlog": forensic_backlog,
    "forensic_oldest_waiting_days": forensic_oldest_waiting_days,
    "forensic_old_exhibits": forensic_old_exhibits,
    "meeting_attendance": meeting_attendance,
    "meeting_actions_on_time": meeting_actions_on_time,
    "meeting_high_risk_to_discussion": meeting_high_risk_to_discussion,
    "meeting_high_risk_discussed": meeting_high_risk_discussed,
    "disruptions_started": disruptions_started,
    "disruption_breaches": disruption_breaches,
    "groups_with_active_disruption": groups_with_active_disruption,
    "recommendations_completed_on_time": recommendations_completed_on_time,
    "inspection_actions_overdue": inspection_actions_overdue,
    "training_compliance_awareness": training_compliance("awareness"),
    "training_compliance_frontline": training_compliance("frontline"),
    "training_compliance_specialist": training_compliance("specialist"),
}

# The breakdowns each metric must give (beyond its total).
BREAKDOWNS: dict[str, set[str]] = {
    "referrals_received": {Breakdown.SOURCE, Breakdown.BRAG, Breakdown.AGENCY, Breakdown.AREA},
    "referrals_decided_in_time": {Breakdown.BRAG, Breakdown.SOURCE},
    "referral_hours_to_decision": {Breakdown.BRAG},
    "partner_checks_in_time": {Breakdown.AGENCY, Breakdown.BRAG},
    "children_at_risk": {Breakdown.TIER, Breakdown.AGENCY, Breakdown.AREA},
    "missing_episodes": {Breakdown.AGENCY, Breakdown.AREA},
    "return_interviews_in_time": {Breakdown.AGENCY, Breakdown.AREA},
    "advocate_changes_per_child": set(),
    "intelligence_submitted": {Breakdown.AGENCY},
    "intelligence_reviewed_in_time": {Breakdown.AGENCY},
    "intelligence_disseminated": set(),
    "victims_ethnicity_recorded": {Breakdown.RECORDING},
    "victims_nationality_recorded": {Breakdown.RECORDING},
    "suspects_ethnicity_recorded": {Breakdown.RECORDING},
    "suspects_nationality_recorded": {Breakdown.RECORDING},
    "groups_identified": set(),
    "groups_confirmed": set(),
    "children_in_confirmed_groups": set(),
    "group_hours_to_confirmation": set(),
    "investigation_reviews_on_time": set(),
    "investigations_charged": set(),
    "investigation_attrition": set(),
    "investigation_days_to_charge": set(),
    "victims_supported_to_outcome": set(),
    "victim_withdrawal_with_advocate": set(),
    "victim_withdrawal_without_advocate": set(),
    "forensic_triage_in_time": set(),
    "forensic_turnaround": set(),
    "forensic_backlog": set(),
    "forensic_oldest_waiting_days": set(),
    "forensic_old_exhibits": set(),
    "meeting_attendance": {Breakdown.AGENCY},
    "meeting_actions_on_time": {Breakdown.AGENCY},
    "meeting_high_risk_to_discussion": set(),
    "meeting_high_risk_discussed": set(),
    "disruptions_started": {Breakdown.TACTIC, Breakdown.AGENCY},
    "disruption_breaches": set(),
    "groups_with_active_disruption": set(),
    "recommendations_completed_on_time": set(),
    "inspection_actions_overdue": set(),
    "training_compliance_awareness": {Breakdown.TEAM, Breakdown.AGENCY},
    "training_compliance_frontline": {Breakdown.TEAM, Breakdown.AGENCY},
    "training_compliance_specialist": {Breakdown.TEAM, Breakdown.AGENCY},
}


# --- comparing -------------------------------------------------------------------------


def has_base(value: Value) -> bool:
    """A row with something counted: a count above nought, or a share or median of at
    least one record. Empty categories may be listed or left out."""
    numerator, denominator = value
    return bool(denominator) if denominator is not None else bool(numerator)


def as_found(figures: Iterable[Figure], breakdowns: set[str]) -> Expected:
    found = Expected()
    for figure in figures:
        if figure.breakdown != TOTAL and figure.breakdown not in breakdowns:
            continue
        key = (figure.breakdown, figure.category)
        found.values[key] = (figure.numerator, figure.denominator)
        found.labels[key] = figure.label
    return found


def differences(code: str, period: Period, filters: Filters, expected: Expected) -> list[str]:
    figures = get_metric(code).figures(period, filters)
    found = as_found(figures, BREAKDOWNS[code])
    where = f"{code} {period.short_label()} {filters}"
    wrong = []
    keys = {k for k, v in expected.values.items() if has_base(v)}
    keys |= {k for k, v in found.values.items() if has_base(v)}
    for key in sorted(keys):
        want = expected.values.get(key, (0, None))
        got = found.values.get(key, (0, None))
        if want != got:
            wrong.append(f"{where} {key}: metric {got}, hand count {want}")
        elif key in expected.labels and expected.labels[key] != found.labels.get(key):
            wrong.append(f"{where} {key}: label {found.labels.get(key)!r}, "
                         f"expected {expected.labels[key]!r}")
    return wrong


def agency_filters(d: Demo) -> list[Filters]:
    return [Filters(agency_id=pk) for pk in sorted(d.agencies)]


def area_filters(d: Demo, *, wards: bool = True) -> list[Filters]:
    kinds = {AreaKind.COUNTY, AreaKind.DISTRICT} | ({AreaKind.WARD} if wards else set())
    return [Filters(area_code=area.code) for area in sorted(d.areas.values(), key=lambda a: a.code)
            if area.kind in kinds]


SCOPES = ("whole_hub", "agency", "area")


def scoped(d: Demo, scope: str) -> list[Filters]:
    if scope == "agency":
        return agency_filters(d)
    if scope == "area":
        return area_filters(d)
    return [Filters()]


def check(code: str, d: Demo, scope: str) -> None:
    """Compare every month and filter of the scope; fail listing every difference, but
    only when the hand count found something to compare."""
    hand = HAND_COUNTS[code]
    wrong: list[str] = []
    counted: list[Expected] = []
    for filters in scoped(d, scope):
        for period in d.months:
            expected = hand(d, period, filters)
            counted.append(expected)
            wrong += differences(code, period, filters, expected)
    assert not wrong, f"{len(wrong)} differences:\n" + "\n".join(wrong[:40])
    assert_not_vacuous(code, counted, scope)


def assert_not_vacuous(code: str, counted: list[Expected], scope: str) -> None:
    totals = [e.values.get((TOTAL, ""), (0, None)) for e in counted]
    assert any(has_base(total) for total in totals), f"{code}: nothing to count ({scope})"
    if totals[0][1] is not None:  # a share or median: some numerator too
        assert any(total[0] for total in totals), f"{code}: no numerator ({scope})"
    if scope == "whole_hub":
        for breakdown in BREAKDOWNS[code]:
            assert any(has_base(value) for e in counted for key, value in e.values.items()
                       if key[0] == breakdown), f"{code}: empty {breakdown} breakdown"


# --- the tests -------------------------------------------------------------------------


def test_every_registered_metric_is_hand_counted() -> None:
    assert {m.code for m in all_metrics()} == set(HAND_COUNTS)


def test_the_months_checked_hold_demo_data(demo: Demo) -> None:
    for period in demo.months[:-1]:
        assert any(within(period, r.received_at) for r in demo.referrals), period
        assert any(within(period, r.received_at) for r in demo.reports.values()), period


def test_the_months_checked_cross_month_ends_and_a_change_of_the_clocks(demo: Demo) -> None:
    """What ``AS_OF`` was chosen for: the checks run over a change of the clocks, and over
    records whose month in London is not their month in UTC."""
    assert any(clock_changes(period) for period in demo.months[:-1])
    parted = [r for r in demo.referrals
              if any(within(period, r.received_at) for period in demo.months)
              and r.received_at.astimezone(dt.UTC).month != r.received_at.astimezone(LONDON).month]
    assert parted
    assert timezone.localdate() == AS_OF  # and "now" is fixed there


def test_metrics_declare_their_breakdowns() -> None:
    for code, breakdowns in BREAKDOWNS.items():
        assert breakdowns <= set(get_metric(code).breakdowns), code


@pytest.mark.parametrize("scope", SCOPES)
def test_referrals_received(demo: Demo, scope: str) -> None:
    check("referrals_received", demo, scope)


def test_referrals_by_area_include_area_not_known(demo: Demo) -> None:
    period = demo.months[1]
    expected = referrals_received(demo, period, Filters())
    assert has_base(expected.values[Breakdown.AREA, ""])
    assert expected.labels[Breakdown.AREA, ""] == AREA_NOT_KNOWN
    assert not differences("referrals_received", period, Filters(), expected)


@pytest.mark.parametrize("scope", SCOPES)
def test_referrals_decided_in_time(demo: Demo, scope: str) -> None:
    check("referrals_decided_in_time", demo, scope)


@pytest.mark.parametrize("scope", SCOPES)
def test_referral_hours_to_decision(demo: Demo, scope: str) -> None:
    check("referral_hours_to_decision", demo, scope)


@pytest.mark.parametrize("scope", SCOPES)
def test_partner_checks_in_time(demo: Demo, scope: str) -> None:
    check("partner_checks_in_time", demo, scope)


@pytest.mark.parametrize("scope", SCOPES)
def test_children_at_risk(demo: Demo, scope: str) -> None:
    check("children_at_risk", demo, scope)


def test_children_at_risk_by_tier_at_the_period_end(demo: Demo) -> None:
    """The demo has cases whose tier changed after a month checked, so "the tier at the
    period end" and "the tier now" differ there (otherwise the tier check is weak)."""
    changed_later = [
        case for case in demo.cases.values() for period in demo.months[:-1]
        if case.opened_at < ends_before(period)
        and tier_at(demo, case, ends_before(period)) != case.risk_tier
    ]
    assert changed_later
    check("children_at_risk", demo, "whole_hub")


@pytest.mark.parametrize("scope", SCOPES)
def test_missing_episodes(demo: Demo, scope: str) -> None:
    check("missing_episodes", demo, scope)


@pytest.mark.parametrize("scope", SCOPES)
def test_return_interviews_in_time(demo: Demo, scope: str) -> None:
    check("return_interviews_in_time", demo, scope)


def test_the_months_checked_hold_episodes_without_a_case_and_declined_offers(
    demo: Demo) -> None:
    """The interview figure is checked on the cases that make it differ from the old
    rule: episodes of children without a case, declined offers, offers made late, and
    interviews held after the 72 hours that were offered within them."""
    months = demo.months
    returned = [e for e in demo.episodes if e.returned_at is not None
                and any(within(period, e.returned_at) for period in months)]
    assert any(e.case_id is None for e in returned)
    assert any(e.interview_response == "declined" for e in returned)
    assert any(e.interview_offered_at is not None and e.returned_at is not None
               and e.interview_offered_at > e.returned_at + RETURN_INTERVIEW for e in returned)
    assert any(e.return_interview_at is not None and e.returned_at is not None
               and e.interview_offered_at is not None
               and e.interview_offered_at <= e.returned_at + RETURN_INTERVIEW
               < e.return_interview_at for e in returned)


@pytest.mark.parametrize("scope", SCOPES)
def test_advocate_changes_per_child(demo: Demo, scope: str) -> None:
    check("advocate_changes_per_child", demo, scope)


@pytest.mark.parametrize("scope", SCOPES)
def test_intelligence_submitted(demo: Demo, scope: str) -> None:
    check("intelligence_submitted", demo, scope)


@pytest.mark.parametrize("scope", SCOPES)
def test_intelligence_reviewed_in_time(demo: Demo, scope: str) -> None:
    check("intelligence_reviewed_in_time", demo, scope)


@pytest.mark.parametrize("scope", SCOPES)
def test_intelligence_disseminated(demo: Demo, scope: str) -> None:
    check("intelligence_disseminated", demo, scope)


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("who", ["victims", "suspects"])
@pytest.mark.parametrize("what", ["ethnicity", "nationality"])
def test_recording(demo: Demo, who: str, what: str, scope: str) -> None:
    check(f"{who}_{what}_recorded", demo, scope)


def trend_differences(code: str, d: Demo, filters: Filters,
                      counted: list[Expected]) -> list[str]:
    """Each month of the trend against that month's total, as figured and as hand
    counted (the hand counts are added to ``counted``)."""
    metric = get_metric(code)
    wrong = []
    trend = metric.trend(d.months, filters)
    assert [f.category for f in trend] == [f"{p.start:%Y-%m}" for p in d.months]
    assert {f.breakdown for f in trend} == {Breakdown.MONTH}
    for period, figure in zip(d.months, trend, strict=True):
        expected = HAND_COUNTS[code](d, period, filters)
        counted.append(expected)
        total = metric.total(metric.figures(period, filters))
        got = (figure.numerator, figure.denominator)
        figured = (total.numerator, total.denominator)
        want = expected.values[TOTAL, ""]
        if not has_base(want) and not has_base(got) and not has_base(figured):
            continue
        if not got == figured == want:
            wrong.append(f"{code} {period.short_label()} {filters}: trend {got}, "
                         f"figures {figured}, hand count {want}")
    return wrong


def trend_filters(d: Demo) -> list[Filters]:
    return [Filters(), *agency_filters(d), *area_filters(d, wards=False)]


@pytest.mark.parametrize("code", sorted(HAND_COUNTS))
def test_trend(demo: Demo, code: str) -> None:
    """Each month of the trend is that month's total, as figured and as hand counted."""
    wrong: list[str] = []
    counted: list[Expected] = []
    for filters in trend_filters(demo):
        wrong += trend_differences(code, demo, filters, counted)
    assert not wrong, f"{len(wrong)} differences:\n" + "\n".join(wrong[:40])
    assert_not_vacuous(code, counted, "trend")


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("code", ["investigation_reviews_on_time", "investigations_charged",
                                  "investigation_attrition", "investigation_days_to_charge",
                                  "victims_supported_to_outcome",
                                  "victim_withdrawal_with_advocate",
                                  "victim_withdrawal_without_advocate"])
def test_investigations(demo: Demo, code: str, scope: str) -> None:
    check(code, demo, scope)


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("code", ["forensic_triage_in_time", "forensic_turnaround",
                                  "forensic_backlog", "forensic_oldest_waiting_days",
                                  "forensic_old_exhibits"])
def test_forensics(demo: Demo, code: str, scope: str) -> None:
    check(code, demo, scope)


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("code", ["meeting_attendance", "meeting_actions_on_time",
                                  "meeting_high_risk_to_discussion",
                                  "meeting_high_risk_discussed"])
def test_meetings(demo: Demo, code: str, scope: str) -> None:
    check(code, demo, scope)


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("code", ["disruptions_started", "disruption_breaches",
                                  "groups_with_active_disruption"])
def test_disruption(demo: Demo, code: str, scope: str) -> None:
    check(code, demo, scope)


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("code", ["recommendations_completed_on_time",
                                  "inspection_actions_overdue"])
def test_accountability(demo: Demo, code: str, scope: str) -> None:
    check(code, demo, scope)


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("code", ["training_compliance_awareness",
                                  "training_compliance_frontline",
                                  "training_compliance_specialist"])
def test_training(demo: Demo, code: str, scope: str) -> None:
    check(code, demo, scope)
