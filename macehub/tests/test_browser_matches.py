"""Reviewing possible duplicate records in a real browser, as an analyst does: the queue
of pairs the matching model proposes as one person, the likeliest first; a pair side by
side with the model's evidence, field by field; a decision refused without a reason,
then recorded, after which the pair is not proposed again.

Every page on the way, the error state included, is scanned with axe-core against WCAG
2.2 AA and loads without asset, console or script errors (``Scanner`` from
``test_browser_pages``, whose ``SCANNED_BY`` names the test here that scans each page).
All names are made up.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import Role
from macehub.people import background_jobs
from macehub.people.codes import MatchDecision
from macehub.people.models import MatchCandidate, MatchRun, Person, PersonAddress
from macehub.testing.browser import browser_login
from macehub.testing.factories import make_person, make_user
from macehub.tests.test_browser_pages import Scanner, assert_errors_shown, click_and_wait

pytestmark = pytest.mark.browser

REASON = ("Different NHS numbers on the GP records, and the school confirms they are two "
          "pupils in different year groups.")


# --- Data ------------------------------------------------------------------------------


def evidence(field: str, label: str, agreement: str, left: str, right: str,
             weight: float) -> dict[str, Any]:
    return {"field": field, "label": label, "agreement": agreement, "left": left,
            "right": right, "weight": weight}


def recorded(agency: Agency, given_name: str, family_name: str, born: dt.date, sex: str,
             postcode: str) -> Person:
    person = make_person(agency, given_name=given_name, family_name=family_name,
                         date_of_birth=born, sex=sex)
    PersonAddress.objects.create(person=person, line_1="1 Example Street", town="Exampleton",
                                 postcode=postcode)
    return person


def propose(run: MatchRun, one: Person, other: Person, probability: float,
            match_weight: float, fields: list[dict[str, Any]]) -> MatchCandidate:
    first, second = sorted((one, other), key=lambda person: person.pk)
    return MatchCandidate.objects.create(first=first, second=second, run=run,
                                         probability=probability, match_weight=match_weight,
                                         evidence=fields)


def two_proposed_pairs(agency: Agency) -> tuple[MatchCandidate, MatchCandidate]:
    """Two pairs the model proposes: Ellis Varnham twice (the likelier), and Noor and
    Nour Castellan."""
    now = timezone.now()
    run = MatchRun.objects.create(
        started_at=now - dt.timedelta(minutes=2), finished_at=now, engine="duckdb",
        records=4, threshold=0.8, recommended_threshold=0.8, pairs_found=2,
        pairs_proposed=2, model={})
    ellis = recorded(agency, "Ellis", "Varnham", dt.date(2010, 4, 12), "male", "ZX1 4QT")
    ellis_again = recorded(agency, "Elis", "Varnham", dt.date(2010, 4, 12), "male",
                           "ZX1 4QT")
    noor = recorded(agency, "Noor", "Castellan", dt.date(2011, 9, 3), "female", "ZX9 2LW")
    nour = recorded(agency, "Nour", "Castellan", dt.date(2011, 9, 3), "female", "ZX9 8PD")
    likelier = propose(run, ellis, ellis_again, 0.991, 6.8, [
        evidence("given_name", "Spelt almost the same", "partly", "ellis", "elis", 3.1),
        evidence("family_name", "The same", "agrees", "varnham", "varnham", 5.2),
        evidence("date_of_birth", "The same", "agrees", "2010-04-12", "2010-04-12", 6.4),
        evidence("sex", "The same", "agrees", "male", "male", 0.9),
        evidence("postcode", "The same", "agrees", "ZX1 4QT", "ZX1 4QT", 4.7),
        evidence("nhs_number", "Missing from one or both", "missing", "", "", 0.0),
    ])
    other = propose(run, noor, nour, 0.874, 2.8, [
        evidence("given_name", "Spelt alike", "partly", "noor", "nour", 2.4),
        evidence("family_name", "The same", "agrees", "castellan", "castellan", 5.6),
        evidence("date_of_birth", "The same", "agrees", "2011-09-03", "2011-09-03", 6.4),
        evidence("sex", "The same", "agrees", "female", "female", 0.9),
        evidence("postcode", "All other comparisons", "differs", "ZX9 2LW", "ZX9 8PD", -3.9),
        evidence("nhs_number", "Missing from one or both", "missing", "", "", 0.0),
    ])
    return likelier, other


def pairs_table(page: Page) -> Locator:
    return page.locator("main").get_by_role("table")


# --- The journey -----------------------------------------------------------------------


def test_reviewing_a_possible_duplicate(
    page: Page, scanner: Scanner, live_server: Any, hub_agency: Agency, hub_team: Team,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    """The queue, a pair, a decision without a reason refused, then recorded: the pair
    leaves the queue, and the decision, the reason and who made it are saved."""
    likelier, other = two_proposed_pairs(hub_agency)
    analyst = make_user("avery.analyst", Role.ANALYST, agency=hub_agency, team=hub_team)
    browser_login(page, live_server, analyst)

    # The queue: both pairs, the likelier first.
    scanner.open("/people/matches/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Possible duplicate records")
    expect(page.locator("#pairs-heading")).to_have_text("Waiting for a decision: 2 pairs")
    rows = pairs_table(page).locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Ellis Varnham")
    expect(rows.nth(0)).to_contain_text("Elis Varnham")
    expect(rows.nth(0)).to_contain_text("99.1%")
    expect(rows.nth(1)).to_contain_text("Noor Castellan")
    expect(rows.nth(1)).to_contain_text("87.4%")
    tabs = page.locator("nav[aria-label='Pairs by decision']")
    expect(tabs.get_by_role("link", name="Waiting for a decision")).to_have_attribute(
        "aria-current", "page")
    scanner.scan("two pairs waiting for a decision")
    first, second = likelier.first.full_name, likelier.second.full_name
    with page.expect_navigation():
        rows.nth(0).get_by_role("link", name=f"Review {first} and {second}",
                                exact=True).click()

    # The pair side by side, with the evidence.
    assert scanner.path() == f"/people/matches/{likelier.pk}/"
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are these records the same person?")
    expect(page.get_by_role("heading", name="First record", level=2)).to_be_visible()
    expect(page.get_by_role("heading", name="Second record", level=2)).to_be_visible()
    evidence_table = page.locator("table").filter(has_text="The evidence, field by field")
    expect(evidence_table.locator("tbody tr")).to_have_count(6)
    expect(evidence_table).to_contain_text("Spelt almost the same")
    expect(evidence_table).to_contain_text("Close")
    expect(evidence_table).to_contain_text("Not recorded")
    decision = page.get_by_role("group", name="Your decision")
    expect(decision.get_by_role("radio")).to_have_count(3)
    scanner.scan("a pair waiting for a decision")

    # "Different people", with no reason: refused, the choice kept.
    decision.get_by_label("No, different people").check()
    click_and_wait(page, "button", "Save decision")
    assert scanner.path() == f"/people/matches/{likelier.pk}/"
    reason_error = "Enter what shows these are different people"
    assert_errors_shown(page, reason_error)
    expect(page.locator(".govuk-error-summary").get_by_role(
        "link", name=reason_error, exact=True)).to_have_attribute("href", "#id_reason")
    expect(decision.get_by_label("No, different people")).to_be_checked()
    likelier.refresh_from_db()
    assert likelier.decision == MatchDecision.UNDECIDED
    scanner.scan("a decision without a reason")
    page.locator(".govuk-error-summary").get_by_role(
        "link", name=reason_error, exact=True).click()
    expect(page.get_by_label("Why", exact=True)).to_be_focused()

    # With a reason: recorded, and the pair leaves the queue.
    page.get_by_label("Why", exact=True).fill(REASON)
    click_and_wait(page, "button", "Save decision")
    assert scanner.path() == "/people/matches/"
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Recorded: different people. This pair will not be proposed again.")
    expect(page.locator("#pairs-heading")).to_have_text("Waiting for a decision: 1 pair")
    rows = pairs_table(page).locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_contain_text(other.first.full_name)
    expect(pairs_table(page)).not_to_contain_text("Varnham")
    scanner.scan("one pair left, after a decision")

    likelier.refresh_from_db()
    assert likelier.decision == MatchDecision.NOT_SAME
    assert likelier.reason == REASON
    assert likelier.decided_by == analyst
    assert likelier.decided_at is not None
    other.refresh_from_db()
    assert other.decision == MatchDecision.UNDECIDED

    # Nothing marked "not sure".
    click_and_wait(page, "link", "Not sure", within="nav[aria-label='Pairs by decision']")
    assert scanner.path() == "/people/matches/"
    expect(page.locator("#pairs-heading")).to_have_text("Not sure: 0 pairs")
    expect(page.get_by_text("No pairs here.")).to_be_visible()
    expect(page.locator("main table")).to_have_count(0)
    scanner.scan("no pairs marked not sure")

    # A matching run asked for from the queue (the model stood in for: its own tests run
    # it), followed on its page, which leads back to the queue and its new pair.
    def model(*, actor: Any, progress: Any) -> tuple[MatchRun, None]:
        progress("Keeping the pairs for review", 85)
        now = timezone.now()
        run = MatchRun.objects.create(
            started_at=now, finished_at=now, run_by=actor, engine="duckdb", records=6,
            threshold=0.8, recommended_threshold=0.8, pairs_found=1, pairs_proposed=1,
            model={})
        propose(run, recorded(hub_agency, "Sami", "Okonjo", dt.date(2012, 1, 5), "male",
                              "ZX3 1AB"),
                recorded(hub_agency, "Samy", "Okonjo", dt.date(2012, 1, 5), "male",
                         "ZX3 1AB"), 0.95, 5.0, [])
        return run, None

    monkeypatch.setattr(background_jobs, "propose_matches", model)
    click_and_wait(page, "button", "Look for new matches")
    expect(page.get_by_role("heading", name="Done")).to_be_visible()
    scanner.scan("a matching run, done", page_of="people:find_matches")
    scanner.scan("a matching run, done")
    click_and_wait(page, "link",
                   "1 new pair proposed (1 from this run waiting for a decision): review them")
    assert scanner.path() == "/people/matches/"
    expect(pairs_table(page)).to_contain_text("Samy Okonjo")
    assert not Person.objects.filter(merged_into__isnull=False).exists()
    scanner.assert_scanned_every_page_listed()


def test_merging_and_unmerging_a_duplicate(
    page: Page, scanner: Scanner, live_server: Any, hub_agency: Agency, hub_team: Team
) -> None:
    """A pair decided to be one person, merged into the record chosen (refused first
    without a choice, what was typed kept), the merged record pointing to the kept one;
    then the merge undone (refused first without a reason)."""
    _likelier, pair = two_proposed_pairs(hub_agency)
    kept, merged = pair.first, pair.second
    analyst = make_user("avery.analyst", Role.ANALYST, agency=hub_agency, team=hub_team)
    browser_login(page, live_server, analyst)

    # Decided the same person: the page offers the merge.
    scanner.open(f"/people/matches/{pair.pk}/")
    page.get_by_role("group", name="Your decision").get_by_label(
        "Yes, the same person").check()
    page.get_by_label("Why", exact=True).fill("Same date of birth; the school spelt the "
                                               "name two ways.")
    click_and_wait(page, "button", "Save decision")
    assert scanner.path() == f"/people/matches/{pair.pk}/"
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Recorded: the same person.")
    keep = page.get_by_role("group", name="Which record do you want to keep?")
    expect(keep.get_by_role("radio")).to_have_count(2)
    scanner.scan("a pair decided to be one person, ready to merge")

    # No record chosen: refused, the reason kept.
    page.get_by_label("Why are you merging these records?").fill("One child, two spellings")
    click_and_wait(page, "button", "Merge records")
    assert scanner.path() == f"/people/matches/{pair.pk}/merge/"
    assert_errors_shown(page, "Select which record to keep")
    expect(page.get_by_label("Why are you merging these records?")).to_have_value(
        "One child, two spellings")
    scanner.scan("a merge without a record chosen")

    keep.get_by_label(f"First record: {kept.full_name}", exact=False).check()
    click_and_wait(page, "button", "Merge records")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{merged.full_name} merged into {kept.full_name}")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "has been merged into")
    moved = page.locator("table").filter(has_text="What moved to the record kept")
    expect(moved).to_contain_text("Person addresses")
    scanner.scan("a merge")
    merge_path = scanner.path()

    # The merged record says where everything went.
    scanner.open(f"/people/{merged.pk}/")
    banner = page.locator(".govuk-notification-banner")
    expect(banner).to_contain_text("This record has been merged into")
    expect(banner.get_by_role("link", name=f"{kept.full_name} (record {kept.pk})")).to_be_visible()
    scanner.scan("a record merged into another")

    # Undo: refused without a reason, then done.
    scanner.open(merge_path)
    click_and_wait(page, "button", "Undo the merge")
    assert_errors_shown(page, "Enter why this merge is being undone")
    scanner.scan("undoing a merge without a reason")
    page.get_by_label("Why are you undoing this merge?").fill(
        "The GP confirms these are two children")
    click_and_wait(page, "button", "Undo the merge")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The merge has been undone")
    expect(page.locator("main")).to_contain_text("Undone")
    expect(page.get_by_role("button", name="Undo the merge")).to_have_count(0)
    scanner.scan("a merge undone")
    merged.refresh_from_db()
    assert merged.merged_into_id is None
    assert PersonAddress.objects.filter(person=merged).count() == 1
    scanner.assert_scanned_every_page_listed()
