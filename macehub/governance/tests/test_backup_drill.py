"""The backup and restore drill, on PostgreSQL: a hub with a few records and a sealed,
checkpointed audit log comes back identical from pg_dump and pg_restore, and its audit
log verifies on the restored copy; a log changed behind the hub's back fails the drill."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from macehub.accounts.roles import Role
from macehub.audit.models import AuditEvent
from macehub.audit.services import make_checkpoint
from macehub.audit.tests.tampering import tamper
from macehub.people.services import PersonDetails, create_person

pytestmark = [pytest.mark.postgresql_drill, pytest.mark.django_db(transaction=True)]


def _drill() -> str:
    out = io.StringIO()
    call_command("backup_drill", stdout=out)
    return out.getvalue()


def _scratch_databases() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                       [f"{connection.settings_dict['NAME'][:40]}_drill_%"])
        return [name for (name,) in cursor.fetchall()]


def test_the_drill_restores_every_record_and_an_audit_log_that_verifies(users: Any) -> None:
    for given, family in (("Amara", "Okafor"), ("Bethan", "Price"), ("Callum", "Reid")):
        create_person(actor=users[Role.SOCIAL_WORKER],
                      details=PersonDetails(given_name=given, family_name=family))
    make_checkpoint(actor=users[Role.INFORMATION_GOVERNANCE])
    entries = AuditEvent.objects.count()

    report = _drill()
    rows = {line.split()[0]: line.split()[1:] for line in report.splitlines() if line.strip()}
    assert rows["people_person"] == ["3", "3", "same"]
    assert rows["audit_auditevent"] == [str(entries), str(entries), "same"]
    assert rows["audit_auditcheckpoint"] == ["1", "1", "same"]
    assert f"Audit log intact: {entries} entries verified" in report
    assert "Backup drill passed" in report
    assert _scratch_databases() == []

    # An entry changed behind the hub's back: the restored log does not verify either.
    first = AuditEvent.objects.order_by("position").first()
    assert first is not None
    tamper("UPDATE audit_auditevent SET purpose = 'altered' WHERE id = %s", [first.pk])
    with pytest.raises(CommandError, match="audit_verify failed on the restored database"):
        _drill()
    assert _scratch_databases() == []


@pytest.mark.django_db
def test_a_backup_is_a_custom_format_dump(tmp_path: Any) -> None:
    path = tmp_path / "hub.dump"
    call_command("backup", str(path), stdout=io.StringIO())
    assert path.read_bytes()[:5] == b"PGDMP"
