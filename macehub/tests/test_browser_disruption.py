"""The disruption register in a real browser: the investigator records a Child Abduction
Warning Notice on a suspect from his person page (refused first with nothing entered),
protecting the child the intelligence names; records a breach (refused first); the
supervisor moves it on; the analyst finds it in the register and opens "Do disruptions
work?"; an administrator adds a tactic.

Every page on the way, error states included, is scanned with axe-core against WCAG 2.2
AA (``Scanner`` from ``test_browser_pages``; ``SCANNED_BY`` names the test that scans
each page here). All names are made up.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import Role
from macehub.disruption.models import Disruption, Tactic
from macehub.intelligence.tests.factories import link, make_report
from macehub.testing.browser import fill_govuk_date as _fill_date
from macehub.testing.browser import sign_in_as
from macehub.testing.factories import make_person, make_user
from macehub.tests.test_browser_pages import Scanner, assert_errors_shown, click_and_wait

pytestmark = pytest.mark.browser

CAWN_TO_EFFECTIVENESS = "test_a_cawn_on_a_suspect_then_a_breach_then_whether_it_works"

SCANNED_BY: dict[str, tuple[str, ...]] = {
    "disruption:register": (CAWN_TO_EFFECTIVENESS,),
    "disruption:record": (CAWN_TO_EFFECTIVENESS,),
    "disruption:detail": (CAWN_TO_EFFECTIVENESS,),
    "disruption:record_breach": (CAWN_TO_EFFECTIVENESS,),
    "disruption:change_status": (CAWN_TO_EFFECTIVENESS,),
    "disruption:change_lead_officer": (CAWN_TO_EFFECTIVENESS,),
    "disruption:effectiveness": (CAWN_TO_EFFECTIVENESS,),
    "disruption:tactics": (CAWN_TO_EFFECTIVENESS,),
    "disruption:add_tactic": (CAWN_TO_EFFECTIVENESS,),
}


@pytest.mark.django_db(transaction=True)
def test_a_cawn_on_a_suspect_then_a_breach_then_whether_it_works(
    page: Page, live_server: Any, scanner: Scanner, hub_agency: Agency, hub_team: Team
) -> None:
    investigator = make_user("ira.investigator", Role.INVESTIGATOR, agency=hub_agency,
                             team=hub_team)
    supervisor = make_user("sam.supervisor", Role.SUPERVISOR, agency=hub_agency, team=hub_team)
    analyst = make_user("ana.analyst", Role.ANALYST, agency=hub_agency, team=hub_team)
    admin = make_user("ada.admin", Role.ADMINISTRATOR, agency=hub_agency, team=hub_team)
    child = make_person(hub_agency, given_name="Lily", family_name="Marsh",
                        date_of_birth=dt.date(2011, 9, 4))
    suspect = make_person(hub_agency, given_name="Dean", family_name="Carver",
                          date_of_birth=dt.date(1989, 2, 11), sex="male")
    for days in (60, 40, 20):
        report = make_report(hub_team, analyst, received_at=timezone.now()
                             - dt.timedelta(days=days))
        link(report, suspect)
        link(report, child, role="victim")
    today = timezone.localdate()
    success = page.locator(".govuk-notification-banner--success")
    main = page.locator("main")

    # 1. The investigator records a CAWN from the suspect's page.
    sign_in_as(page, live_server, investigator)
    scanner.open(f"/disruption/new/?kind=person&target={suspect.pk}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a disruption")
    scanner.scan("empty")
    click_and_wait(page, "button", "Record the disruption")
    assert_errors_shown(page, "Select the tactic", "Select where it stands")
    scanner.scan("nothing entered")
    assert not Disruption.objects.exists()
    page.get_by_label("Tactic").select_option(label="Child Abduction Warning Notice")
    page.get_by_label("Served", exact=True).check()
    _fill_date(page, "Date granted or served", today)
    page.get_by_label("Lily Marsh").check()
    click_and_wait(page, "button", "Record the disruption")
    disruption = Disruption.objects.get()
    assert scanner.path() == f"/disruption/{disruption.pk}/"
    expect(success).to_contain_text(f"{disruption.reference} recorded.")
    expect(main).to_contain_text("Person: Dean Carver")
    expect(main).to_contain_text("Lily Marsh")
    scanner.scan("just recorded")

    # 2. A breach: refused with nothing entered, then recorded.
    click_and_wait(page, "button", "Record a breach")
    assert scanner.path() == f"/disruption/{disruption.pk}/breach/"
    scanner.scan("empty")
    click_and_wait(page, "button", "Save")
    assert_errors_shown(page, "Enter the date of the breach", "Enter what happened",
                        "Enter the action taken")
    scanner.scan("nothing entered")
    _fill_date(page, "Date of the breach", today)
    page.get_by_label("What happened").fill("Seen with Lily outside a takeaway at 11pm.")
    page.get_by_label("Action taken").fill("Arrested and interviewed.")
    click_and_wait(page, "button", "Save")
    expect(success).to_contain_text("Breach recorded")
    expect(main).to_contain_text("Seen with Lily outside a takeaway at 11pm.")
    scanner.scan("breached")
    expect(main).to_contain_text(investigator.display_name)
    click_and_wait(page, "link", "Change Lead officer")
    assert scanner.path() == f"/disruption/{disruption.pk}/lead-officer/"
    scanner.scan("the recorder leads it")
    page.get_by_label("Lead officer").select_option(label=supervisor.display_name)
    click_and_wait(page, "button", "Save")
    expect(success).to_contain_text(f"now led by {supervisor.display_name}")
    disruption.refresh_from_db()
    assert disruption.lead_officer == supervisor

    # 3. The supervisor finds it in the register and moves it on.
    sign_in_as(page, live_server, supervisor)
    scanner.open("/")
    click_and_wait(page, "link", "Disruption", within="header")
    assert scanner.path() == "/disruption/"
    expect(main).to_contain_text(disruption.reference)
    scanner.scan("one disruption")
    click_and_wait(page, "link", disruption.reference)
    click_and_wait(page, "button", "Update where it stands")
    assert scanner.path() == f"/disruption/{disruption.pk}/status/"
    scanner.scan("empty")
    click_and_wait(page, "button", "Save")
    assert_errors_shown(page, "Select what has happened", "Enter the date")
    scanner.scan("nothing entered")

    # 4. The analyst opens "Do disruptions work?": the counts before, too few to say.
    sign_in_as(page, live_server, analyst)
    scanner.open("/disruption/")
    click_and_wait(page, "link", "Do disruptions work?")
    assert scanner.path() == "/disruption/effectiveness/"
    expect(main).to_contain_text("Too few to say")
    expect(main).to_contain_text("1 of 1 (too few for a rate)")
    scanner.scan("one CAWN, breached")
    scanner.open("/disruption/")
    click_and_wait(page, "link", "Tactics")
    expect(main).to_contain_text("Sexual Offences Act 2003 s.122A")
    scanner.scan("the tactics")

    # 5. An administrator adds a tactic.
    sign_in_as(page, live_server, admin)
    scanner.open("/disruption/tactics/")
    click_and_wait(page, "button", "Add a tactic")
    assert scanner.path() == "/disruption/tactics/new/"
    scanner.scan("empty")
    click_and_wait(page, "button", "Add the tactic")
    assert_errors_shown(page, "Enter the tactic's name", "Enter its legal basis")
    scanner.scan("nothing entered")
    page.get_by_label("Name").fill("Parking enforcement")
    page.get_by_label("Legal basis").fill("Traffic Management Act 2004")
    page.get_by_label("Vehicle").check()
    page.get_by_label("Kind of agency that leads it").select_option(label="Local authority")
    page.get_by_role("group", name="Does it expire?").get_by_label("No").check()
    click_and_wait(page, "button", "Add the tactic")
    expect(success).to_contain_text("Parking enforcement added.")
    scanner.scan("added")
    assert Tactic.objects.filter(name="Parking enforcement").exists()
    scanner.assert_scanned_every_page_listed()
