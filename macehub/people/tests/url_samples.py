"""Records for the URL x role test: a pair of records proposed as one person (the
sample person, recorded twice), for the match review page; and a third record of them
merged into the sample person, for the merge page; a linking job of a sample
analyst's; and a share of the sample person with an agency nobody in the walk works for,
for the stop sharing page."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from macehub.accounts.roles import AgencyKind, Role
from macehub.people.codes import MatchDecision
from macehub.people.models import LinkJob, MatchCandidate, MatchRun, PersonMerge, PersonShare
from macehub.testing.factories import make_agency, make_person, make_user


def build(samples: dict[str, Any]) -> None:
    person = samples["person_pk"]
    again = make_person(samples["hub_agency"], given_name="Jordon", family_name="Sample")
    now = timezone.now()
    run = MatchRun.objects.create(
        started_at=now, finished_at=now, engine="duckdb", records=2, threshold=0.5,
        recommended_threshold=0.5, pairs_found=1, pairs_proposed=1, model={})
    first, second = sorted((person, again), key=lambda p: p.pk)
    samples["match_pk"] = MatchCandidate.objects.create(
        first=first, second=second, run=run, probability=0.97, match_weight=5.0,
        evidence=[{"field": "given_name", "label": "Jaro-Winkler >= 0.92",
                   "agreement": "partly", "left": "jordan", "right": "jordon", "weight": 4.0}])
    third = make_person(samples["hub_agency"], given_name="Jordan", family_name="Sampel")
    decided = MatchCandidate.objects.create(
        first=person, second=third, run=run, probability=0.99, match_weight=7.0, evidence=[],
        decision=MatchDecision.SAME, decided_at=now, reason="Same NHS number")
    third.merged_into = person
    third.save(update_fields=["merged_into"])
    samples["merge_pk"] = PersonMerge.objects.create(
        match=decided, kept=person, merged=third, merged_by=samples["user_pk"],
        merged_at=now, reason="Same NHS number and date of birth")
    # A linking job is its requester's alone: an analyst of the sample's team asked.
    owner = make_user("sample.analyst", Role.ANALYST, agency=samples["hub_agency"],
                      team=samples["hub_team"])
    samples["link_job_owner"] = owner
    samples["job_pk"] = LinkJob.objects.create(
        requested_by=owner, requested_at=now, left_name="school-roll.csv", status="done",
        progress=100, stage="Done", pairs_found=1, threshold_used=0.9, finished_at=now,
        pairs=f"left_id,right_id,match_probability\r\nR1,{person.pk},0.970000\r\n")
    samples["person_share_pk"] = PersonShare.objects.create(
        person=person, agency=make_agency("sample-academy", AgencyKind.EDUCATION,
                                          name="Sample Academy"),
        shared_by=samples["user_pk"], reason="To safeguard the child")
