"""The training pages: compliance counted as the hand count says (required courses held
on the day, people with no requirement apart, inactive people out), the overview's
filters, what expires, a person's training read only by those the policy allows (404
otherwise, every view audited), entering a record keeping what was typed, and the
upload page's row report. All names are made up."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.testing.factories import make_team, make_user, signed_in_client
from macehub.training import compliance, selectors
from macehub.training.models import TrainingRecord
from macehub.training.tests.factories import trained

pytestmark = pytest.mark.django_db

TUESDAY = dt.datetime(2026, 3, 3, 11, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 3)


@pytest.fixture
def staff(hub_agency: Agency, hub_team: Team, partner_agency: Agency) -> dict[str, Any]:
    other_team = make_team(hub_agency, "Major Crime Team")
    lead = make_user("lea.lead", Role.TRAINING_LEAD, agency=hub_agency, team=other_team)
    supervisor = make_user("sue.supervisor", Role.SUPERVISOR, agency=hub_agency,
                           team=hub_team)
    investigator = make_user("ian.investigator", Role.INVESTIGATOR, agency=hub_agency,
                             team=hub_team)
    detective = make_user("dee.detective", Role.INVESTIGATOR, agency=hub_agency,
                          team=other_team)
    gone = make_user("gil.gone", Role.INVESTIGATOR, agency=hub_agency, team=hub_team)
    gone.is_active = False
    gone.save()
    social = make_user("sam.social", Role.SOCIAL_WORKER, agency=partner_agency)
    scrutiny = make_user("sc.rutiny", Role.SCRUTINY, agency=hub_agency)
    # Awareness: held by the supervisor and investigator; the detective's has expired.
    trained(supervisor, "cse_awareness", dt.date(2025, 1, 1))
    trained(investigator, "cse_awareness", dt.date(2025, 1, 1), dt.date(2026, 4, 1))
    trained(detective, "cse_awareness", dt.date(2022, 1, 1), dt.date(2025, 1, 1))
    trained(investigator, "cse_specialist_investigation", dt.date(2024, 1, 1))
    trained(gone, "cse_awareness", dt.date(2025, 1, 1))
    return {"lead": lead, "supervisor": supervisor, "investigator": investigator,
            "detective": detective, "gone": gone, "social": social, "scrutiny": scrutiny,
            "agency": hub_agency, "team": hub_team, "other_team": other_team}


@time_machine.travel(TUESDAY, tick=False)
def test_compliance_counts_required_courses_held_on_the_day(
        staff: dict[str, Any], django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(5):
        found = compliance.load(User.objects.filter(agency=staff["agency"]), TODAY)
    people = {t.person.pk: t for t in found.people}
    assert staff["gone"].pk not in people, "inactive people are not counted"
    # Awareness is required of all four; the training lead holds nothing.
    awareness = compliance.by_tier(found)["awareness"]
    assert (awareness.required, awareness.compliant) == (5, 2)  # + the scrutiny officer
    specialist = compliance.by_tier(found)["specialist"]
    # Specialist CSE: investigators and supervisors (3); ABE: investigators (2).
    assert (specialist.required, specialist.compliant) == (5, 1)
    assert specialist.people == 3 and specialist.people_without_requirement == 2
    assert specialist.percentage == pytest.approx(20.0)
    low, high = specialist.interval or (0, 0)
    assert 3 < low < 20 < high < 65
    frontline = compliance.by_tier(found)["frontline"]
    assert frontline.required == 0 and frontline.percentage is None
    assert frontline.people_without_requirement == 5
    teams = compliance.by_team(found)
    hub = compliance.figure(teams[(staff["team"].pk, staff["team"].name)])
    assert (hub.required, hub.compliant) == (2 + 3, 1 + 2)


@time_machine.travel(TUESDAY, tick=False)
def test_the_overview_shows_tier_by_team_and_filters(
        staff: dict[str, Any], django_assert_max_num_queries: Any) -> None:
    client = signed_in_client(staff["lead"])
    with django_assert_max_num_queries(25):
        body = client.get(reverse("training:overview")).content.decode()
    assert "MACE Hub" in body and "Major Crime Team" in body
    assert "20% (1 of 5" in body
    body = client.get(reverse("training:overview"),
                      {"team": staff["team"].pk}).content.decode()
    assert "Major Crime Team" not in body.split("Compliance by tier and team")[1].split(
        "Every team")[0]
    assert AuditEvent.objects.filter(event_type=EventType.VIEW,
                                     detail__list="training compliance").exists()
    # A supervisor reads their team only; the scrutiny officer none of it.
    body = signed_in_client(staff["supervisor"]).get(
        reverse("training:overview")).content.decode()
    assert "Major Crime Team" not in body
    assert signed_in_client(staff["scrutiny"]).get(
        reverse("training:overview")).status_code == 403


@time_machine.travel(TUESDAY, tick=False)
def test_expiring_lists_required_training_expired_or_expiring_soon(
        staff: dict[str, Any]) -> None:
    rows = selectors.expiring(selectors.compliance_people(staff["lead"]), TODAY)
    assert [(row.person.pk, row.course.code, row.expired(TODAY)) for row in rows] == [
        (staff["detective"].pk, "cse_awareness", True),
        (staff["investigator"].pk, "cse_awareness", False),
    ]
    # Renewed: the latest record counts.
    trained(staff["detective"], "cse_awareness", dt.date(2026, 2, 1))
    client = signed_in_client(staff["lead"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            body = client.get(reverse("training:expiring")).content.decode()
        assert "Dee" not in body and "Ian" in body
        return len(captured)

    few = queries()
    for number in range(4):
        person = make_user(f"new.starter{number}", Role.INVESTIGATOR, agency=staff["agency"],
                           team=staff["team"])
        trained(person, "cse_awareness", dt.date(2023, 4, 1), dt.date(2026, 4, 1))
        trained(person, "cse_specialist_investigation", dt.date(2023, 4, 1),
                dt.date(2026, 3, 10))
    assert queries() == few, "no query per person"


@time_machine.travel(TUESDAY, tick=False)
def test_a_persons_training_is_read_only_as_the_policy_allows_and_audited(
        staff: dict[str, Any]) -> None:
    url = reverse("training:person", args=[staff["investigator"].pk])
    for reader, status in ((staff["lead"], 200), (staff["supervisor"], 200),
                           (staff["investigator"], 200), (staff["detective"], 404),
                           (staff["social"], 404), (staff["scrutiny"], 404)):
        assert signed_in_client(reader).get(url).status_code == status, reader.username
    body = signed_in_client(staff["lead"]).get(url).content.decode()
    assert "Achieving Best Evidence interviewing" in body  # a gap
    assert AuditEvent.objects.filter(event_type=EventType.VIEW,
                                     record_id=str(staff["investigator"].pk)).count() == 4
    mine = signed_in_client(staff["detective"]).get(reverse("training:mine"))
    assert mine.status_code == 200 and "Your training" in mine.content.decode()


@time_machine.travel(TUESDAY, tick=False)
def test_the_training_lead_enters_a_record_and_errors_keep_what_was_typed(
        staff: dict[str, Any]) -> None:
    client = signed_in_client(staff["lead"])
    url = reverse("training:record_training", args=[staff["detective"].pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"course": "", "completed_on_day": "1",
                                 "completed_on_month": "2", "completed_on_year": "2026",
                                 "evidence": "CERT-99"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-error-summary" in body and 'value="CERT-99"' in body
    course = TrainingRecord.objects.filter(person=staff["investigator"]).first()
    assert course is not None
    response = client.post(url, {"course": course.course_id, "completed_on_day": "1",
                                 "completed_on_month": "2", "completed_on_year": "2026",
                                 "evidence": "CERT-99"})
    assert response.status_code == 302
    assert TrainingRecord.objects.filter(person=staff["detective"],
                                         evidence="CERT-99").exists()
    # Not their agency's: not found; a supervisor may read but not record.
    assert client.get(reverse("training:record_training",
                              args=[staff["social"].pk])).status_code == 404
    assert signed_in_client(staff["supervisor"]).get(reverse(
        "training:record_training", args=[staff["investigator"].pk])).status_code == 403


@time_machine.travel(TUESDAY, tick=False)
def test_the_upload_page_reports_each_row_and_imports_nothing_until_right(
        staff: dict[str, Any]) -> None:
    client = signed_in_client(staff["lead"])
    url = reverse("training:import")
    header = "username or e-mail,course code,completed on,expires on,evidence\n"

    def upload(text: str) -> Any:
        file = io.BytesIO((header + text).encode())
        file.name = "records.csv"
        return client.post(url, {"file": file})

    response = upload("dee.detective,cse_awareness,2026-02-02,,\nnobody,cse_awareness,"
                      "2026-02-02,,\n")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Row 3" in body and "nobody" in body and "was not imported" in body
    assert not TrainingRecord.objects.filter(completed_on=dt.date(2026, 2, 2)).exists()
    response = upload("dee.detective,cse_awareness,2026-02-02,,\n")
    assert response.status_code == 302
    assert TrainingRecord.objects.filter(completed_on=dt.date(2026, 2, 2)).count() == 1


def test_courses_are_read_by_everyone(staff: dict[str, Any]) -> None:
    client = signed_in_client(staff["scrutiny"])
    body = client.get(reverse("training:courses")).content.decode()
    assert "Achieving Best Evidence interviewing" in body and "Investigator" in body
    from macehub.training.models import Course

    abe = Course.objects.get(code="abe_interviewing")
    body = client.get(reverse("training:course", args=[abe.pk])).content.decode()
    assert "Achieving Best Evidence interviewer" in body
