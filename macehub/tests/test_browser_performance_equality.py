"""Performance and equality pages in a real browser, as the people who use them: a senior
leader reads the live dashboard (filtered, and with a filter mistake), a metric's
definition, publishes a finished month through the real form and sees later corrections
as restatements; a scrutiny officer reads only published, suppressed figures; an analyst
reads the disproportionality analysis (table, forest plot and reading) and recording
completeness.

Every page on the way, error states included, is scanned with axe-core against WCAG 2.2
AA and loads without asset, console or script errors. ``SCANNED_BY`` names the test here
that scans each page, in the shape of the one in ``test_browser_pages``; charts are SVG
with ``role="img"`` and an accessible name.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import AgencyKind, Role
from macehub.cases import services as case_services
from macehub.cases.codes import Brag, RiskTier
from macehub.cases.models import Case
from macehub.core import metrics as registry
from macehub.core.metrics import Period
from macehub.forms import last_full_month
from macehub.intelligence.tests.factories import link, make_report
from macehub.people.codes import AreaKind, CensusAgeGroup
from macehub.people.models import (
    Area,
    AreaPopulation,
    AreaPopulationByAge,
    EthnicGroup,
    PersonAddress,
)
from macehub.performance import services
from macehub.performance.models import MonthlyReport
from macehub.referrals.codes import ReferralStatus, TriageOutcome
from macehub.referrals.models import Referral
from macehub.referrals.tests.factories import make_referral
from macehub.testing.browser import browser_login
from macehub.testing.factories import make_agency, make_person, make_team, make_user
from macehub.tests.test_browser_pages import Scanner, assert_errors_shown, click_and_wait

pytestmark = pytest.mark.browser

LEADER = "test_senior_leader_dashboard_and_publishing_a_month"
SCRUTINY = "test_scrutiny_officer_sees_only_published_suppressed_figures"
ANALYST = "test_analyst_disproportionality_and_recording_completeness"

# The tests that scan each page, by URL name ("handler403" is the error page). A POST-only
# action is listed with the test that scans the page it answers with.
SCANNED_BY: dict[str, tuple[str, ...]] = {
    "performance:dashboard": (LEADER,),
    "performance:metric": (LEADER,),
    "performance:reports": (LEADER, SCRUTINY),
    "performance:publish": (LEADER,),  # POST only: a refused publication's page is scanned
    "performance:report": (LEADER, SCRUTINY),
    "performance:report_csv": (LEADER, SCRUTINY),  # a download: fetched, type checked
    # POST only: drawn in the background; its job's page is scanned, its file downloaded
    "performance:report_pdf": (LEADER, SCRUTINY),
    "audit:requested_job": (LEADER, SCRUTINY),
    "audit:requested_job_file": (LEADER, SCRUTINY),  # a download: fetched, type checked
    "equality:overview": (ANALYST,),
    "equality:completeness": (ANALYST,),
    "equality:published": (SCRUTINY,),
    "equality:published_export": (SCRUTINY,),  # a download: fetched, type checked
    "equality:published_pdf": (SCRUTINY,),  # POST only: drawn in the background, as above
    "handler403": (SCRUTINY,),
}
DOWNLOADS = ("performance:report_csv", "audit:requested_job_file",
             "equality:published_export")

END_BEFORE_START = "The end date must be the same as or after the start date"
START_AFTER_END = "The start of the period must be before its end"
HIDDEN = "[c]"

# Children referred in the month, by self-defined ethnic group ("NS": asked, declined;
# None: never asked). Three Black children: a count scrutiny must not see.
CHILDREN_BY_GROUP: tuple[tuple[str | None, int], ...] = (
    ("W1", 10), ("A2", 6), ("B2", 3), ("NS", 1), (None, 1),
)
REFERRED = sum(count for _, count in CHILDREN_BY_GROUP)


# --- Scanning -------------------------------------------------------------------------


def assert_charts_accessible(page: Page, *, expected: int) -> None:
    """Every chart in the main content is an SVG image named by its title (and the figures
    in its description); decorative SVGs (legend swatches) are hidden from assistive
    technology."""
    charts = page.locator("main svg:not([aria-hidden='true'])")
    expect(charts).to_have_count(expected)
    for index in range(expected):
        chart = charts.nth(index)
        expect(chart).to_have_role("img")
        title = chart.locator("title").text_content() or ""
        assert len(title) > 10, f"chart {index} has no real title: {title!r}"
        expect(chart).to_have_accessible_name(re.compile("^" + re.escape(title)))


def prepared_pdf(page: Page, scanner: Scanner, state: str,
                 asked_at: str = "performance:report_pdf",
                 button: str = "Prepare the PDF (small numbers suppressed)") -> bytes:
    """Ask for the report's PDF (drawn in the background: the ImmediateBackend has drawn
    it by the time the job's page shows), scan the job's page as the page the POST
    answers with, and download the file, once: the page then says it has gone."""
    click_and_wait(page, "button", button)
    expect(page.get_by_role("heading", name="Done")).to_be_visible()
    scanner.scan(state, page_of=asked_at)
    scanner.scan(state)
    pdf = scanner.download(page.get_by_role("button", name=re.compile(r"^Download .*\.pdf$")),
                           "application/pdf")
    page.reload()
    expect(page.get_by_text("The file has been downloaded")).to_be_visible()
    return pdf


def fill_date(page: Page, legend: str, day: dt.date, *, within: str = "main form") -> None:
    group = page.locator(within).get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def assert_back_link_before_main(page: Page, text: str) -> None:
    """GOV.UK back links sit before ``<main>``, so "Skip to main content" skips them."""
    expect(page.locator("main .govuk-back-link")).to_have_count(0)
    back = page.locator(".govuk-width-container > .govuk-back-link")
    expect(back).to_have_text(text)
    assert back.evaluate(
        "(link) => !!(link.compareDocumentPosition(document.querySelector('main'))"
        " & Node.DOCUMENT_POSITION_FOLLOWING)"
    ), "the back link should come before <main>"


# --- Data ----------------------------------------------------------------------------


def in_month(period: Period, day: int, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(period.start.replace(day=day),
                                                   dt.time(hour)))


def county_with_census() -> tuple[Area, Area]:
    """A fictional county (with its Census 2021 populations in every ethnic group) and a
    borough inside it, where the children live."""
    county = Area.objects.create(code="E10999902", name="Fictional Shire",
                                 kind=AreaKind.COUNTY)
    borough = Area.objects.create(code="E07999902", name="Fictional Vale",
                                  kind=AreaKind.DISTRICT, parent=county)
    groups = EthnicGroup.objects.exclude(code=EthnicGroup.NOT_STATED)
    populations = {group.code: 50_000 if group.code == "W1" else 1_000 for group in groups}
    AreaPopulation.objects.bulk_create(
        AreaPopulation(area=county, ethnic_group_id=code, population=population)
        for code, population in populations.items()
    )
    # The same numbers as children (0 to 17) and as adults (18 and over), the
    # denominators of the rates.
    AreaPopulationByAge.objects.bulk_create(
        AreaPopulationByAge(area=county, ethnic_group_id=code, population=population,
                            age_group=age_group)
        for code, population in populations.items() for age_group in CensusAgeGroup
    )
    county.census_total = sum(populations.values())
    county.save(update_fields=["census_total"])
    return county, borough


@dataclass
class MonthOfWork:
    period: Period
    leader: User
    supervisor: User
    referrals: list[Referral]
    county: Area
    borough: Area


def month_of_work(hub_agency: Agency, hub_team: Team) -> MonthOfWork:
    """Last full month at the hub: referrals from the police and a school for children
    living in the borough, most decided (a few late), and a case with a missing episode;
    two of the children were referred the month before too."""
    period = last_full_month()
    county, borough = county_with_census()
    leader = make_user("lee.leader", Role.SENIOR_LEADER, agency=hub_agency, team=hub_team)
    supervisor = make_user("sam.supervisor", Role.SUPERVISOR, agency=hub_agency,
                           team=hub_team)
    school = make_agency("vale-academy", AgencyKind.EDUCATION, name="Vale Academy")
    teacher = make_user("dana.school", Role.REFERRER, agency=school,
                        team=make_team(school, "Safeguarding", is_hub_team=False))
    brags = (Brag.RED, Brag.AMBER, Brag.GREEN, Brag.AMBER, Brag.GREEN)
    referrals: list[Referral] = []
    number = 0
    for code, count in CHILDREN_BY_GROUP:
        for _ in range(count):
            number += 1
            child = make_person(
                hub_agency, given_name=f"Child{number}", family_name="Example",
                self_defined_ethnicity_id=code, nationality="GB" if number % 3 else "",
            )
            PersonAddress.objects.create(person=child, line_1=f"{number} Vale Road",
                                         town="Valeton", postcode="VA1 1AA", area=borough)
            received = in_month(period, 1 + number % 20)
            referral = make_referral(child, teacher if number % 2 else leader,
                                     received_at=received)
            if number % 7:  # every seventh is still awaiting triage
                decided = received + dt.timedelta(hours=2 + number)
                late = number % 5 == 0
                referral.status = ReferralStatus.DECIDED
                referral.outcome = TriageOutcome.EARLY_HELP
                referral.brag = brags[number % len(brags)]
                referral.risk_tier = RiskTier.MEDIUM
                referral.decided_at = decided
                referral.decided_by = supervisor
                referral.decision_due_at = decided + dt.timedelta(hours=-1 if late else 1)
                referral.save()
            referrals.append(referral)
    # Two of the children were first referred the month before: a second month of
    # figures for the trends.
    before = last_full_month(period.start)
    for referral in referrals[:2]:
        make_referral(referral.child, leader, received_at=in_month(before, 15))
    case = case_services.open_case(
        actor=supervisor, child=referrals[0].child, risk_tier=RiskTier.HIGH,
        lead_agency=hub_agency, reason="Seen with adults of concern", key_worker=supervisor,
    )
    Case.objects.filter(pk=case.pk).update(opened_at=in_month(period, 2))
    case_services.record_missing_episode(
        actor=supervisor, case_pk=case.pk, went_missing_at=in_month(period, 5, 20),
        returned_at=in_month(period, 6, 8),
        interview=case_services.ReturnInterview(
            offered_at=in_month(period, 6, 15), offered_by="Robin Ashdown",
            offered_by_agency="Safe Return Service", offerer="independent"),
    )
    return MonthOfWork(period, leader, supervisor, referrals, county, borough)


# --- The journeys --------------------------------------------------------------------


def test_senior_leader_dashboard_and_publishing_a_month(
    page: Page, scanner: Scanner, live_server: Any, hub_agency: Agency, hub_team: Team
) -> None:
    work = month_of_work(hub_agency, hub_team)
    metrics = registry.all_metrics()
    browser_login(page, live_server, work.leader)

    # The live dashboard for last month: every measure with its figure, chart and table.
    scanner.open("/performance/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Performance dashboard")
    received = page.locator("section[aria-labelledby='metric-referrals_received']")
    expect(received.locator(".govuk-\\!-font-size-36")).to_have_text(str(REFERRED))
    expect(received.get_by_role("table")).to_contain_text(work.period.start.strftime("%b"))
    assert_charts_accessible(page, expected=len(metrics))
    expect(page.get_by_role("img", name=re.compile(r"^Referrals received: the last 12 months")
                            )).to_be_visible()
    scanner.scan("last month, with figures and charts")

    # A filter mistake: the end before the start.
    fill_date(page, "From", work.period.end)
    fill_date(page, "To", work.period.start)
    click_and_wait(page, "button", "Show figures")
    assert_errors_shown(page, END_BEFORE_START)
    expect(page.locator("main section")).to_have_count(0)
    scanner.scan("with the end date before the start date")
    page.locator(".govuk-error-summary").get_by_role("link", name=END_BEFORE_START).click()
    expect(page.get_by_role("group", name="To").get_by_label("Day")).to_be_focused()

    # Corrected, and narrowed to the borough and to the school's agency.
    fill_date(page, "From", work.period.start)
    fill_date(page, "To", work.period.end)
    page.get_by_label("Area").select_option(value=work.borough.code)
    page.get_by_label("Agency", exact=True).select_option(label="Vale Academy")
    click_and_wait(page, "button", "Show figures")
    assert "area=E07999902" in page.url
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(page.get_by_label("Area")).to_have_value("E07999902")
    expect(received.locator(".govuk-\\!-font-size-36")).to_have_text(
        str(sum(1 for r in work.referrals if r.referrer.username == "dana.school")))
    # A measure that can be narrowed by area and agency is (intelligence by the places
    # and people it is about) and says nothing more; each that cannot says it shows the
    # whole hub instead: the meetings' attendance and actions (the hub's business, about
    # no place), the staff measures (no area) and the inspection tracker's.
    whole_hub = page.get_by_text("cannot be narrowed by")
    not_narrowed = [metric.code for metric in metrics
                    if not {"area", "agency"} <= set(metric.filters)]
    assert {"meeting_attendance", "meeting_actions_on_time"} <= set(not_narrowed)
    expect(whole_hub).to_have_count(len(not_narrowed))
    for code in not_narrowed:
        expect(page.locator(f"#metric-{code}").locator("..").get_by_text(
            "cannot be narrowed by")).to_have_count(1)
    assert_charts_accessible(page, expected=len(metrics))
    scanner.scan("filtered to a borough and an agency")

    # A measure's definition, from its panel.
    click_and_wait(page, "link", "How referrals decided within one working day is counted")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Referrals decided within one working day")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Target")
    assert_back_link_before_main(page, "Back to the dashboard")
    assert_charts_accessible(page, expected=1)
    scanner.scan("a measure with a target")

    # Publishing last month through the form.
    scanner.open("/performance/reports/")
    expect(page.get_by_text("No report has been published yet.")).to_be_visible()
    month_field = page.get_by_label("Month to publish")
    expect(month_field).to_have_value(f"{work.period.start:%Y-%m}")
    scanner.scan("nothing published yet, with the publish form")
    click_and_wait(page, "button", "Continue")  # then confirmed (test_browser_dashboard)
    assert not MonthlyReport.objects.exists()
    click_and_wait(page, "button", "Publish and freeze")
    report = MonthlyReport.objects.get()
    title = work.period.start.strftime("%B %Y")
    expect(page.get_by_role("heading", name="Done")).to_be_visible()
    click_and_wait(page, "link", f"Read the published report for {title}")
    assert scanner.path() == f"/performance/reports/{report.pk}/"
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Performance report: {title}")
    # A senior leader may not open the referrals behind the figures: they read the
    # month as it is shared outside the hub, and are told why.
    expect(page.get_by_text("Some of the records behind these figures are not open to you"
                            )).to_be_visible()
    expect(page.get_by_text("You are seeing the figures unsuppressed")).to_have_count(0)
    corrected = page.locator("strong.govuk-tag", has_text="Corrected since publication")
    expect(corrected).to_have_count(0)
    assert_back_link_before_main(page, "Back to published reports")
    scanner.scan("just published, suppressed for a senior leader")

    # Publishing the same month again is refused, with the reason.
    scanner.open("/performance/reports/")
    expect(page.get_by_role("link", name=title)).to_be_visible()
    scanner.scan("one report")
    click_and_wait(page, "button", "Continue")
    assert scanner.path() == "/performance/reports/publish/"
    assert_errors_shown(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text("has already been published")
    assert MonthlyReport.objects.count() == 1
    scanner.scan("the month is already published")

    # A late-recorded referral and a corrected clock: the published figures stand, the
    # corrections show beside them.
    make_referral(work.referrals[1].child, work.leader, received_at=in_month(work.period, 25))
    late = next(r for r in work.referrals
                if r.decided_at is not None and r.decision_due_at < r.decided_at)
    Referral.objects.filter(pk=late.pk).update(
        decision_due_at=late.decided_at + dt.timedelta(hours=1))
    click_and_wait(page, "link", title)
    warning = page.locator(".govuk-warning-text")
    expect(warning).to_contain_text("changed since publication")
    row = page.locator("section[aria-labelledby='pm-referrals_received'] tbody tr").first
    expect(row.get_by_role("rowheader")).to_have_text("All")
    expect(row.locator("td").nth(1)).to_have_text(str(REFERRED))
    expect(row).to_contain_text(f"Corrected since publication now {REFERRED + 1}")
    expect(corrected.first).to_be_visible()
    scanner.scan("with restatements")

    csv = scanner.download(page.get_by_role("link", name=re.compile("Download as CSV")),
                           "text/csv")
    assert b"referrals_received" in csv and HIDDEN.encode() in csv
    pdf = prepared_pdf(page, scanner, "a published report's PDF, drawn")
    assert pdf.startswith(b"%PDF")
    scanner.assert_scanned_every_page_listed()


def test_scrutiny_officer_sees_only_published_suppressed_figures(
    page: Page, scanner: Scanner, live_server: Any, hub_agency: Agency, hub_team: Team
) -> None:
    work = month_of_work(hub_agency, hub_team)
    report = services.publish_month(actor=work.leader, year=work.period.start.year,
                                    month=work.period.start.month)
    scrutiny = make_user("sol.scrutiny", Role.SCRUTINY, agency=hub_agency)
    browser_login(page, live_server, scrutiny)

    # Published performance reports: small numbers hidden, and no way to unhide them.
    scanner.open("/performance/reports/")
    title = work.period.start.strftime("%B %Y")
    expect(page.get_by_role("heading", name="Publish a month")).to_have_count(0)
    expect(page.get_by_role("button", name="Publish and freeze")).to_have_count(0)
    scanner.scan("one report, as scrutiny")
    click_and_wait(page, "link", title)
    assert scanner.path() == f"/performance/reports/{report.pk}/"
    expect(page.locator(".govuk-inset-text")).to_contain_text("shown as [c]")
    # Four referrals rated Red: under the threshold, so hidden.
    red = page.locator("section[aria-labelledby='pm-referrals_received'] tbody tr").filter(
        has=page.get_by_role("rowheader", name="Red", exact=True))
    expect(red.locator("td").nth(1)).to_have_text(HIDDEN)
    expect(page.locator("section[aria-labelledby='pm-referrals_received'] tbody tr").first
           .locator("td").nth(1)).to_have_text(str(REFERRED))
    expect(page.get_by_text("You are seeing the figures unsuppressed")).to_have_count(0)
    expect(page.locator("main a[href*='suppressed']")).to_have_count(0)
    # Metric names are not links to the live dashboard scrutiny cannot open.
    expect(page.locator("main a[href^='/performance/metrics/']")).to_have_count(0)
    scanner.scan("suppressed, as scrutiny")
    csv = scanner.download(page.get_by_role("link", name=re.compile("Download as CSV")),
                           "text/csv")
    assert HIDDEN.encode() in csv
    prepared_pdf(page, scanner, "a published report's PDF, drawn for scrutiny")
    scanner.open(f"/performance/reports/{report.pk}/")

    # Nothing changes with a query string asking for the hub's version.
    scanner.open(f"/performance/reports/{report.pk}/?suppressed=0&unsuppressed=1")
    expect(page.locator(".govuk-inset-text")).to_contain_text("shown as [c]")

    # The live dashboard is for hub staff only.
    scanner.open("/performance/", status=403)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You do not have permission to see this page")
    scanner.scan("a scrutiny officer opening the performance dashboard", page_of="handler403")
    for path in ("/equality/", "/equality/completeness/",
                 f"/performance/metrics/{registry.all_metrics()[0].code}/"):
        assert page.request.get(scanner.base_url + path).status == 403, path

    # The published disproportionality table: the three Black children are hidden.
    scanner.open("/equality/published/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Disproportionality by ethnic group (published)")
    expect(page.get_by_role("heading", level=2, name=re.compile("in Fictional Shire"))
           ).to_be_visible()
    table = page.get_by_role("table")
    black = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=re.compile(
        "^Black")))
    expect(black.locator("td").first).to_have_text(HIDDEN)
    white = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name="White"))
    expect(white.locator("td").first).to_have_text("10")
    expect(page.locator("main svg")).to_have_count(0)
    scanner.scan("last 12 months, suppressed")
    body = scanner.download(page.get_by_role("link", name="Download this table (CSV)"),
                            "text/csv").decode()
    assert "Ethnic group" in body and HIDDEN in body
    assert prepared_pdf(page, scanner, "the published table's PDF, drawn",
                        "equality:published_pdf", "Prepare this table as a PDF"
                        ).startswith(b"%PDF")
    scanner.assert_scanned_every_page_listed()


def test_analyst_disproportionality_and_recording_completeness(
    page: Page, scanner: Scanner, live_server: Any, hub_agency: Agency, hub_team: Team
) -> None:
    work = month_of_work(hub_agency, hub_team)
    analyst = make_user("ana.analyst", Role.ANALYST, agency=hub_agency, team=hub_team)
    browser_login(page, live_server, analyst)

    # The first visit: the last 12 months for the county, by the five high-level groups.
    scanner.open("/equality/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Disproportionality by ethnic group")
    # The form shows the choices the figures are for, defaults included.
    expect(page.get_by_label("Children referred", exact=True)).to_be_checked()
    expect(page.get_by_label("Self-defined: the person's own answer")).to_be_checked()
    expect(page.locator("#who-and-denominator")).to_contain_text(
        "Out of: Census 2021 usual residents who are children aged 0 to 17")
    expect(page.locator("#who-and-denominator")).to_contain_text("not counted as victims")
    expect(page.get_by_label("Area")).to_have_value(str(work.county.pk))
    expect(page.get_by_label("Compare with")).to_have_value("W")
    expect(page.get_by_label("The five high-level groups")).to_be_checked()
    table = page.locator("#disproportionality-table")
    expect(table.locator("caption")).to_contain_text("compared with White")
    asian = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=re.compile(
        "^Asian")))
    expect(asian.locator("td").first).to_have_text("6")
    expect(asian.locator("td").last).to_have_text(re.compile(r"^Over-represented: "))
    white = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name="White"))
    expect(white.locator("td").last).to_have_text(re.compile(r"^The comparator: "))
    expect(page.get_by_text(f"{REFERRED} children referred live in Fictional Shire")
           ).to_be_visible()
    assert_charts_accessible(page, expected=1)
    forest = page.get_by_role("img", name="Forest plot of rate ratios compared with White")
    expect(forest).to_have_accessible_name(re.compile(r"White Asian, [^:]+: 6\.48 \(2\.45 to"))
    expect(forest.locator("circle")).to_have_count(2)  # Asian and Black: White is the base
    # Below the figures, the areas inside the county: none has its own census yet.
    expect(page.get_by_role("heading", level=2, name="Compared inside Fictional Shire")
           ).to_be_visible()
    expect(page.get_by_text("Nothing inside Fictional Shire has a Census 2021 population "
                            "loaded")).to_be_visible()
    scanner.scan("the county, with a forest plot")
    click_and_wait(page, "button", "Show figures")  # nothing changed: the same figures
    expect(table.locator("caption")).to_contain_text("compared with White")
    expect(forest.locator("circle")).to_have_count(2)

    # Detailed groups for the borough.
    page.get_by_label("Area").select_option(value=str(work.borough.pk))
    page.get_by_label("Detailed groups").check()
    click_and_wait(page, "button", "Show figures")
    expect(page.get_by_role("heading", level=2, name=re.compile("in Fictional Vale"))
           ).to_be_visible()
    expect(page.locator(".govuk-warning-text")).to_contain_text(
        "No Census 2021 population by ethnic group and age (children aged 0 to 17) is loaded "
        "for Fictional Vale")
    expect(page.locator("main svg")).to_have_count(0)
    scanner.scan("an area without its own census population")

    # Once the borough has its own census, the county is compared inside it, area by area.
    AreaPopulation.objects.bulk_create(
        AreaPopulation(area=work.borough, ethnic_group_id=row.ethnic_group_id,
                       population=row.population)
        for row in AreaPopulation.objects.filter(area=work.county))
    AreaPopulationByAge.objects.bulk_create(
        AreaPopulationByAge(area=work.borough, ethnic_group_id=row.ethnic_group_id,
                            age_group=row.age_group, population=row.population)
        for row in AreaPopulationByAge.objects.filter(area=work.county))
    scanner.open("/equality/")
    expect(page.get_by_role("heading", level=2, name="Compared inside Fictional Shire")
           ).to_be_visible()
    inside = page.locator("#inside-table")
    expect(inside.locator("caption")).to_contain_text("in each area inside Fictional Shire")
    vale = inside.get_by_role("row").filter(has=page.get_by_role("rowheader",
                                                                 name="Fictional Vale"))
    expect(vale.locator("td").nth(0)).to_have_text(str(REFERRED))
    expect(vale.locator("td").nth(1)).to_have_text("10%")  # 2 of 21 unknown
    expect(vale.locator("td").nth(2)).to_have_text(
        re.compile(r"^6\.48 \(2\.45 to [\d.]+\)\s*higher$"))  # Asian
    expect(vale.locator("td").last).to_have_text("comparator")  # White
    scanner.scan("the county, compared inside it")
    click_and_wait(page, "link", "Fictional Vale")
    expect(page.get_by_label("Area")).to_have_value(str(work.borough.pk))
    expect(page.get_by_role("heading", level=2, name="Compared inside Fictional Vale")
           ).to_be_visible()
    expect(page.get_by_text("Nothing inside Fictional Vale has a Census 2021 population "
                            "loaded")).to_be_visible()
    scanner.scan("a district with nothing inside it to compare")

    # Suspects named in intelligence, by the IC code an officer recorded: the mapping to
    # the census groups and its caveats stated, against adults.
    report = make_report(hub_team, analyst)
    for number, code in enumerate(("IC1", "IC4", "IC9", "")):
        suspect = make_person(hub_agency, given_name=f"Suspect{number}", family_name="Example",
                              officer_defined_ethnicity=code)
        PersonAddress.objects.create(person=suspect, line_1=f"{number} Vale Road",
                                     town="Valeton", postcode="VA1 1AA", area=work.borough)
        link(report, suspect)
    scanner.open("/equality/")
    page.get_by_label("Suspects named in intelligence").check()
    page.get_by_label(re.compile("^Officer-defined")).check()
    click_and_wait(page, "button", "Show figures")
    expect(page.locator("#ic-mapping")).to_contain_text(
        "IC5 Chinese, Japanese or other South East Asian → Asian")
    expect(page.locator("#who-and-denominator")).to_contain_text("adults aged 18 and over")
    expect(page.locator("#disproportionality-table caption")).to_contain_text(
        "by officer-defined ethnic group")
    expect(page.locator("#disproportionality-table")).to_contain_text("No IC code recorded")
    scanner.scan("suspects by officer-defined ethnicity")
    click_and_wait(page, "link", "How completely ethnicity is recorded")
    expect(page.locator("#ic-recording")).to_be_visible()
    expect(page.get_by_role("table").first.get_by_role("columnheader", name="No IC code")
           ).to_be_visible()
    scanner.scan("suspects, with officer-defined ethnicity recorded")

    # A period that ends before it starts.
    scanner.open("/equality/")
    today = timezone.localdate()
    fill_date(page, "From", today)
    fill_date(page, "To", today - dt.timedelta(days=30))
    click_and_wait(page, "button", "Show figures")
    assert_errors_shown(page, START_AFTER_END)
    expect(page.locator("#disproportionality-table")).to_have_count(0)
    scanner.scan("with the start after the end")
    page.locator(".govuk-error-summary").get_by_role("link", name=START_AFTER_END).click()
    expect(page.get_by_role("group", name="From").get_by_label("Day")).to_be_focused()

    # Recording completeness, from the analysis page.
    scanner.open("/equality/")
    click_and_wait(page, "link", "How completely ethnicity is recorded")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Ethnicity and nationality recording")
    assert_charts_accessible(page, expected=1)
    expect(page.get_by_role("img", name=re.compile("with ethnicity recorded, by month"))
           ).to_be_visible()
    lines = page.locator("main svg[role='img'] polyline")
    expect(lines).to_have_count(2)  # all agencies, and County Police
    for index in range(2):
        assert len((lines.nth(index).get_attribute("points") or "").split()) == 2
    expect(page.locator("main svg[aria-hidden='true']")).to_have_count(2)  # the key
    month_row = page.get_by_role("table").first.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=last_full_month().start.strftime("%B %Y")))
    expect(month_row.locator("td").first).to_have_text(str(REFERRED))
    scanner.scan("the last 12 months, with a chart")

    fill_date(page, "From", today)
    fill_date(page, "To", today - dt.timedelta(days=30))
    click_and_wait(page, "button", "Show figures")
    assert_errors_shown(page, START_AFTER_END)
    scanner.scan("with the start after the end")
    scanner.assert_scanned_every_page_listed()
