"""Importing a partner system's file in a real browser: a triage officer opens the
imports from the navigation, records the partner's mapping (refused first with nothing
entered), uploads a file with bad rows (refused whole, each problem by row and column),
then a good file, and reads the import's report; an import still under way shows its
progress bar.

Every page on the way, error states included, is scanned with axe-core against WCAG 2.2
AA (``Scanner`` from ``test_browser_pages``; ``SCANNED_BY`` names the test that scans
each page here). All agencies and people are made up.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import AgencyKind, Role
from macehub.people.models import Person
from macehub.referrals.models import PartnerImport, PartnerMapping
from macehub.referrals.tests.test_partner_imports import BAD_ROWS, HEADER, csv_bytes, nhs_number
from macehub.testing.browser import sign_in_as
from macehub.testing.factories import make_agency, make_person, make_user
from macehub.tests.test_browser_pages import Scanner, assert_errors_shown, click_and_wait

pytestmark = pytest.mark.browser

IMPORTING = "test_mapping_a_partner_file_and_importing_it"

SCANNED_BY: dict[str, tuple[str, ...]] = {
    "referrals:partner_import": (IMPORTING,),
    "referrals:partner_import_job": (IMPORTING,),
    "referrals:partner_mappings": (IMPORTING,),
    "referrals:partner_mapping_new": (IMPORTING,),
    "referrals:partner_mapping": (IMPORTING,),
}


@pytest.mark.django_db(transaction=True)
def test_mapping_a_partner_file_and_importing_it(
    page: Page, live_server: Any, scanner: Scanner, hub_agency: Agency, hub_team: Team
) -> None:
    triage = make_user("tara.triage", Role.TRIAGE, agency=hub_agency, team=hub_team)
    make_agency("eastshire-trust", AgencyKind.HEALTH, name="Eastshire Health Trust")
    for given, family in (("Amelia", "Hughes"), ("Noah", "Fenwick"), ("Isla", "Ashdown")):
        make_person(hub_agency, given_name=given, family_name=family)
    main = page.locator("main")
    success = page.locator(".govuk-notification-banner--success")

    # 1. The partner's mapping, from the imports page.
    sign_in_as(page, live_server, triage)
    scanner.open("/")
    click_and_wait(page, "link", "Partner imports", within="header")
    assert scanner.path() == "/referrals/partner-imports/"
    scanner.scan("no imports yet")
    click_and_wait(page, "link", "Partners' file mappings")
    expect(main).to_contain_text("No mappings yet.")
    scanner.scan("no mappings")
    click_and_wait(page, "button", "Add a mapping")
    scanner.scan("empty")
    click_and_wait(page, "button", "Save the mapping")
    assert_errors_shown(page, "Select the partner agency", "Enter a name for the mapping",
                        "Select what the partner's file holds")
    scanner.scan("nothing entered")
    page.get_by_label("Partner agency").select_option(label="Eastshire Health Trust")
    page.get_by_label("Name of the mapping").fill("CarePoint children")
    page.get_by_label("Children", exact=True).check()
    for label, heading in (("The partner's record id", "Client Ref"),
                           ("Given name", "Forename"), ("Family name", "Surname"),
                           ("Date of birth", "DOB"), ("Sex", "Gender"),
                           ("Ethnicity (self-defined)", "Ethnic Code"),
                           ("NHS number", "NHS No"), ("Postcode", "Postcode")):
        page.get_by_label(label, exact=True).fill(heading)
    page.get_by_label("The partner's values for sex").fill("F = female\nM = male\nU = not_known")
    page.get_by_label("The partner's values for ethnicity (self-defined)").fill(
        "WBRI = W1\nAPKN = A2")
    click_and_wait(page, "button", "Save the mapping")
    expect(success).to_contain_text("The mapping CarePoint children is saved.")
    mapping = PartnerMapping.objects.get()
    assert mapping.translations["sex"] == {"F": "female", "M": "male", "U": "not_known"}
    click_and_wait(page, "link", "CarePoint children")
    assert scanner.path() == f"/referrals/partner-imports/mappings/{mapping.pk}/"
    scanner.scan("change")

    # 2. A file with bad rows is refused whole, each problem by row and column.
    scanner.open("/referrals/partner-imports/")
    page.get_by_label("Mapping").select_option(label=str(mapping))
    page.get_by_label("The partner's file").set_input_files(
        {"name": "children.csv", "mimeType": "text/csv", "buffer": csv_bytes(BAD_ROWS)})
    click_and_wait(page, "button", "Check and import")
    assert_errors_shown(page, "children.csv was not imported: 8 problems found, listed below")
    expect(page.locator("#refused")).to_contain_text("is empty: family name is needed")
    scanner.scan("file refused")
    assert not PartnerImport.objects.exists()

    # 3. A good file is imported; its report.
    people = Person.objects.count()
    good = [["G1", "Amelia", "Hughes", "2011-03-14", "F", "WBRI", nhs_number(5), "LE1 6ZZ"],
            ["G2", "Oscar", "Whitfield", "2012-08-30", "M", "APKN", "", ""]]
    page.get_by_label("Mapping").select_option(label=str(mapping))
    page.get_by_label("The partner's file").set_input_files(
        {"name": "children.csv", "mimeType": "text/csv", "buffer": csv_bytes(good, HEADER)})
    click_and_wait(page, "button", "Check and import")
    job = PartnerImport.objects.get()
    assert scanner.path() == f"/referrals/partner-imports/{job.pk}/"
    expect(success).to_contain_text("children.csv: all 2 rows are ready")
    expect(main).to_contain_text("2 rows imported")
    assert Person.objects.count() == people + 2
    scanner.scan("imported")

    # 4. An import still under way shows how far it has got.
    waiting = PartnerImport.objects.create(
        mapping=mapping, requested_by=triage, requested_at=timezone.now(),
        file_name="later.csv", rows_total=4, rows_done=1, status="running",
        stage="Recording the rows")
    scanner.open(f"/referrals/partner-imports/{waiting.pk}/")
    expect(page.locator("progress")).to_have_attribute("value", "25")
    expect(main).to_contain_text("1 of 4 rows")
    scanner.scan("under way")
