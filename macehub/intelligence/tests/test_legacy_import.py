"""Historic 5x5x5 intelligence: imported all or nothing, with row-by-row errors, kept
read-only, and its old handling code enforced."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.intelligence import selectors
from macehub.intelligence.legacy import LegacyImportError, read_legacy_file
from macehub.intelligence.models import IntelligenceReport
from macehub.testing.factories import make_user

pytestmark = pytest.mark.django_db

HEADER = ("reference,received_on,owning_agency,owning_team,source_evaluation,"
          "intelligence_evaluation,handling_code,text,sanitised_text,occurred_on\n")


def write(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "legacy.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def good_rows(agency: Agency, team: Team) -> str:
    return (
        f"OLD/2015/001,2015-03-02,{agency.code},{team.name},B,2,2,Seen at the park,"
        f"Sanitised one,2015-03-01\n"
        f"OLD/2015/002,03/04/2015,{agency.code},{team.name},a,1,5,Informant says,,\n"
        f"OLD/2016/003,2016-01-10,{agency.code},{team.name},C,3,4,\"Multi, line\",,\n"
        f"OLD/2016/004,2016-01-11,{agency.code},{team.name},D,4,1,Police only,,\n"
    )


def test_a_valid_file_is_imported_read_only_with_its_handling_enforced(
    tmp_path: Path, analyst: User, hub_agency: Agency, hub_team: Team, other_hub_member: User,
    partner_agency: Agency,
) -> None:
    path = write(tmp_path, good_rows(hub_agency, hub_team))
    call_command("import_legacy_intelligence", str(path), "--by", analyst.username)
    reports = {r.reference: r for r in IntelligenceReport.objects.all()}
    assert len(reports) == 4
    first = reports["OLD/2015/001"]
    assert first.is_legacy_5x5x5 and first.status == "historic"
    assert first.grading == "B22 (5x5x5)"
    assert first.handling_code == "P"
    assert reports["OLD/2015/002"].legacy_source_evaluation == "A"
    assert list(reports["OLD/2015/002"].permitted_teams.all()) == [hub_team]
    assert list(reports["OLD/2016/003"].permitted_agencies.all()) == [hub_agency]
    assert list(reports["OLD/2016/004"].permitted_agencies.all()) == [hub_agency]  # police
    # Another hub team (a health agency) sees only what the old codes allowed.
    visible = set(selectors.reports_for(other_hub_member).values_list("reference", flat=True))
    assert visible == {"OLD/2015/001"}
    event = AuditEvent.objects.get(event_type=EventType.IMPORT)
    assert event.detail["imported"] == 4 and event.actor_username == analyst.username
    assert not selectors.review_queue(analyst).exists()


def test_every_problem_is_reported_by_row_and_nothing_is_imported(
    tmp_path: Path, analyst: User, hub_agency: Agency, hub_team: Team
) -> None:
    path = write(tmp_path, good_rows(hub_agency, hub_team) + (
        f"OLD/2015/001,2015-03-02,{hub_agency.code},{hub_team.name},B,2,2,Duplicate,,\n"
        f"OLD/9,2015-13-40,{hub_agency.code},{hub_team.name},F,9,6,Bad codes,,\n"
        f"OLD/10,2015-01-01,nowhere,{hub_team.name},A,1,1,,,\n"
        f"OLD/11,2099-01-01,{hub_agency.code},No such team,A,1,1,Future,,\n"
    ))
    with pytest.raises(CommandError) as error:
        call_command("import_legacy_intelligence", str(path), "--by", analyst.username)
    report = str(error.value)
    for expected in (
        'Row 6, column "reference": OLD/2015/001 is also on row 2',
        'Row 7, column "received_on": \'2015-13-40\' is not a date',
        'Row 7, column "source_evaluation": \'F\' is not a 5x5x5 code',
        'Row 7, column "intelligence_evaluation"',
        'Row 7, column "handling_code"',
        'Row 8, column "text": is empty',
        'Row 8, column "owning_agency": there is no agency with code \'nowhere\'',
        'Row 9, column "received_on": is in the future',
        'Row 9, column "owning_team"',
    ):
        assert expected in report, expected
    assert not IntelligenceReport.objects.exists()
    assert not AuditEvent.objects.filter(event_type=EventType.IMPORT).exists()


def test_a_reference_already_in_the_hub_is_refused(
    tmp_path: Path, analyst: User, hub_agency: Agency, hub_team: Team
) -> None:
    path = write(tmp_path, good_rows(hub_agency, hub_team))
    call_command("import_legacy_intelligence", str(path), "--by", analyst.username)
    with pytest.raises(CommandError, match="OLD/2015/001 is already in the hub"):
        call_command("import_legacy_intelligence", str(path), "--by", analyst.username)
    assert IntelligenceReport.objects.count() == 4


def test_the_header_and_the_importer_are_checked(tmp_path: Path, analyst: User,
                                                 hub_agency: Agency) -> None:
    path = tmp_path / "wrong.csv"
    path.write_text("reference,text\nX,Y\n", encoding="utf-8")
    with pytest.raises(CommandError, match="missing the column"):
        call_command("import_legacy_intelligence", str(path), "--by", analyst.username)
    referrer = make_user("ref.errer", Role.REFERRER, agency=hub_agency)
    with pytest.raises(CommandError, match="may not record intelligence"):
        call_command("import_legacy_intelligence", str(path), "--by", referrer.username)
    with pytest.raises(CommandError, match="no active user"):
        call_command("import_legacy_intelligence", str(path), "--by", "nobody")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_legacy_intelligence", str(tmp_path / "missing.csv"),
                     "--by", analyst.username)


# --- Files that cannot be read as CSV text (macehub.core.csv_import) ---------------------


def _damaged(tmp_path: Path, agency: Agency, team: Team, third_text: bytes) -> Path:
    """Four good rows with the third one's text replaced by ``third_text``."""
    path = tmp_path / "damaged.csv"
    data = (HEADER + good_rows(agency, team)).encode("utf-8")
    path.write_bytes(data.replace(b'"Multi, line"', third_text))
    return path


@pytest.mark.parametrize(("third_text", "expected"), [
    ("Caf\u00e9 on the corner".encode("latin-1"),
     'Row 4, column "text": is not UTF-8 text: byte {byte:,} of the file (0xE9) cannot be '
     'read; save the file as "CSV UTF-8" and try again'),
    (b"Seen " * 40_000,  # 200 KB in one field
     'Row 4, column "text": is longer than 131,072 characters, the most a field may hold'),
    (b'"Seen at the park, ' + b"and more " * 20_000,  # a quote never closed
     'Row 4, column "text": is longer than 131,072 characters'),
    (b"Seen at\x00the park",
     'Row 4, column "text": contains a NUL character (a zero byte)'),
])
def test_a_file_that_cannot_be_read_is_reported_and_nothing_is_imported(
    tmp_path: Path, analyst: User, hub_agency: Agency, hub_team: Team, third_text: bytes,
    expected: str,
) -> None:
    path = _damaged(tmp_path, hub_agency, hub_team, third_text)
    byte = path.read_bytes().find(b"Caf") + 4  # where the Latin-1 "é" is, when it is
    with pytest.raises(CommandError) as error:
        call_command("import_legacy_intelligence", str(path), "--by", analyst.username)
    report = str(error.value)
    assert "damaged.csv was not imported" in report
    assert expected.format(byte=byte) in report
    assert not IntelligenceReport.objects.exists()
    assert not AuditEvent.objects.filter(event_type=EventType.IMPORT).exists()


def test_problems_in_rows_before_an_unreadable_one_are_reported_too(
    tmp_path: Path, analyst: User, hub_agency: Agency, hub_team: Team
) -> None:
    path = tmp_path / "damaged.csv"
    path.write_bytes((HEADER + (
        f"OLD/1,2015-13-40,{hub_agency.code},{hub_team.name},B,2,2,Bad date,,\n"
        f"OLD/2,2015-03-02,{hub_agency.code},{hub_team.name},B,2,2,\"Two\nlines\",,\n"
        f"OLD/3,2015-03-02,{hub_agency.code},{hub_team.name},B,2,2,Seen,\x00,\n"
    )).encode("utf-8"))
    with pytest.raises(LegacyImportError) as error:
        read_legacy_file(path.read_bytes())
    assert [(p.row, p.column) for p in error.value.problems] == [
        (2, "received_on"), (5, "sanitised_text")]  # the row a record starts on


def test_a_utf16_file_is_reported(tmp_path: Path, analyst: User, hub_agency: Agency,
                                  hub_team: Team) -> None:
    path = tmp_path / "utf16.csv"
    path.write_bytes((HEADER + good_rows(hub_agency, hub_team)).encode("utf-16"))
    with pytest.raises(CommandError, match='Row 1, column "column 1": is not UTF-8 text'):
        call_command("import_legacy_intelligence", str(path), "--by", analyst.username)
    assert not IntelligenceReport.objects.exists()
