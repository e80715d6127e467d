"""The worker-killed drill, against a real PostgreSQL server and gunicorn as production
runs them: a gunicorn worker is killed (SIGKILL, as the kernel's out-of-memory killer or
an orchestrator does) in the middle of a triage decision that opens a MACE case, and the
hub's data and audit chain are as if the request had never been made.

The test catches the request mid-transaction by holding, from a connection of its own, a
lock that the request's first audit entry waits for (``LOCK TABLE ... IN SHARE MODE``
lets readers on but no insert): the request has by then written the case (its backend
holds a transaction id and a row lock on the case table). The worker is killed, the lock
released; PostgreSQL rolls back what the dead worker's transaction wrote. gunicorn's
master starts a new worker, and the same decision, posted again from the same form,
is recorded once: a third post of that form is an edit conflict.
"""

from __future__ import annotations

import datetime as dt
import http.client
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import psutil
import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from macehub.accounts.models import Agency, User
from macehub.audit.models import AuditEvent
from macehub.cases.models import Case
from macehub.demo import bench
from macehub.referrals.codes import ReferralStatus, TriageOutcome
from macehub.referrals.tests.factories import make_referral
from macehub.testing.factories import make_person

pytestmark = [pytest.mark.postgresql_drill, pytest.mark.django_db(transaction=True)]

RED_CODES = ("HEALTH_STI", "GROOMING_VEHICLES")
CSRF = "drill0csrf0secret0for0the0tests0"  # 32 characters, as Django's own
WAIT_SECONDS = 20
# A new worker imports the hub before it answers: seconds on a quiet machine, more on a
# busy one.
START_SECONDS = 90


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return (f"postgres://{quote(db['USER'], safe='')}{password}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}")


@pytest.fixture
def served(tmp_path: Path, triage_officer: User) -> Iterator[tuple[bench.ServedHub, str]]:
    """gunicorn with one worker and the production settings, on the test database; and a
    signed-in, two-factor session of the triage officer (with a CSRF cookie)."""
    cookie = bench.signed_in_cookie(triage_officer)
    environment = {
        "DJANGO_SETTINGS_MODULE": "macehub.settings",
        "DATABASE_URL": _database_url(),
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "GUNICORN_ACCESS_LOG": "",
    }
    with bench.served_hub(workers=1, cookie=cookie, log_path=tmp_path / "gunicorn.log",
                          environment=environment) as hub:
        yield hub, f"{cookie}; csrftoken={CSRF}"


def _request(hub: bench.ServedHub, method: str, path: str, cookie: str,
             body: str | None = None, timeout: float = WAIT_SECONDS) -> tuple[int, str, str]:
    """One request as a browser behind the TLS proxy makes it: status, Location, body."""
    host = hub.url.split("://", 1)[1]
    headers = {"Cookie": cookie, "X-Forwarded-Proto": "https"}
    if body is not None:
        headers.update({"Content-Type": "application/x-www-form-urlencoded",
                        "Origin": f"https://{host}", "Referer": f"https://{host}{path}"})
    port = int(host.rsplit(":", 1)[1])
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        client.request(method, path, body=body, headers=headers)
        response = client.getresponse()
        return (response.status, response.getheader("Location", ""),
                response.read().decode(errors="replace"))
    finally:
        client.close()


def _until(what: str, check: Callable[[], Any], seconds: float = WAIT_SECONDS) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"Gave up after {seconds} s waiting for {what}")


def _answers(hub: bench.ServedHub) -> bool:
    try:
        return _request(hub, "GET", "/health/", "", timeout=START_SECONDS)[0] == 200
    except (OSError, http.client.HTTPException):
        return False


def _workers(hub: bench.ServedHub) -> list[int]:
    return [child.pid for child in psutil.Process(hub.process.pid).children()]


def test_a_worker_killed_mid_decision_leaves_no_trace_and_a_new_worker_records_it_once(
    served: tuple[bench.ServedHub, str], school: Agency, referrer: User,
    triage_officer: User,
) -> None:
    hub, cookie = served
    child = make_person(school, given_name="Morgan", family_name="Killdrill",
                        date_of_birth=dt.date(2011, 3, 4))
    referral = make_referral(child, referrer, indicator_codes=RED_CODES,
                             received_at=timezone.now() - dt.timedelta(hours=1))
    assert referral.suggested_tier, "a tier is needed to open a case"
    path = reverse("referrals:decide", args=[referral.pk])
    status, _, form = _request(hub, "GET", path, cookie)
    assert status == 200, form[:500]
    match = re.search(r'name="version" value="(\d+)"', form)
    assert match is not None
    now = timezone.localtime()
    body = urlencode({
        "csrfmiddlewaretoken": CSRF, "version": match.group(1),
        "exploitation_types": list(referral.exploitation_types) or ["cse"],
        "brag": referral.suggested_brag, "risk_tier": referral.suggested_tier,
        "override_reason": "", "outcome": TriageOutcome.OPEN_MACE_CASE,
        "outcome_reason": "Sexual health concerns and older males with cars.",
        "decided_on_day": now.day, "decided_on_month": now.month,
        "decided_on_year": now.year, "decided_time": f"{now:%H:%M}",
    }, doseq=True)
    call_command("audit_seal", verbosity=0)
    entries_before = AuditEvent.objects.count()
    [worker] = _workers(hub)

    db = connection.settings_dict
    params = {"host": db["HOST"] or "127.0.0.1", "port": int(db["PORT"] or 5432),
              "user": db["USER"], "password": db["PASSWORD"] or None, "dbname": db["NAME"]}
    # Two connections of the test's own: one holds the lock in its transaction, the
    # other watches (in autocommit, so each look at pg_stat_activity is a fresh one).
    with (psycopg.connect(**params, autocommit=False) as locker,
          psycopg.connect(**params, autocommit=True) as watcher):
        locker.execute(f'LOCK TABLE "{AuditEvent._meta.db_table}" IN SHARE MODE')
        outcome: dict[str, Any] = {}

        def post() -> None:
            try:
                outcome["response"] = _request(hub, "POST", path, cookie, body)
            except (OSError, http.client.HTTPException) as error:
                outcome["error"] = error

        posting = threading.Thread(target=post, daemon=True)
        posting.start()
        try:
            # The request's backend waits for the lock in a transaction that has written.
            blocked = _until(
                "the decision to wait on the audit table inside its transaction",
                lambda: watcher.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND backend_xid IS NOT NULL "
                    "AND pid <> %s", [locker.info.backend_pid]).fetchone())[0]
            written = {row[0] for row in watcher.execute(
                "SELECT relation::regclass::text FROM pg_locks WHERE pid = %s "
                "AND mode = 'RowExclusiveLock' AND granted AND relation IS NOT NULL",
                [blocked])}
            assert Case._meta.db_table in written, written

            os.kill(worker, signal.SIGKILL)
            posting.join(WAIT_SECONDS)
            assert not posting.is_alive()
            assert "response" not in outcome, outcome  # the browser got no answer
        finally:
            locker.rollback()  # the lock released
        _until("the dead worker's backend to end", lambda: watcher.execute(
            "SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = %s",
            [blocked]).fetchone()[0])

    # Nothing of the decision was kept: no case, the referral as it was, no audit entry;
    # the chain verifies.
    referral.refresh_from_db()
    assert (referral.status, referral.version) == (ReferralStatus.AWAITING_TRIAGE, 1)
    assert referral.case_id is None
    assert not Case.objects.filter(child=child).exists()
    assert AuditEvent.objects.count() == entries_before
    call_command("audit_verify", verbosity=0)

    # The master has started a new worker, which records the same decision once.
    [new_worker] = _until("gunicorn to start a new worker",
                          lambda: [pid for pid in _workers(hub) if pid != worker])
    assert new_worker != worker
    _until("the new worker to answer", lambda: _answers(hub), seconds=START_SECONDS)
    status, location, page = _request(hub, "POST", path, cookie, body)
    assert (status, location) == (302, reverse("referrals:detail", args=[referral.pk])), \
        page[:2000]
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECIDED
    [case] = Case.objects.filter(child=child)
    assert referral.case_id == case.pk
    assert AuditEvent.objects.filter(record_id=str(referral.pk),
                                     record_type="referrals.referral").exists()
    assert AuditEvent.objects.filter(record_id=str(case.pk),
                                     record_type="cases.case").exists()
    # The form posted a third time is someone else's decision meanwhile, not a second one.
    status, _, page = _request(hub, "POST", path, cookie, body)
    assert status == 200
    assert "Someone else recorded a decision on this referral" in page
    assert Case.objects.filter(child=child).count() == 1
    call_command("audit_seal", verbosity=0)
    call_command("audit_verify", verbosity=0)
