"""Linking a partner's list in a real browser, as an analyst does: a list that cannot be
read refused with its problem (what was chosen kept), a list linked against the hub's
people, the job's page following a job while it runs (its stage and progress bar updated
by the page itself, then the pairs once it ends) and the pairs downloaded.

Every page on the way is scanned with axe-core against WCAG 2.2 AA (``Scanner`` from
``test_browser_pages``). All names are made up.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from macehub.accounts.models import User
from macehub.people.codes import LinkJobStatus
from macehub.people.models import LinkJob, Person
from macehub.people.tests.test_link_records import roll_of, write
from macehub.testing.browser import browser_login
from macehub.tests.test_browser_pages import Scanner, assert_errors_shown, click_and_wait

pytestmark = pytest.mark.browser


def test_linking_a_partners_list(page: Page, scanner: Scanner, live_server: Any,
                                 small_demo: None, tmp_path: Path) -> None:
    analyst = User.objects.get(username="analyst.police")
    browser_login(page, live_server, analyst)
    people = list(Person.objects.filter(is_restricted=False).order_by("pk")[:50])

    scanner.open("/people/link-lists/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Link a list of people")
    scanner.scan("the form")

    # A list without a family_name column: refused, with the problem.
    bad = write(tmp_path / "roll-without-names.csv", [["R1", "Ada"]],
                header=["rec_id", "given_name"])
    page.get_by_label("The list to link").set_input_files(str(bad))
    click_and_wait(page, "button", "Start linking")
    assert_errors_shown(page, "roll-without-names.csv: Row 1, column \"family_name\": no "
                              "column headed 'family_name': the list needs given_name and "
                              "family_name")
    scanner.scan("a list that cannot be read")
    assert not LinkJob.objects.exists()

    # A school roll of people the hub holds: linked, then its pairs downloaded.
    roll = write(tmp_path / "school-roll.csv", roll_of(people, "R"))
    page.get_by_label("The list to link").set_input_files(str(roll))
    page.get_by_label("The hub's people you may see").check()
    click_and_wait(page, "button", "Start linking")
    job = LinkJob.objects.get()
    assert scanner.path() == f"/people/link-lists/{job.pk}/"
    expect(page.get_by_role("heading", name=f"{job.pairs_found} pairs that may be one "
                                             f"person")).to_be_visible()
    scanner.scan("a job done")
    pairs = scanner.download(page.get_by_role("link", name="Download the pairs (CSV)"),
                             "text/csv")
    rows = list(csv.DictReader(io.StringIO(pairs.decode())))
    assert len(rows) == job.pairs_found and rows[0]["left_id"].startswith("R")

    # A job still running: the page follows it, then shows its pairs once it ends.
    running = LinkJob.objects.create(
        requested_by=analyst, requested_at=timezone.now(), left_name="missing-list.csv",
        status=LinkJobStatus.RUNNING, stage="Reading the lists", progress=5)
    scanner.open(f"/people/link-lists/{running.pk}/")
    expect(page.get_by_text("Reading the lists")).to_be_visible()
    scanner.scan("a job running")
    LinkJob.objects.filter(pk=running.pk).update(
        stage="Estimating the model on the records and scoring the pairs", progress=25)
    expect(page.get_by_text("Estimating the model on the records and scoring the pairs")
           ).to_be_visible(timeout=10_000)
    expect(page.locator("progress")).to_have_attribute("value", "25")
    LinkJob.objects.filter(pk=running.pk).update(
        status=LinkJobStatus.DONE, stage="Done", progress=100, pairs_found=0,
        threshold_used=0.95, finished_at=timezone.now(),
        pairs="left_id,right_id,match_probability\r\n")
    expect(page.get_by_role("heading", name="0 pairs that may be one person")).to_be_visible(
        timeout=10_000)
    scanner.open("/people/link-lists/")
    expect(page.locator("main table tbody tr")).to_have_count(2)
    scanner.scan("the form with two jobs listed")
    scanner.assert_scanned_every_page_listed()
