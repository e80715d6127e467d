"""The hub's side: the triage queue (ordering, overdue, query count), the full referral
with its screening, and the triage decision (override reasons, times, concurrency,
opening a MACE case, telling the referrer)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.cases.codes import Brag, RiskTier
from macehub.cases.models import Case
from macehub.cases.selectors import opening_referral_reference
from macehub.cases.services import open_case
from macehub.core.service_errors import ServiceRefused
from macehub.core.versioning import EditConflict
from macehub.people.codes import AreaKind
from macehub.people.models import Area, Person, PersonAddress
from macehub.referrals.codes import ReferralStatus, TriageOutcome
from macehub.referrals.models import Referral
from macehub.referrals.services import (
    TriageDecision,
    record_triage_decision,
)
from macehub.referrals.tests.conftest import local
from macehub.referrals.tests.factories import make_referral
from macehub.testing.factories import make_person
from macehub.testing.notify import FakeNotify, fake_notify_server

pytestmark = pytest.mark.django_db


@pytest.fixture
def child(school):
    return make_person(school, given_name="Maya", family_name="Brook")


@pytest.fixture
def triage(triage_officer, client_for):
    return client_for(triage_officer)


def decision_data(referral: Referral, **changes: Any) -> dict[str, Any]:
    now = timezone.localtime()
    data: dict[str, Any] = {
        "version": str(referral.version),
        "exploitation_types": list(referral.exploitation_types),
        "brag": referral.suggested_brag,
        "risk_tier": referral.suggested_tier or "none",
        "override_reason": "",
        "outcome": TriageOutcome.EARLY_HELP,
        "outcome_reason": "Family engaging with school; early help offered.",
        "decided_on_day": str(now.day),
        "decided_on_month": str(now.month),
        "decided_on_year": str(now.year),
        "decided_time": f"{now:%H:%M}",
    }
    data.update(changes)
    return data


# --- The queue ----------------------------------------------------------------------------


def test_the_queue_puts_the_least_time_left_first_and_overdue_ones_stand_out(
    triage, child, referrer
) -> None:
    now = timezone.now()
    blue = make_referral(child, referrer, received_at=now - dt.timedelta(minutes=5))
    overdue = make_referral(child, referrer, indicator_codes=("HEALTH_STI", "GROOMING_VEHICLES"),
                            received_at=now - dt.timedelta(hours=5, seconds=20))  # Red: 2h
    amber = make_referral(child, referrer,
                          indicator_codes=("GROOMING_GIFTS", "HEALTH_SELF_HARM", "GROOMING_PHONE"),
                          received_at=now - dt.timedelta(minutes=59, seconds=30))
    make_referral(child, referrer, status=ReferralStatus.DECIDED, outcome="nfa",
                  decided_at=now, outcome_reason="x")
    page = triage.get(reverse("referrals:queue")).content.decode()
    positions = [page.index(r.reference) for r in (overdue, amber, blue)]
    assert positions == sorted(positions)
    assert '<strong class="govuk-tag govuk-tag--red">Overdue by 3 hours</strong>' in page
    assert "5 hours left" in page  # amber: 6 hours from an hour ago
    assert "3 referrals awaiting triage" in page
    assert AuditEvent.objects.filter(event_type=EventType.VIEW, detail__list="triage queue",
                                     ).exists()
    decided_page = triage.get(reverse("referrals:queue") + "?show=decided").content.decode()
    assert "1 decided referral" in decided_page


def test_the_queue_s_query_count_does_not_grow_with_the_rows(triage, school, referrer) -> None:
    def count_queries(number: int) -> int:
        Referral.objects.all().delete()
        for index in range(number):
            make_referral(make_person(school, given_name=f"Child{index}"), referrer,
                          indicator_codes=("GROOMING_GIFTS",))
        with CaptureQueriesContext(connection) as queries:
            response = triage.get(reverse("referrals:queue"))
        assert response.status_code == 200
        assert response.content.decode().count("govuk-table__row") == min(number, 25) + 1
        return len(queries)

    assert count_queries(5) == count_queries(30)


def test_the_queue_is_for_hub_staff_who_read_referrals(client_for, hub_user_factory,
                                                       referrer) -> None:
    assert client_for(hub_user_factory("an.alyst", Role.ANALYST)).get(
        reverse("referrals:queue")).status_code == 200
    assert client_for(hub_user_factory("vic.adv", Role.VICTIM_ADVOCATE)).get(
        reverse("referrals:queue")).status_code == 403
    assert client_for(referrer).get(reverse("referrals:queue")).status_code == 403


# --- The decided and all-referrals lists, filtered -----------------------------------------


def _listed(html: str, referrals: list[Referral]) -> set[str]:
    return {r.reference for r in referrals if re.search(re.escape(r.reference) + r"(?!\d)", html)}


def _dates(name: str, day: dt.date) -> dict[str, str]:
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month),
            f"{name}_year": str(day.year)}


MARCH = _dates("received_from", dt.date(2026, 3, 1)) | _dates("received_to", dt.date(2026, 3, 31))


@pytest.fixture
def filed(school, referrer, hub_user_factory):
    """Referrals around March 2026 (London time; the clocks went forward on 29 March) from
    a school and the hub, for children in a district's ward, in a neighbourhood of that
    ward, in another district and with no address."""
    district = Area.objects.create(code="T11", name="North", kind=AreaKind.DISTRICT)
    ward = Area.objects.create(code="T111", name="Harbour", kind=AreaKind.WARD,
                               parent=district)
    neighbourhood = Area.objects.create(code="T1111", name="Quay", kind=AreaKind.NEIGHBOURHOOD,
                                        parent=ward)
    south = Area.objects.create(code="T12", name="South", kind=AreaKind.DISTRICT)
    hub = hub_user_factory("hub.referrer", Role.TRIAGE)

    def child(name: str, area: Area | None) -> Person:
        person = make_person(school, given_name=name)
        if area is not None:
            PersonAddress.objects.create(person=person, line_1="1 Test Row", town="Town",
                                         postcode="XA1 1AA", area=area, is_current=True)
        return person

    def decided(at: dt.datetime) -> dict[str, object]:
        return {"status": ReferralStatus.DECIDED, "outcome": "nfa", "outcome_reason": "x",
                "decided_at": at}

    return {
        "ward": make_referral(child("Wren", ward), referrer, received_at=local(2026, 3, 2, 10),
                              **decided(local(2026, 3, 2, 12))),
        "neighbourhood": make_referral(child("Nell", neighbourhood), hub,
                                       received_at=local(2026, 2, 28, 10),
                                       **decided(local(2026, 3, 1, 9))),
        "last_minute": make_referral(child("Lark", south), referrer,
                                     received_at=local(2026, 3, 31, 23, 30)),
        "april": make_referral(child("Ava", ward), referrer, received_at=local(2026, 4, 1, 0, 30)),
        "nowhere": make_referral(child("Nye", None), hub, received_at=local(2026, 3, 15, 10),
                                 **decided(local(2026, 4, 1, 10))),
    }


def test_the_lists_filter_by_received_and_decided_days_agency_and_area(
    triage, filed, school
) -> None:
    everything = list(filed.values())
    url = reverse("referrals:queue")
    received = triage.get(url, {"show": "all", **MARCH}).content.decode()
    assert _listed(received, everything) == {filed[k].reference for k in (
        "ward", "last_minute", "nowhere")}
    assert "3 referrals, latest received first" in received
    assert "Awaiting triage" in received  # undecided referrals are in the list of all

    decided = triage.get(url, {"show": "decided", **_dates("decided_from", dt.date(2026, 3, 1)),
                               **_dates("decided_to", dt.date(2026, 3, 31))}).content.decode()
    assert _listed(decided, everything) == {filed[k].reference for k in (
        "ward", "neighbourhood")}

    # The area and every area inside it: the ward and its neighbourhood.
    in_north = triage.get(url, {"show": "all", "area": "T11"}).content.decode()
    assert _listed(in_north, everything) == {filed[k].reference for k in (
        "ward", "neighbourhood", "april")}
    from_school = triage.get(url, {"show": "all", "referrer_agency": str(school.pk),
                                   **MARCH}).content.decode()
    assert _listed(from_school, everything) == {filed[k].reference for k in (
        "ward", "last_minute")}
    assert "Clear filters" in from_school
    event = AuditEvent.objects.filter(event_type=EventType.VIEW,
                                      detail__list="all referrals").latest("pk")
    assert event.detail["filters"] == {"received_from": "2026-03-01",
                                       "received_to": "2026-03-31",
                                       "referrer_agency_id": school.pk}
    # The triage queue itself is not filtered.
    queue = triage.get(url, {"area": "T12"}).content.decode()
    assert _listed(queue, everything) == {filed[k].reference for k in ("last_minute", "april")}


@pytest.mark.parametrize(("typed", "field", "message"), [
    ({"received_from_day": "31", "received_from_month": "2", "received_from_year": "2026"},
     "received_from", "Received from must be a real date"),
    ({"decided_to_day": "4", "decided_to_month": "", "decided_to_year": "2026"},
     "decided_to", "Decided to must include a month"),
    ({**_dates("received_from", dt.date(2026, 3, 31)),
      **_dates("received_to", dt.date(2026, 3, 1))},
     "received_to", "Received to must be the same as or after received from"),
    ({"area": "NOWHERE"}, "area", "Select the area from the list"),
])
def test_bad_filters_show_govuk_errors_and_keep_what_was_typed(
    triage, filed, typed, field, message
) -> None:
    response = triage.get(reverse("referrals:queue"), {"show": "decided", **typed})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Decided referrals" in html
    assert 'class="govuk-error-summary"' in html and message in html
    assert f'href="#id_{field}' in html  # the summary links to the field
    for name, value in typed.items():
        if value and name != "area":
            assert f'name="{name}" type="text" value="{value}"' in html


def test_the_filtered_list_s_query_count_does_not_grow_with_the_rows(
    triage, school, referrer
) -> None:
    district = Area.objects.create(code="T11", name="North", kind=AreaKind.DISTRICT)
    ward = Area.objects.create(code="T111", name="Harbour", kind=AreaKind.WARD, parent=district)
    params = {"show": "all", "area": "T11", "referrer_agency": str(school.pk),
              **_dates("received_from", dt.date(2020, 1, 1))}

    def count_queries(number: int) -> int:
        Referral.objects.all().delete()
        for index in range(number):
            child = make_person(school, given_name=f"Child{index}")
            PersonAddress.objects.create(person=child, line_1="1 Test Row", town="Town",
                                         postcode="XA1 1AA", area=ward, is_current=True)
            make_referral(child, referrer)
        with CaptureQueriesContext(connection) as queries:
            response = triage.get(reverse("referrals:queue"), params)
        assert response.status_code == 200
        assert response.content.decode().count("govuk-table__row") == min(number, 25) + 1
        return len(queries)

    assert count_queries(5) == count_queries(30)


# --- The referral in full -----------------------------------------------------------------


def test_the_referral_shows_the_screening_beside_the_suggestion_and_is_audited(
    triage, triage_officer, child, referrer
) -> None:
    referral = make_referral(child, referrer, indicator_codes=("HEALTH_STI", "GROOMING_VEHICLES",
                                                               "GROOMING_PHONE"))
    page = triage.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "Screening suggestion" in page
    assert "Sexually transmitted infection (High, weight 3)" in page
    assert "2 High-weight indicators" in page
    assert ">7<" in page  # the score
    assert "Record the triage decision" in page
    event = AuditEvent.objects.get(event_type=EventType.VIEW, record_id=str(referral.pk))
    assert event.actor_username == triage_officer.username


def test_an_analyst_reads_the_referral_but_may_not_decide(client_for, hub_user_factory, child,
                                                          referrer) -> None:
    referral = make_referral(child, referrer)
    analyst = client_for(hub_user_factory("an.alyst", Role.ANALYST))
    page = analyst.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "Record the triage decision" not in page
    assert analyst.get(reverse("referrals:decide", args=[referral.pk])).status_code == 403


# --- Deciding -----------------------------------------------------------------------------


def test_a_decision_that_takes_the_suggestion_is_saved_and_audited(
    triage, triage_officer, child, referrer
) -> None:
    referral = make_referral(child, referrer, indicator_codes=("GROOMING_GIFTS",))
    page = triage.get(reverse("referrals:decide", args=[referral.pk])).content.decode()
    assert 'value="green" checked' in page and 'value="low" checked' in page  # pre-filled
    response = triage.post(reverse("referrals:decide", args=[referral.pk]),
                           decision_data(referral))
    assert response["Location"] == reverse("referrals:detail", args=[referral.pk])
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECIDED
    assert (referral.brag, referral.risk_tier, referral.outcome) == (
        Brag.GREEN, RiskTier.LOW, TriageOutcome.EARLY_HELP)
    assert referral.decided_by == triage_officer and referral.version == 2
    assert referral.override_reason == "" and referral.decided_within_time
    event = AuditEvent.objects.get(event_type=EventType.CHANGE, record_id=str(referral.pk),
                                   actor_username=triage_officer.username)
    assert event.detail["changes"]["outcome"] == {"old": "", "new": "early_help"}
    assert event.detail["changes"]["status"] == {"old": "awaiting_triage", "new": "decided"}


def test_overriding_the_suggestion_needs_a_reason(triage, child, referrer) -> None:
    referral = make_referral(child, referrer, indicator_codes=("GROOMING_GIFTS",))
    url = reverse("referrals:decide", args=[referral.pk])
    page = triage.post(url, decision_data(referral, brag="amber")).content.decode()
    assert "Enter why you changed the suggestion (rating Green, tier Low)" in page
    page = triage.post(url, decision_data(referral, risk_tier="none")).content.decode()
    assert "Enter why you changed the suggestion" in page
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.AWAITING_TRIAGE and referral.version == 1
    response = triage.post(url, decision_data(
        referral, brag="amber", override_reason="Known to police: older associates."))
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.brag, referral.override_reason) == (
        Brag.AMBER, "Known to police: older associates.")


def test_the_decision_time_cannot_be_before_receipt_or_in_the_future(
    triage, child, referrer
) -> None:
    received = timezone.now() - dt.timedelta(days=2)
    referral = make_referral(child, referrer, received_at=received)
    url = reverse("referrals:decide", args=[referral.pk])
    before = timezone.localtime(received - dt.timedelta(days=1))
    page = triage.post(url, decision_data(
        referral, decided_on_day=str(before.day), decided_on_month=str(before.month),
        decided_on_year=str(before.year))).content.decode()
    assert "The decision must be after the referral was received" in page
    later = timezone.localtime() + dt.timedelta(hours=2)
    if later.date() == timezone.localdate():
        page = triage.post(url, decision_data(referral, decided_time=f"{later:%H:%M}")
                           ).content.decode()
        assert "The decision time must be now or in the past" in page
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    page = triage.post(url, decision_data(
        referral, decided_on_day=str(tomorrow.day), decided_on_month=str(tomorrow.month),
        decided_on_year=str(tomorrow.year))).content.decode()
    assert "Date of the decision must be today or in the past" in page
    page = triage.post(url, decision_data(referral, decided_time="25:99")).content.decode()
    assert "Enter the time of the decision as hours and minutes" in page
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.AWAITING_TRIAGE


def test_a_decision_in_the_minute_the_referral_arrived_counts_as_at_its_arrival(
    triage_officer, child, referrer
) -> None:
    received = timezone.now().replace(second=40, microsecond=0) - dt.timedelta(minutes=3)
    referral = make_referral(child, referrer, received_at=received)
    result = record_triage_decision(
        actor=triage_officer, referral_pk=referral.pk, expected_version=1,
        decision=TriageDecision(brag=referral.suggested_brag, risk_tier=referral.suggested_tier,
                                outcome="nfa", outcome_reason="No concerns found.",
                                decided_at=received.replace(second=0)),
    )
    assert result.referral.decided_at == received
    with pytest.raises(ServiceRefused, match="after the referral was received"):
        record_triage_decision(
            actor=triage_officer, referral_pk=referral.pk, expected_version=2,
            decision=TriageDecision(brag=referral.suggested_brag, outcome="nfa",
                                    risk_tier=referral.suggested_tier, outcome_reason="x",
                                    decided_at=received - dt.timedelta(minutes=2)),
        )


def test_a_second_decision_on_the_same_version_is_refused_and_nothing_is_overwritten(
    triage, client_for, hub_user_factory, child, referrer
) -> None:
    referral = make_referral(child, referrer, indicator_codes=("GROOMING_GIFTS",))
    url = reverse("referrals:decide", args=[referral.pk])
    supervisor = client_for(hub_user_factory("super.visor", Role.SUPERVISOR))
    first = decision_data(referral, outcome="advice", outcome_reason="FIRST DECISION")
    second = decision_data(referral, outcome="nfa", outcome_reason="SECOND DECISION")
    assert triage.post(url, first).status_code == 302
    response = supervisor.post(url, second)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else recorded a decision on this referral" in page
    assert "What the other person recorded" in page and "FIRST DECISION" in page
    assert 'name="version" value="2"' in page
    referral.refresh_from_db()
    assert (referral.outcome, referral.outcome_reason) == ("advice", "FIRST DECISION")
    assert AuditEvent.objects.filter(event_type=EventType.CHANGE,
                                     actor_username="super.visor").count() == 0
    # Having seen it, the supervisor may replace it deliberately.
    assert supervisor.post(url, {**second, "version": "2"}).status_code == 302
    referral.refresh_from_db()
    assert referral.outcome == "nfa" and referral.version == 3


def test_the_service_refuses_a_stale_version(triage_officer, child, referrer) -> None:
    referral = make_referral(child, referrer)
    decision = TriageDecision(brag=referral.suggested_brag, risk_tier=referral.suggested_tier,
                              outcome="nfa", outcome_reason="x", decided_at=timezone.now())
    record_triage_decision(actor=triage_officer, referral_pk=referral.pk, expected_version=1,
                           decision=decision)
    with pytest.raises(EditConflict) as error:
        record_triage_decision(actor=triage_officer, referral_pk=referral.pk,
                               expected_version=1, decision=decision)
    assert error.value.their_changes["Outcome"]["new"] == "No further action"


def test_opening_a_mace_case_from_triage(triage, triage_officer, child, referrer) -> None:
    referral = make_referral(child, referrer, indicator_codes=("HEALTH_STI", "GROOMING_VEHICLES"))
    url = reverse("referrals:decide", args=[referral.pk])
    response = triage.post(url, decision_data(
        referral, outcome="open_case", outcome_reason="Two high indicators; older males."),
        follow=True)
    page = response.content.decode()
    case = Case.objects.get()
    referral.refresh_from_db()
    assert referral.case == case and list(case.referrals.all()) == [referral]
    assert opening_referral_reference(case) == referral.reference and case.child == child
    assert case.risk_tier == RiskTier.HIGH and case.lead_agency == triage_officer.agency
    assert case.tier_history.get().reason == "Two high indicators; older males."
    assert f"MACE case {case.reference} has been opened" in page
    assert AuditEvent.objects.get(event_type=EventType.CHANGE, record_id=str(referral.pk),
                                  actor_username=triage_officer.username
                                  ).detail["case_opened"] is True


def test_a_case_needs_a_risk_tier(triage, child, referrer) -> None:
    referral = make_referral(child, referrer)  # Blue, no tier
    page = triage.post(reverse("referrals:decide", args=[referral.pk]), decision_data(
        referral, outcome="open_case")).content.decode()
    assert "Select the risk tier the MACE case opens with" in page
    assert not Case.objects.exists()


def test_a_child_with_an_open_case_gets_the_referral_added_to_it(
    triage, triage_officer, child, referrer
) -> None:
    existing = open_case(actor=triage_officer, child=child, risk_tier="medium",
                         lead_agency=triage_officer.agency, reason="Earlier referral")
    referral = make_referral(child, referrer, indicator_codes=("HEALTH_STI", "GROOMING_VEHICLES"))
    response = triage.post(reverse("referrals:decide", args=[referral.pk]), decision_data(
        referral, outcome="open_case", outcome_reason="New information"), follow=True)
    page = response.content.decode()
    referral.refresh_from_db()
    assert Case.objects.count() == 1 and referral.case == existing
    assert referral.outcome == TriageOutcome.OPEN_MACE_CASE
    assert f"already has an open MACE case, {existing.reference}" in page
    assert "this referral has been added to that case" in page


def test_the_referrer_is_e_mailed_after_the_decision_commits(
    social_care_triage, child, referrer, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    referral = make_referral(child, referrer, indicator_codes=("GROOMING_GIFTS",))
    decision = TriageDecision(brag=referral.suggested_brag, risk_tier=referral.suggested_tier,
                              outcome="strategy_discussion",
                              outcome_reason="CONFIDENTIAL triage reasoning",
                              decided_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        record_triage_decision(actor=social_care_triage, referral_pk=referral.pk,
                               expected_version=1, decision=decision)
    assert len(mailoutbox) == 0  # nothing is sent before the decision is committed
    for callback in callbacks:
        callback()
    message = mailoutbox[0]
    assert message.to == [referrer.email]
    assert referral.reference in message.subject and referral.reference in message.body
    assert "Strategy discussion" in message.body and "strategy discussion about" in message.body
    for private in ("Maya", "Brook", "CONFIDENTIAL", "Green", "Low", "score"):
        assert private not in message.body and private not in message.subject
    referral.refresh_from_db()
    assert referral.referrer_notified_at is not None
    assert AuditEvent.objects.filter(event_type=EventType.CHANGE, actor_username="system",
                                     record_id=str(referral.pk)).exists()


def test_changing_only_the_reason_does_not_e_mail_again(
    triage_officer, child, referrer, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    referral = make_referral(child, referrer)
    decision = TriageDecision(brag=referral.suggested_brag, risk_tier=referral.suggested_tier,
                              outcome="nfa", outcome_reason="First", decided_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        record_triage_decision(actor=triage_officer, referral_pk=referral.pk,
                               expected_version=1, decision=decision)
    with django_capture_on_commit_callbacks(execute=True):
        record_triage_decision(
            actor=triage_officer, referral_pk=referral.pk, expected_version=2,
            decision=TriageDecision(**{**decision.__dict__, "outcome_reason": "Clarified"}))
    assert len(mailoutbox) == 1


# --- Who decides what ---------------------------------------------------------------------


@pytest.mark.parametrize("outcome", [TriageOutcome.SECTION_47,
                                     TriageOutcome.STRATEGY_DISCUSSION])
def test_a_police_triage_officer_cannot_record_a_social_care_outcome(
    triage_officer, triage, child, referrer, outcome
) -> None:
    referral = make_referral(child, referrer, indicator_codes=("GROOMING_GIFTS",))
    decision = TriageDecision(brag=referral.suggested_brag, risk_tier=referral.suggested_tier,
                              outcome=outcome, outcome_reason="Synthetic",
                              decided_at=timezone.now())
    with pytest.raises(ServiceRefused, match="Only children's social care") as refused:
        record_triage_decision(actor=triage_officer, referral_pk=referral.pk,
                               expected_version=1, decision=decision)
    assert refused.value.field == "outcome"
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.AWAITING_TRIAGE
    # The form offers no such option, and says why.
    page = triage.get(reverse("referrals:decide", args=[referral.pk])).content.decode()
    assert f'value="{outcome.value}"' not in page
    assert 'value="early_help"' in page
    assert "the local authority&#x27;s decision" in page
    # Posting it anyway is refused on the form.
    response = triage.post(reverse("referrals:decide", args=[referral.pk]),
                           decision_data(referral, outcome=outcome.value))
    assert response.status_code == 200
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.AWAITING_TRIAGE


def test_children_s_social_care_records_a_section_47_enquiry(
    social_care_triage, client_for, child, referrer
) -> None:
    referral = make_referral(child, referrer, indicator_codes=("GROOMING_GIFTS",))
    social_care = client_for(social_care_triage)
    page = social_care.get(reverse("referrals:decide", args=[referral.pk])).content.decode()
    assert 'value="section_47"' in page and 'value="strategy_discussion"' in page
    response = social_care.post(reverse("referrals:decide", args=[referral.pk]),
                                decision_data(referral, outcome="section_47"))
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.outcome == TriageOutcome.SECTION_47
    assert referral.decided_by == social_care_triage


@pytest.fixture
def fake_notify() -> Iterator[FakeNotify]:
    with fake_notify_server() as server:
        yield server


def test_a_refused_notification_leaves_the_decision_and_says_the_referrer_was_not_told(
    social_care_triage, child, referrer, fake_notify, caplog,
    django_capture_on_commit_callbacks
) -> None:
    fake_notify.status = 500
    referral = make_referral(child, referrer)
    decision = TriageDecision(brag=referral.suggested_brag, risk_tier=referral.suggested_tier,
                              outcome="strategy_discussion", outcome_reason="Reason",
                              decided_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        record_triage_decision(actor=social_care_triage, referral_pk=referral.pk,
                               expected_version=1, decision=decision)
    [request] = fake_notify.requests
    assert request["body"]["personalisation"]["reference"] == referral.reference
    referral.refresh_from_db()
    assert referral.outcome == "strategy_discussion"  # the decision stands
    assert referral.referrer_notified_at is None  # and shows the referrer was not told
    assert f"Could not notify the referrer of {referral.reference}" in caplog.text
    for personal in (referrer.email, "Maya", "Brook"):
        assert personal not in caplog.text


def test_triage_sends_the_decision_again_to_a_referrer_who_was_not_told(
    social_care_triage, client_for, child, referrer, fake_notify,
    django_capture_on_commit_callbacks
) -> None:
    from macehub.referrals.work_queue import referrers_not_told

    fake_notify.status = 500
    referral = make_referral(child, referrer)
    decision = TriageDecision(brag=referral.suggested_brag, risk_tier=referral.suggested_tier,
                              outcome="strategy_discussion", outcome_reason="Reason",
                              decided_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        record_triage_decision(actor=social_care_triage, referral_pk=referral.pk,
                               expected_version=1, decision=decision)
    detail = reverse("referrals:detail", args=[referral.pk])
    resend = reverse("referrals:resend_decision", args=[referral.pk])
    triage = client_for(social_care_triage)
    page = triage.get(detail).content.decode()
    assert "The referrer has not been told the decision" in page and resend in page
    [item] = referrers_not_told(social_care_triage, timezone.now())
    assert (item.link, item.action) == (detail, "Send the decision to the referrer again")

    # Notify still refuses: the page says so and to telephone; the attempt is audited.
    page = triage.post(resend, follow=True).content.decode()
    assert "The decision could not be sent to the referrer" in page
    assert "Telephone" in page and "The referrer has not been told the decision" in page
    # It goes through the second time: the warning and the work item are gone.
    fake_notify.status = 201
    page = triage.post(resend, follow=True).content.decode()
    assert f"The decision on {referral.reference} has been sent to the referrer" in page
    assert "The referrer has not been told the decision" not in page
    assert len(fake_notify.requests) == 3
    referral.refresh_from_db()
    assert referral.referrer_notified_at is not None
    assert referrers_not_told(social_care_triage, timezone.now()) == []
    attempts = [event.detail["sent"] for event in AuditEvent.objects.filter(
        event_type=EventType.CHANGE, actor_id=social_care_triage.pk,
        record_id=str(referral.pk), detail__has_key="sent").order_by("pk")]
    assert attempts == [False, True]
    # Told now: sending again is refused, and nothing is sent.
    page = triage.post(resend, follow=True).content.decode()
    assert "The referrer has been told the decision already" in page
    assert len(fake_notify.requests) == 3
