"""Recording establishment by month: who may record which team, the rules on the
figures, corrections from the version seen (and the conflict), the import all or nothing
with its row report, the weighting changed from its defaults; every change audited."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import Role
from macehub.audit.models import AuditEvent
from macehub.conftest import StandardUsers
from macehub.core.versioning import EditConflict
from macehub.testing.factories import make_team, make_user
from macehub.workforce import services
from macehub.workforce.models import DEFAULT_WEIGHTS, CaseloadWeighting, TeamMonth
from macehub.workforce.services import MonthStaffing

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 5, 20, 12, tzinfo=dt.UTC)
APRIL = dt.date(2026, 4, 1)


@pytest.fixture(autouse=True)
def fixed_day() -> object:
    with time_machine.travel(TODAY, tick=False):
        yield


def staffing(**changes: object) -> MonthStaffing:
    values: dict[str, object] = {"establishment": Decimal(12), "filled": Decimal(9)}
    values.update(changes)
    return MonthStaffing(**values)  # type: ignore[arg-type]


def test_a_senior_leader_records_a_month_of_their_agency_s_team(
        users: StandardUsers, hub_team: Team) -> None:
    leader = users[Role.SENIOR_LEADER]
    record = services.record_month(actor=leader, team_pk=hub_team.pk, month=APRIL,
                                   staffing=staffing(), expected_version=0)
    assert (record.establishment, record.filled, record.vacancies) == (12, 9, 3)
    assert record.version == 1 and record.recorded_by == leader
    event = AuditEvent.objects.get(event_type="create", record_type="workforce.teammonth")
    assert event.detail["establishment"] == "12.00" and event.detail["month"] == "2026-04-01"


def test_another_agency_s_team_is_refused_and_an_administrator_may(
        users: StandardUsers, partner_agency: Agency) -> None:
    other = make_team(partner_agency, "Partner hub")
    with pytest.raises(ValidationError) as refused:
        services.record_month(actor=users[Role.SENIOR_LEADER], team_pk=other.pk,
                              month=APRIL, staffing=staffing(), expected_version=0)
    assert "team" in refused.value.message_dict
    admin = make_user("admin.elsewhere", Role.ADMINISTRATOR, agency=partner_agency)
    services.record_month(actor=admin, team_pk=other.pk, month=APRIL, staffing=staffing(),
                          expected_version=0)
    with pytest.raises(PermissionDenied):
        services.record_month(actor=users[Role.SUPERVISOR], team_pk=other.pk, month=APRIL,
                              staffing=staffing(), expected_version=0)


@pytest.mark.parametrize(("month", "figures", "field"), [
    (dt.date(2026, 6, 1), {}, "month"),
    (dt.date(2026, 4, 2), {}, "month"),
    (APRIL, {"establishment": None}, "establishment"),
    (APRIL, {"filled": Decimal(-1)}, "filled"),
    (APRIL, {"posts_added": Decimal(13)}, "posts_added"),
    (APRIL, {"posts_added": Decimal(2)}, "posts_added_funding"),
    (APRIL, {"posts_added": Decimal(2), "posts_added_funding": "Grant",
             "posts_added_funded_on": dt.date(2026, 6, 1)}, "posts_added_funded_on"),
    (APRIL, {"posts_added_funding": "Grant"}, "posts_added"),
])
def test_figures_that_cannot_be_right_are_refused(
        users: StandardUsers, hub_team: Team, month: dt.date, figures: dict[str, object],
        field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        services.record_month(actor=users[Role.SENIOR_LEADER], team_pk=hub_team.pk,
                              month=month, staffing=staffing(**figures), expected_version=0)
    assert field in refused.value.message_dict
    assert not TeamMonth.objects.exists()


def test_more_filled_than_funded_is_recorded_as_over_establishment(
        users: StandardUsers, hub_team: Team) -> None:
    record = services.record_month(actor=users[Role.SENIOR_LEADER], team_pk=hub_team.pk,
                                   month=APRIL, staffing=staffing(filled=Decimal(13)),
                                   expected_version=0)
    assert record.vacancies == -1


def test_new_posts_keep_when_and_how_they_were_funded(
        users: StandardUsers, hub_team: Team) -> None:
    record = services.record_month(
        actor=users[Role.SENIOR_LEADER], team_pk=hub_team.pk, month=APRIL,
        staffing=staffing(establishment=Decimal(14), posts_added=Decimal(2),
                          posts_added_funded_on=dt.date(2026, 3, 10),
                          posts_added_funding=" PCC exploitation grant 2026/27 "),
        expected_version=0)
    assert record.posts_added == 2 and record.posts_added_funding == \
        "PCC exploitation grant 2026/27"


def test_a_correction_is_checked_against_the_version_seen(
        users: StandardUsers, hub_team: Team) -> None:
    leader = users[Role.SENIOR_LEADER]
    services.record_month(actor=leader, team_pk=hub_team.pk, month=APRIL,
                          staffing=staffing(), expected_version=0)
    changed = services.record_month(actor=leader, team_pk=hub_team.pk, month=APRIL,
                                    staffing=staffing(filled=Decimal("10.5")),
                                    expected_version=1)
    assert changed.version == 2 and changed.filled == Decimal("10.5")
    event = AuditEvent.objects.get(event_type="change", record_type="workforce.teammonth")
    assert event.detail["changes"] == {"filled": {"old": "9.00", "new": "10.50"}}
    with pytest.raises(EditConflict) as conflict:
        services.record_month(actor=leader, team_pk=hub_team.pk, month=APRIL,
                              staffing=staffing(filled=Decimal(8)), expected_version=1)
    assert "Posts filled" in conflict.value.their_changes
    with pytest.raises(EditConflict):  # recorded by someone else while this one typed
        services.record_month(actor=leader, team_pk=hub_team.pk, month=APRIL,
                              staffing=staffing(), expected_version=0)
    assert TeamMonth.objects.get().filled == Decimal("10.5")


CSV_HEADER = ("agency,team,month,establishment,filled,posts_added,posts_added_funded_on,"
              "posts_added_funding\n")


def test_an_import_records_every_month_or_none(
        users: StandardUsers, hub_team: Team, tmp_path: Path) -> None:
    leader = users[Role.SENIOR_LEADER]
    services.record_month(actor=leader, team_pk=hub_team.pk, month=APRIL,
                          staffing=staffing(), expected_version=0)
    bad = (CSV_HEADER + "county-police,MACE Hub,2026-03,12,9,,,\n"
           "county-police,MACE Hub,2026-13,12,9,,,\n"
           "county-police,Nobody,2026-02,12,x,,,\n"
           "county-police,MACE Hub,2026-03,12,9,,,\n").encode()
    with pytest.raises(services.EstablishmentImportError) as refused:
        services.import_establishment(actor=leader, data=bad, name="bad.csv")
    report = refused.value.report()
    assert "Row 3, column \"month\"" in report
    assert "Row 4, column \"team\"" in report and "Row 4, column \"filled\"" in report
    assert "Row 5, column \"month\": This team's month is also on row 2" in report
    assert TeamMonth.objects.count() == 1
    good = (CSV_HEADER + "county-police,mace hub,2026-03,12,9,,,\n"
            "COUNTY-POLICE,MACE Hub,2026-04,14,11,2,2026-03-10,PCC exploitation grant\n")
    written = services.import_establishment(actor=leader, data=good.encode(), name="ok.csv")
    assert len(written) == 2
    april = TeamMonth.objects.get(month=APRIL)
    assert (april.establishment, april.filled, april.posts_added, april.version) == (
        14, 11, 2, 2)
    event = AuditEvent.objects.get(event_type="import")
    assert event.detail["file"] == "ok.csv" and len(event.detail["months"]) == 2
    assert event.detail["replaced"][str(april.pk)]["filled"] == {"old": "9.00", "new": "11.00"}
    path = tmp_path / "months.csv"
    path.write_bytes(bad)
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_establishment", str(path), f"--as={leader.username}",
                     stdout=io.StringIO())
    path.write_bytes(good.encode())
    out = io.StringIO()
    call_command("import_establishment", str(path), f"--as={leader.username}", stdout=out)
    assert "Imported 2 team month(s)" in out.getvalue()


def test_a_file_that_is_not_csv_text_is_refused(users: StandardUsers) -> None:
    with pytest.raises(services.EstablishmentImportError) as refused:
        services.import_establishment(actor=users[Role.SENIOR_LEADER],
                                      data=CSV_HEADER.encode() + b"\xff\xfe,,\n", name="x")
    assert "UTF-8" in refused.value.report()


def test_the_weighting_starts_at_its_defaults_and_a_senior_leader_changes_it(
        users: StandardUsers) -> None:
    weighting = services.current_weighting()
    assert weighting.weights() == DEFAULT_WEIGHTS
    leader = users[Role.SENIOR_LEADER]
    weights: dict[str, Decimal | None] = {**DEFAULT_WEIGHTS, "high_case": Decimal(4)}
    changed = services.change_weighting(actor=leader, expected_version=1, weights=weights)
    assert changed.version == 2 and changed.high_case == 4
    assert CaseloadWeighting.objects.count() == 1
    event = AuditEvent.objects.get(event_type="change", record_type="workforce.caseloadweighting")
    assert event.detail["changes"] == {"high_case": {"old": "3.00", "new": "4.00"}}
    with pytest.raises(EditConflict):
        services.change_weighting(actor=leader, expected_version=1, weights=weights)
    with pytest.raises(ValidationError) as refused:
        services.change_weighting(actor=leader, expected_version=2,
                                  weights={**weights, "exhibit": Decimal(-1), "low_case": None})
    assert set(refused.value.message_dict) == {"exhibit", "low_case"}
    with pytest.raises(PermissionDenied):
        services.change_weighting(actor=users[Role.SUPERVISOR], expected_version=2,
                                  weights=weights)
