"""The courses as the training lead keeps them: added, changed (a change someone else
saved meanwhile refused with what they changed, the form keeping what was typed), taken
out of use, and the rules of who must take them added and removed, each audited; only
the training lead may. All names are made up."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import AgencyKind, Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.core.versioning import EditConflict
from macehub.testing.factories import make_user, signed_in_client
from macehub.training import services
from macehub.training.codes import Allocation
from macehub.training.models import Course, CourseRequirement

pytestmark = pytest.mark.django_db

DETAILS = services.CourseDetails(
    title="Online exploitation: apps and platforms", tier="frontline",
    description="How children are groomed online. Synthetic course.", validity_months=24,
    evidence="Certificate", qualifies_for=(Allocation.KEY_WORKER,))


@pytest.fixture
def lead(hub_agency: Agency, hub_team: Team) -> Any:
    return make_user("lea.lead", Role.TRAINING_LEAD, agency=hub_agency, team=hub_team)


def test_the_training_lead_adds_changes_and_retires_a_course(lead: Any, hub_team: Team
                                                             ) -> None:
    course = services.add_course(actor=lead, details=DETAILS)
    assert (course.code, course.allocations) == ("online_exploitation_apps_and_platforms",
                                                 ["key_worker"])
    with pytest.raises(ValidationError) as refused:
        services.add_course(actor=lead, details=services.CourseDetails(
            title=DETAILS.title.upper(), tier="none", validity_months=0))
    assert set(refused.value.message_dict) == {"title", "tier", "validity_months"}

    rule = services.add_requirement(actor=lead, course_pk=course.pk, expected_version=1,
                                    role=Role.TRIAGE, agency_kind=AgencyKind.POLICE)
    assert rule.describe() == "Triage officer in police"
    with pytest.raises(ValidationError, match="already"):
        services.add_requirement(actor=lead, course_pk=course.pk, expected_version=2,
                                 role=Role.TRIAGE, agency_kind=AgencyKind.POLICE)
    with pytest.raises(EditConflict):
        services.change_course(actor=lead, course_pk=course.pk, expected_version=1,
                               details=DETAILS)
    changed = services.change_course(
        actor=lead, course_pk=course.pk, expected_version=2, is_active=False,
        details=services.CourseDetails(title=DETAILS.title, tier="specialist"))
    assert (changed.tier, changed.validity_months, changed.is_active, changed.version) == (
        "specialist", None, False, 3)
    services.remove_requirement(actor=lead, requirement_pk=rule.pk)
    assert not CourseRequirement.objects.filter(course=course).exists()
    events = AuditEvent.objects.filter(record_id=str(course.pk),
                                       record_type="training.course").order_by("pk")
    assert [event.event_type for event in events] == [
        EventType.CREATE, EventType.CHANGE, EventType.CHANGE, EventType.CHANGE]
    assert events[2].detail["changes"]["tier"] == {"old": "frontline", "new": "specialist"}


def test_only_the_training_lead_keeps_the_courses(users: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.add_course(actor=users[Role.SUPERVISOR], details=DETAILS)
    client = users.client(Role.SUPERVISOR)
    assert client.get(reverse("training:add_course")).status_code == 403


def test_a_stale_change_page_says_what_changed_and_keeps_what_was_typed(lead: Any) -> None:
    course = Course.objects.get(code="cse_awareness")
    client = signed_in_client(lead)
    url = reverse("training:change_course", args=[course.pk])
    assert client.get(url).status_code == 200
    services.change_course(actor=lead, course_pk=course.pk, expected_version=1,
                           details=services.CourseDetails(title=course.title,
                                                          tier="awareness",
                                                          validity_months=24))
    response = client.post(url, {"title": "Awareness, renamed", "tier": "awareness",
                                 "validity_months": "36", "is_active": "on",
                                 "version": "1"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Someone else changed this course" in body and 'value="Awareness, renamed"' in body
    response = client.post(reverse("training:add_requirement", args=[course.pk]),
                           {"role": "", "agency_kind": "", "team": "", "version": "2"})
    assert response.status_code == 400  # every role already must take it
    response = client.post(reverse("training:add_requirement", args=[course.pk]),
                           {"role": Role.SCRUTINY, "agency_kind": "", "team": "",
                            "version": "2"})
    assert response.status_code == 302
    rule = CourseRequirement.objects.get(course=course, role=Role.SCRUTINY)
    assert client.post(reverse("training:remove_requirement", args=[rule.pk])
                       ).status_code == 302
    assert not CourseRequirement.objects.filter(pk=rule.pk).exists()
