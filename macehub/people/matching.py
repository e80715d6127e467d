"""Proposing person records that may be the same person, for a person to decide on.

``propose_matches`` links the hub's people (``linkage.link_records``) and keeps each
pair at or above the threshold as a ``MatchCandidate`` with its evidence. Nothing is
merged: a pair waits for a decision. A pair someone has decided (the same person, or
not) is never proposed again; a pair waiting, or marked "not sure", gets the new run's
figures, and one the new run no longer proposes is dropped unless marked "not sure".
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.people.codes import MatchDecision
from macehub.people.linkage import LinkageResult, link_records, people_records
from macehub.people.models import MatchCandidate, MatchRun, Person

ENGINE = "duckdb"
# Pairs written per statement.
BATCH_SIZE = 2_000

DECIDED = (MatchDecision.SAME, MatchDecision.NOT_SAME)
STILL_OPEN = (MatchDecision.UNDECIDED, MatchDecision.NOT_SURE)


def propose_matches(*, actor: User | None, threshold: float | None = None,
                    people: QuerySet[Person] | None = None,
                    threads: int | None = None) -> tuple[MatchRun, LinkageResult]:
    """Run the matching model over ``people`` (every person by default) and keep its
    pairs for review. ``actor`` is None for a run from the command line."""
    started = timezone.now()
    decided = MatchCandidate.objects.filter(decision__in=DECIDED).values_list(
        "first_id", "second_id")
    result = link_records(people_records(people if people is not None else Person.objects.all()),
                          threshold=threshold, threads=threads, exclude=decided.iterator())
    with transaction.atomic():
        run = MatchRun.objects.create(
            started_at=started, finished_at=timezone.now(), run_by=actor, engine=ENGINE,
            records=result.records, threshold=result.threshold,
            recommended_threshold=result.recommended_threshold,
            pairs_found=len(result.pairs), pairs_proposed=0, model=result.model,
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
