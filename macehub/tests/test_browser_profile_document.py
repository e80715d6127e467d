"""The problem profile in a real browser: the analyst reads the live patterns (for the
force, then a district), records a group's exploitation model, starts a profile (refused
first with nothing entered), writes a section's assessment and recommendations; the
senior leader publishes it and reads both versions, downloading each as a PDF.

Every page on the way, error states included, is scanned with axe-core against WCAG 2.2
AA (``Scanner`` from ``test_browser_pages``; ``SCANNED_BY`` names the test that scans
each page here). The data are the planted set of ``profile/tests/planted.py``; all names
are made up.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from macehub.accounts.models import Agency, Team
from macehub.networks.models import Group
from macehub.profile.models import ProblemProfile
from macehub.profile.tests.planted import PERIOD, PLANTED_PREMISES, plant
from macehub.testing.browser import fill_govuk_date, sign_in_as
from macehub.tests.test_browser_pages import Scanner, assert_errors_shown, click_and_wait
from macehub.tests.test_browser_performance_equality import prepared_pdf

pytestmark = pytest.mark.browser

PATTERNS_TO_PUBLISHED = "test_patterns_then_a_profile_drafted_published_and_read"

PREPARE = "Prepare this version as a PDF"
SCANNED_BY: dict[str, tuple[str, ...]] = {
    "profile:patterns": (PATTERNS_TO_PUBLISHED,),
    "profile:documents": (PATTERNS_TO_PUBLISHED,),
    "profile:new": (PATTERNS_TO_PUBLISHED,),
    "profile:draft": (PATTERNS_TO_PUBLISHED,),
    "profile:edit_section": (PATTERNS_TO_PUBLISHED,),
    "profile:publish": (PATTERNS_TO_PUBLISHED,),
    "profile:published_restricted": (PATTERNS_TO_PUBLISHED,),
    "profile:published_partnership": (PATTERNS_TO_PUBLISHED,),
    # POST only: drawn in the background; the job's page is scanned, its file downloaded
    "profile:restricted_pdf": (PATTERNS_TO_PUBLISHED,),
    "profile:partnership_pdf": (PATTERNS_TO_PUBLISHED,),
    "audit:requested_job": (PATTERNS_TO_PUBLISHED,),
    "audit:requested_job_file": (PATTERNS_TO_PUBLISHED,),
    "networks:group_exploitation_model": (PATTERNS_TO_PUBLISHED,),
}


@pytest.mark.django_db(transaction=True)
def test_patterns_then_a_profile_drafted_published_and_read(
    page: Page, live_server: Any, scanner: Scanner, hub_agency: Agency, hub_team: Team
) -> None:
    planted = plant(hub_agency, hub_team)
    main = page.locator("main")

    # 1. The analyst reads the patterns for March 2025, then for Northtown.
    sign_in_as(page, live_server, planted.analyst)
    scanner.open("/profile/patterns/?start_day=1&start_month=3&start_year=2025"
                 "&end_day=31&end_month=3&end_year=2025")
    expect(page.get_by_role("heading", level=1)).to_have_text("Patterns")
    expect(page.get_by_role("table", name="Missing episodes by day and time the child "
                                          "went missing")).to_be_visible()
    scanner.scan("whole force")
    page.get_by_label("Area", exact=True).select_option(label="Northtown (district)")
    click_and_wait(page, "button", "Show patterns")
    expect(main).to_contain_text("Northtown")
    scanner.scan("a district")

    # 2. She records how a confirmed group exploits children: it is counted in the
    # patterns' table of groups by model.
    group = Group.objects.get(reference="GRP-P1")
    scanner.open(f"/networks/groups/{group.pk}/exploitation-model/")
    scanner.scan("not recorded")
    page.get_by_label("Taken or invited to parties where children are abused").check()
    click_and_wait(page, "button", "Save the exploitation model")
    group.refresh_from_db()
    assert group.exploitation_model == "party"

    # 3. She starts a profile: refused with nothing entered, then started.
    scanner.open("/profile/documents/")
    scanner.scan("no profiles")
    click_and_wait(page, "button", "Start a new profile")
    scanner.scan("empty")
    click_and_wait(page, "button", "Start the draft")
    assert_errors_shown(page, "Enter a title for the profile",
                        "Enter the date the profile starts from")
    scanner.scan("nothing entered")
    page.get_by_label("Title").fill("Testshire profile, March 2025")
    fill_govuk_date(page, "From", PERIOD.start)
    fill_govuk_date(page, "To", PERIOD.end)
    click_and_wait(page, "button", "Start the draft")
    expect(page.get_by_role("heading", level=1)).to_have_text("Testshire profile, March 2025")
    expect(main).to_contain_text(PLANTED_PREMISES[0])
    scanner.scan("a new draft")

    # 4. She writes the venues section.
    click_and_wait(page, "link", "Write the assessment and recommendations for Venues")
    scanner.scan("empty")
    page.get_by_label("Assessment").fill(f"{PLANTED_PREMISES[0]} is linked to most reports.")
    page.get_by_label("Recommendations").fill("Hotel guest-information notices.")
    click_and_wait(page, "button", "Save")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Venues")
    scanner.scan("a section written")

    # 5. The senior leader publishes it.
    profile = ProblemProfile.objects.get()
    sign_in_as(page, live_server, planted.leader)
    scanner.open("/profile/documents/")
    scanner.scan("a draft to publish")
    click_and_wait(page, "link", "Testshire profile, March 2025")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Publish Testshire profile, March 2025?")
    scanner.scan("the draft as it stands")
    click_and_wait(page, "button", "Publish and freeze")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Published")
    expect(main).to_contain_text(PLANTED_PREMISES[0])
    scanner.scan("restricted")
    assert prepared_pdf(page, scanner, "the restricted PDF, drawn",
                        "profile:restricted_pdf", PREPARE).startswith(b"%PDF")
    page.go_back()  # to the restricted version
    click_and_wait(page, "link", "Read the partnership version")
    expect(main).to_contain_text("[c]")
    expect(main).not_to_contain_text(PLANTED_PREMISES[0])
    scanner.scan("partnership")
    assert prepared_pdf(page, scanner, "the partnership PDF, drawn",
                        "profile:partnership_pdf", PREPARE).startswith(b"%PDF")
    assert ProblemProfile.objects.get(pk=profile.pk).is_published
    scanner.assert_scanned_every_page_listed()
