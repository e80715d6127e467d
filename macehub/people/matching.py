"""Proposing person records that may be the same person, and a person's decision on
each pair.

``propose_matches`` links the hub's people (``linkage.link_records``, on the engine
asked for, which the run records) and keeps each pair at or above the threshold as a
``MatchCandidate`` with its evidence. Nothing is merged: a pair waits for a decision. A
pair someone has decided (the same person, or not) is never proposed again; a pair
waiting, or marked "not sure", gets the new run's figures, and one the new run no longer
proposes is dropped unless marked "not sure".

``match_queue`` and ``match_for`` read the pairs a user may review: only pairs whose
both records they may open (``access.policy.match_candidate_relation``).
``decide_match`` records the decision, checked against the version the reviewer saw.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.audit.history import saves_after
from macehub.audit.services import changed_values, record_event
from macehub.core.versioning import BLANK, Versioning, plain_words
from macehub.people.codes import LinkageEngine, MatchDecision
from macehub.people.linkage import CandidatePair, LinkageResult, link_records
from macehub.people.linkage_engines import LinkageError
from macehub.people.linkage_records import people_records
from macehub.people.models import MatchCandidate, MatchRun, Person

# Pairs written per statement.
BATCH_SIZE = 2_000

DECIDED = (MatchDecision.SAME, MatchDecision.NOT_SAME)
STILL_OPEN = (MatchDecision.UNDECIDED, MatchDecision.NOT_SURE)


def propose_matches(*, actor: User | None, threshold: float | None = None,
                    people: QuerySet[Person] | None = None,
                    threads: int | None = None, engine: str = LinkageEngine.DUCKDB,
                    progress: Callable[[str, int], None] | None = None,
                    ) -> tuple[MatchRun, LinkageResult]:
    """Run the matching model over ``people`` (every person by default) on ``engine``
    and keep its pairs for review. ``actor`` is None for a run from the command line;
    ``progress`` hears each stage and its per cent (a run asked for from a page)."""
    report = progress or (lambda stage, per_cent: None)
    started = timezone.now()
    decided = MatchCandidate.objects.filter(decision__in=DECIDED).values_list(
        "first_id", "second_id")
    if people is None:
        people = Person.objects.filter(merged_into__isnull=True)  # merged: one identity
    report("Reading every person the hub holds, estimating the matching model and "
           "scoring the pairs", 5)
    result = link_records(people_records(people),
                          threshold=threshold, threads=threads, exclude=decided.iterator(),
                          engine=engine)
    report("Keeping the pairs for review", 85)
    with transaction.atomic():
        run = MatchRun.objects.create(
            started_at=started, finished_at=timezone.now(), run_by=actor,
            engine=LinkageEngine(engine).value,
            records=result.records, threshold=result.threshold,
            recommended_threshold=result.recommended_threshold,
            pairs_found=len(result.pairs), pairs_proposed=0, model=result.model,
            training_notes=list(result.training_adjusted),
        )
        open_pairs = {
            (candidate.first_id, candidate.second_id): candidate
            for candidate in MatchCandidate.objects.select_for_update().filter(
                decision__in=STILL_OPEN)
        }
        new, updated = [], []
        for pair in result.pairs:
            figures = {"run": run, "probability": pair.probability,
                       "match_weight": pair.match_weight,
                       "evidence": [evidence.as_dict() for evidence in pair.evidence]}
            candidate = open_pairs.pop((pair.left_id, pair.right_id), None)
            if candidate is None:
                new.append(MatchCandidate(first_id=pair.left_id, second_id=pair.right_id,
                                          **figures))
                continue
            for name, value in figures.items():
                setattr(candidate, name, value)
            candidate.version += 1
            updated.append(candidate)
        MatchCandidate.objects.bulk_create(new, batch_size=BATCH_SIZE)
        MatchCandidate.objects.bulk_update(
            updated, ["run", "probability", "match_weight", "evidence", "version"],
            batch_size=BATCH_SIZE)
        # Waiting pairs this run no longer proposes: their evidence is out of date.
        stale = [c.pk for c in open_pairs.values() if c.decision == MatchDecision.UNDECIDED]
        MatchCandidate.objects.filter(pk__in=stale).delete()
        run.pairs_proposed = MatchCandidate.objects.filter(
            Q(decision__in=STILL_OPEN), run=run).count()
        run.save(update_fields=["pairs_proposed"])
        record_event(
            event_type=EventType.SEARCH, actor=actor, record=run,
            actor_username="" if actor else "find_matches",
            detail={"matching": {"records": run.records, "threshold": run.threshold,
                                 "pairs_found": run.pairs_found,
                                 "pairs_proposed": run.pairs_proposed,
                                 "new": len(new), "updated": len(updated),
                                 "dropped": len(stale)}},
        )
    return run, result


# --- Review -------------------------------------------------------------------------------

# Which pairs a queue shows: those waiting, or those someone was not sure about.
QUEUES = {
    "waiting": (MatchDecision.UNDECIDED,),
    "not-sure": (MatchDecision.NOT_SURE,),
}


def match_queue(user: User, show: str = "waiting") -> QuerySet[MatchCandidate]:
    """The pairs waiting (or marked "not sure") that the user may review, the likeliest
    first."""
    policy.require(user, Action.PERSON_MATCH_REVIEW)
    pairs = MatchCandidate.objects.select_related("first", "second").filter(
        decision__in=QUEUES.get(show, QUEUES["waiting"]),
        first__merged_into__isnull=True, second__merged_into__isnull=True)
    return policy.scope(user, Action.PERSON_MATCH_REVIEW, pairs).order_by(
        "-probability", "first_id", "second_id")


def match_for(user: User, pk: int) -> MatchCandidate:
    """One pair, for its review page: 404 unless the user may open both records."""
    return policy.get_or_404(
        user, Action.PERSON_MATCH_REVIEW,
        MatchCandidate.objects.select_related("first", "second", "decided_by", "run"), pk=pk)


def record_match_queue_viewed(*, user: User, shown: list[MatchCandidate], show: str,
                              request: Any = None) -> None:
    """The queue names people: a view of each pair shown."""
    record_event(event_type=EventType.VIEW, actor=user, record_type="people.matchcandidate",
                 detail={"list": f"match review ({show})",
                         "shown": [pair.pk for pair in shown],
                         "people": sorted({pk for pair in shown
                                           for pk in (pair.first_id, pair.second_id)})},
                 request=request)


MATCH_FIELD_LABELS = {"decision": "Decision", "reason": "Reason"}


def _match_words(name: str, value: Any) -> str:
    if value in (None, ""):
        return BLANK
    if name == "decision":
        return str(dict(MatchDecision.choices).get(value, value))
    return plain_words(value)


MATCH_VERSIONING = Versioning(history=saves_after, labels=MATCH_FIELD_LABELS,
                              words=_match_words)

# A reason is asked for every decision: the next reviewer, and anyone who later undoes
# a merge, reads why.
REASON_REQUIRED = {
    MatchDecision.SAME: "Enter what shows these are the same person",
    MatchDecision.NOT_SAME: "Enter what shows these are different people",
    MatchDecision.NOT_SURE: "Enter what you could not settle, for the next reviewer",
}


@transaction.atomic
def decide_match(*, actor: User, candidate_pk: int, expected_version: int,
                 decision: str, reason: str) -> MatchCandidate:
    """Record whether a proposed pair is one person, unless someone else decided or the
    model renewed the pair first. A decided pair is not proposed again."""
    candidate = policy.get_or_404(actor, Action.PERSON_MATCH_REVIEW,
                                  MatchCandidate.objects.select_for_update(), pk=candidate_pk)
    MATCH_VERSIONING.check(candidate, expected_version)
    if candidate.decision in DECIDED:
        raise ValidationError({"decision": "This pair has already been decided"})
    if decision not in REASON_REQUIRED:
        raise ValidationError({"decision": "Select whether these records are the same person"})
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED[MatchDecision(decision)]})
    before = {"decision": candidate.decision, "reason": candidate.reason}
    candidate.decision = decision
    candidate.reason = reason[:2000]
    candidate.decided_by = actor
    candidate.decided_at = timezone.now()
    MATCH_VERSIONING.save(candidate, expected_version=expected_version)
    record_event(
        event_type=EventType.CHANGE, actor=actor, record=candidate,
        detail={"changes": changed_values(before, {"decision": candidate.decision,
                                                  "reason": candidate.reason}),
                "version": candidate.version,
                "people": [candidate.first_id, candidate.second_id],
                "probability": round(candidate.probability, 4)},
    )
    return candidate


# --- New records against those held ----------------------------------------------------


def propose_matches_for_new(*, actor: User | None, new_pks: Sequence[int],
                            threshold: float | None = None,
                            ) -> tuple[MatchRun | None, list[CandidatePair], str]:
    """Link records just made (an import's) against every other person the hub holds,
    and keep each pair of a new record and a held one at or above the threshold as a
    ``MatchCandidate`` for review, as ``propose_matches`` does: nothing is merged. The
    model is estimated on every record together (as ``propose_matches`` runs it), so a
    handful of new records is matched as well as thousands; pairs between held records
    are left to the hub's own matching runs, and pairs already proposed or decided as
    they are. Returns the run (None when there was nothing to link against), the pairs
    proposed (``left_id`` the new record) and, when no run was made, why."""
    new_set = set(new_pks)
    held = Person.objects.filter(merged_into__isnull=True).exclude(pk__in=new_pks)
    if not held.exists() or not new_pks:
        return None, [], "The hub holds no other people to match against."
    started = timezone.now()
    everyone = Person.objects.filter(merged_into__isnull=True)
    try:
        result = link_records(people_records(everyone), threshold=threshold)
    except LinkageError as error:
        return None, [], str(error)
    known = set(MatchCandidate.objects.filter(
        Q(first_id__in=new_pks) | Q(second_id__in=new_pks)).values_list(
        "first_id", "second_id"))
    proposed = [
        CandidatePair(left_id=pair.left_id if pair.left_id in new_set else pair.right_id,
                      right_id=pair.right_id if pair.left_id in new_set else pair.left_id,
                      probability=pair.probability, match_weight=pair.match_weight,
                      evidence=pair.evidence)
        for pair in result.pairs
        if (pair.left_id in new_set) != (pair.right_id in new_set)
        and (pair.left_id, pair.right_id) not in known]
    with transaction.atomic():
        run = MatchRun.objects.create(
            started_at=started, finished_at=timezone.now(), run_by=actor,
            engine=LinkageEngine.DUCKDB.value, records=result.records,
            threshold=result.threshold, recommended_threshold=result.recommended_threshold,
            pairs_found=len(result.pairs), pairs_proposed=len(proposed), model=result.model,
            training_notes=list(result.training_adjusted))
        MatchCandidate.objects.bulk_create([
            MatchCandidate(first_id=min(pair.left_id, pair.right_id),
                           second_id=max(pair.left_id, pair.right_id), run=run,
                           probability=pair.probability, match_weight=pair.match_weight,
                           evidence=[evidence.as_dict() for evidence in pair.evidence])
            for pair in proposed], batch_size=BATCH_SIZE)
        record_event(event_type=EventType.SEARCH, actor=actor, record=run,
                     detail={"matching": {"new_records": len(new_pks),
                                          "records": run.records,
                                          "threshold": run.threshold,
                                          "pairs_proposed": len(proposed)}})
    return run, proposed, ""
