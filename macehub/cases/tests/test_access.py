"""Who sees which case: hub members see all; partner staff only the cases they are linked
to (allocated, key worker, current advocate, lead agency, shared with their agency);
anyone else is told the case does not exist. A restricted case asks for a reason, which
is audited as the purpose of the view and seen by information governance."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from macehub.access import opening
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.cases import selectors, services
from macehub.cases.models import MissingEpisode
from macehub.cases.selectors import CaseFilters
from macehub.cases.tests.conftest import client_for, close_with_approval
from macehub.testing.factories import make_user

pytestmark = pytest.mark.django_db


def views_of(case) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(
        event_type=EventType.VIEW, record_type="cases.case", record_id=str(case.pk)
    ).order_by("id"))


def visible(user, *cases) -> list[bool]:
    ids = set(selectors.cases_for(user).values_list("pk", flat=True))
    return [case.pk in ids for case in cases]


def test_hub_members_see_every_case(case, make_case, analyst, advocate, partner_agency):
    other = make_case(lead_agency=partner_agency)
    assert visible(analyst, case, other) == [True, True]
    assert visible(advocate, case, other) == [True, True]
    assert selectors.case_list(analyst, CaseFilters()).count() == 2


def test_partner_staff_see_only_cases_they_are_linked_to(
    case, make_case, triage, partner_worker, partner_agency, partner_team, hub_agency
):
    led = make_case(given_name="Led", lead_agency=partner_agency)
    shared = make_case(given_name="Shared")
    allocated = make_case(given_name="Allocated")
    key_worked = make_case(given_name="Keyworked")
    services.share_case(actor=triage, case_pk=shared.pk, agency=partner_agency, reason="Plan")
    services.allocate_worker(actor=triage, case_pk=allocated.pk, user=partner_worker)
    services.set_key_worker(actor=triage, case_pk=key_worked.pk, expected_version=1,
                            key_worker=partner_worker)
    assert visible(partner_worker, case, led, shared, allocated, key_worked) == [
        False, True, True, True, True]
    colleague = make_user("col.league", Role.ANALYST, agency=partner_agency, team=partner_team)
    # The agency's staff see what their agency leads or was shared, not one person's work.
    assert visible(colleague, case, led, shared, allocated, key_worked) == [
        False, True, True, False, False]


def test_a_partner_advocate_sees_the_case_only_while_current(
    case, triage, partner_agency, partner_team, hub_agency, hub_team
):
    partner_advocate = make_user("lantern.advocate", Role.VICTIM_ADVOCATE,
                                 agency=partner_agency, team=partner_team)
    hub_advocate = make_user("hub.advocate", Role.VICTIM_ADVOCATE, agency=hub_agency,
                             team=hub_team)
    services.change_advocate(actor=triage, case_pk=case.pk, advocate=partner_advocate,
                             starts_on=timezone.localdate())
    assert visible(partner_advocate, case) == [True]
    services.change_advocate(actor=triage, case_pk=case.pk, advocate=hub_advocate,
                             starts_on=timezone.localdate(), end_reason="Child asked")
    assert visible(partner_advocate, case) == [False]


def test_outsiders_are_told_the_case_does_not_exist(case, outsider):
    client = client_for(outsider)
    for name in ("cases:detail", "cases:chronology", "cases:plan", "cases:change_tier",
                 "cases:add_contact", "cases:open_restricted"):
        assert client.get(reverse(name, args=[case.pk])).status_code == 404, name
    assert not views_of(case)


def test_seeing_but_not_changing_is_forbidden(case, analyst):
    client = client_for(analyst)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    assert client.get(reverse("cases:change_tier", args=[case.pk])).status_code == 403
    assert client.get(reverse("cases:add_contact", args=[case.pk])).status_code == 403


def test_every_page_of_a_case_is_audited_as_a_view(case, triage):
    client = client_for(triage)
    for name in ("cases:detail", "cases:chronology", "cases:plan", "cases:contacts",
                 "cases:missing", "cases:outcomes", "cases:workers", "cases:change_tier"):
        assert client.get(reverse(name, args=[case.pk])).status_code == 200, name
    pages = [event.detail["page"] for event in views_of(case)]
    assert pages == ["detail", "chronology", "plan", "contacts", "missing", "outcomes",
                     "workers", "change_tier"]
    assert all(event.actor_username == triage.username for event in views_of(case))


@pytest.fixture
def restricted_case(case, supervisor):
    services.set_restricted(actor=supervisor, case_pk=case.pk, expected_version=1,
                            restricted=True, reason="A relative works in the hub")
    case.refresh_from_db()
    return case


def test_opening_a_restricted_case_asks_why_and_audits_the_reason(restricted_case, analyst):
    case = restricted_case
    client = client_for(analyst)
    detail = reverse("cases:detail", args=[case.pk])
    response = client.get(detail)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("cases:open_restricted", args=[case.pk]))
    assert not views_of(case)

    form = client.get(response["Location"])
    html = form.content.decode()
    assert "Why do you need to open this restricted case?" in html
    assert case.child.full_name not in html  # not until they have said why

    empty = client.post(response["Location"], {"reason": " ", "next": detail})
    assert "Enter why you need to open this restricted case" in empty.content.decode()

    opened = client.post(response["Location"],
                         {"reason": "Preparing for the strategy meeting", "next": detail})
    assert opened.status_code == 302 and opened["Location"] == detail
    assert client.get(detail).status_code == 200
    # Another page of the same case does not ask again, and carries the same purpose.
    assert client.get(reverse("cases:plan", args=[case.pk])).status_code == 200
    assert [(e.detail["page"], e.purpose) for e in views_of(case)] == [
        ("detail", "Preparing for the strategy meeting"),
        ("plan", "Preparing for the strategy meeting"),
    ]


def test_the_reason_is_forgotten_after_a_while(restricted_case, analyst):
    case = restricted_case
    client = client_for(analyst)
    url = reverse("cases:open_restricted", args=[case.pk])
    client.post(url, {"reason": "Reviewing the plan"})
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    later = timezone.now() + opening.REASON_REMEMBERED_FOR + dt.timedelta(minutes=1)
    with mock.patch("macehub.access.opening.timezone.now", return_value=later):
        assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 302


def test_people_working_on_a_restricted_case_are_not_asked(restricted_case, triage, advocate):
    case = restricted_case
    services.change_advocate(actor=triage, case_pk=case.pk, advocate=advocate,
                             starts_on=timezone.localdate())
    assert client_for(advocate).get(reverse("cases:detail", args=[case.pk])).status_code == 200
    assert views_of(case)[-1].purpose == ""


def test_the_reason_page_only_sends_back_to_a_page_that_asks_for_it(
    restricted_case, analyst, make_case
):
    case = restricted_case
    client = client_for(analyst)
    url = reverse("cases:open_restricted", args=[case.pk])
    detail = reverse("cases:detail", args=[case.pk])
    for elsewhere in ("https://evil.example/cases/1/", "//evil.example/cases/", "/people/"):
        response = client.post(url, {"reason": "Checking", "next": elsewhere})
        assert response["Location"] == detail, elsewhere


def test_a_restricted_case_is_listed_without_the_childs_name(restricted_case, analyst):
    html = client_for(analyst).get(reverse("cases:list")).content.decode()
    assert "Restricted case" in html
    assert restricted_case.child.full_name not in html


def test_information_governance_sees_who_opened_it_and_why(restricted_case, analyst,
                                                          governance):
    case = restricted_case
    client = client_for(analyst)
    client.post(reverse("cases:open_restricted", args=[case.pk]),
                {"reason": "Checking the missing episodes"})
    client.get(reverse("cases:missing", args=[case.pk]))
    ig = client_for(governance)
    html = ig.get(reverse("cases:access_log", args=[case.pk])).content.decode()
    assert "Checking the missing episodes" in html
    assert analyst.username in html
    assert "Changed" in html  # the restriction itself is listed too
    assert client.get(reverse("cases:access_log", args=[case.pk])).status_code == 403
    # The governance officer's own opening of the restricted case asks them too.
    assert ig.get(reverse("cases:detail", args=[case.pk])).status_code == 302


# --- Figures about the child's other cases count only what the viewer may see -----------


def three_missing_episodes_this_month(case, recorded_by, now) -> None:
    """Enough recent episodes to prompt a strategy meeting (three in 30 days)."""
    for days_ago in (3, 6, 9):
        MissingEpisode.objects.create(
            case=case, went_missing_at=now - dt.timedelta(days=days_ago),
            returned_at=now - dt.timedelta(days=days_ago - 1), recorded_by=recorded_by)


def test_the_case_page_counts_only_the_childs_cases_the_viewer_may_see(
    case, triage, supervisor, advocate, partner_worker, partner_agency, hub_agency, hub_team
):
    """A partner allocated to one of the child's cases is not told, through the
    strategy-meeting prompt or the continuity count, what happened on another case of
    the child that they get 404 on."""
    other_case = case
    services.change_advocate(actor=triage, case_pk=other_case.pk, advocate=advocate,
                             starts_on=timezone.localdate() - dt.timedelta(days=30))
    close_with_approval(other_case, requested_by=triage, approved_by=supervisor)
    seen = services.open_case(actor=triage, child=case.child, risk_tier="medium",
                              lead_agency=partner_agency, reason="New referral")
    now = timezone.now()
    three_missing_episodes_this_month(other_case, triage, now)
    second = make_user("second.advocate", Role.VICTIM_ADVOCATE, agency=hub_agency,
                       team=hub_team)
    services.change_advocate(actor=triage, case_pk=seen.pk, advocate=second,
                             starts_on=timezone.localdate())
    assert visible(partner_worker, other_case, seen) == [False, True]
    # The hub sees both cases: three episodes prompt a meeting, one change of advocate.
    assert selectors.strategy_meeting_prompt(triage, seen, now).episodes == 3
    assert selectors.advocate_changes(triage, seen) == 1
    # Missing episodes are the child's, whichever case they were recorded with: the
    # partner who may see the child counts them too, but not the advocate change on the
    # case hidden from them, nor that case's reference.
    assert selectors.strategy_meeting_prompt(partner_worker, seen, now).episodes == 3
    assert selectors.advocate_changes(partner_worker, seen) == 0
    html = client_for(partner_worker).get(reverse("cases:missing", args=[seen.pk]))
    assert html.status_code == 200
    page = html.content.decode()
    assert "Consider a strategy meeting" in page and "Another case" in page
    assert other_case.reference not in page


def test_a_restricted_other_case_is_not_counted_until_its_reason_is_given(
    case, triage, supervisor, analyst, hub_agency
):
    services.set_restricted(actor=supervisor, case_pk=case.pk, expected_version=1,
                            restricted=True, reason="Child of a member of staff")
    case.refresh_from_db()
    close_with_approval(case, requested_by=triage, approved_by=supervisor)
    open_now = services.open_case(actor=triage, child=case.child, risk_tier="medium",
                                  lead_agency=hub_agency, reason="New referral")
    now = timezone.now()
    three_missing_episodes_this_month(case, triage, now)
    assert selectors.strategy_meeting_prompt(analyst, open_now, now) is None
    # On the restricted case's own page (opened with a reason) they count.
    assert selectors.strategy_meeting_prompt(analyst, case, now).episodes == 3


# --- A referral reveals the child's case: a restricted one asks its reason there too ----


def test_a_referral_about_a_child_with_a_restricted_case_asks_why_first(
    restricted_case, analyst, triage
):
    from macehub.referrals.tests.factories import make_referral

    referral = make_referral(restricted_case.child, triage, concerns="Hidden concern",
                             case=restricted_case)
    client = client_for(analyst)
    page = reverse("referrals:detail", args=[referral.pk])
    response = client.get(page)
    assert response.status_code == 302
    assert response["Location"].startswith(
        reverse("cases:open_restricted", args=[restricted_case.pk]))
    assert not AuditEvent.objects.filter(record_type="referrals.referral",
                                         record_id=str(referral.pk)).exists()
    answered = client.post(reverse("cases:open_restricted", args=[restricted_case.pk]),
                           {"reason": "Triage of a new referral", "next": page})
    assert answered["Location"] == page
    html = client.get(page).content.decode()
    assert "Hidden concern" in html
    viewed = AuditEvent.objects.filter(record_type="referrals.referral",
                                       record_id=str(referral.pk)).get()
    assert viewed.purpose == "Triage of a new referral"
    # The triage decision page passes through the same step (the officer who opened the
    # case does not work on it).
    decide = client_for(triage).get(reverse("referrals:decide", args=[referral.pk]))
    assert decide.status_code == 302
    assert decide["Location"].startswith(
        reverse("cases:open_restricted", args=[restricted_case.pk]))


# --- A restricted person's restriction holds on their cases and referrals ---------------


def test_a_restricted_childs_case_and_referral_follow_the_childs_restriction(
    triage, analyst, supervisor, governance, hub_agency
):
    from macehub.people.models import Area, PersonAddress, PersonAllocation
    from macehub.referrals.tests.factories import make_referral
    from macehub.testing.factories import make_person

    child = make_person(hub_agency, given_name="Wrenna", family_name="Alloway",
                        is_restricted=True)
    PersonAllocation.objects.create(person=child, user=triage)
    ward = Area.objects.create(code="E05777777", name="Seventh Ward", kind="ward")
    PersonAddress.objects.create(person=child, line_1="2 Row", postcode="XB2 2AA",
                                 area=ward, is_current=True)
    case = services.open_case(actor=triage, child=child, risk_tier="high",
                              lead_agency=hub_agency, reason="Restricted child",
                              key_worker=supervisor)
    referral = make_referral(child, triage, case=case)
    for page in ("cases:detail", "cases:chronology", "cases:workers"):
        assert client_for(analyst).get(reverse(page, args=[case.pk])).status_code == 404
    assert client_for(analyst).get(
        reverse("referrals:detail", args=[referral.pk])).status_code == 404
    listed = client_for(analyst).get(reverse("cases:list"), {"area": "E05777777"})
    assert "Alloway" not in listed.content.decode()
    assert list(listed.context["page_obj"]) == []
    # The worker allocated to the child, the case's key worker and information
    # governance still see the case.
    for allowed in (triage, supervisor, governance):
        assert visible(allowed, case) == [True], allowed.username
    assert client_for(supervisor).get(
        reverse("people:detail", args=[child.pk])).status_code == 200
