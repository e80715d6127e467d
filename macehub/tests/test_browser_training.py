"""Training in a real browser: the training lead imports a learning system's file with
one bad row (sees the row report; nothing is imported), puts it right and imports it;
reads the compliance overview, what expires, a person's training, and enters a record
(refused first with nothing entered); anyone reads the courses and their own training; a
supervisor choosing an officer without the specialist course to investigate sees the
warning, acknowledges it with a reason and allocates.

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
from macehub.investigations import services as investigation_services
from macehub.testing.browser import fill_govuk_date as _fill_date
from macehub.testing.browser import sign_in_as
from macehub.testing.factories import make_person, make_team, make_user
from macehub.tests.test_browser_pages import Scanner, assert_errors_shown, click_and_wait
from macehub.training.models import TrainingRecord
from macehub.training.tests.factories import trained

pytestmark = pytest.mark.browser

IMPORT_TO_RECORD = "test_the_training_lead_imports_reads_compliance_and_records_training"
ALLOCATION_WARNING = "test_allocating_an_officer_without_the_specialist_course_warns"

SCANNED_BY: dict[str, tuple[str, ...]] = {
    "training:overview": (IMPORT_TO_RECORD,),
    "training:import": (IMPORT_TO_RECORD,),
    "training:expiring": (IMPORT_TO_RECORD,),
    "training:person": (IMPORT_TO_RECORD,),
    "training:record_training": (IMPORT_TO_RECORD,),
    "training:courses": (IMPORT_TO_RECORD,),
    "training:course": (IMPORT_TO_RECORD,),
    "training:add_course": (IMPORT_TO_RECORD,),
    "training:change_course": (IMPORT_TO_RECORD,),
    "training:add_requirement": (IMPORT_TO_RECORD,),
    "training:remove_requirement": (IMPORT_TO_RECORD,),
    "training:mine": (IMPORT_TO_RECORD,),
    "investigations:allocate": (ALLOCATION_WARNING,),
}
HEADER = "username or e-mail,course code,completed on,expires on,evidence\n"


def _csv(rows: str) -> dict[str, Any]:
    return {"name": "learning-system.csv", "mimeType": "text/csv",
            "buffer": (HEADER + rows).encode()}


@pytest.mark.django_db(transaction=True)
def test_the_training_lead_imports_reads_compliance_and_records_training(
    page: Page, live_server: Any, scanner: Scanner, hub_agency: Agency, hub_team: Team
) -> None:
    lead = make_user("lea.lead", Role.TRAINING_LEAD, agency=hub_agency,
                     team=make_team(hub_agency, "Learning and Development"))
    investigator = make_user("ira.investigator", Role.INVESTIGATOR, agency=hub_agency,
                             team=hub_team)
    make_user("sam.supervisor", Role.SUPERVISOR, agency=hub_agency, team=hub_team)
    today = timezone.localdate()
    long_ago = (today - dt.timedelta(days=3 * 365 - 20)).isoformat()
    success = page.locator(".govuk-notification-banner--success")
    main = page.locator("main")

    # 1. The import: one bad row, the row report, nothing imported; then put right.
    sign_in_as(page, live_server, lead)
    scanner.open("/")
    click_and_wait(page, "link", "Training", within="header")
    assert scanner.path() == "/training/"
    scanner.scan("no training recorded")
    click_and_wait(page, "link", "Import training records")
    assert scanner.path() == "/training/import/"
    scanner.scan("empty")
    page.get_by_label("Upload a CSV file").set_input_files(files=[_csv(
        f"ira.investigator,cse_awareness,{long_ago},,CERT-1\n"
        f"sam.supervisor,cse_awareness,{today.isoformat()},,CERT-2\n"
        "nobody.here,cse_awareness,2026-01-01,,\n")])
    click_and_wait(page, "button", "Import")
    expect(page.locator("#problems")).to_be_visible()
    expect(main).to_contain_text("Row 4")
    expect(main).to_contain_text("nobody.here")
    scanner.scan("a bad row")
    assert not TrainingRecord.objects.exists()
    page.get_by_label("Upload a CSV file").set_input_files(files=[_csv(
        f"ira.investigator,cse_awareness,{long_ago},,CERT-1\n"
        f"sam.supervisor,cse_awareness,{today.isoformat()},,CERT-2\n")])
    click_and_wait(page, "button", "Import")
    assert scanner.path() == "/training/"
    expect(success).to_contain_text("Imported 2 training records")
    expect(main).to_contain_text("MACE Hub")
    scanner.scan("two records imported")
    assert TrainingRecord.objects.count() == 2

    # 2. What expires: the investigator's awareness, within the notice days.
    click_and_wait(page, "link", "Training expired or expiring within 60 days")
    expect(main).to_contain_text("Child exploitation awareness")
    scanner.scan("one expiring")
    click_and_wait(page, "link", investigator.display_name)
    assert scanner.path() == f"/training/people/{investigator.pk}/"
    expect(main).to_contain_text("Achieving Best Evidence interviewing")
    scanner.scan("gaps in specialist training")

    # 3. The lead enters a record: refused with nothing entered, then saved.
    click_and_wait(page, "button", "Record training")
    assert scanner.path() == f"/training/people/{investigator.pk}/record/"
    scanner.scan("empty")
    click_and_wait(page, "button", "Save")
    assert_errors_shown(page, "Select the course", "Enter completed on")
    scanner.scan("nothing entered")
    page.get_by_label("Course").select_option(label="Specialist CSE investigation")
    _fill_date(page, "Completed on", today - dt.timedelta(days=3))
    page.get_by_label("Evidence").fill("CASE-FILE-12")
    click_and_wait(page, "button", "Save")
    expect(success).to_contain_text("Specialist CSE investigation recorded.")
    scanner.scan("a record entered")

    # 4. The courses: the lead adds one (refused first), says who must take it, takes
    # the rule away again and changes the course.
    scanner.open("/training/courses/")
    scanner.scan("the catalogue")
    click_and_wait(page, "link", "Achieving Best Evidence interviewing")
    expect(main).to_contain_text("Achieving Best Evidence interviewer")
    scanner.scan("a course")
    scanner.open("/training/courses/")
    click_and_wait(page, "button", "Add a course")
    assert scanner.path() == "/training/courses/new/"
    scanner.scan("empty")
    click_and_wait(page, "button", "Save")
    assert_errors_shown(page, "Enter the course's title", "Select the tier")
    scanner.scan("nothing entered")
    page.get_by_label("Title").fill("Online exploitation: apps and platforms")
    page.get_by_label("Frontline").check()
    page.get_by_label("How many months it holds").fill("24")
    page.get_by_label("A case's key worker").check()
    click_and_wait(page, "button", "Save")
    expect(success).to_contain_text("Online exploitation: apps and platforms added.")
    scanner.scan("just added")
    click_and_wait(page, "button", "Add who must take it")
    scanner.scan("empty")
    page.get_by_label("Role").select_option(label="Triage officer")
    click_and_wait(page, "button", "Add the rule")
    expect(success).to_contain_text("Triage officer must now take")
    click_and_wait(page, "button", "Remove: Triage officer")
    expect(success).to_contain_text("Triage officer no longer must take")
    scanner.scan("the rule taken away", page_of="training:remove_requirement")
    click_and_wait(page, "button", "Change the course")
    scanner.scan("as it is")
    page.get_by_label("Evidence expected").fill("Certificate")
    click_and_wait(page, "button", "Save")
    expect(success).to_contain_text("saved")
    sign_in_as(page, live_server, investigator)
    scanner.open("/")
    click_and_wait(page, "link", "Your training", within="header")
    assert scanner.path() == "/training/mine/"
    expect(main).to_contain_text("Specialist CSE investigation")
    scanner.scan("one's own")
    scanner.assert_scanned_every_page_listed()


@pytest.mark.django_db(transaction=True)
def test_allocating_an_officer_without_the_specialist_course_warns(
    page: Page, live_server: Any, scanner: Scanner, hub_agency: Agency, hub_team: Team
) -> None:
    trained_officer = make_user("tom.trained", Role.INVESTIGATOR, agency=hub_agency,
                                team=hub_team)
    untrained = make_user("una.untrained", Role.INVESTIGATOR, agency=hub_agency,
                          team=hub_team)
    supervisor = make_user("sam.supervisor", Role.SUPERVISOR, agency=hub_agency,
                           team=hub_team)
    trained(trained_officer, "cse_specialist_investigation",
            timezone.localdate() - dt.timedelta(days=100))
    child = make_person(hub_agency, given_name="Lily", family_name="Marsh",
                        date_of_birth=dt.date(2011, 9, 4))
    suspect = make_person(hub_agency, given_name="Dean", family_name="Carver",
                          date_of_birth=dt.date(1989, 2, 11), sex="male")
    investigation = investigation_services.record_investigation(
        actor=trained_officer, title="Operation Larkspur", reported_on=timezone.localdate(),
        crime=investigation_services.CrimeDetails("71"), victim_pks=[child.pk],
        suspect_pks=[suspect.pk])
    main = page.locator("main")

    sign_in_as(page, live_server, supervisor)
    scanner.open(f"/investigations/{investigation.pk}/allocate/")
    page.get_by_label("Officer in the case").select_option(label=untrained.display_name)
    page.get_by_label("Supervisor").select_option(label=supervisor.display_name)
    click_and_wait(page, "button", "Allocate")
    expect(main.locator(".govuk-warning-text")).to_contain_text(
        "Specialist CSE investigation")
    expect(page.get_by_label("Officer in the case")).to_have_value(str(untrained.pk))
    scanner.scan("the officer lacks the specialist course")
    page.get_by_label("I understand they have not completed this training").check()
    page.get_by_label("Why are you going ahead without the training?").fill(
        "The only officer free tonight; the course is booked.")
    click_and_wait(page, "button", "Allocate")
    assert scanner.path() == f"/investigations/{investigation.pk}/"
    investigation.refresh_from_db()
    assert investigation.officer_in_case == untrained
    scanner.assert_scanned_every_page_listed()
