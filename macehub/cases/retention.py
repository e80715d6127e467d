"""Closed cases under retention review, on children's social care's schedule (*check*
with the local authority: the file's rule keeps a case until the child is 25). Decisions
to keep are recorded; disposal of a case (its plan, chronology, meetings' records and
documents) is not built yet, so the review queue says so."""

from __future__ import annotations

from collections.abc import Collection

from django.utils import timezone

from macehub.cases.codes import CaseStatus
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


RECORD_KINDS.register("case", RecordKind(
    label="Closed case", record_type="cases.case", rows=_rows))
