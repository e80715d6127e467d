"""The referral form in a real browser, as a school's designated safeguarding lead fills
it in: a new child, with the child's home and school, a parent, consent not asked for
(and why), "I do not know" where they do not know; check your answers with its delete
link set apart from Send; the confirmation saying when to expect a decision; and adding
information afterwards, which triage reads. Then an existing child, chosen by their age,
where they live and their school.

Every page on the way, error states included, is scanned with axe-core against WCAG 2.2
AA (``Scanner`` from ``test_browser_pages``; ``SCANNED_BY`` names the test that scans
each page here). The conditional reveals (consent not sought, missing episodes) carry
GOV.UK Frontend's ``aria-expanded`` on their radios, the one finding
``testing.browser.is_govuk_reveal_aria_expanded`` lets through; the test below checks
that it lets through nothing else.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import Role
from macehub.people.models import PersonAddress
from macehub.referrals.codes import ConsentStatus
from macehub.referrals.models import Referral, ReferralAddition
from macehub.referrals.tests.factories import make_referral
from macehub.testing.browser import is_govuk_reveal_aria_expanded, sign_in_as
from macehub.testing.factories import (
    make_person,
    make_school_referrer,
    make_user,
)
from macehub.tests.test_browser_pages import Scanner, assert_errors_shown, click_and_wait
from macehub.tests.test_browser_referrals_cases import fill_date, summary_value

pytestmark = pytest.mark.browser

NEW_CHILD = "test_a_school_refers_a_new_child_with_what_it_knows"
EXISTING = "test_an_existing_child_is_chosen_by_who_they_are"

SCANNED_BY: dict[str, tuple[str, ...]] = {
    "referrals:choose_child": (EXISTING,),
    "referrals:home_and_school": (NEW_CHILD,),
    "referrals:family": (NEW_CHILD,),
    "referrals:concern": (NEW_CHILD,),
    "referrals:indicators": (NEW_CHILD,),
    "referrals:check": (NEW_CHILD,),
    "referrals:cancel": (NEW_CHILD,),
    "referrals:confirmation": (NEW_CHILD,),
    "referrals:add_information": (NEW_CHILD,),
    "referrals:mine_detail": (NEW_CHILD,),
    "referrals:detail": (NEW_CHILD,),
}

FAMILY_AWARE = "Does the parent or carer know you are making this referral?"
CONSENT = "Did you ask for consent to this referral?"
MISSING = "Has the child been missing from home or care in the last 30 days?"


def _find(page: Page, given: str, family: str, born: dt.date) -> None:
    page.get_by_label("First name").fill(given)
    page.get_by_label("Last name").fill(family)
    fill_date(page.get_by_role("group", name="Date of birth"), born)
    click_and_wait(page, "button", "Continue")


@pytest.mark.django_db(transaction=True)
def test_a_school_refers_a_new_child_with_what_it_knows(
    page: Page, live_server: Any, scanner: Scanner, hub_agency: Agency, hub_team: Team
) -> None:
    referrer = make_school_referrer()
    officer = make_user("tri.age", Role.TRIAGE, agency=hub_agency, team=hub_team)
    born = dt.date(timezone.localdate().year - 14, 3, 1)
    sign_in_as(page, live_server, referrer)

    # The child: not known to the hub.
    scanner.open("/referrals/new/")
    _find(page, "Ruby", "Hale", born)
    click_and_wait(page, "button", "Continue")  # no match: a new child
    page.get_by_label("Sex").select_option(label="Female")
    click_and_wait(page, "button", "Continue")

    # Home and school: what is typed is kept when a postcode is wrong.
    assert scanner.path() == "/referrals/new/home-and-school/"
    scanner.scan("empty")
    page.get_by_label("Address line 1 (optional)").fill("4 Synthetic Close")
    page.get_by_label("Town or city (optional)").fill("Northtown")
    page.get_by_label("Postcode (optional)").fill("NT1 4A")
    page.get_by_label("School or college (optional)").fill("Northtown Academy")
    click_and_wait(page, "button", "Continue")
    assert_errors_shown(page, "Enter a real UK postcode, like LE1 6ZZ",
                        "Select the child's year group, or 'Not known'")
    expect(page.get_by_label("Address line 1 (optional)")).to_have_value("4 Synthetic Close")
    expect(page.get_by_label("Postcode (optional)")).to_have_value("NT1 4A")
    scanner.scan("a wrong postcode and no year group")
    page.get_by_label("Postcode (optional)").fill("nt1 4aa")
    page.get_by_label("Year group").select_option(label="Year 9")
    click_and_wait(page, "button", "Continue")

    # Family and consent: "Not sought" reveals why; the reason is then required.
    assert scanner.path() == "/referrals/new/family-and-consent/"
    reason = page.get_by_label("Why did you not ask for consent?")
    expect(reason).to_be_hidden()
    scanner.scan("empty, the reason hidden")
    click_and_wait(page, "button", "Continue")
    assert_errors_shown(
        page, "Select whether the parent or carer knows about the referral, or 'I do not know'",
        "Select whether you asked for consent", "Enter your phone number")
    scanner.scan("nothing answered")
    page.get_by_label("Name (optional)").fill("Sam Hale")
    page.get_by_label("Relationship to the child (optional)").fill("Father")
    page.get_by_role("group", name=FAMILY_AWARE).get_by_label("I do not know").check()
    page.get_by_role("group", name=CONSENT).get_by_label("Not sought").check()
    expect(reason).to_be_visible()
    page.get_by_label("Your phone number").fill("01632 960001")
    click_and_wait(page, "button", "Continue")
    assert_errors_shown(page, "Enter why you did not ask for consent")
    expect(page.get_by_label("Why did you not ask for consent?")).to_be_visible()
    expect(page.get_by_label("Name (optional)")).to_have_value("Sam Hale")
    scanner.scan("consent not sought with no reason, the reason shown")
    page.get_by_label("Why did you not ask for consent?").fill(
        "Her father may be involved: asking could put her at greater risk.")
    click_and_wait(page, "button", "Continue")

    # The concern, in plain words, with "I do not know".
    assert scanner.path() == "/referrals/new/the-concern/"
    kinds = page.get_by_role("group", name="What kind of exploitation do you think it is?")
    expect(kinds.get_by_label("Child-on-child (by other children or young people)")
           ).to_be_visible()
    expect(kinds).not_to_contain_text("Peer-on-peer")
    expect(kinds).not_to_contain_text("Boyfriend model")
    page.get_by_label("What happened, and why are you worried?").fill(
        "Collected from school by an older man in a different car each week.")
    page.get_by_role("group", name="What type of exploitation do you think it is?"
                     ).get_by_label("Child sexual exploitation").check()
    kinds.get_by_label("An older boyfriend or girlfriend").check()
    for question in ("Is the child at immediate risk of harm?",
                     "Has the child disclosed abuse or harm to anyone?",
                     "Has the child been involved in any sexual activity?"):
        page.get_by_role("group", name=question).get_by_label("I do not know").check()
    scanner.scan("answered with I do not know")
    click_and_wait(page, "button", "Continue")

    # Missing: "Yes" reveals the count; "I do not know" is an answer.
    assert scanner.path() == "/referrals/new/signs-of-exploitation/"
    missing = page.get_by_role("group", name=MISSING)
    missing.get_by_label("Yes", exact=True).check()
    expect(page.get_by_label("How many times?")).to_be_visible()
    click_and_wait(page, "button", "Continue")
    assert_errors_shown(page, "Enter how many times the child has been missing")
    scanner.scan("missing with no count")
    page.get_by_role("group", name=MISSING).get_by_label("I do not know").check()
    expect(page.get_by_label("How many times?")).to_be_hidden()
    click_and_wait(page, "button", "Continue")

    # Check your answers: a row, with a change link, for each new answer.
    assert scanner.path() == "/referrals/new/check-your-answers/"
    for key, value in (
        ("Address", "4 Synthetic Close, Northtown, NT1 4AA"),
        ("School or college", "Northtown Academy"), ("Year group", "Year 9"),
        ("Parent or carer", "Sam Hale"), ("Relationship to the child", "Father"),
        ("How to contact them", "Not known"), ("They know about the referral", "Not known"),
        ("Consent", "Not sought"), ("At immediate risk", "Not known"),
        ("Child has disclosed abuse or harm", "Not known"), ("Sexual activity", "Not known"),
        ("Times missing in the last 30 days", "Not known"),
        ("Kind of exploitation", "An older boyfriend or girlfriend"),
        ("Your phone number", "01632 960001"),
    ):
        expect(summary_value(page, key)).to_have_text(value)
    for key in ("Address", "Year group", "Consent", "Why consent was not asked for",
                "Your phone number", "Times missing in the last 30 days"):
        row = page.locator(".govuk-summary-list__row").filter(
            has=page.locator(".govuk-summary-list__key", has_text=key)).first
        expect(row.get_by_role("link", name=f"Change {key}")).to_be_visible()
    # The delete link: a plain link, after a section break, well below Send.
    send = page.get_by_role("button", name="Send referral")
    delete = page.get_by_role("link", name="Delete this referral and start again")
    expect(delete).to_have_class("govuk-link")
    send_box, delete_box = send.bounding_box(), delete.bounding_box()
    assert send_box is not None and delete_box is not None
    assert delete_box["y"] > send_box["y"] + send_box["height"] + 60
    assert page.locator("form").filter(has=send).filter(has=delete).count() == 0
    scanner.scan("every answer given")
    click_and_wait(page, "link", "Delete this referral and start again")
    assert scanner.path() == "/referrals/new/cancel/"
    scanner.scan("asked before deleting")
    click_and_wait(page, "link", "No, go back to my referral")
    assert scanner.path() == "/referrals/new/check-your-answers/"
    click_and_wait(page, "button", "Send referral")

    # The confirmation: when to expect a decision, and how to add more.
    assert scanner.path() == "/referrals/new/sent/"
    referral = Referral.objects.get()
    assert (referral.immediate_risk, referral.missing_episodes, referral.parent_carer_aware) == (
        None, None, None)
    assert referral.consent == ConsentStatus.NOT_SOUGHT and referral.school == "Northtown Academy"
    assert PersonAddress.objects.get(person=referral.child).postcode == "NT1 4AA"
    due = timezone.localtime(referral.decision_due_at)
    main = page.locator("main")
    expect(main).to_contain_text("Every referral is decided within one working day")
    expect(main).to_contain_text(f"expect a decision by {due.day} {due:%B %Y}")
    expect(main).to_contain_text("If you find out more")
    scanner.scan("sent, with the decision expected")
    click_and_wait(page, "link", f"Add information to referral {referral.reference}")

    # Adding information later: appended, never an edit.
    assert scanner.path() == f"/referrals/mine/{referral.pk}/add-information/"
    scanner.scan("empty")
    click_and_wait(page, "button", "Add information")
    assert_errors_shown(page, "Enter the information you want to add")
    scanner.scan("nothing typed")
    page.get_by_label("What do you want to add?").fill(
        "Ruby said the man is called 'Dee' and drives a silver hatchback.")
    click_and_wait(page, "button", "Add information")
    assert scanner.path() == f"/referrals/mine/{referral.pk}/"
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your information has been added")
    expect(main).to_contain_text("drives a silver hatchback")
    expect(summary_value(page, "Decision expected by")).to_contain_text(f"{due:%B %Y}")
    scanner.scan("with information added")
    assert ReferralAddition.objects.get().added_by == referrer

    # Triage reads it on the referral.
    sign_in_as(page, live_server, officer)
    scanner.open(f"/referrals/{referral.pk}/")
    added = page.locator("#added-information ~ .govuk-inset-text").first
    expect(added).to_contain_text("drives a silver hatchback")
    expect(added).to_contain_text(referrer.display_name)
    expect(summary_value(page, "Times missing in the last 30 days")).to_have_text("Not known")
    expect(summary_value(page, "Consent")).to_have_text("Not sought")
    expect(summary_value(page, "Referrer's phone number")).to_have_text("01632 960001")
    scanner.scan("information added by the referrer")
    scanner.assert_scanned_every_page_listed()


@pytest.mark.django_db(transaction=True)
def test_an_existing_child_is_chosen_by_who_they_are(
    page: Page, live_server: Any, scanner: Scanner
) -> None:
    referrer = make_school_referrer()
    assert referrer.agency is not None
    born = dt.date(timezone.localdate().year - 13, 6, 20)
    earlier = make_person(referrer.agency, given_name="Leo", family_name="Marsh",
                          date_of_birth=born)
    make_referral(earlier, referrer, school="Northtown Academy", year_group="year_8",
                  child_town="Northtown")
    make_person(referrer.agency, given_name="Leo", family_name="Marsh", middle_names="James",
                date_of_birth=born)
    sign_in_as(page, live_server, referrer)
    scanner.open("/referrals/new/")
    _find(page, "Leo", "Marsh", born)

    assert scanner.path() == "/referrals/new/is-this-the-child/"
    choice = page.get_by_role("group", name="Is this the child you are referring?")
    expect(choice.get_by_role("radio")).to_have_count(3)
    age = 13 if (timezone.localdate().month, timezone.localdate().day) >= (6, 20) else 12
    first = choice.locator(".govuk-radios__item").filter(has_text="Leo Marsh").filter(
        has_text="Northtown Academy")
    expect(first).to_contain_text(f"aged {age}")
    expect(first).to_contain_text("Lives in Northtown")
    expect(first).to_contain_text("School: Northtown Academy, Year 8")
    other = choice.locator(".govuk-radios__item").filter(has_text="Leo James Marsh")
    expect(other).to_contain_text("School: not known")
    scanner.scan("two possible matches with their details")
    click_and_wait(page, "button", "Continue")
    assert_errors_shown(page, "Select the child, or 'None of these – a new child'")
    scanner.scan("nothing chosen")
    first.get_by_role("radio").check()
    click_and_wait(page, "button", "Continue")
    assert scanner.path() == "/referrals/new/home-and-school/"
    scanner.assert_scanned_every_page_listed()


def test_only_govuk_frontend_s_aria_expanded_on_a_revealing_radio_is_let_through() -> None:
    def known(rule: str, html: str, summary: str) -> bool:
        node = {"html": html, "failureSummary": summary}
        return is_govuk_reveal_aria_expanded({"id": rule, "nodes": [node]}, node)

    radio = ('<input class="govuk-radios__input" id="id_consent_2" type="radio" '
             'aria-controls="conditional-id_consent_2" aria-expanded="false">')
    expanded = 'Fix all of the following:\n  ARIA attribute is not allowed: aria-expanded="false"'
    assert known("aria-allowed-attr", radio, expanded)
    plain = '<input class="govuk-radios__input" id="id_x" type="radio" aria-expanded="false">'
    assert not known("aria-allowed-attr", plain, expanded)
    other = 'Fix all of the following:\n  ARIA attribute is not allowed: aria-pressed="true"'
    assert not known("aria-allowed-attr", radio, other)
    assert not known("color-contrast", radio, expanded)
