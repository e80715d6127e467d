"""Closed cases under retention review, on children's social care's schedule (*check*
with the local authority: the file's rule keeps a case until the child is 25).

Disposal removes the case's personal data with what other apps hold about that case
only (``cases.disposal``): its risk history, plan, contacts, missing episodes recorded
with it, advocate allocations, shares, the referrals that opened it (kept with the case,
never reviewed alone), meeting items and actions about it and the child's journey steps
and advocate's notes in an investigation tied to it. It is refused while it would be
unsafe: the case is not closed, the child has another open case, advocacy or an
investigation or prosecution about the child goes on, a meeting action about it is still
open. The child's record stays (other records name them)."""

from __future__ import annotations

from collections.abc import Collection

from django.utils import timezone

from macehub.cases.codes import CaseStatus
from macehub.cases.disposal import disposal_refusals, dispose_case
from macehub.cases.models import Case
from macehub.governance.retention import RECORD_KINDS, RecordKind, RetentionRow

CLOSED = "closed"


def _rows(pks: Collection[int] | None) -> list[RetentionRow]:
    cases = Case.objects.filter(status=CaseStatus.CLOSED, closed_at__isnull=False)
    if pks is not None:
        cases = cases.filter(pk__in=pks)
    return [
        RetentionRow(pk=pk, reference=reference, category=CLOSED,
                     clock_starts_on=timezone.localdate(closed_at), subject_born_on=born)
        for pk, reference, closed_at, born in cases.order_by().values_list(
            "pk", "reference", "closed_at", "child__date_of_birth")
    ]


def _refusals(pk: int) -> list[str]:
    case = Case.objects.filter(pk=pk).first()
    if case is None:
        return ["The case is no longer held."]
    return disposal_refusals(case)


def _dispose(pk: int) -> None:
    dispose_case(Case.objects.select_for_update(of=("self",)).get(pk=pk))


RECORD_KINDS.register("case", RecordKind(
    label="Closed case", record_type="cases.case", rows=_rows, dispose=_dispose,
    refusals=_refusals))
