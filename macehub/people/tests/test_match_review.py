"""Match review pages: a reviewer sees only pairs whose both records they may open,
every pair shown is audited, and a decision needs a reason, is checked against the
version the reviewer saw, and is audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from macehub.accounts.models import Agency
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.conftest import StandardUsers
from macehub.people.codes import MatchDecision
from macehub.people.models import MatchCandidate, MatchRun, Person, PersonAllocation
from macehub.testing.factories import make_person, make_user, verified_login

pytestmark = pytest.mark.django_db

QUEUE = reverse("people:match_queue")


def proposed(first: Person, second: Person, probability: float = 0.97) -> MatchCandidate:
    run = MatchRun.objects.first() or MatchRun.objects.create(
        started_at=timezone.now(), finished_at=timezone.now(), engine="duckdb", records=2,
        threshold=0.5, recommended_threshold=0.5, pairs_found=1, pairs_proposed=1, model={})
    low, high = sorted((first, second), key=lambda person: person.pk)
    return MatchCandidate.objects.create(
        first=low, second=high, run=run, probability=probability, match_weight=5.0,
        evidence=[{"field": "given_name", "label": "Exact match on given_name",
                   "agreement": "agrees", "left": "riley", "right": "riley", "weight": 6.5},
                  {"field": "date_of_birth", "label": "Date of birth missing",
                   "agreement": "missing", "left": None, "right": "2011-03-14",
                   "weight": 0.0}])


def review_url(candidate: MatchCandidate) -> str:
    return reverse("people:match_review", args=[candidate.pk])


@pytest.fixture
def pair(hub_agency: Agency) -> MatchCandidate:
    return proposed(make_person(hub_agency, given_name="Riley", family_name="Ashdown"),
                    make_person(hub_agency, given_name="Riley", family_name="Ashdowne"))


def test_a_pair_with_a_restricted_record_is_shown_only_to_those_allocated(
        hub_agency: Agency, users: StandardUsers, pair: MatchCandidate) -> None:
    hidden = make_person(hub_agency, given_name="Sky", family_name="Marlow", is_restricted=True)
    restricted_pair = proposed(make_person(hub_agency, given_name="Sky", family_name="Marlowe"),
                               hidden, probability=0.99)
    analyst = users.client(Role.ANALYST)

    page = analyst.get(QUEUE)
    assert page.status_code == 200
    assert list(page.context["page_obj"].object_list) == [pair]
    assert "Marlow" not in page.content.decode()
    assert analyst.get(review_url(restricted_pair)).status_code == 404

    PersonAllocation.objects.create(person=hidden, user=users[Role.ANALYST])
    page = analyst.get(QUEUE)
    assert list(page.context["page_obj"].object_list) == [restricted_pair, pair]
    assert analyst.get(review_url(restricted_pair)).status_code == 200


def test_the_queue_and_a_review_are_audited_as_views_of_the_people_shown(
        users: StandardUsers, pair: MatchCandidate) -> None:
    analyst = users.client(Role.ANALYST)
    analyst.get(QUEUE)
    listed = AuditEvent.objects.filter(event_type=EventType.VIEW,
                                       record_type="people.matchcandidate").latest("pk")
    assert listed.detail["shown"] == [pair.pk]
    assert listed.detail["people"] == [pair.first_id, pair.second_id]

    page = analyst.get(review_url(pair))
    assert page.status_code == 200
    assert "Riley Ashdowne" in page.content.decode()
    viewed = AuditEvent.objects.filter(event_type=EventType.VIEW).latest("pk")
    assert viewed.record_id == str(pair.pk)
    assert viewed.detail["people"] == [pair.first_id, pair.second_id]


def test_a_decision_with_its_reason_is_saved_and_audited(
        users: StandardUsers, pair: MatchCandidate) -> None:
    analyst = users.client(Role.ANALYST)
    response = analyst.post(review_url(pair), {
        "decision": MatchDecision.NOT_SAME, "reason": "Different schools and NHS numbers",
        "version": pair.version})
    assert response.status_code == 302 and response["Location"] == QUEUE

    pair.refresh_from_db()
    assert pair.decision == MatchDecision.NOT_SAME
    assert pair.reason == "Different schools and NHS numbers"
    assert pair.decided_by == users[Role.ANALYST] and pair.decided_at is not None
    assert pair.version == 2
    change = AuditEvent.objects.get(event_type=EventType.CHANGE,
                                    record_type="people.matchcandidate")
    assert change.detail["changes"]["decision"] == {"old": "undecided", "new": "not_same"}
    assert change.detail["people"] == [pair.first_id, pair.second_id]
    # Decided: gone from the queue; its page shows the decision, and takes no other.
    assert not analyst.get(QUEUE).context["page_obj"].object_list
    page = analyst.get(review_url(pair))
    assert "Not the same person" in page.content.decode()
    assert "Save decision" not in page.content.decode()
    analyst.post(review_url(pair), {"decision": MatchDecision.SAME, "reason": "x",
                                    "version": pair.version})
    pair.refresh_from_db()
    assert pair.decision == MatchDecision.NOT_SAME


def test_a_decision_without_a_reason_is_refused_and_keeps_what_was_chosen(
        users: StandardUsers, pair: MatchCandidate) -> None:
    page = users.client(Role.ANALYST).post(review_url(pair), {
        "decision": MatchDecision.SAME, "reason": "  ", "version": pair.version})
    assert page.status_code == 400
    text = page.content.decode()
    assert "There is a problem" in text
    assert "Enter what shows these are the same person" in text
    assert 'value="same" checked' in text
    pair.refresh_from_db()
    assert pair.decision == MatchDecision.UNDECIDED
    assert not AuditEvent.objects.filter(event_type=EventType.CHANGE).exists()


def test_a_decision_on_a_pair_someone_else_decided_first_is_not_saved(
        users: StandardUsers, pair: MatchCandidate) -> None:
    supervisor, analyst = users.client(Role.SUPERVISOR), users.client(Role.ANALYST)
    seen = pair.version
    supervisor.post(review_url(pair), {"decision": MatchDecision.NOT_SURE,
                                       "reason": "Ask the school", "version": seen})
    page = analyst.post(review_url(pair), {"decision": MatchDecision.SAME,
                                           "reason": "Same child", "version": seen})
    assert page.status_code == 400
    assert "Someone else decided this pair" in page.content.decode()
    pair.refresh_from_db()
    assert pair.decision == MatchDecision.NOT_SURE and pair.reason == "Ask the school"
    # "Not sure" stays open: listed apart, and decidable from the version now shown.
    listed = analyst.get(f"{QUEUE}?show=not-sure").context["page_obj"].object_list
    assert list(listed) == [pair]
    analyst.post(review_url(pair), {"decision": MatchDecision.SAME, "reason": "Same child",
                                    "version": pair.version})
    pair.refresh_from_db()
    assert pair.decision == MatchDecision.SAME


def test_roles_without_match_review_are_refused(users: StandardUsers,
                                               pair: MatchCandidate) -> None:
    for role in (Role.SOCIAL_WORKER, Role.INVESTIGATOR, Role.VICTIM_ADVOCATE):
        client = users.client(role)
        assert client.get(QUEUE).status_code == 403
        assert client.get(review_url(pair)).status_code in (403, 404)


def test_the_queue_reads_a_page_in_the_same_queries_whatever_its_length(
        hub_agency: Agency, users: StandardUsers, pair: MatchCandidate) -> None:
    analyst = users.client(Role.ANALYST)
    analyst.get(QUEUE)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert analyst.get(QUEUE).status_code == 200
        return len(captured)

    one = queries()
    for number in range(10):
        proposed(make_person(hub_agency, given_name=f"Alex{number}"),
                 make_person(hub_agency, given_name=f"Alix{number}"))
    assert queries() == one


def test_probabilities_are_never_rounded_to_certainty(users: StandardUsers,
                                                     pair: Any) -> None:
    MatchCandidate.objects.filter(pk=pair.pk).update(probability=0.99996)
    text = users.client(Role.ANALYST).get(QUEUE).content.decode()
    assert "over 99.9%" in text and "100.0%" not in text


def test_a_reviewer_asks_for_a_matching_run_from_the_queue_one_at_a_time(
        hub_agency: Agency, users: StandardUsers, pair: MatchCandidate,
        monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any) -> None:
    """The run proposes pairs (the model itself is tested in ``test_linkage``); its page
    follows each stage and leads to the queue with the number of new pairs; while one
    waits or runs, asking again leads to it (or, someone else's, back to the queue)."""
    from macehub.governance.codes import RequestedJobStatus
    from macehub.governance.models import RequestedJob
    from macehub.governance.requested_jobs import run_requested_job
    from macehub.governance.tests.requested_jobs import job_asked_for
    from macehub.people import background_jobs

    stages: list[str] = []

    def model(*, actor: Any, progress: Any) -> tuple[MatchRun, None]:
        progress("Keeping the pairs for review", 85)
        stages.append(RequestedJob.objects.get(kind=background_jobs.FIND_MATCHES).stage)
        now = timezone.now()
        run = MatchRun.objects.create(
            started_at=now, finished_at=now, run_by=actor, engine="duckdb", records=4,
            threshold=0.9, recommended_threshold=0.9, pairs_found=2, pairs_proposed=2,
            model={})
        MatchCandidate.objects.filter(pk=pair.pk).update(run=run)  # proposed again
        new = proposed(make_person(hub_agency, given_name="Robin"),
                       make_person(hub_agency, given_name="Robyn"))
        MatchCandidate.objects.filter(pk=new.pk).update(run=run)
        return run, None

    monkeypatch.setattr(background_jobs, "propose_matches", model)
    find = reverse("people:find_matches")
    analyst = users.client(Role.ANALYST)
    assert analyst.get(find).status_code == 405
    assert "Look for new matches" in analyst.get(QUEUE).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        job = job_asked_for(analyst.post(find))
    job.refresh_from_db()
    assert stages == ["Keeping the pairs for review"]
    assert (job.status, job.result_url) == (RequestedJobStatus.DONE, QUEUE)
    assert job.result_label.startswith("1 new pair proposed (2 from this run waiting")
    assert not Person.objects.filter(merged_into__isnull=False).exists(), "nothing merged"

    # Asked for again while it waits: the same run, for its requester; not for another.
    waiting = job_asked_for(analyst.post(find))
    assert job_asked_for(analyst.post(find)) == waiting
    assert "is waiting or under way" in analyst.get(QUEUE).content.decode()
    colleague = Client()
    verified_login(colleague, make_user("another.analyst", Role.ANALYST, agency=hub_agency))
    assert colleague.post(find)["Location"] == QUEUE
    assert RequestedJob.objects.filter(kind=background_jobs.FIND_MATCHES).count() == 2
    # Two asked for at once: the later stands down for the earlier.
    later = RequestedJob.objects.create(
        kind=background_jobs.FIND_MATCHES, title="Again", arguments={"run": "later"},
        requested_by=waiting.requested_by, requested_at=timezone.now())
    run_requested_job.call(later.pk)
    later.refresh_from_db()
    assert (later.status, later.problem) == (RequestedJobStatus.FAILED,
                                             background_jobs.ALREADY_UNDER_WAY)
