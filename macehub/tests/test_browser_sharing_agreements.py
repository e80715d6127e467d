"""The register of information-sharing agreements in a real browser: information
governance opens the register from the navigation, adds an agreement (refused first with
nothing entered), sees its page, changes its review date; a social worker reads the
register, filtered to the agreements due for review, and opens one, with no way to
change it.

Every page on the way, error states included, is scanned with axe-core against WCAG 2.2
AA (``Scanner`` from ``test_browser_pages``; ``SCANNED_BY`` names the test that scans
each page here). All agencies are made up.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import AgencyKind, Role
from macehub.governance.sharing import SharingAgreement
from macehub.testing.browser import fill_govuk_date, sign_in_as
from macehub.testing.factories import make_agency, make_user
from macehub.tests.test_browser_pages import Scanner, assert_errors_shown, click_and_wait

pytestmark = pytest.mark.browser

REGISTER = "test_recording_an_agreement_and_reading_the_register"

SCANNED_BY: dict[str, tuple[str, ...]] = {
    "audit:agreements": (REGISTER,),
    "audit:agreement_new": (REGISTER,),
    "audit:agreement": (REGISTER,),
    "audit:agreement_change": (REGISTER,),
}


@pytest.mark.django_db(transaction=True)
def test_recording_an_agreement_and_reading_the_register(
    page: Page, live_server: Any, scanner: Scanner, hub_agency: Agency, hub_team: Team
) -> None:
    governance = make_user("iris.governance", Role.INFORMATION_GOVERNANCE, agency=hub_agency,
                           team=hub_team)
    social_worker = make_user("sol.worker", Role.SOCIAL_WORKER, agency=hub_agency,
                              team=hub_team)
    make_agency("county-csc", AgencyKind.CHILDRENS_SOCIAL_CARE, name="County Children's Services")
    today = timezone.localdate()
    main = page.locator("main")
    success = page.locator(".govuk-notification-banner--success")

    # 1. Information governance adds an agreement.
    sign_in_as(page, live_server, governance)
    scanner.open("/")
    click_and_wait(page, "link", "Sharing agreements", within="header")
    assert scanner.path() == "/audit/sharing-agreements/"
    expect(main).to_contain_text("No agreements here.")
    scanner.scan("empty register")
    click_and_wait(page, "button", "Add an agreement")
    scanner.scan("empty")
    click_and_wait(page, "button", "Save")
    assert_errors_shown(page, "Enter the agreement's title",
                        "Choose at least two agencies that are party to the agreement",
                        "Enter what the sharing is for",
                        "Select the lawful basis for the sharing",
                        "Select the categories of data shared")
    scanner.scan("nothing entered")
    page.get_by_label("Title").fill("County MACE information-sharing agreement")
    page.get_by_label("County Police").check()
    page.get_by_label("County Children's Services").check()
    page.get_by_label("Purpose").fill("Safeguarding children at risk of exploitation")
    page.get_by_label("UK GDPR Art. 6(1)(e) – public task").check()
    page.get_by_label("Safeguarding concerns").check()
    fill_govuk_date(page, "Date signed", today - dt.timedelta(days=300))
    fill_govuk_date(page, "Review date", today + dt.timedelta(days=20))
    click_and_wait(page, "button", "Save")
    agreement = SharingAgreement.objects.get()
    assert scanner.path() == f"/audit/sharing-agreements/{agreement.pk}/"
    expect(success).to_contain_text(f"{agreement.reference} added to the register.")
    expect(main).to_contain_text("Due for review")
    expect(main).to_contain_text("County Children's Services; County Police")
    scanner.scan("just added")

    # 2. It is reviewed: a new review date.
    click_and_wait(page, "button", "Change the agreement")
    scanner.scan("change")
    fill_govuk_date(page, "Review date", today + dt.timedelta(days=400))
    click_and_wait(page, "button", "Save")
    expect(main).to_contain_text("In force")
    agreement.refresh_from_db()
    assert agreement.version == 2

    # 3. A social worker reads the register and the agreement, and cannot change it.
    sign_in_as(page, live_server, social_worker)
    scanner.open("/audit/sharing-agreements/?status=in_force")
    expect(page.locator("#agreements-heading")).to_have_text("In force: 1 agreement")
    scanner.scan("in force, as a social worker")
    click_and_wait(page, "link", agreement.reference)
    expect(main).to_contain_text("Disseminations of intelligence")
    expect(page.get_by_role("button", name="Change the agreement")).to_have_count(0)
    scanner.scan("as a social worker")
