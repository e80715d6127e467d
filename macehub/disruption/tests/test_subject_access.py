"""What the disruption app hands a subject access request: the disruptions aimed at the
person or protecting them, with their breaches (disclosed to the person it is aimed at,
withheld by default from a child it protects), nobody else's, in a fixed number of
queries. All names are made up."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from macehub.accounts.models import Agency
from macehub.accounts.roles import Role
from macehub.conftest import StandardUsers
from macehub.disruption.models import Breach, Disruption, DisruptionChild, Tactic
from macehub.governance.subject_access import SUBJECT_SOURCES
from macehub.governance.subject_access_codes import RedactionReason
from macehub.testing.factories import make_person

pytestmark = pytest.mark.django_db


def test_the_disruptions_and_their_breaches_for_the_person_only(
    users: StandardUsers, hub_agency: Agency, django_assert_num_queries: Any
) -> None:
    worker, now = users[Role.INVESTIGATOR], timezone.now()
    child = make_person(hub_agency, given_name="Poppy", family_name="Testcase")
    dean = make_person(hub_agency, given_name="Dean", family_name="Madeup")
    other = make_person(hub_agency, given_name="Rosa", family_name="Otherchild")
    for number, target, protected in ((1, dean, child), (2, other, other)):
        disruption = Disruption.objects.create(
            reference=f"DIS-2026-00000{number}", tactic=Tactic.objects.get(code="cawn"),
            target_kind="person", target_person=target, details=f"Notice {number}",
            lead_officer=worker, lead_agency=hub_agency, created_by=worker, created_at=now)
        DisruptionChild.objects.create(disruption=disruption, person=protected)
        Breach.objects.create(disruption=disruption, occurred_on=dt.date(2026, 3, 1),
                              what_happened=f"Seen with the child ({number})",
                              action_taken="Arrested", recorded_by=worker, recorded_at=now)

    source = SUBJECT_SOURCES.get("disruption")
    with django_assert_num_queries(3):  # one per kind of record, however many
        [protecting] = source.items(child.pk)
    [aimed] = source.items(dean.pk)
    assert protecting.reference == aimed.reference == "DIS-2026-000001"
    assert protecting.others_named == ["Dean Madeup"]

    def breaches(item: Any) -> tuple[str, str]:
        [entry] = [entry for entry in item.fields if entry.name == "breaches"]
        return entry.text, entry.withhold

    assert breaches(aimed) == ("1 March 2026: Seen with the child (1) (action taken: "
                               "Arrested)", "")
    assert breaches(protecting)[1] == RedactionReason.THIRD_PARTY
