"""Two of the hub's second chances in a real browser.

Sharing a person's record: a triage officer shares a child's record with the council's
children's services from the person's page (refused first with no agency, then with no
agreement where one covers both agencies), sees the share on the person's page, and
stops sharing it (refused first without a reason).

Telling the referrer again: the e-mail telling a school its referral was decided could not
be sent; the referral's page says so, and triage sends it again: refused once more (the
page says to telephone), then sent.

Every page on the way, error states included, is scanned with axe-core against WCAG 2.2
AA (``Scanner`` from ``test_browser_pages``; ``SCANNED_BY`` names the test that scans
each page here). All people and agencies are made up.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import AgencyKind, Role
from macehub.governance.tests.factories import make_agreement
from macehub.people.models import PersonShare
from macehub.referrals.services import TriageDecision, record_triage_decision
from macehub.referrals.tests.factories import make_referral
from macehub.testing.browser import sign_in_as
from macehub.testing.factories import make_agency, make_person, make_team, make_user
from macehub.testing.notify import fake_notify_server
from macehub.tests.test_browser_pages import Scanner, assert_errors_shown, click_and_wait

pytestmark = pytest.mark.browser

SHARING = "test_sharing_a_record_with_a_partner_and_stopping"
TELLING = "test_sending_the_decision_again_to_a_referrer_not_told"

SCANNED_BY: dict[str, tuple[str, ...]] = {
    "people:share": (SHARING,),
    "people:stop_sharing": (SHARING,),
    # POST only: the referral it returns to is scanned
    "referrals:resend_decision": (TELLING,),
}


@pytest.mark.django_db(transaction=True)
def test_sharing_a_record_with_a_partner_and_stopping(
    page: Page, live_server: Any, scanner: Scanner, hub_agency: Agency, hub_team: Team,
    partner_agency: Agency
) -> None:
    triage = make_user("tia.triage", Role.TRIAGE, agency=hub_agency, team=hub_team)
    agreement = make_agreement(hub_agency, partner_agency, created_by=triage,
                               title="County MACE agreement")
    person = make_person(hub_agency, given_name="Tamsin", family_name="Rowe")
    main = page.locator("main")
    success = page.locator(".govuk-notification-banner--success")

    sign_in_as(page, live_server, triage)
    scanner.open(f"/people/{person.pk}/")
    expect(main).to_contain_text("The record is not shared with any other agency.")
    click_and_wait(page, "button", "Share with another agency")
    scanner.scan("empty")
    click_and_wait(page, "button", "Share the record")
    assert_errors_shown(page, "Choose the agency to share the record with")
    scanner.scan("no agency")
    page.get_by_label("Agency to share the record with").select_option(
        label="County Children's Services")
    page.get_by_label("Why it is shared").fill("Strategy discussion tomorrow")
    click_and_wait(page, "button", "Share the record")
    assert_errors_shown(page, "Choose the sharing agreement that covers sharing with "
                              "County Children's Services")
    expect(page.get_by_label("Why it is shared")).to_have_value("Strategy discussion tomorrow")
    scanner.scan("no agreement")
    page.get_by_label("Information-sharing agreement it relies on").select_option(
        label=f"{agreement.reference} County MACE agreement")
    click_and_wait(page, "button", "Share the record")
    assert scanner.path() == f"/people/{person.pk}/"
    expect(success).to_contain_text("The record is now shared with County Children's Services.")
    expect(main).to_contain_text(f"{agreement.reference} County MACE agreement")
    assert PersonShare.objects.get().agreement == agreement

    click_and_wait(page, "link", "Stop sharing with County Children's Services")
    scanner.scan("confirm")
    click_and_wait(page, "button", "Stop sharing")
    assert_errors_shown(page, "Enter why the record is no longer shared")
    scanner.scan("no reason")
    page.get_by_label("Why the record is no longer shared").fill("Shared in error")
    click_and_wait(page, "button", "Stop sharing")
    expect(success).to_contain_text(
        "The record is no longer shared with County Children's Services.")
    expect(main).to_contain_text("The record is not shared with any other agency.")
    assert not PersonShare.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_sending_the_decision_again_to_a_referrer_not_told(
    page: Page, live_server: Any, scanner: Scanner, hub_agency: Agency, hub_team: Team
) -> None:
    triage = make_user("tia.triage", Role.TRIAGE, agency=hub_agency, team=hub_team)
    school = make_agency("northtown-academy", AgencyKind.EDUCATION, name="Northtown Academy")
    referrer = make_user("dsl.school", Role.REFERRER, agency=school,
                         team=make_team(school, "Safeguarding", is_hub_team=False))
    referral = make_referral(make_person(school, given_name="Maya", family_name="Brook"),
                             referrer)
    main = page.locator("main")
    with fake_notify_server() as notify:
        notify.status = 500
        record_triage_decision(
            actor=triage, referral_pk=referral.pk, expected_version=1,
            decision=TriageDecision(brag=referral.suggested_brag,
                                    risk_tier=referral.suggested_tier, outcome="nfa",
                                    outcome_reason="Synthetic", decided_at=timezone.now()))
        assert len(notify.requests) == 1
        sign_in_as(page, live_server, triage)
        scanner.open(f"/referrals/{referral.pk}/")
        expect(main).to_contain_text("The referrer has not been told the decision")
        click_and_wait(page, "button", "Send the decision to the referrer again")
        expect(page.locator(".govuk-error-summary, .govuk-notification-banner")).to_contain_text(
            "The decision could not be sent to the referrer")
        scanner.scan("could not be sent", page_of="referrals:resend_decision")
        notify.status = 201
        click_and_wait(page, "button", "Send the decision to the referrer again")
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
            f"The decision on {referral.reference} has been sent to the referrer.")
        expect(main).not_to_contain_text("The referrer has not been told the decision")
        scanner.scan("sent", page_of="referrals:resend_decision")
        assert len(notify.requests) == 3
