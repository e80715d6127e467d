"""Investigations in the work queue: a new investigation waits for the force's
supervisors to allocate it; its reviews wait for its supervisor (overdue first, never
for the officer in the case); an officer's lines of enquiry with a due date wait for
them. All names are made up."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.core.work_queue import work_queue_for
from macehub.investigations import services
from macehub.investigations.models import SupervisoryReview
from macehub.testing.factories import make_person, make_user

pytestmark = pytest.mark.django_db


def queue(user: User, source: str) -> list[Any]:
    lists = {work.source.name: work for work in work_queue_for(user, timezone.now()).lists}
    return lists[source].draw([w.key for w in lists[source].waiting]) if source in lists else []


def test_allocation_reviews_and_lines_of_enquiry_wait_for_whoever_acts_on_them(
        hub_agency: Agency, hub_team: Team) -> None:
    investigator = make_user("ivy.investigator", Role.INVESTIGATOR, agency=hub_agency,
                             team=hub_team)
    supervisor = make_user("sid.supervisor", Role.SUPERVISOR, agency=hub_agency,
                           team=hub_team)
    other = make_user("sal.second", Role.SUPERVISOR, agency=hub_agency, team=hub_team)
    child = make_person(hub_agency, given_name="Amber", family_name="Testcase")
    first, second = (services.record_investigation(
        actor=investigator, title=title, reported_on=dt.date(2026, 1, 5),
        crime=services.CrimeDetails("71"), victim_pks=[child.pk])
        for title in ("Operation Ash", "Operation Elm"))
    assert {item.title for item in queue(supervisor, "investigation_reviews")} == {
        f"{first.reference}: Operation Ash", f"{second.reference}: Operation Elm"}
    assert all(item.kind == "Investigation to allocate"
               for item in queue(other, "investigation_reviews"))
    assert queue(investigator, "investigation_reviews") == []

    services.allocate(actor=supervisor, investigation_pk=first.pk,
                      expected_version=first.version, officer_pk=investigator.pk,
                      supervisor_pk=supervisor.pk)
    # The second's officer in the case is the other supervisor: its review waits for its
    # supervisor, not for them.
    services.allocate(actor=supervisor, investigation_pk=second.pk,
                      expected_version=second.version, officer_pk=other.pk,
                      supervisor_pk=supervisor.pk)
    SupervisoryReview.objects.filter(investigation=second).update(
        due_at=timezone.now() - dt.timedelta(hours=2))
    items = queue(supervisor, "investigation_reviews")
    assert [(item.kind, item.title) for item in items] == [
        ("Supervisory review", f"{second.reference}: Operation Elm"),
        ("Supervisory review", f"{first.reference}: Operation Ash"),
    ]
    assert items[0].is_overdue(timezone.now()) and not items[1].is_overdue(timezone.now())
    assert queue(other, "investigation_reviews") == [], "nothing to allocate or sign"

    services.add_line_of_enquiry(actor=investigator, investigation_pk=first.pk,
                                 description="Trace the taxi", owner_pk=investigator.pk,
                                 due_on=timezone.localdate() + dt.timedelta(days=3))
    services.add_line_of_enquiry(actor=investigator, investigation_pk=first.pk,
                                 description="No date yet", owner_pk=investigator.pk,
                                 due_on=None)
    (enquiry,) = queue(investigator, "investigation_enquiries")
    assert enquiry.title == f"{first.reference}: Trace the taxi"
    assert enquiry.due_on == timezone.localdate() + dt.timedelta(days=3)
