"""The dashboard and the published report in a real browser, as the people who use them:
a supervisor reads the dashboard's summary first (each measure against its target and on
the month before), narrows it to a borough and a school, and follows a breakdown cell to
the referrals behind it (the Red referrals decided late) with the filters kept; a senior
leader finds "Published reports" in the menu, is asked to confirm before a month is
published and frozen, and reads the published month's summary with its targets. The
tables say "Counted", "Out of" and "Corrected since publication".

Every page on the way is scanned with axe-core against WCAG 2.2 AA (``Scanner`` from
``test_browser_pages``; ``SCANNED_BY`` names the test here that scans each page).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from macehub.accounts.models import Agency, Team
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.cases.codes import Brag
from macehub.core.metrics import Filters
from macehub.governance.models import RequestedJob
from macehub.performance.background_jobs import REPORT_PDF
from macehub.performance.forms import filter_query
from macehub.performance.models import MonthlyReport
from macehub.testing.browser import browser_login
from macehub.tests.test_browser_pages import Scanner, click_and_wait
from macehub.tests.test_browser_performance_equality import month_of_work

pytestmark = pytest.mark.browser

SUMMARY = "test_dashboard_summary_and_drill_down_to_the_records_keep_the_filters"
PUBLISHING = "test_publishing_asks_for_confirmation_and_the_report_leads_with_the_answer"

SCANNED_BY: dict[str, tuple[str, ...]] = {
    "performance:dashboard": (SUMMARY,),
    "performance:metric": (SUMMARY,),
    "performance:records": (SUMMARY,),
    "performance:reports": (PUBLISHING,),
    "performance:publish": (PUBLISHING,),  # POST only: the confirmation page it answers
    "performance:report": (PUBLISHING,),
    "audit:requested_job": (PUBLISHING,),  # publishing's job, done by then (ImmediateBackend)
}
OLD_WORDS = ("Numerator", "Denominator", "Restatement", "Restated")


def assert_before(first: Locator, second: Locator) -> None:
    assert first.evaluate(
        "(a, b) => !!(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING)",
        second.element_handle(),
    ), "the summary should come before the measures"


def assert_plain_words(page: Page) -> None:
    for word in OLD_WORDS:
        expect(page.locator("main").get_by_text(word, exact=False)).to_have_count(0)


def summary_row(page: Page, measure: str) -> Locator:
    return page.locator("#summary tbody tr").filter(
        has=page.get_by_role("rowheader", name=measure))


def test_dashboard_summary_and_drill_down_to_the_records_keep_the_filters(
    page: Page, scanner: Scanner, live_server: Any, hub_agency: Agency, hub_team: Team
) -> None:
    work = month_of_work(hub_agency, hub_team)
    school = next(r.referrer.agency for r in work.referrals
                  if r.referrer.username == "dana.school")
    assert school is not None
    browser_login(page, live_server, work.supervisor)

    # The answer first: every measure against its target, before the charts.
    scanner.open("/performance/")
    summary = page.locator("#summary")
    expect(summary.locator("caption")).to_have_text(f"Summary: {work.period.label()}")
    assert_before(summary, page.locator("main section").first)
    decided = summary_row(page, "Referrals decided within one working day")
    expect(decided.locator("td").nth(1)).to_have_text("90.0%")  # the target
    expect(decided.locator(".govuk-tag")).to_have_text("Missed")  # some were late
    expect(summary.locator("thead")).to_contain_text(
        f"Change ({work.period.start:%b %Y} on")
    expect(summary_row(page, "Referrals received").locator("td").nth(2)).to_have_text(
        "No target")
    assert_plain_words(page)
    scanner.scan("the summary first")

    # Narrowed to the borough and the school's referrals, through the form.
    page.get_by_label("Area").select_option(value=work.borough.code)
    page.get_by_label("Agency", exact=True).select_option(label=school.name)
    click_and_wait(page, "button", "Show figures")
    query = parse_qs(urlsplit(page.url).query)
    assert query["area"] == [work.borough.code] and query["agency"] == [str(school.pk)]
    scanner.scan("filtered, with the summary")

    # The Red referrals that missed their clock, from the breakdown cell.
    panel = page.locator("section[aria-labelledby='metric-referrals_decided_in_time']")
    panel.locator("summary", has_text="By brag rating").click()
    table = panel.locator("details[open] table")
    expect(table).to_be_visible()
    expect(table.get_by_role("columnheader")).to_contain_text(["Counted", "Out of"])
    red = Brag.RED.label.split(" – ")[0]
    link = table.locator(f"a[href*='category={Brag.RED.value}'][href*='counted=no']")
    expect(link).to_contain_text("Not counted")
    expect(link.locator(".govuk-visually-hidden")).to_have_text(f": brag rating {red}")
    with page.expect_navigation():
        link.click()
    late_red = [r for r in work.referrals
                if r.brag == Brag.RED and r.decided_at is not None
                and r.decided_at > r.decision_due_at]
    from_school = [r for r in late_red if r.referrer.username == "dana.school"]
    assert from_school and len(from_school) < len(late_red)  # the filter matters
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"BRAG rating: {red}, not counted")
    filters = page.locator("#records-filters")
    expect(filters).to_contain_text(work.period.label())
    expect(filters).to_contain_text(work.borough.name)
    expect(filters).to_contain_text(school.name)
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(len(from_school))
    for referral in from_school:
        expect(page.get_by_role("link", name=referral.reference)).to_be_visible()
    expect(page.locator("#records-hidden")).to_have_count(0)  # a supervisor sees them all
    scanner.scan("the Red referrals decided late, filtered")
    event = AuditEvent.objects.filter(event_type=EventType.VIEW,
                                      actor_id=work.supervisor.pk).latest("pk")
    assert event.detail["list"] == "records behind referrals_decided_in_time"
    assert sorted(event.detail["shown"]) == sorted(r.pk for r in from_school)

    # Back to the dashboard, still filtered.
    with page.expect_navigation():
        page.get_by_role("link", name="Back to the dashboard").click()
    expect(page.get_by_label("Area")).to_have_value(work.borough.code)
    expect(page.get_by_label("Agency", exact=True)).to_have_value(str(school.pk))

    # A measure's page keeps them too, and its own words are plain.
    click_and_wait(page, "link", "How referrals decided within one working day is counted")
    assert parse_qs(urlsplit(page.url).query)["area"] == [work.borough.code]
    expect(page.locator(".govuk-summary-list")).to_contain_text("Out of")
    assert_plain_words(page)
    scanner.scan("a measure, filtered")
    expected = filter_query(work.period, Filters(work.borough.code, school.pk))
    assert page.get_by_role("link", name="Back to the dashboard").get_attribute(
        "href") == f"/performance/?{expected}"
    scanner.assert_scanned_every_page_listed()


def test_publishing_asks_for_confirmation_and_the_report_leads_with_the_answer(
    page: Page, scanner: Scanner, live_server: Any, hub_agency: Agency, hub_team: Team
) -> None:
    work = month_of_work(hub_agency, hub_team)
    title = work.period.label()
    browser_login(page, live_server, work.leader)

    # "Published reports" is in the senior leader's menu.
    scanner.open("/performance/")
    menu = page.get_by_role("navigation", name="Menu")
    with page.expect_navigation():
        menu.get_by_role("link", name="Published reports").click()
    expect(menu.locator("[aria-current]")).to_have_text("Published reports")
    scanner.scan("nothing published yet")

    # Choosing the month only asks: what freezing means, and that it cannot be undone.
    click_and_wait(page, "button", "Continue")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Publish the report for {title}?")
    expect(page.locator("main")).to_contain_text('"Corrected since publication"')
    expect(page.locator("#freeze-warning")).to_contain_text("Publishing cannot be undone.")
    assert not MonthlyReport.objects.exists()
    scanner.scan("asked to confirm")

    # Cancelled: nothing is published.
    click_and_wait(page, "link", "Cancel")
    assert scanner.path() == "/performance/reports/"
    assert not MonthlyReport.objects.exists()

    # Confirmed: published and frozen in the background; the publisher follows the job
    # on its page, which leads to the report.
    click_and_wait(page, "button", "Continue")
    click_and_wait(page, "button", "Publish and freeze")
    report = MonthlyReport.objects.get()
    assert scanner.path().startswith("/audit/jobs/requested/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Publishing the report for {title}")
    expect(page.get_by_role("heading", name="Done")).to_be_visible()
    scanner.scan("publishing done")
    click_and_wait(page, "link", f"Read the published report for {report.title}")
    assert scanner.path() == f"/performance/reports/{report.pk}/"
    assert report.definitions["referrals_decided_in_time"]["target"] == "90"

    # The published month leads with its summary, with the targets published with it.
    summary = page.locator("#summary")
    expect(summary.locator("caption")).to_have_text(f"Summary: {title}")
    assert_before(summary, page.locator("main section").first)
    decided = summary_row(page, "Referrals decided within one working day")
    expect(decided.locator("td").nth(1)).to_have_text("90.0%")
    expect(summary.locator("thead")).to_contain_text(
        "was not published")  # no report for the month before
    expect(page.locator("main table").nth(1).get_by_role("columnheader")).to_contain_text(
        ["Published", "Counted", "Out of", "Corrected since publication"])
    assert_plain_words(page)
    scanner.scan("published, leading with the summary")

    # A job still waiting for the worker (no worker runs here): its page says how far it
    # has got, politely announced, and offers a link to check again without JavaScript.
    waiting = RequestedJob.objects.create(
        kind=REPORT_PDF, title=f"PDF of the performance report for {title}",
        arguments={"report_pk": report.pk}, requested_by=work.leader,
        requested_at=timezone.now(), stage="Waiting for the hub's worker to start it")
    scanner.open(f"/audit/jobs/requested/{waiting.pk}/")
    expect(page.locator("[aria-live='polite']")).to_have_text(
        "Waiting for the hub's worker to start it")
    expect(page.get_by_role("progressbar", name="How far the job has got")).to_be_visible()
    expect(page.get_by_role("link", name="Check again")).to_be_visible()
    scanner.scan("a job waiting for the worker")
    scanner.assert_scanned_every_page_listed()
