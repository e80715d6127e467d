"""The CSV export and the REST API: the reports the user may see, the text they may
read, audited."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from macehub.accounts.models import Team, User
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.intelligence.export import export_reports
from macehub.intelligence.selectors import ReportFilters
from macehub.intelligence.tests.conftest import client_for
from macehub.intelligence.tests.factories import link, make_report
from macehub.testing.factories import make_person

pytestmark = pytest.mark.django_db


def rows_of(content: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content)))


def test_export_is_audited_and_filtered(analyst: User, hub_team: Team) -> None:
    high = make_report(hub_team, analyst, priority="high", reference="INT-2026-000001")
    make_report(hub_team, analyst, priority="low", reference="INT-2026-000002")
    exported = export_reports(actor=analyst, filters=ReportFilters(priority="high"))
    rows = rows_of(exported.content)
    assert [row["reference"] for row in rows] == [high.reference]
    assert rows[0]["hours_to_review"] == "5.0"
    assert exported.filename.endswith(".csv")
    event = AuditEvent.objects.get(event_type=EventType.EXPORT)
    assert event.detail["rows"] == 1 and event.detail["report_ids"] == [high.pk]
    assert event.detail["filters"] == {"priority": "high"}


def test_export_neutralises_spreadsheet_formulas(analyst: User, hub_team: Team) -> None:
    make_report(hub_team, analyst, source_text='=HYPERLINK("http://example.invalid")')
    row = rows_of(export_reports(actor=analyst).content)[0]
    assert row["text"].startswith("'=")


def test_export_names_only_people_the_user_may_see(
    analyst: User, hub_team: Team, partner_agency: object, named_member: User,
    named_team: Team
) -> None:
    report = make_report(hub_team, analyst, handling_code="C", teams=[named_team])
    restricted = make_person(hub_team.agency, given_name="Hidden", family_name="Child",
                             is_restricted=True)
    link(report, restricted, "victim")
    row = rows_of(export_reports(actor=named_member).content)[0]
    assert "Hidden" not in row["links"]
    assert "person whose record you may not see" in row["links"]


def test_only_researchers_export(investigator: User) -> None:
    response = client_for(investigator).get(reverse("intelligence:export"), {"format": "csv"})
    assert response.status_code == 403


def test_a_bad_filter_exports_nothing(analyst: User, hub_team: Team) -> None:
    make_report(hub_team, analyst)
    response = client_for(analyst).get(reverse("intelligence:export"),
                                       {"format": "csv", "status": "nonsense"})
    assert response["Content-Type"].startswith("text/html")
    assert not AuditEvent.objects.filter(event_type=EventType.EXPORT).exists()


def test_the_csv_download(analyst: User, hub_team: Team) -> None:
    make_report(hub_team, analyst)
    response = client_for(analyst).get(reverse("intelligence:export"), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    assert len(rows_of(response.content.decode())) == 1


def test_the_api_lists_and_reads_reports(analyst: User, hub_team: Team,
                                         other_hub_member: User) -> None:
    report = make_report(hub_team, analyst, source_text="Secret source",
                         sanitised_text="Safe text")
    link(report, make_person(hub_team.agency, given_name="Dean", family_name="Rowntree"))
    owner = client_for(analyst)
    listing = owner.get(reverse("api:intelligence_report_list")).json()
    assert listing["count"] == 1
    assert listing["results"][0]["text"] == "Secret source"
    detail = owner.get(reverse("api:intelligence_report_detail",
                               kwargs={"intel_report_pk": report.pk})).json()
    assert detail["links"][0]["name"] == "Dean Rowntree"
    other = client_for(other_hub_member).get(reverse(
        "api:intelligence_report_detail", kwargs={"intel_report_pk": report.pk})).json()
    assert (other["text"], other["text_kind"]) == ("Safe text", "sanitised")
    bad = owner.get(reverse("api:intelligence_report_list"), {"status": "nonsense"})
    assert bad.status_code == 400
    views = AuditEvent.objects.filter(event_type=EventType.VIEW,
                                      record_type="intelligence.intelligencereport")
    assert views.count() >= 3


def test_the_api_search(analyst: User, hub_team: Team) -> None:
    from macehub.intelligence.models import Vehicle

    report = make_report(hub_team, analyst)
    link(report, Vehicle.objects.create(registration="AB12CDE"))
    client = client_for(analyst)
    found = client.get(reverse("api:intelligence_search"), {"q": "ab12 cde"}).json()
    assert found[0]["kind"] == "vehicle" and found[0]["name"] == "AB12 CDE"
    assert found[0]["reports"] == 1
    empty = client.get(reverse("api:intelligence_search"))
    assert (empty.status_code, empty.json()) == (200, [])


def test_the_api_refuses_roles_without_intelligence(scrutiny: User, governance: User) -> None:
    for user in (scrutiny, governance):
        client = client_for(user)
        assert client.get(reverse("api:intelligence_report_list")).status_code == 403
        assert client.get(reverse("api:intelligence_search"), {"q": "x"}).status_code == 403


def test_hours_to_review_are_rounded_half_up_in_the_export_and_the_api(
    analyst: User, hub_team: Team
) -> None:
    """The hub's one rounding rule: a quarter of an hour is 0.3 hours to one place (a
    float's round() gives 0.2), and 12 minutes 18 seconds (0.205 hours) is 0.21 to two."""
    received = timezone.now() - dt.timedelta(days=2)
    for reference, took in (("INT-2026-000010", dt.timedelta(minutes=15)),
                            ("INT-2026-000011", dt.timedelta(minutes=12, seconds=18))):
        report = make_report(hub_team, analyst, received_at=received, reference=reference)
        report.reviewed_at = received + took
        report.save()
    rows = {row["reference"]: row for row in rows_of(export_reports(actor=analyst).content)}
    assert rows["INT-2026-000010"]["hours_to_review"] == "0.3"
    listing = client_for(analyst).get(reverse("api:intelligence_report_list")).json()
    hours = {r["reference"]: r["hours_to_review"] for r in listing["results"]}
    assert hours == {"INT-2026-000010": 0.25, "INT-2026-000011": 0.21}
