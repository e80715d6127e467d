"""Advocacy continues after the MACE case closes (through any prosecution) and ends by
its own decision, with a reason; the advocate keeps seeing the closed case meanwhile."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.roles import Role
from macehub.cases import services
from macehub.cases.models import AdvocateAllocation
from macehub.cases.tests.conftest import client_for, close_with_approval
from macehub.cases.tests.test_pages import assert_error, check_page
from macehub.people.chronology import chronology_for
from macehub.testing.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def voluntary_advocate(partner_agency, partner_team):
    """An independent advocate from outside the hub: sees only the cases they work on."""
    return make_user("vol.advocate", Role.VICTIM_ADVOCATE, agency=partner_agency,
                     team=partner_team)


@pytest.fixture
def closed_with_advocate(case, triage, supervisor, voluntary_advocate):
    services.change_advocate(actor=triage, case_pk=case.pk, advocate=voluntary_advocate,
                             starts_on=timezone.localdate() - dt.timedelta(days=60))
    return close_with_approval(case, requested_by=triage, approved_by=supervisor)


def test_closing_the_case_does_not_end_the_advocacy(closed_with_advocate, voluntary_advocate):
    case = closed_with_advocate
    assert not case.is_open
    allocation = AdvocateAllocation.objects.get(case=case)
    assert allocation.ended_on is None and allocation.end_reason == ""
    # The advocate still sees the closed case while allocated.
    assert policy.can(voluntary_advocate, Action.CASE_VIEW, case)
    html = client_for(voluntary_advocate).get(reverse("cases:detail", args=[case.pk]))
    assert html.status_code == 200
    page = html.content.decode()
    assert "End the victim advocacy" in page and voluntary_advocate.display_name in page


def test_advocacy_ends_by_its_own_decision_on_a_closed_case(
    closed_with_advocate, voluntary_advocate, triage
):
    case = closed_with_advocate
    today = timezone.localdate()
    ended = services.end_advocacy(actor=voluntary_advocate, case_pk=case.pk, ended_on=today,
                                  reason="After the trial: the defendants were convicted")
    assert (ended.ended_on, ended.end_reason) == (
        today, "After the trial: the defendants were convicted")
    [entry] = [e for e in chronology_for(triage, case.child)
               if e.title.startswith("Victim advocacy ended")]
    assert entry.text == "After the trial: the defendants were convicted"
    # No longer working on the case, the independent advocate no longer knows it.
    assert not policy.can(voluntary_advocate, Action.CASE_VIEW, case)
    with pytest.raises(Http404):
        services.end_advocacy(actor=voluntary_advocate, case_pk=case.pk, ended_on=today,
                              reason="again")
    with pytest.raises(ValidationError, match="no victim advocate"):
        services.end_advocacy(actor=triage, case_pk=case.pk, ended_on=today, reason="again")


def test_ending_advocacy_needs_a_reason_and_a_sensible_date(
    closed_with_advocate, triage, analyst, outsider
):
    case = closed_with_advocate
    with pytest.raises(ValidationError) as excinfo:
        services.end_advocacy(actor=triage, case_pk=case.pk,
                              ended_on=timezone.localdate() + dt.timedelta(days=1), reason=" ")
    errors = excinfo.value.message_dict
    assert errors["reason"] == ["Enter why the advocacy is ending"]
    assert errors["ended_on"] == ["The date the advocacy ended must be today or in the past"]
    with pytest.raises(ValidationError, match="on or after"):
        services.end_advocacy(actor=triage, case_pk=case.pk,
                              ended_on=timezone.localdate() - dt.timedelta(days=90),
                              reason="After the trial")
    with pytest.raises(PermissionDenied):
        services.end_advocacy(actor=analyst, case_pk=case.pk, ended_on=timezone.localdate(),
                              reason="After the trial")
    with pytest.raises(Http404):
        services.end_advocacy(actor=outsider, case_pk=case.pk, ended_on=timezone.localdate(),
                              reason="After the trial")
    assert AdvocateAllocation.objects.get(case=case).ended_on is None


def test_the_end_advocacy_page(closed_with_advocate, voluntary_advocate):
    case = closed_with_advocate
    client = client_for(voluntary_advocate)
    url = reverse("cases:end_advocacy", args=[case.pk])
    workers = client.get(reverse("cases:workers", args=[case.pk])).content.decode()
    assert f'href="{url}"' in workers and "Change the advocate" not in workers  # closed
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    check_page(html)
    assert "Advocacy continues after the case closes" in html
    assert_error(client.post(url, {"reason": ""}), "Enter why the advocacy is ending",
                 "Enter the date the advocacy ended")
    today = timezone.localdate()
    response = client.post(url, {"ended_on_day": today.day, "ended_on_month": today.month,
                                 "ended_on_year": today.year, "reason": "After the trial"})
    assert response.status_code == 302
    assert AdvocateAllocation.objects.get(case=case).end_reason == "After the trial"
