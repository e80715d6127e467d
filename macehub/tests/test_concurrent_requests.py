"""Two real requests at once, on PostgreSQL (where row locks and the wait on a unique
index are real; SQLite runs one write transaction at a time): each request runs in its
own thread with its own connection, and the two are interleaved at the service boundary,
so the second arrives while the first's transaction is still open.

- Two saves of a person's details from the same version: the first holds the row lock
  while the second arrives; exactly one save wins, and the second user gets the
  conflict page with the first's change shown and what they typed kept.
- The same form sent twice at once with one submission token (a double click): the
  second waits until the first has finished (the token is held for the whole request),
  then creates nothing and is taken where the first went; one record, one "created"
  entry. The same for a form whose record has a unique name (a team): the second never
  reaches the name's constraint, which would have refused it with a server error.
- Two claims of one token at once: the second waits on the token's unique constraint
  until the first commits, then is refused.
"""

from __future__ import annotations

import copy
import re
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.conftest import StandardUsers
from macehub.core import submissions
from macehub.core.models import Submission
from macehub.core.submissions import ALREADY_SUBMITTED, FIELD
from macehub.core.versioning import Versioning
from macehub.intelligence.models import IntelligenceReport
from macehub.people.models import Person
from macehub.testing.factories import make_person, signed_in_client

pytestmark = [pytest.mark.postgresql_drill, pytest.mark.django_db(transaction=True)]

TOKEN_INPUT = re.compile(rf'<input type="hidden" name="{FIELD}" value="([^"]+)">')
# How long the first request keeps its transaction open once the second is on its way.
HOLD = 0.5


def _in_thread(work: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """Run ``work`` in a thread of its own (its own database connection); the list holds
    its result or the error it raised once the thread has ended."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as error:  # reported by the caller's assertions
            outcome.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def _one_browser_twice(user: Any, url: str) -> tuple[Client, Client, str]:
    """The same browser's two requests (two clients with one session; a server error is
    the second's answer, not raised), and the submission token of the form at ``url``."""
    one = signed_in_client(user)
    two = Client(raise_request_exception=False)
    two.cookies = copy.deepcopy(one.cookies)
    page = one.get(url).content.decode()
    return one, two, TOKEN_INPUT.findall(page[page.index('id="main-content"'):])[0]


def _sent_twice_at_once(one: Client, two: Client, url: str, data: dict[str, Any],
                        first_claimed: threading.Event) -> tuple[Any, Any, float]:
    """The form posted by ``one`` in a thread, then by ``two`` once the first has claimed
    its token (its transaction still open): both answers, and how long the second took."""
    thread, outcome = _in_thread(lambda: one.post(url, data))
    assert first_claimed.wait(20), outcome
    started = time.monotonic()
    duplicate = two.post(url, data)
    waited = time.monotonic() - started
    thread.join(30)
    [first] = outcome
    return first, duplicate, waited


def _person_form(person: Person, **changes: str) -> dict[str, str]:
    return {"version": "1", "given_name": person.given_name,
            "family_name": person.family_name, "date_of_birth_day": "",
            "date_of_birth_month": "", "date_of_birth_year": "", "sex": person.sex,
            **changes}


def test_two_saves_of_a_person_at_once_one_wins_the_other_is_told(
        users: StandardUsers, hub_agency: Agency, monkeypatch: pytest.MonkeyPatch) -> None:
    person = make_person(hub_agency, given_name="Ella", family_name="Stone",
                         date_of_birth=None)
    url = reverse("people:edit", args=[person.pk])
    first, second = signed_in_client(users[Role.TRIAGE]), signed_in_client(users[Role.ANALYST])
    first_saved, second_sent = threading.Event(), threading.Event()
    real_save = Versioning.save

    def save_and_hold(self: Versioning, record: Any, **kwargs: Any) -> None:
        real_save(self, record, **kwargs)
        if threading.current_thread() is not threading.main_thread():
            # The first save is written, its row locked and not yet committed: let the
            # second request in, and keep the transaction open while it arrives.
            first_saved.set()
            second_sent.wait(10)
            time.sleep(HOLD)

    monkeypatch.setattr(Versioning, "save", save_and_hold)
    thread, outcome = _in_thread(
        lambda: first.post(url, _person_form(person, family_name="Stone-Hill")))
    assert first_saved.wait(20), outcome
    second_sent.set()
    started = time.monotonic()
    response = second.post(url, _person_form(person, given_name="Ellie"))
    waited = time.monotonic() - started
    thread.join(30)
    [first_response] = outcome
    assert first_response.status_code == 302, first_response
    html = response.content.decode()
    assert response.status_code == 200
    assert waited >= HOLD * 0.8  # it waited for the first's row lock
    assert "Someone else changed this record" in html
    assert "Stone-Hill" in html  # the first's change is shown
    assert 'value="Ellie"' in html  # what the second typed is kept
    assert 'name="version" value="2"' in html
    person.refresh_from_db()
    assert (person.given_name, person.family_name, person.version) == ("Ella", "Stone-Hill", 2)
    assert AuditEvent.objects.filter(event_type=EventType.CHANGE, record_id=str(person.pk)
                                     ).count() == 1


def test_one_token_sent_twice_at_once_creates_one_record(
        users: StandardUsers, monkeypatch: pytest.MonkeyPatch) -> None:
    user = users[Role.INVESTIGATOR]
    url = reverse("intelligence:record")
    one, two, token = _one_browser_twice(user, url)
    day = timezone.localdate()
    data = {"source_text": "A grey van seen outside the school", "source_evaluation": "2",
            "intelligence_assessment": "B", "handling_code": "P",
            "security_marking": "official_sensitive", "priority": "high",
            "occurred_on_day": str(day.day), "occurred_on_month": str(day.month),
            "occurred_on_year": str(day.year), FIELD: token}
    first_claimed = threading.Event()
    refused: list[BaseException] = []
    real_claim = submissions.claim

    def paced_claim(**kwargs: Any) -> None:
        if threading.current_thread() is not threading.main_thread():
            real_claim(**kwargs)
            first_claimed.set()
            time.sleep(HOLD)  # the first's transaction stays open while the second arrives
            return
        try:
            real_claim(**kwargs)
        except submissions.AlreadySubmitted as error:
            refused.append(error)
            raise

    monkeypatch.setattr(submissions, "claim", paced_claim)
    first, duplicate, waited = _sent_twice_at_once(one, two, url, data, first_claimed)
    assert first.status_code == 302, first
    # The second waited for the first to finish, then was answered before its view ran:
    # it never tried to claim the token.
    assert not refused and waited >= HOLD * 0.5
    assert duplicate.status_code == 302 and duplicate["Location"] == first["Location"]
    assert ALREADY_SUBMITTED in two.get(duplicate["Location"]).content.decode()
    assert IntelligenceReport.objects.count() == 1
    assert AuditEvent.objects.filter(event_type=EventType.CREATE,
                                     record_type="intelligence.intelligencereport").count() == 1


def test_a_claim_waits_on_the_tokens_constraint_while_the_first_is_in_flight(
        users: StandardUsers) -> None:
    user = users[Role.INVESTIGATOR]
    first_claimed = threading.Event()

    def first() -> None:
        with submissions.submitted_with("one-token"), transaction.atomic():
            submissions.claim(user_pk=user.pk, record_type="cases.case", record_id=1)
            first_claimed.set()
            time.sleep(HOLD)

    thread, outcome = _in_thread(first)
    assert first_claimed.wait(20), outcome
    started = time.monotonic()
    with pytest.raises(submissions.AlreadySubmitted), \
            submissions.submitted_with("one-token"), transaction.atomic():
        submissions.claim(user_pk=user.pk, record_type="cases.case", record_id=2)
    waited = time.monotonic() - started
    thread.join(30)
    assert outcome == [None]
    assert waited >= HOLD * 0.8  # it waited for the first to commit
    assert list(Submission.objects.values_list("record_id", flat=True)) == ["1"]


def test_a_double_click_on_a_form_with_a_unique_name_is_told_not_failed(
        users: StandardUsers, hub_agency: Agency, monkeypatch: pytest.MonkeyPatch) -> None:
    user = users[Role.ADMINISTRATOR]
    url = reverse("accounts:team_create")
    one, two, token = _one_browser_twice(user, url)
    data = {"agency": str(hub_agency.pk), "name": "Missing children team",
            "is_active": "on", "identity_provider_group": "", FIELD: token}
    first_claimed = threading.Event()
    real_claim = submissions.claim

    def paced_claim(**kwargs: Any) -> None:
        real_claim(**kwargs)
        if threading.current_thread() is not threading.main_thread():
            first_claimed.set()
            time.sleep(HOLD)  # the team is written, its name's index entry held, uncommitted

    monkeypatch.setattr(submissions, "claim", paced_claim)
    first, duplicate, waited = _sent_twice_at_once(one, two, url, data, first_claimed)
    assert first.status_code == 302, first
    assert duplicate.status_code == 302, duplicate.status_code  # not a server error
    assert duplicate["Location"] == first["Location"] and waited >= HOLD * 0.5
    assert ALREADY_SUBMITTED in two.get(duplicate["Location"]).content.decode()
    assert Team.objects.filter(name="Missing children team").count() == 1
