"""The audit log is append-only and tamper-evident."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from macehub.accounts.models import User
from macehub.accounts.roles import Role
from macehub.audit.chain import verify_chain
from macehub.audit.events import EventType
from macehub.audit.models import GENESIS_HASH, AuditEvent
from macehub.audit.sealing import seal_events
from macehub.audit.services import record_event
from macehub.audit.tests.tampering import tamper
from macehub.testing.factories import make_user

pytestmark = pytest.mark.django_db


def _write_events(count: int) -> list[AuditEvent]:
    user = User.objects.filter(username="ig.tester").first() or make_user(
        "ig.tester", Role.INFORMATION_GOVERNANCE
    )
    recorded = [
        record_event(
            event_type=EventType.VIEW,
            actor=user,
            record_type="people.person",
            record_id=str(n),
            detail={"n": n, "note": "synthetic"},
        )
        for n in range(count)
    ]
    # What the commit of each request would have set off (the test's transaction never
    # commits): sealing, which gives each entry its place and hashes.
    seal_events()
    return [AuditEvent.objects.get(pk=event.pk) for event in recorded]


def test_entries_link_to_the_one_before() -> None:
    events = _write_events(3)
    assert events[0].previous_hash == GENESIS_HASH
    assert events[1].previous_hash == events[0].entry_hash
    assert events[2].previous_hash == events[1].entry_hash
    report = verify_chain()
    assert report.intact and report.entries_checked == 3


def test_entry_records_who_from_which_agency_and_roles() -> None:
    event = _write_events(1)[0]
    assert event.actor_username == "ig.tester"
    assert event.actor_roles == "information_governance"


def test_altered_content_is_detected_at_that_entry() -> None:
    events = _write_events(5)
    tamper("UPDATE audit_auditevent SET actor_username = %s WHERE id = %s",
            ["someone.else", events[2].pk])
    report = verify_chain()
    assert not report.intact
    assert report.first_break is not None
    assert report.first_break.entry_id == events[2].pk
    assert "altered" in report.first_break.reason


def test_removed_entry_is_detected_at_the_next_one() -> None:
    events = _write_events(5)
    tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    report = verify_chain()
    assert report.first_break is not None
    assert report.first_break.entry_id == events[2].pk


def test_rehashed_entry_still_breaks_the_next_link() -> None:
    events = _write_events(4)
    forged = AuditEvent.objects.get(pk=events[1].pk)
    forged.actor_username = "forger"
    forged_hash = forged.compute_hash()
    tamper("UPDATE audit_auditevent SET actor_username = %s, entry_hash = %s WHERE id = %s",
            ["forger", forged_hash, events[1].pk])
    report = verify_chain()
    assert report.first_break is not None
    assert report.first_break.entry_id == events[2].pk


def test_audit_verify_command_reports_first_broken_link(capsys: pytest.CaptureFixture[str]) -> None:
    events = _write_events(3)
    call_command("audit_verify")
    assert "3 entries verified" in capsys.readouterr().out
    tamper("UPDATE audit_auditevent SET purpose = %s WHERE id = %s", ["edited", events[0].pk])
    with pytest.raises(CommandError, match=f"entry {events[0].pk}"):
        call_command("audit_verify")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_update_and_delete() -> None:
    event = _write_events(1)[0]
    for statement in (
        "UPDATE audit_auditevent SET purpose = 'x' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [event.pk])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_truncate() -> None:
    _write_events(2)
    with (
        pytest.raises(DatabaseError, match="append-only: TRUNCATE is not allowed"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.count() == 2


def test_verifying_carries_on_from_a_head_already_checked() -> None:
    _write_events(3)
    first = verify_chain()
    later = _write_events(2)
    carried_on = verify_chain(start=first.head)
    assert carried_on.intact
    assert carried_on.entries_checked == 5
    assert carried_on.head.entry_id == later[-1].pk
    assert carried_on.head.entry_hash == later[-1].entry_hash
    assert carried_on.head == verify_chain().head


def test_the_application_cannot_change_or_remove_entries() -> None:
    event = _write_events(1)[0]
    event.purpose = "edited"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
