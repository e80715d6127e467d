"""What the forensics app hands a subject access request: the devices seized from the
person or in an investigation naming them, nobody else's, in one query; the findings
withheld while the investigation is open, and from someone else's device after it
closes. All names and devices are made up."""

from __future__ import annotations

from typing import Any

import pytest

from macehub.accounts.models import Agency, Team
from macehub.forensics.models import Exhibit
from macehub.forensics.tests.factories import make_force, make_investigation, seize, suspect
from macehub.forensics.tests.factories import victim as first_victim
from macehub.governance.subject_access import SUBJECT_SOURCES
from macehub.governance.subject_access_codes import RedactionReason
from macehub.investigations.codes import InvestigationStatus

pytestmark = pytest.mark.django_db


def test_the_devices_for_the_person_only(
    hub_agency: Agency, hub_team: Team, django_assert_num_queries: Any
) -> None:
    force = make_force(hub_agency, hub_team)
    investigation = make_investigation(force, allocate=False)
    child, dean = first_victim(investigation), suspect(investigation)
    childs_phone = seize(force, investigation)
    deans_phone = seize(force, investigation, owner="suspect", person=dean)
    Exhibit.objects.filter(pk__in=[childs_phone.pk, deans_phone.pk]).update(
        triage_findings="Messages arranging meetings")
    elsewhere = make_investigation(force, 1, allocate=False)
    seize(force, elsewhere)  # another child's phone, in an investigation not naming her

    source = SUBJECT_SOURCES.get("forensics")
    with django_assert_num_queries(1):
        items = source.items(child.pk)
    assert {item.reference for item in items} == {childs_phone.reference,
                                                  deans_phone.reference}
    assert {item.reference for item in source.items(dean.pk)} == {childs_phone.reference,
                                                                 deans_phone.reference}
    by_reference = {item.reference: item for item in items}
    assert by_reference[deans_phone.reference].others_named == ["Dean0 Madeup"]
    assert by_reference[childs_phone.reference].others_named == []

    def withheld() -> dict[str, str]:
        return {item.reference: entry.withhold for item in source.items(child.pk)
                for entry in item.fields if entry.name == "triage_findings"}

    assert withheld() == {childs_phone.reference: RedactionReason.CRIME,
                          deans_phone.reference: RedactionReason.CRIME}
    investigation.status = InvestigationStatus.CLOSED
    investigation.save()
    assert withheld() == {childs_phone.reference: "",
                          deans_phone.reference: RedactionReason.THIRD_PARTY}
