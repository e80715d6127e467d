"""Records for the URL x role test: a pair of records proposed as one person (the
sample person, recorded twice), for the match review page."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from macehub.people.models import MatchCandidate, MatchRun
from macehub.testing.factories import make_person


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
