"""Drill-down: each figure links to the list of the records it counts (the period's dates,
its area and agency carried by the list's own filters), for a user whose role may open
that list; anyone else gets no link.

The records sit around March 2026, some just either side of its ends in London time (the
clocks went forward on 29 March), in a district (at ward and neighbourhood depth) and
outside it, for the hub's agency and a partner. The viewer is a hub analyst, who may see
every one of them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.cases.codes import ClosureReason, RiskTier
from macehub.cases.models import Case, MissingEpisode
from macehub.core import metrics as registry
from macehub.core.metrics import Filters, Period, Unit
from macehub.intelligence.codes import ReportStatus
from macehub.intelligence.models import (
    Dissemination,
    IntelligenceReport,
    Location,
    Premises,
    Submission,
)
from macehub.intelligence.tests.factories import link, make_report
from macehub.people.codes import AreaKind
from macehub.people.models import Area, Person, PersonAddress
from macehub.referrals.codes import ReferralStatus, TriageOutcome
from macehub.referrals.tests.factories import make_referral
from macehub.testing.factories import make_person, make_team, make_user, signed_in_client

pytestmark = pytest.mark.django_db

MARCH = Period.month(2026, 3)
DISTRICT = "T11"


def at(*parts: int) -> dt.datetime:
    """A London time."""
    return timezone.make_aware(dt.datetime(*parts))  # noqa: DTZ001


@dataclass
class World:
    """The records, by name, and their references (as each list shows them)."""

    partner: Agency
    hub: Agency
    references: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, reference: str) -> None:
        self.references[name] = reference

    def refs(self, names: Iterable[str]) -> set[str]:
        return {self.references[name] for name in names}


@pytest.fixture
def analyst(hub_agency: Agency, hub_team: Team) -> User:
    return make_user("an.alyst", Role.ANALYST, agency=hub_agency, team=hub_team)


@pytest.fixture
def world(hub_agency: Agency, hub_team: Team, partner_agency: Agency, analyst: User) -> World:
    county = Area.objects.create(code="T1", name="Testshire", kind=AreaKind.COUNTY)
    district = Area.objects.create(code=DISTRICT, name="North", kind=AreaKind.DISTRICT,
                                   parent=county)
    ward = Area.objects.create(code="T111", name="Harbour", kind=AreaKind.WARD, parent=district)
    quay = Area.objects.create(code="T1111", name="Quay", kind=AreaKind.NEIGHBOURHOOD,
                               parent=ward)
    south = Area.objects.create(code="T12", name="South", kind=AreaKind.DISTRICT, parent=county)
    partner_team = make_team(partner_agency, "Social work", is_hub_team=False)
    hub_referrer = make_user("hub.triage", Role.TRIAGE, agency=hub_agency, team=hub_team)
    partner_referrer = make_user("sw.referrer", Role.REFERRER, agency=partner_agency,
                                 team=partner_team)
    found = World(partner=partner_agency, hub=hub_agency)

    def child(name: str, area: Area | None) -> Person:
        person = make_person(hub_agency, given_name=name, family_name="Test")
        if area is not None:
            PersonAddress.objects.create(person=person, line_1="1 Test Row", town="Town",
                                         postcode="XA1 1AA", area=area, is_current=True)
        return person

    children = {"ward": child("Wren", ward), "quay": child("Quinn", quay),
                "south": child("Sol", south), "south2": child("Sky", south),
                "nowhere": child("Nye", None)}

    # Referrals: (child, referrer, received, decided, on time).
    for name, who, by, received, decided, on_time in [
        ("ref ward", "ward", hub_referrer, at(2026, 3, 2, 10), at(2026, 3, 2, 12), True),
        ("ref quay", "quay", partner_referrer, at(2026, 2, 28, 10), at(2026, 3, 1, 9), False),
        ("ref last minute", "south", partner_referrer, at(2026, 3, 31, 23, 30), None, None),
        ("ref april", "ward", hub_referrer, at(2026, 4, 1, 0, 30), None, None),
        ("ref nowhere", "nowhere", hub_referrer, at(2026, 3, 15, 10), at(2026, 4, 1, 10), True),
        ("ref south late", "south2", hub_referrer, at(2026, 3, 20, 10), at(2026, 3, 31, 23),
         False),
    ]:
        decision: dict[str, Any] = {}
        if decided is not None:
            decision = {"status": ReferralStatus.DECIDED, "outcome": TriageOutcome.EARLY_HELP,
                        "outcome_reason": "x", "decided_at": decided, "decided_by": analyst,
                        "decision_due_at": decided + dt.timedelta(minutes=1 if on_time else -1)}
        referral = make_referral(children[who], by, received_at=received, **decision)
        found.add(name, referral.reference)

    # Cases: (child, lead agency, opened, closed).
    cases = {}
    for name, who, lead, opened, closed in [
        ("case open", "ward", hub_agency, at(2026, 2, 1, 9), None),
        ("case since", "quay", partner_agency, at(2026, 3, 10, 9), at(2026, 4, 1, 0, 30)),
        ("case april", "south2", hub_agency, at(2026, 4, 1, 0, 30), None),
        ("case closed", "nowhere", partner_agency, at(2026, 1, 5, 9), at(2026, 3, 15, 9)),
        ("case late", "south", partner_agency, at(2026, 3, 31, 23), None),
    ]:
        cases[name] = Case.objects.create(
            reference=f"MACE-T-{len(cases) + 1:03d}", child=children[who], opened_at=opened,
            opened_by=analyst, lead_agency=lead, risk_tier=RiskTier.HIGH, closed_at=closed,
            status="closed" if closed else "open",
            closure_reason=ClosureReason.RISK_REDUCED if closed else "",
        )
        found.add(name, cases[name].reference)

    # Missing episodes: (case, went missing, came back, return home interview offered).
    for name, went, back, interview in [
        ("case open", at(2026, 3, 5, 9), at(2026, 3, 6, 9), at(2026, 3, 7, 9)),
        ("case since", at(2026, 2, 28, 9), at(2026, 3, 2, 9), None),
        ("case late", at(2026, 3, 31, 23, 15), at(2026, 4, 1, 2), None),
        ("case april", at(2026, 4, 1, 1), at(2026, 4, 2, 1), None),
        ("case closed", at(2026, 3, 10, 9), at(2026, 3, 11, 9), at(2026, 3, 20, 9)),
    ]:
        MissingEpisode.objects.create(case=cases[name], went_missing_at=went, returned_at=back,
                                      interview_offered_at=interview, recorded_by=analyst,
                                      interview_offered_by="Sam Reed")
    # Episodes of children with no case are theirs, and counted: listed by the child.
    for name, who, went, back in [
        ("no case", "Ash", at(2026, 3, 12, 21), at(2026, 3, 13, 6)),
        ("no case april", "Bay", at(2026, 4, 3, 21), at(2026, 4, 4, 6)),
    ]:
        person = child(who, ward)
        MissingEpisode.objects.create(child=person, went_missing_at=went, returned_at=back,
                                      recorded_by=analyst)
        found.add(name, person.full_name)

    # Intelligence reports, two of them written from partners' submissions.
    reports: dict[str, IntelligenceReport] = {}
    for name, team, received, extra in [
        ("int place", hub_team, at(2026, 3, 3, 10), {}),
        ("int person", partner_team, at(2026, 3, 20, 10), {"reviewed": False}),
        ("int premises", hub_team, at(2026, 3, 31, 23, 30), {}),
        ("int april", hub_team, at(2026, 4, 1, 0, 30), {}),
        ("int historic", hub_team, at(2026, 3, 10, 10), {"status": ReportStatus.HISTORIC}),
        ("int submitted", hub_team, at(2026, 3, 12, 10),
         {"reviewed": False, "handling_code": "C", "teams": [hub_team]}),
        ("int hub submitted", hub_team, at(2026, 3, 25, 10),
         {"reviewed": False, "handling_code": "C", "teams": [hub_team]}),
        ("int submitted april", hub_team, at(2026, 4, 2, 10),
         {"reviewed": False, "handling_code": "C", "teams": [hub_team]}),
    ]:
        reports[name] = make_report(team, analyst, received_at=received, **extra)
        found.add(name, reports[name].reference)
    IntelligenceReport.objects.filter(pk=reports["int premises"].pk).update(
        reviewed_at=at(2026, 4, 10, 10))  # ten days: late
    in_ward = Location.objects.create(description="Bus station", area=ward)
    link(reports["int place"], in_ward)
    link(reports["int april"], in_ward)
    link(reports["int historic"], in_ward)
    link(reports["int person"], children["quay"])
    link(reports["int submitted"], children["ward"])
    link(reports["int premises"], Premises.objects.create(
        name="Station Hotel", kind="hotel",
        location=Location.objects.create(description="Hotel", area=south)))
    Dissemination.objects.create(
        report=reports["int place"], to_agency=partner_agency, shared_text="Shared",
        handling_code="P", lawful_basis="dpa_s35", shared_by=analyst, shared_at=at(2026, 3, 4))
    for name, agency in (("int submitted", partner_agency), ("int hub submitted", hub_agency),
                         ("int submitted april", partner_agency)):
        Submission.objects.create(
            reference=f"SUB-T-{reports[name].pk}", submitted_by=analyst, agency=agency,
            received_at=reports[name].received_at, what="What", how_known="Seen",
            report=reports[name])
    return found


REFERRALS_RECEIVED = {
    "hub": {"ref ward", "ref last minute", "ref nowhere", "ref south late"},
    "district": {"ref ward"},
    "partner": {"ref last minute"},
}
REFERRALS_DECIDED = {
    "hub": {"ref ward", "ref quay", "ref south late"},
    "district": {"ref ward", "ref quay"},
    "partner": {"ref quay"},
}
OPEN_AT_THE_END = {
    "hub": {"case open", "case since", "case late"},
    "district": {"case open", "case since"},
    "partner": {"case since", "case late"},
}
REPORTS_RECEIVED = {
    "hub": {"int place", "int person", "int premises", "int submitted", "int hub submitted"},
    "district": {"int place", "int person", "int submitted"},
    "partner": {"int person"},
}
# What each metric's figure counts (a count's numerator; a share's or median's
# denominator), by the filter: the whole hub, the district, the partner agency.
COUNTED: dict[str, dict[str, set[str]]] = {
    "referrals_received": REFERRALS_RECEIVED,
    "referrals_decided_in_time": REFERRALS_DECIDED,
    "referral_hours_to_decision": REFERRALS_DECIDED,
    "children_at_risk": OPEN_AT_THE_END,
    "missing_episodes": {
        "hub": {"case open", "case late", "case closed", "no case"},
        "district": {"case open", "no case"},
        "partner": {"case late", "case closed"},
    },
    "return_interviews_in_time": {
        "hub": {"case open", "case since", "case closed", "no case"},
        "district": {"case open", "case since", "no case"},
        "partner": {"case since", "case closed"},
    },
    "intelligence_submitted": {
        "hub": {"int submitted", "int hub submitted"},
        "district": {"int submitted"},
        "partner": {"int submitted"},
    },
    "intelligence_reviewed_in_time": REPORTS_RECEIVED,
    "intelligence_disseminated": REPORTS_RECEIVED,
}


def _filters(world: World, name: str) -> Filters:
    return {"hub": Filters(), "district": Filters(area_code=DISTRICT),
            "partner": Filters(agency_id=world.partner.pk)}[name]


def _counted(metric: registry.Metric, filters: Filters) -> int:
    total = metric.total(metric.figures(MARCH, filters))
    counted = total.numerator if metric.unit is Unit.COUNT else total.denominator
    assert counted is not None
    return int(counted)


def _follow(client: Client, url: str) -> str:
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200, url
    assert "govuk-error-summary" not in html, url
    return html


def _listed(html: str, world: World) -> set[str]:
    """The names of the records whose references the page shows."""
    return {name for name, reference in world.references.items()
            if re.search(re.escape(reference) + r"(?!\d)", html)}


def _rows(html: str) -> int:
    """Rows of the page's table, without its header row."""
    return max(html.count('<tr class="govuk-table__row">') - 1, 0)


@pytest.mark.parametrize("filter_name", ["hub", "district", "partner"])
@pytest.mark.parametrize("code", sorted(COUNTED))
def test_each_figure_links_to_exactly_the_records_it_counts(
    world: World, analyst: User, code: str, filter_name: str
) -> None:
    metric = registry.get_metric(code)
    filters = _filters(world, filter_name)
    assert metric.drill_down is not None
    url = metric.drill_down(analyst, MARCH, filters)
    assert url is not None
    html = _follow(signed_in_client(analyst), url)
    expected = COUNTED[code][filter_name]
    assert _listed(html, world) == expected
    assert _rows(html) == len(expected) == _counted(metric, filters)


def test_links_carry_the_period_and_filters_as_the_lists_take_them(
    world: World, analyst: User
) -> None:
    filters = Filters(area_code=DISTRICT, agency_id=world.partner.pk)
    links = {metric.code: metric.drill_down(analyst, MARCH, filters)
             for metric in registry.all_metrics() if metric.drill_down}
    agency = world.partner.pk
    assert links["referrals_received"] == (
        "/referrals/queue/?show=all&received_from_day=1&received_from_month=3"
        "&received_from_year=2026&received_to_day=31&received_to_month=3"
        f"&received_to_year=2026&area=T11&referrer_agency={agency}")
    assert links["children_at_risk"] == (
        "/cases/?status=all&open_on_day=31&open_on_month=3&open_on_year=2026"
        f"&area=T11&lead_agency={agency}")
    assert str(links["missing_episodes"]).startswith(
        "/cases/missing-episodes/?missing=went_missing&missing_from_day=1")
    assert "missing=came_back&missing_from_day=1" in str(links["return_interviews_in_time"])
    assert f"lead_agency={agency}" in str(links["return_interviews_in_time"])
    assert "status=current&received_from_day=1" in str(links["intelligence_disseminated"])
    assert f"owning_agency={agency}" in str(links["intelligence_reviewed_in_time"])
    assert f"submitted_by={agency}" in str(links["intelligence_submitted"])
    assert "submitted_by=any" in str(
        registry.get_metric("intelligence_submitted").drill_down(analyst, MARCH, Filters()))


def test_advocate_changes_link_to_the_cases_open_at_the_end_of_the_period(
    world: World, analyst: User
) -> None:
    """Not the records the rate counts (there is no list of advocate allocations): the
    cases open at the end of the period, as children at risk."""
    metric = registry.get_metric("advocate_changes_per_child")
    assert metric.drill_down is not None
    url = metric.drill_down(analyst, MARCH, Filters(area_code=DISTRICT))
    assert url is not None
    html = _follow(signed_in_client(analyst), url)
    assert _listed(html, world) == OPEN_AT_THE_END["district"]


def test_the_dashboard_s_links_lead_to_the_records(world: World, analyst: User) -> None:
    client = signed_in_client(analyst)
    html = _follow(client, "/performance/?" + "&".join([
        "start_day=1", "start_month=3", "start_year=2026",
        "end_day=31", "end_month=3", "end_year=2026", f"area={DISTRICT}"]))
    links = [(unescape(href), label) for href, label in re.findall(
        r' · <a class="govuk-link" href="([^"]+)">([^<]+)</a>', html)]
    with_links = [m for m in registry.all_metrics() if m.drill_down]
    assert links == [(m.drill_down(analyst, MARCH, Filters(area_code=DISTRICT)),
                      m.drill_down_label) for m in with_links if m.drill_down]
    hrefs = [href for href, _ in links]
    for href in hrefs:
        _follow(client, href)


def test_no_link_unless_the_role_may_open_the_list(
    world: World, hub_agency: Agency, hub_team: Team
) -> None:
    leader = make_user("senior.leader", Role.SENIOR_LEADER, agency=hub_agency, team=hub_team)
    advocate = make_user("vic.advocate", Role.VICTIM_ADVOCATE, agency=hub_agency,
                         team=hub_team)
    # A senior leader sees no records, only aggregates: the data-quality pages.
    allowed = {metric.code for metric in registry.all_metrics()
               if metric.drill_down and metric.drill_down(leader, MARCH, Filters())}
    assert allowed == RECORDING_METRICS
    # A victim advocate may list cases, but not read intelligence or referrals, nor see
    # the data-quality pages.
    refused = {metric.code for metric in registry.all_metrics()
               if metric.drill_down and metric.drill_down(advocate, MARCH, Filters()) is None}
    assert refused == {"referrals_received", "referrals_decided_in_time",
                       "referral_hours_to_decision", "intelligence_submitted",
                       "intelligence_reviewed_in_time", "intelligence_disseminated",
                       } | RECORDING_METRICS
    # The data-quality pages count the same people unsuppressed: they are offered only
    # with exact figures, which a senior leader gets where there are no records behind
    # them that they may not open (none before 2025), not for March 2026.
    client = signed_in_client(leader)
    for month, year, offered in ((3, 2026, False), (1, 2024, True)):
        html = _follow(client, "/performance/?" + "&".join([
            "start_day=1", f"start_month={month}", f"start_year={year}",
            "end_day=31", f"end_month={month}", f"end_year={year}"]))
        assert "See the records" not in html
        assert ("See recording by agency and month" in html) is offered


RECORDING_METRICS = {f"{who}_{what}_recorded" for who in ("victims", "suspects")
                     for what in ("ethnicity", "nationality")}


def test_data_quality_figures_lead_to_recording_by_agency(world: World, analyst: User) -> None:
    for code, population in (("victims_ethnicity_recorded", "children_referred"),
                             ("suspects_nationality_recorded", "suspects_intelligence")):
        metric = registry.get_metric(code)
        assert metric.drill_down is not None
        url = metric.drill_down(analyst, MARCH, Filters())
        assert url is not None and url.startswith(reverse("equality:completeness"))
        html = _follow(signed_in_client(analyst), url)
        assert f'value="{population}" checked' in html
        for name, value in (("start_day", 1), ("start_month", 3), ("end_day", 31),
                            ("end_month", 3), ("end_year", 2026)):
            assert re.search(rf'name="{name}" type="text" value="{value}"', html), name
        assert "March 2026" in html
