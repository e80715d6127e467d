"""Checkpoints: losing the end of the audit log, or all of it, is detected.

An empty log is a valid chain, and so is one cut short, so the chain check alone passed
after ``TRUNCATE``. A checkpoint records the head of the chain in its own table and in a
file the operator keeps; ``audit_verify`` fails when the log no longer extends it.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from macehub.accounts.models import User
from macehub.accounts.roles import Role
from macehub.audit.chain import (
    CheckpointFileError,
    latest_checkpoint,
    read_checkpoint_file,
    verify_chain,
)
from macehub.audit.events import EventType
from macehub.audit.models import GENESIS_HASH, AuditCheckpoint, AuditEvent
from macehub.audit.sealing import seal_events
from macehub.audit.services import CheckpointRefused, make_checkpoint, record_event
from macehub.audit.tests.tampering import empty_table, tamper
from macehub.testing.factories import make_user, verified_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer() -> User:
    return make_user("ig.officer", Role.INFORMATION_GOVERNANCE)


def _write_events(user: User, count: int) -> list[AuditEvent]:
    recorded = [
        record_event(event_type=EventType.VIEW, actor=user, record_type="people.person",
                     record_id=str(n), detail={"n": n})
        for n in range(count)
    ]
    # What the commit of each request would have set off (the test's transaction never
    # commits): sealing, which gives each entry its place and hashes.
    seal_events()
    return [AuditEvent.objects.get(pk=event.pk) for event in recorded]


def _checkpoint(output: Path) -> AuditCheckpoint:
    call_command("audit_checkpoint", output=str(output), stdout=io.StringIO())
    return AuditCheckpoint.objects.latest("id")


def _verify(*arguments: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("audit_verify", *arguments, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


# --- Making a checkpoint ---------------------------------------------------------------


def test_a_checkpoint_records_the_head_in_the_table_and_the_file(
    officer: User, tmp_path: Path
) -> None:
    events = _write_events(officer, 3)
    output = tmp_path / "audit-checkpoints.jsonl"
    checkpoint = _checkpoint(output)

    assert (checkpoint.entry_id, checkpoint.entry_hash, checkpoint.entry_count) == (
        events[-1].pk, events[-1].entry_hash, 3
    )
    line = json.loads(output.read_text(encoding="utf-8"))
    assert line == {
        "checkpoint": checkpoint.pk,
        "made_at": checkpoint.made_at.isoformat(),
        "entry_id": events[-1].pk,
        "entry_hash": events[-1].entry_hash,
        "entry_count": 3,
    }


def test_making_a_checkpoint_is_audited(officer: User, tmp_path: Path) -> None:
    events = _write_events(officer, 2)
    checkpoint = make_checkpoint(actor=officer)
    entry = AuditEvent.objects.get(event_type=EventType.AUDIT_CHECKPOINT)
    assert entry.actor_username == "ig.officer"
    assert (entry.record_type, entry.record_id) == ("audit.auditcheckpoint", str(checkpoint.pk))
    assert entry.detail == {
        "entry_id": events[-1].pk, "entry_hash": events[-1].entry_hash, "entry_count": 2
    }
    # The command says what made it, and its own entry is in the next checkpoint.
    second = _checkpoint(tmp_path / "checkpoints.jsonl")
    by_command = AuditEvent.objects.filter(event_type=EventType.AUDIT_CHECKPOINT).last()
    assert by_command is not None
    assert by_command.detail["via"] == "manage.py audit_checkpoint"
    assert second.entry_id == entry.pk
    assert second.entry_count == 3


def test_checkpoints_are_appended_to_the_operators_file(officer: User, tmp_path: Path) -> None:
    output = tmp_path / "audit-checkpoints.jsonl"
    _write_events(officer, 1)
    first = _checkpoint(output)
    _write_events(officer, 1)
    second = _checkpoint(output)
    lines = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert [line["checkpoint"] for line in lines] == [first.pk, second.pk]
    assert read_checkpoint_file(output).head.entry_id == second.entry_id


def test_a_checkpoint_can_go_to_standard_output(officer: User) -> None:
    events = _write_events(officer, 2)
    out, err = io.StringIO(), io.StringIO()
    call_command("audit_checkpoint", "--output", "-", stdout=out, stderr=err)
    printed = out.getvalue().strip().splitlines()
    assert len(printed) == 1  # only the line, so that it can be piped
    assert json.loads(printed[0])["entry_hash"] == events[-1].entry_hash
    assert "Checkpoint" in err.getvalue()


def test_an_empty_log_can_be_checkpointed(tmp_path: Path) -> None:
    checkpoint = _checkpoint(tmp_path / "checkpoints.jsonl")
    assert (checkpoint.entry_id, checkpoint.entry_hash, checkpoint.entry_count) == (
        0, GENESIS_HASH, 0
    )
    assert "intact" in _verify()


def test_a_broken_log_is_not_checkpointed(officer: User, tmp_path: Path) -> None:
    events = _write_events(officer, 3)
    tamper("UPDATE audit_auditevent SET purpose = %s WHERE id = %s", ["edited", events[1].pk])
    output = tmp_path / "checkpoints.jsonl"
    with pytest.raises(CommandError, match=f"no checkpoint was made: entry {events[1].pk}"):
        call_command("audit_checkpoint", output=str(output))
    assert not AuditCheckpoint.objects.exists()
    assert output.read_text(encoding="utf-8") == ""


def test_an_emptied_log_is_not_blessed_by_a_new_checkpoint(officer: User) -> None:
    _write_events(officer, 3)
    make_checkpoint(actor=officer)
    empty_table("audit_auditevent")
    with pytest.raises(CheckpointRefused, match="no longer extends checkpoint"):
        make_checkpoint(actor=officer)
    assert AuditCheckpoint.objects.count() == 1


def test_an_unwritable_output_stops_before_a_checkpoint_is_made(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Cannot write the checkpoint"):
        call_command("audit_checkpoint", output=str(tmp_path / "no-such-folder" / "file"))
    assert not AuditCheckpoint.objects.exists()


# --- Verifying against a checkpoint ----------------------------------------------------


def test_verify_reports_the_checkpoints_the_log_extends(officer: User, tmp_path: Path) -> None:
    output = tmp_path / "checkpoints.jsonl"
    _write_events(officer, 3)
    checkpoint = _checkpoint(output)
    _write_events(officer, 2)  # a log that grew since still extends it
    printed = _verify("--checkpoint", str(output))
    assert "Audit log intact: 6 entries verified" in printed
    assert f"extends checkpoint {checkpoint.pk} and the checkpoint in {output}" in printed


def test_verify_without_a_checkpoint_warns_that_emptying_would_not_show(officer: User) -> None:
    _write_events(officer, 1)
    assert "No checkpoint to check against" in _verify()


def test_an_emptied_log_fails_against_the_checkpoint_table(
    officer: User, tmp_path: Path
) -> None:
    _write_events(officer, 4)
    checkpoint = _checkpoint(tmp_path / "checkpoints.jsonl")
    empty_table("audit_auditevent")
    assert not AuditEvent.objects.exists()
    # The chain of nothing is intact: this is what audit_verify used to accept.
    assert verify_chain().intact
    with pytest.raises(
        CommandError,
        match=(
            f"no longer extends checkpoint {checkpoint.pk}: entry {checkpoint.entry_id}, "
            "the last entry it recorded, is missing; the log holds 0 entries where it "
            "counted 4"
        ),
    ):
        call_command("audit_verify")


def test_emptying_both_tables_fails_against_the_operators_file(
    officer: User, tmp_path: Path
) -> None:
    output = tmp_path / "checkpoints.jsonl"
    _write_events(officer, 4)
    checkpoint = _checkpoint(output)
    empty_table("audit_auditevent")
    empty_table("audit_auditcheckpoint")
    assert latest_checkpoint() is None
    # With its own checkpoints gone too, the database alone cannot tell...
    assert "Audit log intact: 0 entries verified" in _verify()
    # ...but the checkpoint the operator kept can.
    with pytest.raises(
        CommandError,
        match=f"no longer extends the checkpoint in {output}: entry {checkpoint.entry_id}",
    ):
        call_command("audit_verify", checkpoint=str(output))


def test_losing_the_newest_entries_is_detected(officer: User) -> None:
    events = _write_events(officer, 5)
    make_checkpoint(actor=officer)
    checkpoint_entry = AuditEvent.objects.get(event_type=EventType.AUDIT_CHECKPOINT)
    tamper("DELETE FROM audit_auditevent WHERE id >= %s", [events[3].pk])
    report = verify_chain([latest_checkpoint()])  # type: ignore[list-item]
    # What is left still links up: only the checkpoint shows the loss.
    assert report.links_intact
    assert not report.intact
    problem = report.checkpoints[0].problem
    assert problem is not None
    assert f"entry {events[-1].pk}" in problem and "is missing" in problem
    assert "the log holds 3 entries where it counted 5" in problem
    assert checkpoint_entry.pk > events[-1].pk


def test_a_log_rewritten_from_the_start_is_detected(officer: User) -> None:
    events = _write_events(officer, 3)
    make_checkpoint(actor=officer)
    # Forge every entry's content and rehash the whole chain so that it links up again.
    previous = GENESIS_HASH
    for event in AuditEvent.objects.order_by("id"):
        event.actor_username = "forger"
        event.previous_hash = previous
        event.entry_hash = event.compute_hash()
        tamper(
            "UPDATE audit_auditevent SET actor_username = %s, previous_hash = %s, "
            "entry_hash = %s WHERE id = %s",
            ["forger", event.previous_hash, event.entry_hash, event.pk],
        )
        previous = event.entry_hash
    report = verify_chain([latest_checkpoint()])  # type: ignore[list-item]
    assert report.links_intact
    assert report.checkpoints[0].problem == (
        f"entry {events[-1].pk} no longer has the hash it recorded (the log was rewritten)"
    )


def test_an_entry_removed_before_the_checkpoint_is_counted(officer: User) -> None:
    events = _write_events(officer, 5)
    make_checkpoint(actor=officer)
    tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    with pytest.raises(CommandError) as failure:
        call_command("audit_verify")
    message = str(failure.value)
    assert f"chain broken at entry {events[2].pk}" in message
    assert (
        f"no longer extends checkpoint {AuditCheckpoint.objects.get().pk}: the log holds "
        f"4 entries up to entry {events[-1].pk} where it counted 5 (entries were removed)"
    ) in message


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("", "holds no checkpoint"),
        ("not json\n", "line 1 of .* is not a checkpoint line"),
        ('{"entry_id": 3, "entry_count": 3}\n', "has no entry_hash"),
        ('{"entry_id": "3", "entry_count": 3, "entry_hash": "' + "a" * 64 + '"}\n',
         "has no entry_id"),
    ],
    ids=["empty", "not-json", "no-hash", "id-not-a-number"],
)
def test_a_file_that_is_not_a_checkpoint_is_refused(
    tmp_path: Path, content: str, problem: str
) -> None:
    path = tmp_path / "checkpoints.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CheckpointFileError, match=problem):
        read_checkpoint_file(path)
    with pytest.raises(CommandError, match=problem):
        call_command("audit_verify", checkpoint=str(path))


# --- The checkpoint table is append-only -----------------------------------------------


def test_the_application_cannot_change_or_remove_checkpoints(officer: User) -> None:
    checkpoint = make_checkpoint(actor=officer)
    checkpoint.entry_count = 99
    with pytest.raises(PermissionError):
        checkpoint.save()
    with pytest.raises(PermissionError):
        checkpoint.delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's")
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditcheckpoint SET entry_count = 0",
        "DELETE FROM audit_auditcheckpoint",
        "TRUNCATE audit_auditcheckpoint",
    ],
    ids=["update", "delete", "truncate"],
)
def test_postgresql_refuses_changing_checkpoints(officer: User, statement: str) -> None:
    make_checkpoint(actor=officer)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert AuditCheckpoint.objects.count() == 1


# --- The chain check page --------------------------------------------------------------


def _check_page(client: Client, officer: User) -> str:
    verified_login(client, officer)
    response = client.post(reverse("audit:verify"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_check_page_shows_the_last_checkpoint_and_that_the_log_extends_it(
    client: Client, officer: User
) -> None:
    _write_events(officer, 2)
    checkpoint = make_checkpoint(actor=officer)
    html = _check_page(client, officer)
    assert "The audit log is intact" in html
    assert "and the log extends its last checkpoint" in html
    assert "Last checkpoint" in html
    assert checkpoint.entry_hash in html
    assert "govuk-tag--green" in html


def test_the_check_page_shows_a_log_that_no_longer_extends_its_checkpoint(
    client: Client, officer: User
) -> None:
    events = _write_events(officer, 2)
    make_checkpoint(actor=officer)
    empty_table("audit_auditevent")
    html = _check_page(client, officer)
    assert "The audit log has been tampered with" in html
    assert "The log no longer extends its last checkpoint" in html
    assert f"entry {events[-1].pk}, the last entry it recorded, is missing" in html
    assert "govuk-tag--red" in html


def test_the_check_page_says_when_there_is_no_checkpoint(client: Client, officer: User) -> None:
    html = _check_page(client, officer)
    assert "No checkpoint has been made" in html
    assert "manage.py audit_checkpoint" in html


# --- The test suite's own flush ---------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_test_suites_flush_empties_the_log_and_truncate_is_refused_again() -> None:
    """Transactional tests are emptied by a TRUNCATE of every table, which the log's
    triggers refuse on PostgreSQL; the test settings' flush lets it through for that one
    statement only (macehub/testing/management/commands/flush.py)."""
    record_event(event_type=EventType.LOGIN_FAILURE, actor=None, actor_username="someone")
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    if connection.vendor == "postgresql":
        record_event(event_type=EventType.LOGIN_FAILURE, actor=None, actor_username="again")
        with (
            pytest.raises(DatabaseError, match="TRUNCATE is not allowed"),
            connection.cursor() as cursor,
        ):
            cursor.execute("TRUNCATE audit_auditevent")
        assert AuditEvent.objects.count() == 1
