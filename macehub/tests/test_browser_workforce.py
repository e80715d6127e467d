"""Capacity against demand in a real browser: a senior leader reads the caseloads of
their agency's staff against a safe level they choose, records a month's establishment
with a bad value (the error summary, what was typed kept), fixes it, tries a file of
months with a problem, reads the weighting, and reads and downloads the resourcing
evidence report; the scrutiny officer reads the report suppressed.

Every page on the way, error states included, is scanned with axe-core against WCAG 2.2
AA (``Scanner`` from ``test_browser_pages``; ``SCANNED_BY`` names the test that scans
each page here). All names are made up.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import AgencyKind, Role
from macehub.testing.browser import sign_in_as
from macehub.testing.factories import make_agency, make_team, make_user
from macehub.tests.test_browser_pages import Scanner, assert_errors_shown, click_and_wait
from macehub.tests.test_browser_performance_equality import prepared_pdf
from macehub.workforce.models import TeamMonth
from macehub.workforce.tests.factories import make_workers

pytestmark = pytest.mark.browser

LEADER = "test_a_senior_leader_records_a_month_and_reads_the_evidence"
SCRUTINY = "test_the_scrutiny_officer_reads_the_report_suppressed"

SCANNED_BY: dict[str, tuple[str, ...]] = {
    "workforce:caseloads": (LEADER,),
    "workforce:establishment": (LEADER,),
    "workforce:record_month": (LEADER,),
    "workforce:import_months": (LEADER,),
    "workforce:weighting": (LEADER,),
    "workforce:report": (LEADER, SCRUTINY),
    # POST only: drawn in the background; its job's page is scanned, its file downloaded
    "workforce:report_pdf": (LEADER,),
    "audit:requested_job": (LEADER,),
    "audit:requested_job_file": (LEADER,),  # a download: fetched, type checked
    "workforce:report_csv": (LEADER,),  # a download: fetched, type checked
}


@pytest.mark.django_db(transaction=True)
def test_a_senior_leader_records_a_month_and_reads_the_evidence(
    page: Page, live_server: Any, scanner: Scanner, hub_agency: Agency, hub_team: Team,
    tmp_path: Path,
) -> None:
    workers = make_workers(hub_agency, hub_team)
    leader = make_user("lee.leader", Role.SENIOR_LEADER, agency=hub_agency, team=hub_team)
    this_month = timezone.localdate().replace(day=1)
    success = page.locator(".govuk-notification-banner--success")
    main = page.locator("main")

    # 1. Caseloads of the agency's staff, against the default safe level, then a lower one.
    sign_in_as(page, live_server, leader)
    scanner.open("/")
    click_and_wait(page, "link", "Caseloads", within="header")
    assert scanner.path() == "/workforce/caseloads/"
    expect(main).to_contain_text(workers.social_worker.display_name)
    expect(main).to_contain_text("0 of 2 workers holding work are above")
    scanner.scan("default safe level")
    page.get_by_label("Safe caseload (weighted)").fill("3")
    click_and_wait(page, "button", "Compare")
    expect(main).to_contain_text("1 of 2 workers holding work is above")
    scanner.scan("a lower safe level")
    page.get_by_label("Safe caseload (weighted)").fill("lots")
    click_and_wait(page, "button", "Compare")
    assert_errors_shown(page, "Enter the safe caseload as a number, like 12")
    scanner.scan("a safe level that is not a number")

    # 2. The weighting.
    click_and_wait(page, "link", "Change the caseload weighting")
    assert scanner.path() == "/workforce/weighting/"
    scanner.scan("the defaults")
    page.get_by_label("Case at High risk (key worker)").fill("")
    click_and_wait(page, "button", "Save the weighting")
    assert_errors_shown(page, "Enter the weight of a case at High risk (key worker)")
    scanner.scan("a weight left out")
    page.get_by_label("Case at High risk (key worker)").fill("4")
    click_and_wait(page, "button", "Save the weighting")
    expect(success).to_contain_text("The caseload weighting has been changed.")

    # 3. A month recorded with a bad value, kept, then fixed.
    click_and_wait(page, "link", "Establishment and posts filled")
    assert scanner.path() == "/workforce/"
    expect(main).to_contain_text("Not recorded")
    scanner.scan("nothing recorded")
    click_and_wait(page, "button", "Record a month")
    assert scanner.path() == "/workforce/establishment/record/"
    scanner.scan("empty")
    page.get_by_label("Team", exact=True).select_option(label=f"MACE Hub ({hub_agency.name})")
    page.get_by_label("Month of the figures").select_option(label=f"{this_month:%B %Y}")
    page.get_by_label("Establishment (funded posts)").fill("12")
    page.get_by_label("Posts filled").fill("nine")
    click_and_wait(page, "button", "Save the month")
    assert_errors_shown(page, "Enter posts filled as a number, like 11.5")
    expect(page.get_by_label("Posts filled")).to_have_value("nine")
    expect(page.get_by_label("Establishment (funded posts)")).to_have_value("12")
    scanner.scan("a bad value")
    assert not TeamMonth.objects.exists()
    page.get_by_label("Posts filled").fill("9")
    click_and_wait(page, "button", "Save the month")
    expect(success).to_contain_text(f"MACE Hub: {this_month:%B %Y} recorded.")
    record = TeamMonth.objects.get()
    assert (record.establishment, record.filled) == (12, 9)
    expect(main).to_contain_text("3")
    scanner.scan("a month recorded")

    # 4. A file of months with a problem: nothing imported, the row named.
    click_and_wait(page, "button", "Import a file of months")
    assert scanner.path() == "/workforce/establishment/import/"
    scanner.scan("empty")
    bad = tmp_path / "months.csv"
    bad.write_text("agency,team,month,establishment,filled\n"
                   f"{hub_agency.code},MACE Hub,{this_month:%Y-%m},12,\n")
    page.get_by_label("The file of months").set_input_files(str(bad))
    click_and_wait(page, "button", "Import the file")
    assert_errors_shown(page, "months.csv was not imported: 1 problem(s) found, listed below")
    expect(main).to_contain_text('Row 2, column "filled": Enter the posts filled')
    scanner.scan("a file with a problem")

    # 5. The resourcing evidence report, and its downloads.
    scanner.open("/workforce/caseloads/")
    click_and_wait(page, "link", "Resourcing evidence report")
    assert scanner.path() == "/workforce/report/"
    expect(main).to_contain_text("Demand against capacity")
    expect(main).not_to_contain_text(workers.social_worker.display_name)
    scanner.scan("the last two years")
    csv = scanner.download(page.get_by_role("link", name="download the report as CSV"),
                           "text/csv")
    assert b"demand_and_capacity" in csv
    assert prepared_pdf(page, scanner, "the report's PDF, drawn", "workforce:report_pdf",
                        "Prepare the report as a PDF").startswith(b"%PDF")
    scanner.assert_scanned_every_page_listed()


@pytest.mark.django_db(transaction=True)
def test_the_scrutiny_officer_reads_the_report_suppressed(
    page: Page, live_server: Any, scanner: Scanner, hub_agency: Agency, hub_team: Team,
) -> None:
    make_workers(hub_agency, hub_team)
    pcc = make_agency("pcc", AgencyKind.PCC_OFFICE, name="Office of the PCC")
    scrutiny = make_user("sol.scrutiny", Role.SCRUTINY, agency=pcc,
                         team=make_team(pcc, "Scrutiny", is_hub_team=False))
    sign_in_as(page, live_server, scrutiny)
    scanner.open("/")
    click_and_wait(page, "link", "Resourcing", within="header")
    assert scanner.path() == "/workforce/report/"
    expect(page.locator("main")).to_contain_text("are shown as [c]")
    expect(page.locator("main")).to_contain_text(re.compile(r"\[c\]"))
    scanner.scan("suppressed")
    scanner.assert_scanned_every_page_listed()
