"""The live dashboard does not reveal records a user may not know exist (defect 5).

The probe that found it: a senior leader, who may not open intelligence, asked the
dashboard for one day and one ward, and "intelligence reviewed in time" said "100.0% (1
of 1)": there is a handling-code C report about that ward, received that day. Figures
about records a user may not open are now shown as a published report shows them
outside the hub (small numbers suppressed, with secondary suppression, across the page,
the trend included); a user who may open every record behind a metric sees it exact.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.core.metrics import (
    MEDIANS,
    TOTAL,
    Breakdown,
    Figure,
    Filters,
    Period,
    Unit,
    get_metric,
)
from macehub.intelligence.tests.factories import link, make_report
from macehub.people.codes import AreaKind
from macehub.people.models import Area, Person, PersonAddress
from macehub.performance.hiding import LiveEntry, ReportEntry, hidden_live
from macehub.performance.selectors import (
    Answered,
    MetricPanel,
    Row,
    dashboard,
    sees_every_record,
)
from macehub.performance.tests.test_report_suppression import (
    Reader,
    _read_metric,
    _small,
    random_report,
    read_report,
)
from macehub.referrals.tests.factories import make_referral
from macehub.testing.factories import make_person, make_team, make_user, verified_login

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 10)
WARD = "P111"
ONE_DAY_ONE_WARD = {
    "start_day": "10", "start_month": "3", "start_year": "2026",
    "end_day": "10", "end_month": "3", "end_year": "2026", "area": WARD,
}
INTELLIGENCE = ("intelligence_reviewed_in_time", "intelligence_disseminated",
                "suspects_ethnicity_recorded", "suspects_nationality_recorded")


@pytest.fixture(autouse=True)
def _april_2026() -> Iterator[None]:
    """The probe's day lies in the past, whatever day the suite runs."""
    with time_machine.travel(dt.datetime(2026, 4, 15, 12, tzinfo=dt.UTC), tick=False):
        yield


@dataclass
class Probe:
    intelligence_unit: Team
    leader: User


def _lives_in_ward(agency: Agency, ward: Area, **fields: object) -> Person:
    person = make_person(agency, **fields)
    PersonAddress.objects.create(person=person, line_1="1 Probe Street", town="Probetown",
                                 postcode="XP1 1PP", area=ward)
    return person


@pytest.fixture
def probe(hub_agency: Agency, hub_team: Team) -> Probe:
    county = Area.objects.create(code="P1", name="Probeshire", kind=AreaKind.COUNTY)
    district = Area.objects.create(code="P11", name="Probe District", kind=AreaKind.DISTRICT,
                                   parent=county)
    ward = Area.objects.create(code=WARD, name="Probe Ward", kind=AreaKind.WARD,
                               parent=district)
    unit = make_team(hub_agency, "Intelligence Unit", is_hub_team=False)
    owner = make_user("unit.analyst", Role.ANALYST, agency=hub_agency, team=unit)
    received = timezone.make_aware(dt.datetime.combine(DAY, dt.time(10)))
    # Handling code C, its conditions naming the intelligence unit only; reviewed within
    # the hub's seven days.
    report = make_report(unit, owner, handling_code="C", teams=[unit], received_at=received)
    link(report, _lives_in_ward(hub_agency, ward, given_name="Probe", family_name="Suspect"))
    leader = make_user("senior.leader", Role.SENIOR_LEADER, agency=hub_agency, team=hub_team)
    return Probe(intelligence_unit=unit, leader=leader)


def _section(html: str, code: str) -> str:
    start = html.index(f'id="metric-{code}"')
    return html[start:html.index("</section>", start)]


def _rows(panel: MetricPanel) -> list[Row]:
    return [panel.total, *(row for _, rows in panel.breakdowns for row in rows),
            *(row for _, row in panel.trend)]


def _counts_staff(code: str) -> bool:
    """A workforce measure counts the hub's own staff (its records are their accounts),
    not children or intelligence, and takes no area: its figures are the whole hub's
    whatever the ward asked for, so they neither count nor give away the probe's report
    or suspect."""
    return any(behind.model is User for behind in get_metric(code).behind)


def _one_day(user: User) -> dict[str, MetricPanel]:
    return {panel.metric.code: panel
            for panel in dashboard(user, Period(DAY, DAY), Filters(area_code=WARD))}


def test_one_c_report_in_one_ward_on_one_day_is_not_revealed_to_a_senior_leader(
    client: Client, probe: Probe
) -> None:
    verified_login(client, probe.leader)
    html = client.get(reverse("performance:dashboard"), ONE_DAY_ONE_WARD).content.decode()
    section = _section(html, "intelligence_reviewed_in_time")
    assert "100.0%" not in section
    assert "1 of 1" not in section
    assert "[c]" in section
    # The page says why.
    assert "fewer than 5" in section
    assert 'id="suppression-note"' in html
    # No figure anywhere on the page, the trend included, counts the report or its suspect.
    panels = _one_day(probe.leader)
    for code, panel in panels.items():
        if _counts_staff(code):
            continue
        for row in _rows(panel):
            assert "1" not in (row.numerator, row.denominator), (code, row)
            assert row.value != "100.0%", (code, row)
    for code in INTELLIGENCE:
        assert panels[code].suppressed and panels[code].total.value == "[c]", code
    # Measures with no records behind them hide nothing: there is nothing to give away.
    assert not panels["referrals_received"].suppressed
    assert panels["referrals_received"].total.value == "0"
    # Nor does a link lead to the same people counted unsuppressed.
    for code in ("suspects_ethnicity_recorded", "suspects_nationality_recorded"):
        assert "See recording by agency and month" not in _section(html, code)


def test_the_metric_page_hides_it_too(client: Client, probe: Probe) -> None:
    """The metric's own page (last month, the whole hub) is hidden as the dashboard is."""
    verified_login(client, probe.leader)
    page = client.get(reverse("performance:metric",
                              kwargs={"metric_code": "intelligence_reviewed_in_time"}))
    section = _section(page.content.decode(), "intelligence_reviewed_in_time")
    assert "1 of 1" not in section and "[c]" in section


def test_a_user_who_may_open_every_record_sees_the_figures_exact(
    client: Client, probe: Probe
) -> None:
    analyst = User.objects.get(username="unit.analyst")  # the report's owning team
    verified_login(client, analyst)
    html = client.get(reverse("performance:dashboard"), ONE_DAY_ONE_WARD).content.decode()
    section = _section(html, "intelligence_reviewed_in_time")
    assert "100.0%" in section and "(1 of 1)" in section
    assert "[c]" not in html
    assert 'id="suppression-note"' not in html
    panels = _one_day(analyst)
    assert not any(panel.suppressed for panel in panels.values())
    assert (panels["suspects_ethnicity_recorded"].total.denominator,
            panels["intelligence_disseminated"].total.denominator) == ("1", "1")
    assert "See recording by agency and month" in _section(html, "suspects_ethnicity_recorded")


def test_each_metric_is_exact_or_suppressed_by_what_the_user_may_open(
    probe: Probe, hub_agency: Agency, hub_team: Team
) -> None:
    """A hub analyst outside the intelligence unit may open every referral but not the C
    report: referral figures exact, intelligence figures suppressed."""
    analyst = make_user("hub.analyst", Role.ANALYST, agency=hub_agency, team=hub_team)
    ward = Area.objects.get(code=WARD)
    child = _lives_in_ward(hub_agency, ward, given_name="Probe", family_name="Child")
    make_referral(child, analyst,
                  received_at=timezone.make_aware(dt.datetime.combine(DAY, dt.time(9))))
    panels = _one_day(analyst)
    assert not panels["referrals_received"].suppressed
    assert panels["referrals_received"].total.value == "1"
    for code in INTELLIGENCE:
        assert panels[code].suppressed and panels[code].total.value == "[c]", code
    # The senior leader may open neither.
    leader = _one_day(probe.leader)
    assert leader["referrals_received"].total.value == "[c]"


# --- the whole page attacked, the trend included ---------------------------------------
# The attacker of the published reports (``test_report_suppression``), given the live
# page: the period's figures and a trend whose months that make up the period add up to
# its figures (or, for a one-month period, are them).


def _parts(rng: random.Random, whole: int, k: int) -> list[int]:
    cuts = sorted(rng.randint(0, whole) for _ in range(k - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, whole], strict=True)]


def live_page(seed: int) -> tuple[list[LiveEntry], set[str], int]:
    """A random page: metrics shaped like the real ones for a period of one to three
    whole months, their trend months splitting the period's figures (the same bases for
    metrics of the same population), and up to three months before it."""
    entries, threshold = random_report(seed)
    rng = random.Random(seed)
    inside = [f"2026-{m:02d}" for m in range(4, 4 + rng.choice((1, 1, 2, 3)))]
    before = [f"2026-{m:02d}" for m in range(4 - rng.randint(0, 3), 4)]
    bases: dict[tuple[str, str], list[int]] = {}  # by population and month set
    live = []
    for entry in entries:
        total = next(f for f in entry.figures if f.breakdown == TOTAL)
        n, d = int(total.numerator or 0), total.denominator
        if entry.unit is Unit.COUNT:
            months = [(part, None) for part in _parts(rng, n, len(inside))]
        else:
            assert d is not None
            key = (entry.population or entry.code, "inside")
            dens = bases.setdefault(key, _parts(rng, d, len(inside)))
            if entry.unit is Unit.PERCENTAGE:
                nums, left = [], n
                for i, den in enumerate(dens):  # numerators within their bases, adding up
                    later = sum(dens[i + 1:])
                    part = rng.randint(max(0, left - later), min(den, left))
                    nums.append(part)
                    left -= part
                months = list(zip(nums, dens, strict=True))
            elif entry.unit is Unit.RATE:  # the changes add up; the children do not
                months = [(part, rng.randint(part, part + 5))
                          for part in _parts(rng, n, len(inside))]
            else:  # a median: its bases add up
                months = [(Decimal("2.5"), den) for den in dens]
        trend = [Figure(Breakdown.MONTH, m, m, num, den)
                 for m, (num, den) in zip(inside, months, strict=True)]
        for m in before:
            den = bases.setdefault((entry.population or entry.code, m), [_small(rng)])[0]
            num = (Decimal("1.5") if entry.unit in MEDIANS
                   else rng.randint(0, den) if entry.unit is not Unit.COUNT else _small(rng))
            trend.insert(0, Figure(Breakdown.MONTH, m, m, num,
                                   None if entry.unit is Unit.COUNT else den))
        live.append(LiveEntry(entry.code, entry.unit, entry.population, entry.figures,
                              trend, set(inside)))
    return live, set(inside), threshold


def read_live_page(live: list[LiveEntry], threshold: int) -> Reader:
    hidden = hidden_live(live, threshold)
    reader = read_report([ReportEntry(e.code, e.unit, e.population, e.figures) for e in live],
                         {e.code: hidden[e.code][0] for e in live}, threshold)
    for entry in live:
        whose = entry.population or entry.code
        nums, dens = [], []
        for figure in entry.trend:
            month = ReportEntry(f"{entry.code}@{figure.category}", entry.unit,
                                f"{entry.population}@{figure.category}" if entry.population
                                else "", [Figure(TOTAL, "", "All", figure.numerator,
                                                 figure.denominator)])
            _read_metric(reader, month, {(TOTAL, ""): hidden[entry.code][1][figure.category]},
                         threshold)
            if figure.category in entry.folded:
                nums.append(("num", month.code, TOTAL, ""))
                dens.append(("den", month.population or month.code, TOTAL, ""))
        if entry.unit not in MEDIANS:
            reader.adds_up(nums, ("num", entry.code, TOTAL, ""))
        if entry.unit is Unit.PERCENTAGE or entry.unit in MEDIANS:
            reader.adds_up(dens, ("den", whose, TOTAL, ""))
    return reader


def test_no_hidden_count_can_be_worked_out_from_the_live_page() -> None:
    """Seeded random pages (a failure names its seed): nothing small printed, and nothing
    withheld that the period's figures and the trend together give away."""
    folded_trends = 0
    for seed in range(150):
        live, inside, threshold = live_page(seed)
        reader = read_live_page(live, threshold)
        assert not reader.small_printed(threshold), f"seed {seed}: small count printed"
        assert not reader.leaks(), f"seed {seed}: {sorted(reader.leaks())}"
        folded_trends += len(inside) > 1
    assert folded_trends  # periods of several months were tried


def test_the_attack_on_the_live_page_is_not_vacuous() -> None:
    """Suppressing the trend month by month, without the period it makes up, leaks."""
    caught = 0
    for seed in range(60):
        live, _, threshold = live_page(seed)
        alone = [entry._replace(folded=set()) for entry in live]
        hidden = hidden_live(alone, threshold)
        reader = read_report([ReportEntry(e.code, e.unit, e.population, e.figures)
                              for e in live], {e.code: hidden[e.code][0] for e in live},
                             threshold)
        for entry in live:
            nums = []
            for figure in entry.trend:
                month = ReportEntry(f"{entry.code}@{figure.category}", entry.unit,
                                    f"{entry.population}@{figure.category}"
                                    if entry.population else "",
                                    [Figure(TOTAL, "", "All", figure.numerator,
                                            figure.denominator)])
                _read_metric(reader, month,
                             {(TOTAL, ""): hidden[entry.code][1][figure.category]}, threshold)
                if figure.category in entry.folded:
                    nums.append(("num", month.code, TOTAL, ""))
            if entry.unit is Unit.COUNT:
                reader.adds_up(nums, ("num", entry.code, TOTAL, ""))
        caught += bool(reader.leaks())
    assert caught


def test_a_published_month_is_read_suppressed_by_those_who_may_not_open_its_records(
    client: Client, probe: Probe
) -> None:
    """The month's published figures (and their live restatements) count the C report
    too: a senior leader reads them with small numbers hidden, as on the dashboard, and
    the report's owning team reads them exact."""
    from macehub.performance.services import publish_month

    report = publish_month(actor=probe.leader, year=2026, month=3)
    url = reverse("performance:report", kwargs={"report_pk": report.pk})
    verified_login(client, probe.leader)
    html = client.get(url).content.decode()
    assert "(1 of 1)" not in html and "[c]" in html
    analyst = User.objects.get(username="unit.analyst")
    owner = Client()
    verified_login(owner, analyst)
    exact = owner.get(url).content.decode()
    assert "[c]" not in exact


@pytest.mark.django_db
def test_a_check_of_the_same_records_is_asked_once_per_page(hub_agency: Agency) -> None:
    """The victims' ethnicity and nationality metrics count the same referrals and
    children: whether the user may open them all is asked of the database once."""
    user = make_user("leader.once", Role.SENIOR_LEADER, agency=hub_agency)
    span = Period.month(2024, 3)
    with CaptureQueriesContext(connection) as unshared:
        sees_every_record(user, get_metric("victims_nationality_recorded"), span, Filters())
    answered: Answered = {}
    with CaptureQueriesContext(connection) as first:
        sees_every_record(user, get_metric("victims_ethnicity_recorded"), span, Filters(),
                          answered=answered)
    with CaptureQueriesContext(connection) as second:
        sees_every_record(user, get_metric("victims_nationality_recorded"), span, Filters(),
                          answered=answered)
    assert len(first) >= 1 and len(second) == 0
    assert len(first) <= len(unshared)
