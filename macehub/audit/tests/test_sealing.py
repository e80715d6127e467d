"""Entries are appended unsealed and sealed into the chain once their work commits, on
either engine: an entry rolls back with its work, is sealed straight after commit, an
entry left unsealed for more than a minute is reported, and the benchmark switch that
turns auditing off is never silent."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.checks import run_checks
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from macehub.accounts.models import User
from macehub.accounts.roles import Role
from macehub.audit.chain import verify_chain
from macehub.audit.checks import audit_switched_off_for_benchmark
from macehub.audit.events import EventType
from macehub.audit.models import GENESIS_HASH, AuditEvent
from macehub.audit.sealing import seal_events
from macehub.audit.services import record_event
from macehub.audit.tests.tampering import tamper
from macehub.testing.factories import make_user


class _WorkFailed(Exception):
    pass


def _officer() -> User:
    return make_user("ig.sealing", Role.INFORMATION_GOVERNANCE)


def _record(user: User | None, n: int) -> AuditEvent:
    return record_event(event_type=EventType.VIEW, actor=user, record_type="people.person",
                        record_id=str(n), detail={"n": n})


def _verify() -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("audit_verify", stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


@pytest.mark.django_db(transaction=True)
def test_an_entry_is_unsealed_until_its_work_commits_then_sealed() -> None:
    user = _officer()
    with transaction.atomic():
        first, second = _record(user, 1), _record(user, 2)
        stored = AuditEvent.objects.get(pk=first.pk)
        assert (stored.position, stored.previous_hash, stored.entry_hash) == (None, None, None)
    # Sealed by the round run on commit: one chain, in order, that verifies.
    sealed = list(AuditEvent.objects.filter(pk__in=[first.pk, second.pk]).order_by("position"))
    assert [event.position for event in sealed] == [1, 2]
    assert sealed[0].previous_hash == GENESIS_HASH
    assert sealed[1].previous_hash == sealed[0].entry_hash
    report = verify_chain()
    assert report.intact and report.entries_checked == 2 and report.unsealed == 0


@pytest.mark.django_db(transaction=True)
def test_an_entry_rolls_back_with_its_work_and_the_chain_does_not_notice() -> None:
    user = _officer()
    with pytest.raises(_WorkFailed), transaction.atomic():
        _record(user, 1)
        raise _WorkFailed
    kept = _record(user, 2)
    assert list(AuditEvent.objects.values_list("record_id", flat=True)) == ["2"]
    assert AuditEvent.objects.get(pk=kept.pk).position == 1
    assert verify_chain().intact


@pytest.mark.django_db(transaction=True)
def test_a_savepoint_rolled_back_still_leaves_the_transaction_its_sealing_round() -> None:
    user = _officer()
    with transaction.atomic():
        with pytest.raises(_WorkFailed), transaction.atomic():
            _record(user, 1)  # asks for the round, inside the savepoint...
            raise _WorkFailed
        _record(user, 2)  # ...which rolled back with it, so this one asks again
    assert list(AuditEvent.objects.values_list("record_id", "position")) == [("2", 1)]


@pytest.mark.django_db
def test_sealing_takes_only_unsealed_entries_and_carries_the_chain_on() -> None:
    user = _officer()
    _record(user, 1)
    assert seal_events() == 1
    assert seal_events() == 0  # nothing is sealed twice
    _record(user, 2)
    assert seal_events() == 1
    head = AuditEvent.objects.get(position=2)
    assert head.previous_hash == AuditEvent.objects.get(position=1).entry_hash
    assert verify_chain().head.entry_id == head.pk


@pytest.mark.django_db
def test_verify_passes_with_fresh_unsealed_entries_and_fails_when_one_waits_too_long() -> None:
    user = _officer()
    _record(user, 1)
    seal_events()
    _record(user, 2)  # the test's transaction never commits: it stays unsealed
    printed = _verify()
    assert "Audit log intact: 1 entries verified" in printed
    assert "1 recent entries are still to be sealed" in printed
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=50), tick=False):
        assert "still to be sealed" in _verify()
    with (
        time_machine.travel(timezone.now() + dt.timedelta(seconds=61), tick=False),
        pytest.raises(
            CommandError,
            match=r"1 audit entries have waited more than a minute to be sealed into the "
            r"chain \(the oldest since .*\): is manage.py audit_seal running",
        ),
    ):
        call_command("audit_verify")
    # Sealing it puts it right.
    call_command("audit_seal", stdout=io.StringIO())
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5), tick=False):
        assert "Audit log intact: 2 entries verified." in _verify()


@pytest.mark.django_db
def test_the_seal_command_says_how_many_it_sealed() -> None:
    user = _officer()
    _record(user, 1)
    _record(user, 2)
    out = io.StringIO()
    call_command("audit_seal", stdout=out)
    assert out.getvalue().strip() == "Sealed 2 audit entries."
    out = io.StringIO()
    call_command("audit_seal", stdout=out)
    assert out.getvalue().strip() == "Sealed 0 audit entries."


@pytest.mark.django_db
def test_a_position_missing_from_the_chain_is_a_break() -> None:
    user = _officer()
    events = [_record(user, n) for n in range(3)]
    seal_events()
    tamper("UPDATE audit_auditevent SET position = 7 WHERE id = %s", [events[2].pk])
    report = verify_chain()
    assert report.first_break is not None
    assert report.first_break.entry_id == events[2].pk
    assert "position 7 where 3 was expected" in report.first_break.reason


@pytest.mark.django_db
def test_switched_off_for_a_benchmark_nothing_is_recorded_and_a_check_warns() -> None:
    user = _officer()
    assert audit_switched_off_for_benchmark() == []
    with override_settings(AUDIT_OFF_FOR_BENCHMARK=True):
        _record(user, 1)
        warnings = audit_switched_off_for_benchmark()
        # Registered, so every management command's checks show it.
        assert "audit.W001" in [message.id for message in run_checks()]
    assert not AuditEvent.objects.exists()
    assert [warning.id for warning in warnings] == ["audit.W001"]
    assert "THE AUDIT LOG IS SWITCHED OFF" in warnings[0].msg
    _record(user, 2)
    assert AuditEvent.objects.count() == 1
