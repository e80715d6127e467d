"""The triage queue puts the most urgent first (Red, then under-13s and immediate risk,
then Amber, Green and the rest, each by time left), shows the child's age, an open case
(linked only when the viewer may open it) and who has picked each referral up; a triage
officer picks one up, releases it, or takes it over from someone else only when they
confirm, each audited; deciding a referral clears the pick-up."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from macehub.accounts.models import Agency, User
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.cases.codes import Brag, RiskTier
from macehub.cases.services import open_case, set_restricted
from macehub.core.service_errors import ServiceRefused
from macehub.core.versioning import EditConflict
from macehub.core.work_queue import WorkItem
from macehub.referrals import selectors, services
from macehub.referrals.codes import ReferralStatus, TriageOutcome
from macehub.referrals.models import Referral
from macehub.referrals.tests.factories import make_referral
from macehub.testing.clock import LONDON
from macehub.testing.factories import make_person, make_user

pytestmark = pytest.mark.django_db

# A fixed Thursday afternoon: every clock below is counted from it.
NOW = dt.datetime(2026, 11, 12, 15, 0, tzinfo=LONDON)
RED_CODES = ("HEALTH_STI", "GROOMING_VEHICLES")
AMBER_CODES = ("GROOMING_GIFTS", "HEALTH_SELF_HARM", "GROOMING_PHONE")
GREEN_CODES = ("GROOMING_GIFTS",)


@pytest.fixture(autouse=True)
def fixed_now() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def colleague(hub_user_factory: Any) -> User:
    return hub_user_factory("col.league", Role.TRIAGE)


def _child(agency: Agency, name: str, born: dt.date = dt.date(2010, 5, 1)) -> Any:
    return make_person(agency, given_name=name, family_name="Queue", date_of_birth=born)


def _referral(agency: Agency, referrer: User, name: str, codes: tuple[str, ...] = (),
              hours_ago: float = 1, **fields: Any) -> Referral:
    return make_referral(_child(agency, name, fields.pop("born", dt.date(2010, 5, 1))),
                         referrer, indicator_codes=codes,
                         received_at=NOW - dt.timedelta(hours=hours_ago), **fields)


def _positions(page: str, referrals: list[Referral]) -> list[int]:
    return [page.index(f'id="queue-{referral.reference}"') for referral in referrals]


# --- The order ----------------------------------------------------------------------------


def test_red_comes_first_then_under_13s_and_immediate_risk_then_amber_green_and_the_rest(
    school: Agency, referrer: User, triage_officer: User, client_for: Any
) -> None:
    green_overdue = _referral(school, referrer, "Gus", GREEN_CODES, hours_ago=24 * 18)
    blue = _referral(school, referrer, "Bea", hours_ago=30)
    amber = _referral(school, referrer, "Ava", AMBER_CODES, hours_ago=2)
    immediate = _referral(school, referrer, "Ike", hours_ago=0.5, immediate_risk=True)
    under_13 = _referral(school, referrer, "Uma", hours_ago=0.25, born=dt.date(2014, 1, 9))
    red_new = _referral(school, referrer, "Ruth", RED_CODES, hours_ago=0.1)
    red_older = _referral(school, referrer, "Rex", RED_CODES, hours_ago=1)
    assert green_overdue.suggested_brag == Brag.GREEN and red_new.suggested_brag == Brag.RED
    assert amber.suggested_brag == Brag.AMBER and blue.suggested_brag == Brag.BLUE

    # Immediate risk is rated Red by the screening: it is among the Reds, by time left.
    assert immediate.suggested_brag == Brag.RED and under_13.suggested_brag == Brag.BLUE
    expected = [red_older, immediate, red_new, under_13, amber, green_overdue, blue]
    assert list(selectors.triage_queue(triage_officer)) == expected
    page = client_for(triage_officer).get(reverse("referrals:queue")).content.decode()
    assert _positions(page, expected) == sorted(_positions(page, expected))
    assert ("most urgent first: Red, then under-13s and immediate risk, then by time left"
            in page)
    assert "Age 12" in page and "Age 16" in page
    assert '<strong class="govuk-tag govuk-tag--red govuk-!-margin-top-1">Under 13</strong>' \
        in page
    assert "Immediate risk</strong>" in page


def test_an_estimated_age_counts_as_under_13_until_it_reaches_13(
    school: Agency, referrer: User, triage_officer: User
) -> None:
    def estimated(name: str, age: int, years_ago: int) -> Referral:
        child = make_person(school, given_name=name, date_of_birth=None, estimated_age=age,
                            age_estimated_on=NOW.date() - dt.timedelta(days=365 * years_ago))
        return make_referral(child, referrer, indicator_codes=AMBER_CODES,
                             received_at=NOW - dt.timedelta(hours=1))

    still_12 = estimated("Twelve", 12, 0)
    now_13 = estimated("Thirteen", 11, 2)
    young = {r.pk for r in selectors.triage_queue(triage_officer).filter(
        triage_band=selectors.TriageBand.UNDER_13_OR_IMMEDIATE_RISK)}
    assert young == {still_12.pk}
    assert now_13.child.age_on(NOW.date()) == 13


def test_the_order_is_the_database_s_so_the_first_page_holds_the_most_urgent(
    school: Agency, referrer: User, triage_officer: User, client_for: Any
) -> None:
    greens = [_referral(school, referrer, f"Green{i}", GREEN_CODES, hours_ago=48 + i)
              for i in range(26)]
    red = _referral(school, referrer, "Late", RED_CODES, hours_ago=0.1)
    first = client_for(triage_officer).get(reverse("referrals:queue")).content.decode()
    assert red.reference in first
    assert greens[0].reference not in first  # the least overdue Green is on page 2
    assert "27 referrals awaiting triage" in first


def test_the_query_count_stays_flat_with_open_cases_and_pick_ups(
    school: Agency, referrer: User, triage_officer: User, client_for: Any,
    hub_agency: Agency
) -> None:
    client = client_for(triage_officer)

    def count(number: int) -> int:
        Referral.objects.all().delete()
        for index in range(number):
            referral = _referral(school, referrer, f"Child{index}", RED_CODES if index % 2
                                 else GREEN_CODES)
            if index % 3 == 0:
                open_case(actor=triage_officer, child=referral.child, risk_tier=RiskTier.LOW,
                          lead_agency=hub_agency, reason="Test")
            if index % 4 == 0:
                services.pick_up_referral(actor=triage_officer, referral_pk=referral.pk,
                                          expected_version=referral.version)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("referrals:queue"))
        assert response.status_code == 200
        page = response.content.decode()
        assert "Open case CASE-" in page and triage_officer.display_name in page
        return len(queries)

    assert count(4) == count(30)


# --- The open case marker -----------------------------------------------------------------


def test_an_open_case_is_linked_only_for_those_who_may_open_it_and_a_hidden_restricted_one_not_at_all(  # noqa: E501
    school: Agency, referrer: User, triage_officer: User, client_for: Any,
    hub_agency: Agency, hub_user_factory: Any, django_assert_num_queries: Any
) -> None:
    plain = _referral(school, referrer, "Plain")
    restricted = _referral(school, referrer, "Hidden")
    plain_case = open_case(actor=triage_officer, child=plain.child, risk_tier=RiskTier.MEDIUM,
                           lead_agency=hub_agency, reason="Test")
    secret = open_case(actor=triage_officer, child=restricted.child, risk_tier=RiskTier.HIGH,
                       lead_agency=hub_agency, reason="Test")
    supervisor = hub_user_factory("sup.visor", Role.SUPERVISOR)
    set_restricted(actor=supervisor, case_pk=secret.pk, expected_version=secret.version,
                   restricted=True,
                   reason="Sensitive")

    page = client_for(triage_officer).get(reverse("referrals:queue")).content.decode()
    url = reverse("cases:detail", args=[plain_case.pk])
    assert f'<a class="govuk-link" href="{url}">Open case {plain_case.reference}</a>' in page
    # The restricted case: its page asks why first, and the queue names no reference.
    assert secret.reference not in page
    assert "Open case (restricted)" in page

    # Someone who may not open the child's case is shown a bare marker (no link, no
    # reference) for an ordinary case and nothing at all for a restricted one.
    listed = list(selectors.triage_queue(triage_officer))
    # One query, whoever asks and whatever the cases (their roles read already, as a
    # request has them).
    assert referrer.role_codes and triage_officer.role_codes
    with django_assert_num_queries(1):
        markers = selectors.open_case_markers(referrer, listed)
    assert set(markers) == {plain.pk}
    assert (markers[plain.pk].may_open, markers[plain.pk].reason_needed) == (False, False)
    with django_assert_num_queries(1):
        mine = selectors.open_case_markers(triage_officer, listed)
    assert not mine[plain.pk].reason_needed and mine[plain.pk].may_open
    assert mine[restricted.pk].reason_needed and mine[restricted.pk].may_open


# --- Picking up ---------------------------------------------------------------------------


def test_pick_up_release_and_take_over_are_audited_and_shown(
    school: Agency, referrer: User, triage_officer: User, colleague: User, client_for: Any
) -> None:
    referral = _referral(school, referrer, "Pia", RED_CODES)
    picked = services.pick_up_referral(actor=triage_officer, referral_pk=referral.pk,
                                       expected_version=1)
    assert (picked.picked_up_by, picked.picked_up_at, picked.version) == (
        triage_officer, NOW, 2)
    event = AuditEvent.objects.filter(record_id=str(referral.pk),
                                      event_type=EventType.CHANGE).latest("pk")
    assert event.detail["picked_up"] == "picked up"
    assert event.detail["changes"]["picked_up_by"]["new"] == triage_officer.display_name

    queue = client_for(colleague).get(reverse("referrals:queue")).content.decode()
    assert triage_officer.display_name in queue

    # Someone else may not take it by picking it up: they are asked to confirm.
    with pytest.raises(services.PickedUpByOther):
        services.pick_up_referral(actor=colleague, referral_pk=referral.pk, expected_version=2)
    with pytest.raises(ServiceRefused, match="Only the person who picked up"):
        services.release_referral(actor=colleague, referral_pk=referral.pk, expected_version=2)
    with pytest.raises(EditConflict, match="has changed since you opened it"):
        services.pick_up_referral(actor=colleague, referral_pk=referral.pk, expected_version=1,
                                  take_over=True)

    taken = services.pick_up_referral(actor=colleague, referral_pk=referral.pk,
                                      expected_version=2, take_over=True)
    assert taken.picked_up_by == colleague
    event = AuditEvent.objects.filter(record_id=str(referral.pk),
                                      event_type=EventType.CHANGE).latest("pk")
    assert event.detail["picked_up"] == "taken over"
    assert event.detail["taken_over_from"] == triage_officer.display_name

    released = services.release_referral(actor=colleague, referral_pk=referral.pk,
                                         expected_version=3)
    assert (released.picked_up_by, released.picked_up_at) == (None, None)


def test_only_those_who_may_triage_it_pick_a_referral_up(
    school: Agency, referrer: User, hub_user_factory: Any
) -> None:
    referral = _referral(school, referrer, "Noor")
    with pytest.raises(PermissionDenied):
        services.pick_up_referral(actor=hub_user_factory("ana.lyst", Role.ANALYST),
                                  referral_pk=referral.pk, expected_version=1)
    with pytest.raises((PermissionDenied, Http404)):
        services.pick_up_referral(actor=referrer, referral_pk=referral.pk, expected_version=1)
    referral.refresh_from_db()
    assert referral.picked_up_by is None


def test_deciding_clears_the_pick_up_and_a_decided_referral_cannot_be_picked_up(
    school: Agency, referrer: User, triage_officer: User
) -> None:
    referral = _referral(school, referrer, "Dee", GREEN_CODES)
    services.pick_up_referral(actor=triage_officer, referral_pk=referral.pk, expected_version=1)
    services.record_triage_decision(
        actor=triage_officer, referral_pk=referral.pk, expected_version=2,
        decision=services.TriageDecision(
            brag=Brag.GREEN, risk_tier=referral.suggested_tier,
            outcome=TriageOutcome.EARLY_HELP, outcome_reason="Early help offered.",
            decided_at=NOW),
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECIDED
    assert (referral.picked_up_by, referral.picked_up_at) == (None, None)
    event = AuditEvent.objects.filter(record_id=str(referral.pk),
                                      event_type=EventType.CHANGE).latest("pk")
    assert event.detail["changes"]["picked_up_by"] == {
        "old": triage_officer.display_name, "new": None}
    with pytest.raises(ServiceRefused, match="has been decided"):
        services.pick_up_referral(actor=triage_officer, referral_pk=referral.pk,
                                  expected_version=referral.version)


def test_the_pages_pick_up_confirm_a_take_over_and_release(
    school: Agency, referrer: User, triage_officer: User, colleague: User, client_for: Any
) -> None:
    referral = _referral(school, referrer, "Page")
    detail = reverse("referrals:detail", args=[referral.pk])
    mine = client_for(triage_officer)
    assert "Nobody has picked up this referral yet." in mine.get(detail).content.decode()
    response = mine.post(reverse("referrals:pick_up", args=[referral.pk]), {"version": "1"})
    assert response.status_code == 302 and response["Location"] == detail
    page = mine.get(detail).content.decode()
    assert "Picked up by you at" in page
    assert ">Release</button>" in page

    theirs = client_for(colleague)
    page = theirs.get(detail).content.decode()
    assert f"Picked up by {triage_officer.display_name} at" in page
    assert "Take over" in page
    # Picking it up from a stale page asks for the take-over to be confirmed.
    response = theirs.post(reverse("referrals:pick_up", args=[referral.pk]), {"version": "2"})
    take_over = reverse("referrals:take_over", args=[referral.pk])
    assert response["Location"] == take_over
    confirm = theirs.get(take_over).content.decode()
    assert f"{triage_officer.display_name} picked up this referral at" in confirm
    assert AuditEvent.objects.filter(event_type=EventType.VIEW, record_id=str(referral.pk),
                                     detail__page="take over").exists()
    referral.refresh_from_db()
    assert referral.picked_up_by == triage_officer  # nothing changes until confirmed
    theirs.post(take_over, {"version": "2"})
    referral.refresh_from_db()
    assert referral.picked_up_by == colleague
    assert "You have taken over" in theirs.get(detail).content.decode()

    response = theirs.post(reverse("referrals:release", args=[referral.pk]), {"version": "3"})
    referral.refresh_from_db()
    assert referral.picked_up_by is None


def test_a_referral_picked_up_while_deciding_is_named_in_the_refusal(
    school: Agency, referrer: User, triage_officer: User, colleague: User, client_for: Any
) -> None:
    referral = _referral(school, referrer, "Race", GREEN_CODES)
    services.pick_up_referral(actor=colleague, referral_pk=referral.pk, expected_version=1)
    now = timezone.localtime()
    response = client_for(triage_officer).post(reverse("referrals:decide", args=[referral.pk]), {
        "version": "1", "exploitation_types": list(referral.exploitation_types),
        "brag": referral.suggested_brag, "risk_tier": referral.suggested_tier or "none",
        "outcome": TriageOutcome.EARLY_HELP, "outcome_reason": "Early help.",
        "decided_on_day": str(now.day), "decided_on_month": str(now.month),
        "decided_on_year": str(now.year), "decided_time": f"{now:%H:%M}",
    })
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else picked up this referral while you were deciding" in page
    assert colleague.username in page


def test_a_triage_officer_outside_the_hub_may_not_pick_one_up(
    school: Agency, referrer: User, hub_agency: Agency, hub_team: Any
) -> None:
    """Picking up follows the triage rule: an officer of an agency outside the hub may
    not know the referral exists."""
    outsider = make_user("out.sider", Role.TRIAGE, agency=school)
    referral = _referral(school, referrer, "Out")
    with pytest.raises((Http404, PermissionDenied)):
        services.pick_up_referral(actor=outsider, referral_pk=referral.pk, expected_version=1)


def test_the_work_queue_says_who_has_picked_a_referral_up(
    school: Agency, referrer: User, triage_officer: User, colleague: User
) -> None:
    from macehub.referrals.work_queue import referrals_to_triage

    def referrals_to_triage_drawn(user: User, now: dt.datetime) -> list[WorkItem]:
        return referrals_to_triage(user, now).drawn()

    referral = _referral(school, referrer, "Wendy", RED_CODES)
    [before] = referrals_to_triage_drawn(colleague, NOW)
    assert "Picked up" not in before.detail
    services.pick_up_referral(actor=triage_officer, referral_pk=referral.pk, expected_version=1)
    [theirs] = referrals_to_triage_drawn(colleague, NOW)
    assert f"Picked up by {triage_officer.display_name} at" in theirs.detail
    [mine] = referrals_to_triage_drawn(triage_officer, NOW)
    assert "Picked up by you at" in mine.detail


def test_a_referral_decided_between_reading_the_work_queue_and_drawing_it_is_left_out(
    school: Agency, referrer: User, triage_officer: User
) -> None:
    """Found by the working day's load (``manage.py load_day``): the home page read the
    queue's places, another officer decided one of them, and drawing the rows shown failed
    the page (a KeyError, 500). The rows still waiting are shown."""
    from macehub.core.work_queue import work_queue_for

    decided = _referral(school, referrer, "Xavier", GREEN_CODES)
    waiting = _referral(school, referrer, "Yolanda", AMBER_CODES)
    queue = work_queue_for(triage_officer, NOW)
    triage = queue.list_named("triage")
    assert triage is not None and triage.count == 2

    services.record_triage_decision(
        actor=triage_officer, referral_pk=decided.pk, expected_version=1,
        decision=services.TriageDecision(
            brag=Brag.GREEN, risk_tier=decided.suggested_tier,
            outcome=TriageOutcome.EARLY_HELP, outcome_reason="Early help offered.",
            decided_at=NOW),
    )

    titles = [item.title for item in queue.first(10)
              if item.kind == "Referral to triage"]
    assert titles == [f"{waiting.reference}: {waiting.child.full_name}"]
    assert [item.title for item in triage.items] == titles
