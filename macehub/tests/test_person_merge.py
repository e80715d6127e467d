"""Merging two records of one person and undoing it, across every app that names a
person: nothing is lost, everything comes back, need to know neither shrinks nor leaks,
and every step is audited and on the chronology."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import AgencyKind, Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.cases.codes import RiskTier
from macehub.cases.models import Case, MissingEpisode
from macehub.cases.services import open_case
from macehub.conftest import StandardUsers
from macehub.core.versioning import EditConflict
from macehub.intelligence.models import ReportLink
from macehub.intelligence.tests.factories import link, make_report
from macehub.people import matching, merging
from macehub.people.chronology import chronology_for
from macehub.people.codes import AliasKind, IdentifierKind, MatchDecision
from macehub.people.models import (
    MatchCandidate,
    MatchRun,
    Person,
    PersonAddress,
    PersonAlias,
    PersonAllocation,
    PersonIdentifier,
    PersonMerge,
    PersonShare,
)
from macehub.people.selectors import search_people
from macehub.referrals.tests.factories import make_referral
from macehub.testing.factories import make_agency, make_person, make_user

pytestmark = pytest.mark.django_db

NHS = "9434765919"


def decided_pair(first: Person, second: Person, actor: Any,
                 decision: MatchDecision = MatchDecision.SAME) -> MatchCandidate:
    now = timezone.now()
    run = MatchRun.objects.create(
        started_at=now, finished_at=now, engine="duckdb", records=2, threshold=0.5,
        recommended_threshold=0.5, pairs_found=1, pairs_proposed=1, model={})
    low, high = sorted((first, second), key=lambda person: person.pk)
    candidate = MatchCandidate.objects.create(
        first=low, second=high, run=run, probability=0.99, match_weight=9.0, evidence=[])
    if decision != MatchDecision.UNDECIDED:
        candidate = matching.decide_match(actor=actor, candidate_pk=candidate.pk,
                                          expected_version=candidate.version,
                                          decision=decision, reason="Same NHS number")
    return candidate


@pytest.fixture
def school(db: Any) -> Agency:
    return make_agency("school", AgencyKind.EDUCATION, name="Northshire Academy")


@pytest.fixture
def two_records(hub_agency: Agency, hub_team: Team, school: Agency,
                users: StandardUsers) -> dict[str, Any]:
    """The hub's record of a child, and the school's record of the same child with a
    referral, a case, a missing episode, intelligence, an alias, identifiers (one the
    hub's record holds too), an address and an allocation."""
    triage = users[Role.TRIAGE]
    kept = make_person(hub_agency, given_name="Riley", family_name="Ashdown",
                       date_of_birth=dt.date(2011, 3, 14))
    PersonIdentifier.objects.create(person=kept, kind=IdentifierKind.NHS_NUMBER, value=NHS)
    merged = make_person(school, given_name="Rylee", family_name="Ashdowne",
                         date_of_birth=dt.date(2011, 3, 14))
    referrer = make_user("dana.school", Role.REFERRER, agency=school)
    referral = make_referral(merged, referrer)
    case = open_case(actor=triage, child=merged, risk_tier=RiskTier.MEDIUM,
                     lead_agency=hub_agency, reason="Screened at triage")
    episode = MissingEpisode.objects.create(
        child=merged, went_missing_at=timezone.now() - dt.timedelta(days=3),
        recorded_by=triage)
    intelligence = link(make_report(hub_team, users[Role.ANALYST]), merged, role="victim")
    alias = PersonAlias.objects.create(person=merged, kind=AliasKind.NICKNAME,
                                       given_name="Roo")
    same_nhs = PersonIdentifier.objects.create(person=merged, kind=IdentifierKind.NHS_NUMBER,
                                               value=NHS)
    upn = PersonIdentifier.objects.create(person=merged, kind=IdentifierKind.UPN,
                                          value="A801200123456")
    address = PersonAddress.objects.create(person=merged, line_1="4 Mill Lane",
                                           town="Northby", postcode="NS1 4AB")
    allocation = PersonAllocation.objects.create(person=merged, user=users[Role.SOCIAL_WORKER])
    return {"kept": kept, "merged": merged, "referral": referral, "case": case,
            "episode": episode, "intelligence": intelligence, "alias": alias,
            "same_nhs": same_nhs, "upn": upn, "address": address, "allocation": allocation,
            "pair": decided_pair(kept, merged, users[Role.ANALYST])}


def merge(records: dict[str, Any], actor: Any, **overrides: Any) -> PersonMerge:
    pair = records["pair"]
    pair.refresh_from_db()
    options = {"match_pk": pair.pk, "expected_version": pair.version,
               "kept_pk": records["kept"].pk, "reason": "Same NHS number and date of birth"}
    options.update(overrides)
    return merging.merge_people(actor=actor, **options)


def owner_of(row: Any, field: str) -> int:
    row.refresh_from_db()
    return int(getattr(row, f"{field}_id"))


MOVED = (("referral", "child"), ("case", "child"), ("episode", "child"),
         ("intelligence", "person"), ("alias", "person"), ("upn", "person"),
         ("address", "person"))


def test_merge_moves_everything_to_the_kept_record_and_unmerge_moves_it_back(
        two_records: dict[str, Any], users: StandardUsers, school: Agency) -> None:
    analyst = users[Role.ANALYST]
    kept, merged = two_records["kept"], two_records["merged"]

    done = merge(two_records, analyst)

    for name, field in MOVED:
        assert owner_of(two_records[name], field) == kept.pk, name
    # The NHS number the kept record holds already stays with the merged record.
    assert owner_of(two_records["same_nhs"], "person") == merged.pk
    assert done.held_already == {"people.PersonIdentifier.person": [two_records["same_nhs"].pk]}
    assert done.rows_moved == len(MOVED)
    merged.refresh_from_db()
    assert merged.merged_into_id == kept.pk
    # Whoever saw the merged record sees the child still: the school, which held it,
    # through a share, and the allocated worker, allocated to both.
    share = PersonShare.objects.get(person=kept, agency=school)
    allocation = PersonAllocation.objects.get(person=kept, user=users[Role.SOCIAL_WORKER])
    assert done.access_added == {"people.PersonShare": [share.pk],
                                 "people.PersonAllocation": [allocation.pk]}
    assert owner_of(two_records["allocation"], "person") == merged.pk
    # The alias now finds the kept record.
    found = search_people(user=analyst, text="Roo", date_of_birth=None, identifier="")
    assert kept.pk in [match.person.pk for match in found]
    events = AuditEvent.objects.filter(event_type=EventType.MERGE, record_type="people.person")
    assert sorted(int(e.record_id) for e in events) == sorted([kept.pk, merged.pk])
    assert all(e.detail["merge"] == done.pk and e.actor_username == analyst.username
               for e in events)
    titles = [entry.title for entry in chronology_for(analyst, kept)]
    assert f"Rylee Ashdowne (record {merged.pk}) merged into this record" in titles

    merging.unmerge_people(actor=users[Role.SUPERVISOR], merge_pk=done.pk,
                           expected_version=done.version, reason="Twins, not one child")

    for name, field in MOVED:
        assert owner_of(two_records[name], field) == merged.pk, name
    merged.refresh_from_db()
    assert merged.merged_into_id is None
    assert not PersonShare.objects.filter(person=kept, agency=school).exists()
    assert not PersonAllocation.objects.filter(person=kept).exists()
    done.refresh_from_db()
    assert done.is_undone and done.unmerge_reason == "Twins, not one child"
    assert AuditEvent.objects.filter(event_type=EventType.UNMERGE,
                                     record_type="people.person").count() == 2
    found = search_people(user=analyst, text="Roo", date_of_birth=None, identifier="")
    assert [match.person.pk for match in found] == [merged.pk]
    titles = [entry.title for entry in chronology_for(analyst, merged)]
    assert f"Merge of record {merged.pk} into record {kept.pk} undone" in titles


def test_work_added_to_the_kept_record_after_the_merge_stays_there(
        two_records: dict[str, Any], users: StandardUsers) -> None:
    done = merge(two_records, users[Role.ANALYST])
    later = make_referral(two_records["kept"], make_user("ali.health", Role.REFERRER,
                                                          agency=two_records["kept"].owning_agency))
    merging.unmerge_people(actor=users[Role.ANALYST], merge_pk=done.pk,
                           expected_version=done.version, reason="Wrong child")
    assert owner_of(later, "child") == two_records["kept"].pk
    assert owner_of(two_records["referral"], "child") == two_records["merged"].pk


def test_two_open_cases_refuse_the_merge_and_nothing_moves(
        two_records: dict[str, Any], users: StandardUsers, hub_agency: Agency) -> None:
    kept_case = open_case(actor=users[Role.TRIAGE], child=two_records["kept"],
                          risk_tier=RiskTier.LOW, lead_agency=hub_agency, reason="Screened")
    with pytest.raises(ValidationError) as refused:
        merge(two_records, users[Role.ANALYST])
    message = refused.value.message_dict["kept"][0]
    assert "a child can have only one open case" in message
    assert kept_case.reference in message and two_records["case"].reference in message
    assert not PersonMerge.objects.exists()
    assert owner_of(two_records["referral"], "child") == two_records["merged"].pk
    assert Case.objects.filter(child=two_records["merged"]).count() == 1


def test_a_restricted_merged_record_restricts_the_kept_one_and_stays_so_after_unmerge(
        two_records: dict[str, Any], users: StandardUsers) -> None:
    merged = two_records["merged"]
    Person.objects.filter(pk=merged.pk).update(is_restricted=True)
    # The analyst works on neither record's allocations: allocate them to the restricted one.
    PersonAllocation.objects.create(person=merged, user=users[Role.ANALYST])
    done = merge(two_records, users[Role.ANALYST])
    kept = Person.objects.get(pk=two_records["kept"].pk)
    assert kept.is_restricted and done.restricted_by_merge
    # The triage officer (hub team, not allocated) may no longer know the kept record.
    triage = users.client(Role.TRIAGE)
    assert triage.get(reverse("people:detail", args=[kept.pk])).status_code == 404
    merging.unmerge_people(actor=users[Role.ANALYST], merge_pk=done.pk,
                           expected_version=done.version, reason="Not the same child")
    kept.refresh_from_db()
    assert kept.is_restricted, "lifting a restriction is a decision of its own"


def test_a_merge_needs_a_same_person_decision_a_record_of_the_pair_and_a_reason(
        two_records: dict[str, Any], users: StandardUsers, hub_agency: Agency) -> None:
    analyst = users[Role.ANALYST]
    with pytest.raises(ValidationError) as no_reason:
        merge(two_records, analyst, reason="  ")
    assert no_reason.value.message_dict == {"reason": [merging.MERGE_REASON_REQUIRED]}
    stranger = make_person(hub_agency, given_name="Other", family_name="Child")
    with pytest.raises(ValidationError) as wrong_record:
        merge(two_records, analyst, kept_pk=stranger.pk)
    assert wrong_record.value.message_dict == {"kept": [merging.KEPT_REQUIRED]}
    unsure = decided_pair(make_person(hub_agency, given_name="A", family_name="B"),
                          make_person(hub_agency, given_name="A", family_name="Bee"), analyst,
                          MatchDecision.NOT_SURE)
    with pytest.raises(ValidationError):
        merging.merge_people(actor=analyst, match_pk=unsure.pk,
                             expected_version=unsure.version, kept_pk=unsure.first_id,
                             reason="Looks the same")
    assert not PersonMerge.objects.exists()


def test_a_merge_from_a_stale_page_is_refused(two_records: dict[str, Any],
                                              users: StandardUsers) -> None:
    pair = two_records["pair"]
    with pytest.raises(EditConflict):
        merge(two_records, users[Role.ANALYST], expected_version=pair.version - 1)
    done = merge(two_records, users[Role.ANALYST])
    with pytest.raises(ValidationError):  # merged already: the pair cannot merge twice
        merge(two_records, users[Role.SUPERVISOR])
    with pytest.raises(EditConflict):
        merging.unmerge_people(actor=users[Role.ANALYST], merge_pk=done.pk,
                               expected_version=done.version + 1, reason="Wrong")


def test_a_merge_cannot_be_undone_while_the_kept_record_is_merged_into_another(
        two_records: dict[str, Any], users: StandardUsers, hub_agency: Agency) -> None:
    analyst = users[Role.ANALYST]
    first = merge(two_records, analyst)
    third = make_person(hub_agency, given_name="Riley", family_name="Ashdown")
    pair = decided_pair(third, two_records["kept"], analyst)
    merging.merge_people(actor=analyst, match_pk=pair.pk, expected_version=pair.version,
                         kept_pk=third.pk, reason="Third record of the child")
    with pytest.raises(ValidationError) as refused:
        merging.unmerge_people(actor=analyst, merge_pk=first.pk,
                               expected_version=first.version, reason="Wrong")
    assert "Undo that merge first" in refused.value.message_dict["reason"][0]


def test_only_reviewers_who_may_open_both_records_may_merge_or_see_a_merge(
        two_records: dict[str, Any], users: StandardUsers) -> None:
    done = merge(two_records, users[Role.ANALYST])
    Person.objects.filter(pk=two_records["merged"].pk).update(is_restricted=True)
    detail = reverse("people:merge_detail", args=[done.pk])
    # Triage may merge, but may not know the restricted record; a social worker allocated
    # to both records may not merge, so may not learn the merge exists either.
    assert users.client(Role.TRIAGE).get(detail).status_code == 404
    assert users.client(Role.SOCIAL_WORKER).get(detail).status_code == 404
    allocated = users.client(Role.ANALYST)
    PersonAllocation.objects.create(person=two_records["merged"], user=users[Role.ANALYST])
    assert allocated.get(detail).status_code == 200


def test_review_merge_and_unmerge_through_the_pages(
        two_records: dict[str, Any], users: StandardUsers) -> None:
    kept, merged, pair = two_records["kept"], two_records["merged"], two_records["pair"]
    client = users.client(Role.ANALYST)
    review = reverse("people:match_review", args=[pair.pk])
    page = client.get(review).content.decode()
    assert "Merge the records" in page and f"(record {kept.pk})" in page

    refused = client.post(reverse("people:merge_pair", args=[pair.pk]),
                          {"version": pair.version, "reason": "Same child"})
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "Select which record to keep" in text and "Same child" in text

    merged_page = client.post(reverse("people:merge_pair", args=[pair.pk]),
                              {"version": pair.version, "kept": kept.pk,
                               "reason": "Same NHS number"}, follow=True)
    text = merged_page.content.decode()
    assert "has been merged into" in text and "Referrals" in text
    done = PersonMerge.objects.get()
    person_page = client.get(reverse("people:detail", args=[merged.pk])).content.decode()
    assert "This record has been merged into" in person_page
    assert client.get(reverse("people:detail", args=[kept.pk])).content.decode().count(
        "merged into this record") == 1

    detail = reverse("people:merge_detail", args=[done.pk])
    blank = client.post(detail, {"version": done.version, "reason": ""})
    assert blank.status_code == 400 and merging.UNMERGE_REASON_REQUIRED in blank.content.decode()
    undone = client.post(detail, {"version": done.version, "reason": "Twins"}, follow=True)
    assert "The merge has been undone" in undone.content.decode()
    assert owner_of(two_records["referral"], "child") == merged.pk
    assert ReportLink.objects.get(pk=two_records["intelligence"].pk).person_id == merged.pk


def test_a_merged_record_cannot_be_changed_until_the_merge_is_undone(
        two_records: dict[str, Any], users: StandardUsers) -> None:
    kept, merged = two_records["kept"], two_records["merged"]
    done = merge(two_records, users[Role.ANALYST])
    client = users.client(Role.ANALYST)
    for name in ("people:edit", "people:statutory_status"):
        assert client.get(reverse(name, args=[merged.pk])).status_code == 403
        assert client.get(reverse(name, args=[kept.pk])).status_code == 200
    page = client.get(reverse("people:detail", args=[merged.pk])).content.decode()
    assert "Change details" not in page and "Change statutory status" not in page
    assert "Change details" in client.get(
        reverse("people:detail", args=[kept.pk])).content.decode()

    # On a page, the answer comes from the record as fetched, with no query; it is the
    # database's answer.
    analyst = users[Role.ANALYST]
    for person in (kept, merged):
        asked = policy.can(analyst, Action.PERSON_CHANGE, Person.objects.get(pk=person.pk))
        with policy.reading_only():
            fetched = policy.get_or_404(analyst, Action.PERSON_VIEW, Person.objects.all(),
                                        pk=person.pk)
            with CaptureQueriesContext(connection) as queries:
                answered = Action.PERSON_CHANGE in policy.actions_allowed(
                    analyst, (Action.PERSON_CHANGE,), fetched)
        assert (answered, len(queries)) == (asked, 0)
        assert asked == (person == kept)

    merging.unmerge_people(actor=users[Role.ANALYST], merge_pk=done.pk,
                           expected_version=done.version, reason="Twins after all")
    assert client.get(reverse("people:edit", args=[merged.pk])).status_code == 200
