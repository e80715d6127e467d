"""The workforce pages: establishment by month (a month not recorded says so), recording
and correcting a month (kept input, the conflict), importing a file (the row report),
the weighting, and the resourcing report in the page, as PDF and as CSV (suppressed for
the scrutiny officer and in every export, no worker named, exports audited)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import Role
from macehub.audit.models import AuditEvent
from macehub.conftest import StandardUsers
from macehub.governance.tests.requested_jobs import post_and_download
from macehub.testing.pdf import pdf_text
from macehub.workforce.models import TeamMonth
from macehub.workforce.tests.factories import Workers, make_workers

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 5, 20, 12, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def fixed_day() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=False):
        yield


def month(team: Team, first: dt.date, establishment: int, filled: int, *, added: int = 0,
          by: Any) -> TeamMonth:
    return TeamMonth.objects.create(
        team=team, month=first, establishment=establishment, filled=filled,
        posts_added=added, posts_added_funded_on=first if added else None,
        posts_added_funding="PCC exploitation grant 2026/27" if added else "",
        recorded_by=by, recorded_at=TODAY)


def test_the_establishment_page_shows_months_recorded_and_not(
        users: StandardUsers, hub_team: Team) -> None:
    leader = users[Role.SENIOR_LEADER]
    month(hub_team, dt.date(2026, 4, 1), 12, 13, by=leader)
    html = users.client(Role.SENIOR_LEADER).get(reverse("workforce:establishment")
                                                 ).content.decode()
    assert "April 2026" in html and "None (1 over establishment)" in html
    assert "Not recorded" in html  # May, and the months before April
    assert users.client(Role.SUPERVISOR).get(
        reverse("workforce:establishment")).status_code == 403


def _form(team: Team, **changes: str) -> dict[str, str]:
    data = {"team": str(team.pk), "month": "2026-04-01", "establishment": "12",
            "filled": "9", "posts_added": "", "posts_added_funded_on_day": "",
            "posts_added_funded_on_month": "", "posts_added_funded_on_year": "",
            "posts_added_funding": "", "version": "0"}
    data.update(changes)
    return data


def test_a_month_with_a_bad_value_keeps_what_was_typed_then_is_saved(
        users: StandardUsers, hub_team: Team) -> None:
    client = users.client(Role.SENIOR_LEADER)
    url = reverse("workforce:record_month")
    assert "Select a team" in client.get(url).content.decode()
    refused = client.post(url, _form(hub_team, filled="nine", posts_added="2"))
    html = refused.content.decode()
    assert refused.status_code == 400
    assert "Enter posts filled as a number, like 11.5" in html
    assert 'value="nine"' in html
    refused = client.post(url, _form(hub_team, posts_added="2"))
    assert "Enter how the new posts were funded" in refused.content.decode()
    saved = client.post(url, _form(hub_team))
    assert saved.status_code == 302 and saved["Location"] == reverse("workforce:establishment")
    record = TeamMonth.objects.get()
    assert (record.establishment, record.filled) == (12, 9)
    correct = client.get(f"{url}?team={hub_team.pk}&month=2026-04-01").content.decode()
    assert "Correct MACE Hub, April 2026" in correct and 'value="1"' in correct
    conflict = client.post(url, _form(hub_team, filled="10"))  # from version 0: already there
    assert conflict.status_code == 400
    assert "Someone else recorded this month" in conflict.content.decode()
    client.post(url, _form(hub_team, filled="10", version="1"))
    assert TeamMonth.objects.get().filled == 10


def test_a_file_with_problems_is_listed_row_by_row_and_a_good_one_imported(
        users: StandardUsers, hub_team: Team) -> None:
    client = users.client(Role.SENIOR_LEADER)
    url = reverse("workforce:import_months")
    header = "agency,team,month,establishment,filled\n"
    bad = SimpleUploadedFile("months.csv", (header + "county-police,MACE Hub,2026-04,12,\n"
                                            ).encode())
    refused = client.post(url, {"file": bad})
    html = refused.content.decode()
    assert refused.status_code == 400
    assert "months.csv was not imported" in html
    assert "Row 2, column &quot;filled&quot;: Enter the posts filled" in html
    good = SimpleUploadedFile("months.csv", (header + "county-police,MACE Hub,2026-04,12,9\n"
                                             ).encode())
    assert client.post(url, {"file": good}).status_code == 302
    assert TeamMonth.objects.get().filled == 9


def test_the_weighting_page_changes_the_weights(users: StandardUsers) -> None:
    client = users.client(Role.SENIOR_LEADER)
    url = reverse("workforce:weighting")
    assert "Case at High risk" in client.get(url).content.decode()
    weights = {"high_case": "4", "medium_case": "2", "low_case": "1", "investigation": "2",
               "exhibit": "0.5", "meeting_action": "0.25", "version": "1"}
    refused = client.post(url, {**weights, "exhibit": "-1"})
    assert refused.status_code == 400 and "from 0 to 100" in refused.content.decode()
    assert client.post(url, weights).status_code == 302
    assert AuditEvent.objects.filter(event_type="change",
                                     record_type="workforce.caseloadweighting").exists()
    assert users.client(Role.SUPERVISOR).get(url).status_code == 403


@pytest.fixture
def staffed(users: StandardUsers, hub_agency: Agency, hub_team: Team) -> Workers:
    with time_machine.travel(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC), tick=False):
        workers = make_workers(hub_agency, hub_team)
    leader = users[Role.SENIOR_LEADER]
    for first in (dt.date(2026, 1, 1), dt.date(2026, 2, 1)):
        month(hub_team, first, 12, 9, by=leader)
    month(hub_team, dt.date(2026, 3, 1), 14, 11, added=2, by=leader)
    return workers


def test_the_report_sets_demand_against_capacity(
        staffed: Workers, users: StandardUsers,
        django_assert_max_num_queries: Any) -> None:
    client = users.client(Role.SENIOR_LEADER)
    with django_assert_max_num_queries(30):
        page = client.get(reverse("workforce:report") + "?start=2026-01-01&safe=3")
    html = page.content.decode()
    assert page.status_code == 200
    assert "January 2026 to April 2026" in html
    assert "Not recorded (0 of 1 hub teams)" in html  # April
    assert "(+2 new)" in html and "PCC exploitation grant 2026/27" in html
    # March: 2 investigations, 2 exhibits, 1 child newly High? none here; 4 + 1 = 5
    # weighted (0.5 each exhibit), over 11 filled.
    assert "0.5" in html
    assert "1 of 2 workers holding work hold a weighted caseload above" in html
    assert "A forecast needs at least 12 months of demand; there are 2." in html
    assert staffed.social_worker.display_name not in html  # no one named
    assert staffed.force.investigator.display_name not in html


def test_the_scrutiny_officer_reads_it_suppressed(
        staffed: Workers, users: StandardUsers) -> None:
    html = users.client(Role.SCRUTINY).get(
        reverse("workforce:report") + "?start=2026-01-01&safe=3").content.decode()
    assert "[c]" in html and "are shown as [c]" in html
    assert staffed.social_worker.display_name not in html
    lead = users.client(Role.SENIOR_LEADER).get(
        reverse("workforce:report") + "?start=2026-01-01&safe=3").content.decode()
    assert "[c]" not in lead


def test_the_exports_are_suppressed_and_audited(
        staffed: Workers, users: StandardUsers, django_capture_on_commit_callbacks: Any
) -> None:
    client = users.client(Role.SENIOR_LEADER)
    query = "?start=2026-01-01&end=2026-03-01&safe=3"
    csv = client.get(reverse("workforce:report_csv") + query)
    text = csv.content.decode()
    assert csv["Content-Disposition"] == ('attachment; filename="mace-hub-resourcing-'
                                          '2026-01-to-2026-03.csv"')
    assert "demand_and_capacity,2026-03,investigations,[c]," in text
    assert "demand_and_capacity,2026-03,establishment,14," in text
    assert "caseloads,now,workers_above_safe_level,[c]," in text
    assert staffed.social_worker.last_name not in text
    # Drawn in the background, downloaded from the job's page (the export).
    pdf = post_and_download(client, django_capture_on_commit_callbacks,
                            reverse("workforce:report_pdf") + query)
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"].endswith('mace-hub-resourcing-2026-01-to-2026-03.pdf"')
    assert staffed.social_worker.last_name not in " ".join(pdf_text(pdf.content).split())
    exports = AuditEvent.objects.filter(event_type="export",
                                        record_type="workforce.resourcing_report")
    assert sorted(event.detail["format"] for event in exports) == ["csv", "pdf"]
    assert all(event.detail["suppressed"] for event in exports)
    assert users.client(Role.SUPERVISOR).get(reverse("workforce:report_csv")).status_code == 403


def test_without_a_start_the_report_begins_at_the_first_month_recorded(
        staffed: Workers, users: StandardUsers) -> None:
    html = users.client(Role.SENIOR_LEADER).get(reverse("workforce:report")).content.decode()
    assert "January 2026 to April 2026" in html


def test_a_period_that_ends_before_it_starts_is_refused(users: StandardUsers) -> None:
    page = users.client(Role.SENIOR_LEADER).get(
        reverse("workforce:report") + "?start=2026-03-01&end=2026-01-01")
    assert page.status_code == 400
    assert "The last month must be the same as or after the first" in page.content.decode()


