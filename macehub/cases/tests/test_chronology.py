"""One chronology per child, merged from every registered source, showing only what the
viewer may see; other apps add their events without touching ``cases``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.urls import reverse
from django.utils import timezone

from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.cases import services
from macehub.cases.codes import ClosureReason, ContactKind, OutcomeKind, RiskTier
from macehub.cases.tests.conftest import ago, client_for, close_with_approval, days_from_today
from macehub.people.chronology import (
    ChronologyEntry,
    chronology_for,
    chronology_source,
    unregister_source,
)
from macehub.testing.factories import make_user

pytestmark = pytest.mark.django_db

THROWAWAY = "test.throwaway"


@pytest.fixture
def throwaway_source() -> Iterator[list[tuple[object, object]]]:
    """A source as a later app (meetings, say) would register one, in its own module."""
    calls: list[tuple[object, object]] = []

    @chronology_source(THROWAWAY)
    def meeting_events(user, child):
        calls.append((user, child))
        yield ChronologyEntry(occurred_at=timezone.now() - dt.timedelta(minutes=30),
                              category="Meeting", title="Discussed at the tactical meeting",
                              byline="Chair")

    yield calls
    unregister_source(THROWAWAY)


@pytest.fixture
def busy_case(case, triage, supervisor, advocate, hub_agency, hub_team):
    """A case with one of everything the cases source reports."""
    from macehub.accounts.roles import Role

    services.change_risk_tier(actor=supervisor, case_pk=case.pk, expected_version=1,
                              risk_tier=RiskTier.HIGH, reason="Disclosure to the school nurse")
    # Triage's own contact: an advocate's notes are the advocacy service's
    # (test_advocacy_notes).
    services.record_contact(actor=triage, case_pk=case.pk, occurred_at=ago(days=3),
                            kind=ContactKind.HOME_VISIT, with_whom="the child",
                            summary="Talked about the weekend", child_seen="yes",
                            child_seen_alone="yes")
    item = services.add_plan_item(actor=triage, case_pk=case.pk, action="Strategy discussion",
                                  owner=triage, due_on=days_from_today(2))
    services.complete_plan_item(actor=triage, plan_item_pk=item.pk,
                                completed_on=timezone.localdate())
    services.record_missing_episode(actor=advocate, case_pk=case.pk,
                                    went_missing_at=ago(hours=200), returned_at=ago(hours=180),
                                    interview=services.ReturnInterview(
                                        offered_at=ago(hours=90), offered_by="Sam Reed",
                                        offerer="independent", response="accepted",
                                        held_at=ago(hours=89)))
    other = make_user("second.advocate", Role.VICTIM_ADVOCATE, agency=hub_agency, team=hub_team)
    services.change_advocate(actor=triage, case_pk=case.pk, advocate=advocate,
                             starts_on=timezone.localdate() - dt.timedelta(days=5))
    services.change_advocate(actor=triage, case_pk=case.pk, advocate=other,
                             starts_on=timezone.localdate(), end_reason="Advocate on leave")
    services.record_outcome(actor=advocate, case_pk=case.pk, kind=OutcomeKind.ENGAGED,
                            recorded_on=timezone.localdate())
    close_with_approval(case, requested_by=triage, approved_by=supervisor,
                        closure_reason=ClosureReason.RISK_REDUCED, note="Safety plan holding")
    return case


def test_the_cases_source_reports_everything_recorded(busy_case, triage):
    entries = chronology_for(triage, busy_case.child)
    titles = [entry.title for entry in entries]
    reference = busy_case.reference
    for expected in (
        f"Case {reference} opened",
        "Risk tier changed from Medium to High",
        "Home visit with the child",
        "Plan item added: Strategy discussion",
        "Plan item done: Strategy discussion",
        "Missing episode",
        "Return from missing",
        "Return home interview offered (late)",
        "Return home interview held",
        "Outcome: Engaged with support",
        f"Case {reference} closed",
    ):
        assert expected in titles, expected
    advocates = [e for e in entries if e.category == "Advocate"]
    assert len(advocates) == 2
    assert "Replaces" in advocates[0].text and "Advocate on leave" in advocates[0].text
    assert entries == sorted(entries, key=lambda e: e.occurred_at, reverse=True)
    risk = next(e for e in entries if e.category == "Risk")
    assert (risk.text, risk.byline) == ("Disclosure to the school nurse", "Super Tester")
    assert risk.byline_text == "Changed by Super Tester"


def test_sources_from_other_apps_are_merged_in_time_order(case, triage, throwaway_source):
    services.record_contact(actor=triage, case_pk=case.pk, occurred_at=ago(hours=1),
                            kind=ContactKind.PHONE, with_whom="mother", summary="Call",
                            child_seen="not_applicable")
    entries = chronology_for(triage, case.child)
    assert [e.category for e in entries] == ["Case", "Meeting", "Contact"]  # newest first
    assert throwaway_source == [(triage, case.child)]


def test_the_chronology_shows_only_what_the_viewer_may_see(
    case, triage, supervisor, partner_worker, partner_agency, hub_agency
):
    services.record_contact(actor=triage, case_pk=case.pk, occurred_at=ago(days=10),
                            kind=ContactKind.PHONE, with_whom="mother", summary="Old case call",
                            child_seen="not_applicable")
    close_with_approval(case, requested_by=triage, approved_by=supervisor)
    second = services.open_case(actor=triage, child=case.child, risk_tier=RiskTier.HIGH,
                                lead_agency=partner_agency, reason="Re-referred")
    assert {e.title for e in chronology_for(partner_worker, case.child)} == {
        f"Case {second.reference} opened"}
    # Both cases: opened x2, the call, the closure asked for, approved, and done.
    assert len(chronology_for(triage, case.child)) == 6


def test_the_chronology_page_uses_the_moj_timeline_and_filters(busy_case, triage):
    client = client_for(triage)
    url = reverse("cases:chronology", args=[busy_case.pk])
    html = client.get(url).content.decode()
    assert 'class="moj-timeline"' in html
    assert "Risk tier changed from Medium to High" in html
    filtered = client.get(url, {"category": "Missing"}).content.decode()
    assert "Missing episode" in filtered and "Went missing" not in filtered
    assert "Risk tier changed" not in filtered


def test_the_chronology_of_a_child_with_a_restricted_old_case_asks_for_its_reason(
    case, triage, supervisor, analyst, hub_agency
):
    services.set_restricted(actor=supervisor, case_pk=case.pk, expected_version=1,
                            restricted=True, reason="Sensitive")
    close_with_approval(case, requested_by=triage, approved_by=supervisor)
    second = services.open_case(actor=triage, child=case.child, risk_tier=RiskTier.LOW,
                                lead_agency=hub_agency, reason="Re-referred")
    client = client_for(analyst)
    url = reverse("cases:chronology", args=[second.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("cases:open_restricted", args=[case.pk]) in response["Location"]
    answered = client.post(reverse("cases:open_restricted", args=[case.pk]),
                           {"reason": "Whole history for the review", "next": url})
    assert answered["Location"] == url
    assert client.get(url).status_code == 200
    purposes = dict(AuditEvent.objects.filter(event_type=EventType.VIEW).values_list(
        "record_id", "purpose"))
    assert purposes == {str(second.pk): "", str(case.pk): "Whole history for the review"}


def test_hours_missing_are_rounded_half_up_as_on_the_episode_table(case, triage, advocate):
    """Two and a half hours missing reads "3 hours", as the episode table's ``floatformat``
    shows it (the hub's one rounding rule), not "2" (a float f-string rounds halves to
    even)."""
    went = ago(hours=10)
    services.record_missing_episode(actor=advocate, case_pk=case.pk, went_missing_at=went,
                                    returned_at=went + dt.timedelta(hours=2, minutes=30))
    returned = next(e for e in chronology_for(triage, case.child)
                    if e.title == "Return from missing")
    assert returned.text.startswith("Missing for 3 hours.")


def test_each_entry_says_who_did_what(busy_case, triage, advocate):
    """"<thing>" then "<verb> by <person>": never the child's act followed by the worker's
    name ("Went missing by Sam Jones")."""
    entries = chronology_for(triage, busy_case.child)
    said = {(entry.title, entry.byline_text) for entry in entries}
    reference = busy_case.reference
    name = triage.display_name
    for expected in (
        (f"Case {reference} opened", f"Opened by {name}"),
        ("Home visit with the child", f"Recorded by {name}"),
        ("Plan item added: Strategy discussion", f"Added by {name}"),
        ("Missing episode", f"Recorded by {advocate.display_name}"),
        ("Return from missing", f"Recorded by {advocate.display_name}"),
    ):
        assert expected in said, expected
    closed = next(e for e in entries if e.title == f"Case {reference} closed")
    assert closed.byline_text.startswith("Closed by ")
    decided = next(e for e in entries if e.title.startswith("Request approved"))
    assert decided.byline_text.startswith("Decided by ")
    asked = next(e for e in entries if e.title.startswith("Approval requested"))
    assert asked.byline_text == f"Requested by {name}"
    allocated = next(e for e in entries if e.category == "Advocate")
    assert allocated.byline_text == f"Allocated by {name}"
    html = client_for(triage).get(reverse("cases:chronology", args=[busy_case.pk])
                                  ).content.decode()
    assert f'<p class="moj-timeline__byline">Recorded by {name}</p>' in html
    assert "Went missing by" not in html and ">by " not in html
