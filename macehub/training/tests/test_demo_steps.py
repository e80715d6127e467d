"""The demo's training, as of the tests' fixed demo day: every hub member holds the
awareness course; the children's services hub team's frontline compliance is 50%; some
required training expires within the notice days and some has expired; the police
investigator holds the specialist CSE course but not ABE interviewing, so choosing them
as an interviewer warns; the same for the same seed (by its ``fingerprint``, in
``demo/tests/test_demo_runs``)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from macehub.accounts.models import User
from macehub.training import compliance, selectors
from macehub.training.checks import missing_training
from macehub.training.codes import Allocation
from macehub.training.models import TrainingRecord

pytestmark = pytest.mark.django_db


def fingerprint() -> list[tuple[object, ...]]:
    return list(TrainingRecord.objects.order_by("person__username", "course__code").values_list(
        "person__username", "course__code", "completed_on", "expires_on"))


def test_the_demo_plants_known_training(small_demo: None) -> None:
    today = timezone.localdate()
    found = compliance.load(User.objects.all(), today)
    awareness = compliance.in_tier(found, "awareness")
    hub = [t for t in found.people if t.person.pk in set(
        User.objects.filter(team__is_hub_team=True).values_list("pk", flat=True))]
    assert hub and compliance.figure(hub, awareness).percentage == 100
    teams = compliance.by_team(found)
    social_care_hub = next(members for (_pk, name), members in teams.items()
                           if name == "MACE Hub (Children's Services)")
    frontline = compliance.figure(social_care_hub, compliance.in_tier(found, "frontline"))
    assert (frontline.compliant, frontline.required) == (1, 2)
    assert all(record.completed_on <= today for record in TrainingRecord.objects.all())

    lead = User.objects.get(username="training.police")
    everyone = selectors.expiring(User.objects.all(), today)
    assert any(row.expired(today) for row in everyone)
    assert any(not row.expired(today) for row in everyone)
    assert selectors.expiring(selectors.compliance_people(lead), today) == [], (
        "the police force's training is all current")

    investigator = User.objects.get(username="investigator.police")
    assert missing_training(investigator, Allocation.OFFICER_IN_CASE) == []
    assert [course.code for course in missing_training(
        investigator, Allocation.ABE_INTERVIEWER)] == ["abe_interviewing"]

