"""What the people app hands a subject access request besides the record itself: the
workers allocated to it and the agencies it was shared with, each comparison record
linkage made with another record (the other person named, their values withheld by
default) and each merge, undone or not, for the person's records and any merged into
theirs, and no one else's, in a fixed number of queries. All names are made up."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from macehub.accounts.models import Agency
from macehub.accounts.roles import Role
from macehub.conftest import StandardUsers
from macehub.governance.subject_access import SUBJECT_SOURCES
from macehub.governance.subject_access_codes import RedactionReason
from macehub.people.models import (
    MatchCandidate,
    MatchRun,
    Person,
    PersonAllocation,
    PersonMerge,
    PersonShare,
)
from macehub.testing.factories import make_person

pytestmark = pytest.mark.django_db


def _compared(run: MatchRun, one: Person, two: Person, decision: str) -> MatchCandidate:
    first, second = sorted((one, two), key=lambda person: person.pk)
    return MatchCandidate.objects.create(
        first=first, second=second, run=run, probability=0.97, match_weight=5.0,
        decision=decision, reason=f"Decided {decision}",
        evidence=[{"field": "given_name", "label": "Exact match on given_name",
                   "agreement": "agrees", "left": first.given_name.lower(),
                   "right": second.given_name.lower(), "weight": 6.5}])


def test_allocations_shares_comparisons_and_merges_of_the_persons_records_only(
    users: StandardUsers, hub_agency: Agency, partner_agency: Agency,
    django_assert_num_queries: Any
) -> None:
    worker = users[Role.TRIAGE]
    now = timezone.now()
    child = make_person(hub_agency, given_name="Poppy", family_name="Testcase")
    duplicate = make_person(hub_agency, given_name="Popy", family_name="Testcase")
    rosa = make_person(hub_agency, given_name="Rosa", family_name="Otherchild")
    riley = make_person(hub_agency, given_name="Riley", family_name="Testcase")
    run = MatchRun.objects.create(
        started_at=now, finished_at=now, engine="duckdb", records=4, threshold=0.5,
        recommended_threshold=0.5, pairs_found=3, pairs_proposed=3, model={})
    same = _compared(run, child, duplicate, "same")
    _compared(run, child, rosa, "not_same")
    _compared(run, rosa, riley, "undecided")  # neither is the child's
    PersonMerge.objects.create(match=same, kept=child, merged=duplicate, merged_by=worker,
                               merged_at=now, reason="Same school and address",
                               moved={"cases.Case.child": [7, 8]})
    duplicate.merged_into = child
    duplicate.save()
    PersonMerge.objects.create(
        match=_compared(run, child, riley, "not_same"), kept=child, merged=riley,
        merged_by=worker, merged_at=now, reason="Looked alike", unmerged_by=worker,
        unmerged_at=now, unmerge_reason="Twins, not one person")
    PersonAllocation.objects.create(person=child, user=worker)
    for person in (child, duplicate, rosa):
        PersonShare.objects.create(person=person, agency=partner_agency, shared_by=worker,
                                   reason=f"Advocacy for {person.given_name}")

    source = SUBJECT_SOURCES.get("people")
    with django_assert_num_queries(8):  # one per kind of record, however many
        items = source.items(child.pk)
    by_reference = {item.reference: item for item in items}
    assert sorted(item.heading for item in items) == [
        "Record compared with another record", "Record compared with another record",
        "Record compared with another record", "Record shared with a partner agency",
        "Record shared with a partner agency", "Records merged", "Records merged (undone)",
        "The person's record", "The person's record (merged into this record)",
        "Worker allocated to the record"]
    fields = {(item.reference, entry.name): (entry.text, entry.withhold)
              for item in items for entry in item.fields}
    assert {text for (_, name), (text, _) in fields.items() if name == "reason"} >= {
        "Advocacy for Poppy", "Advocacy for Popy", "Decided same", "Decided not_same",
        "Same school and address", "Looked alike"}
    assert not any("Rosa" in text and name == "reason"
                   for (_, name), (text, _) in fields.items())
    rosa_pair = by_reference[f"Person {child.pk} compared with person {rosa.pk}"]
    assert rosa_pair.others_named == ["Rosa Otherchild"]
    assert fields[rosa_pair.reference, "other_values"] == (
        "given_name: rosa", RedactionReason.THIRD_PARTY)
    merged_pair = by_reference[f"Person {child.pk} compared with person {duplicate.pk}"]
    assert merged_pair.others_named == []  # the record merged into theirs is theirs
    assert fields[merged_pair.reference, "other_values"] == ("given_name: popy", "")
    merge = by_reference[f"Person {duplicate.pk} merged into person {child.pk}"]
    assert merge.others_named == [] and fields[merge.reference, "moved"][0] == "2"
    undone = by_reference[f"Person {riley.pk} merged into person {child.pk}"]
    assert undone.others_named == ["Riley Testcase"]
    assert fields[undone.reference, "unmerge_reason"][0] == "Twins, not one person"
    assert {name for (_, name), (_, reason) in fields.items() if reason} == {"other_values"}

    rosas = source.items(rosa.pk)
    assert sorted(item.reference for item in rosas) == sorted([
        f"Person {rosa.pk}", f"Person {rosa.pk} share {rosa.shares.get().pk}",
        f"Person {rosa.pk} compared with person {child.pk}",
        f"Person {rosa.pk} compared with person {riley.pk}"])
    assert source.items(999_999) == []
