"""Retention review in a real browser: an information governance officer finds the
records due for review, keeps one (refused first with nothing entered), asks for
another's disposal, reads the rules and places a legal hold (refused first); a second
officer finds the disposal waiting, is refused without a decision, then approves it,
and releases the hold; a closed case whose child is a victim in an open investigation
says why it cannot be disposed of today.

Every page on the way, error states included, is scanned with axe-core against WCAG 2.2
AA (``Scanner`` from ``test_browser_pages``; ``SCANNED_BY`` names the test that scans
each page here). All records are made up."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import Role
from macehub.cases.codes import CaseStatus
from macehub.cases.models import Case
from macehub.governance.models import DisposalTombstone, LegalHold, RetentionDecision
from macehub.intelligence.models import IntelligenceReport
from macehub.intelligence.tests.factories import make_report
from macehub.investigations.models import Investigation, InvestigationVictim
from macehub.testing.browser import fill_govuk_date, sign_in_as
from macehub.testing.factories import make_person, make_user
from macehub.tests.test_browser_pages import Scanner, assert_errors_shown, click_and_wait

pytestmark = pytest.mark.browser

REVIEW_AND_DISPOSAL = "test_reviewing_records_then_disposal_by_a_second_officer"

SCANNED_BY: dict[str, tuple[str, ...]] = {
    "audit:retention": (REVIEW_AND_DISPOSAL,),
    "audit:retention_review": (REVIEW_AND_DISPOSAL,),
    "audit:retention_disposal": (REVIEW_AND_DISPOSAL,),
    "audit:retention_holds": (REVIEW_AND_DISPOSAL,),
    "audit:retention_rules": (REVIEW_AND_DISPOSAL,),
    # POST only: the holds page it returns to, with its message, is scanned.
    "audit:retention_release_hold": (REVIEW_AND_DISPOSAL,),
}


@pytest.mark.django_db(transaction=True)
def test_reviewing_records_then_disposal_by_a_second_officer(
    page: Page, live_server: Any, scanner: Scanner, hub_agency: Agency, hub_team: Team
) -> None:
    officer = make_user("iris.governance", Role.INFORMATION_GOVERNANCE, agency=hub_agency,
                        team=hub_team)
    second = make_user("owen.governance", Role.INFORMATION_GOVERNANCE, agency=hub_agency,
                       team=hub_team)
    analyst = make_user("ana.analyst", Role.ANALYST, agency=hub_agency, team=hub_team)
    now = timezone.now()
    kept, disposed, held = (
        make_report(hub_team, analyst, reference=f"INT-2018-00000{n}",
                    received_at=now - dt.timedelta(days=365 * 8 - n))
        for n in (1, 2, 3))
    success = page.locator(".govuk-notification-banner--success")
    main = page.locator("main")

    # 1. The queue, oldest first.
    sign_in_as(page, live_server, officer)
    scanner.open("/")
    click_and_wait(page, "link", "Retention review", within="header")
    assert scanner.path() == "/audit/retention/"
    expect(page.locator("#due-heading")).to_have_text("Due for review: 3 records")
    expect(page.locator("main table tbody tr").first).to_contain_text(kept.reference)
    scanner.scan("three records due")

    # 2. Keep the first: refused with nothing entered, then kept.
    click_and_wait(page, "link", kept.reference)
    assert scanner.path() == f"/audit/retention/intelligence_report/{kept.pk}/"
    expect(main).to_contain_text("MoPI group 3")
    scanner.scan("a record due for review")
    click_and_wait(page, "button", "Keep the record")
    assert_errors_shown(page, "Enter why the record is kept",
                        "Enter the date of the next review")
    scanner.scan("keeping with nothing entered")
    page.get_by_label("Why is the record kept?").fill("The suspect named is still active.")
    fill_govuk_date(page, "Date of the next review", timezone.localdate() + dt.timedelta(
        days=365 * 2))
    click_and_wait(page, "button", "Keep the record")
    assert scanner.path() == "/audit/retention/"
    expect(success).to_contain_text(f"{kept.reference} is kept.")
    assert RetentionDecision.objects.filter(record_id=kept.pk).exists()

    # 3. Ask for the second's disposal.
    click_and_wait(page, "link", disposed.reference)
    click_and_wait(page, "button", "Ask for disposal")
    assert_errors_shown(page, "Enter why the record should be disposed of")
    scanner.scan("asking for disposal with nothing entered")
    page.get_by_label("Why should the record be disposed of?").fill(
        "Past its clear period; nothing has linked to it since.")
    click_and_wait(page, "button", "Ask for disposal")
    expect(success).to_contain_text("Another information governance officer must approve it")
    expect(main).to_contain_text("Disposal requested")

    # 4. The rules, then a legal hold on the third.
    click_and_wait(page, "link", "Retention rules")
    expect(main).to_contain_text("data migration")
    scanner.scan("the rules")
    scanner.open("/audit/retention/holds/")
    scanner.scan("no holds")
    click_and_wait(page, "button", "Place the hold")
    assert_errors_shown(page, "Enter the name of the investigation or inquiry",
                        "Enter why the records must be kept",
                        "Enter the references of the records to hold")
    scanner.scan("placing a hold with nothing entered")
    page.get_by_label("Investigation or inquiry").fill("Operation Harbour inquiry")
    page.get_by_label("Why must the records be kept?").fill("The inquiry asked for them.")
    page.get_by_label("References of the records to hold").fill(held.reference)
    click_and_wait(page, "button", "Place the hold")
    expect(success).to_contain_text("Legal hold placed: Operation Harbour inquiry.")
    scanner.scan("one hold")
    assert LegalHold.objects.get().records.get().record_id == held.pk

    # 5. The second officer approves the disposal.
    sign_in_as(page, live_server, second)
    scanner.open("/audit/retention/")
    expect(page.locator("#to-decide-heading")).to_have_text(
        "Disposals waiting for your approval: 1")
    expect(main).to_contain_text("Operation Harbour inquiry")
    scanner.scan("a disposal waiting, a record on hold")
    click_and_wait(page, "link", disposed.reference)
    assert scanner.path().startswith("/audit/retention/disposals/")
    scanner.scan("a disposal to decide")
    click_and_wait(page, "button", "Save the decision")
    assert_errors_shown(page, "Select whether you approve the disposal")
    scanner.scan("deciding with nothing chosen")
    page.get_by_label("Approve: dispose of the record now").check()
    click_and_wait(page, "button", "Save the decision")
    expect(success).to_contain_text(f"{disposed.reference} has been disposed of.")
    expect(page.locator("#disposed-heading")).to_be_visible()
    scanner.scan("a record disposed of")
    assert not IntelligenceReport.objects.filter(pk=disposed.pk).exists()
    assert DisposalTombstone.objects.get().approved_by == second

    # 6. The inquiry is over: the hold is released.
    click_and_wait(page, "link", "Legal holds")
    click_and_wait(page, "button", "Release")
    expect(success).to_contain_text("Legal hold released: Operation Harbour inquiry.")
    scanner.scan("a hold released", page_of="audit:retention_release_hold")
    assert LegalHold.objects.get().released_on == timezone.localdate()

    # 7. A closed case past its rule, whose child is a victim in an open investigation:
    # its review says why it cannot be disposed of today and offers no disposal.
    child = make_person(hub_agency, date_of_birth=dt.date(1990, 1, 1))
    case = Case.objects.create(
        reference="CASE-2012-000001", child=child, opened_at=now - dt.timedelta(days=5000),
        opened_by=analyst, lead_agency=hub_agency, risk_tier="medium",
        exploitation_types=["cse"], exploitation_model="not_known", status=CaseStatus.CLOSED,
        closed_at=now - dt.timedelta(days=4500), closed_by=analyst,
        closure_reason="risk_reduced")
    investigation = Investigation.objects.create(
        reference="INV-2025-000001", title="Operation Synthetic", owning_agency=hub_agency,
        reported_on=timezone.localdate(), created_by=analyst, created_at=now)
    InvestigationVictim.objects.create(investigation=investigation, person=child)
    scanner.open(f"/audit/retention/case/{case.pk}/")
    expect(main).to_contain_text("It cannot be disposed of today")
    expect(main).to_contain_text("INV-2025-000001")
    expect(page.get_by_role("button", name="Ask for disposal")).to_have_count(0)
    scanner.scan("a closed case that cannot be disposed of today")
    scanner.assert_scanned_every_page_listed()
