"""Victims: a population of the disproportionality and data-quality pages
(``macehub.people.populations``), the children with a MACE case open at any time in a
period, or with an outcome recorded on one of their cases in it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from macehub.access.actions import Action
from macehub.cases.models import Case, CaseOutcome
from macehub.people.populations import (
    CHILDREN,
    CHILDREN_DENOMINATOR,
    Population,
    register_population,
)


def _cases() -> QuerySet[Any]:
    return Case.objects.all()


def _open_or_with_outcome(since: dt.datetime, until: dt.datetime, start: dt.date,
                          end: dt.date) -> Q:
    outcome = CaseOutcome.objects.filter(case=OuterRef("pk"), recorded_on__gte=start,
                                         recorded_on__lte=end)
    open_in_period = Q(opened_at__lt=until) & (Q(closed_at__isnull=True)
                                               | Q(closed_at__gte=since))
    return open_in_period | Q(Exists(outcome))


register_population(Population(
    key="victims", label="Victims (children with an open case or a recorded outcome)",
    noun="victims", kind=CHILDREN, events=_cases, person_field="child",
    date_field="opened_at", opened_by=Action.CASE_VIEW, between=_open_or_with_outcome,
    definition="Victims: children with a MACE case open at any time in the period, or with "
               "an outcome recorded on one of their cases in the period. Children referred "
               "without a case are not counted. " + CHILDREN_DENOMINATOR,
))
