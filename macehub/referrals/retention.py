"""Referrals that led to no case, under retention review on the referring agency's
schedule (*check* with each agency: the file's rule is reviewed 6 years after the
decision). A referral that opened a case is kept with the case and is not reviewed on
its own. The subject is the child referred.

Disposal deletes the referral with its indicators, partner checks, immediate steps and
later additions; the child's record stays (other records may name them)."""

from __future__ import annotations

from collections.abc import Collection

from django.utils import timezone

from macehub.governance.retention import RECORD_KINDS, RecordKind, RetentionRow
from macehub.referrals.models import Referral

NO_CASE = "no_case"


def _rows(pks: Collection[int] | None) -> list[RetentionRow]:
    referrals = Referral.objects.filter(case__isnull=True, decided_at__isnull=False)
    if pks is not None:
        referrals = referrals.filter(pk__in=pks)
    return [
        RetentionRow(pk=pk, reference=reference, category=NO_CASE,
                     clock_starts_on=timezone.localdate(decided_at), subject_born_on=born)
        for pk, reference, decided_at, born in referrals.order_by().values_list(
            "pk", "reference", "decided_at", "child__date_of_birth")
    ]


def _dispose(pk: int) -> None:
    Referral.objects.filter(pk=pk).delete()


RECORD_KINDS.register("referral", RecordKind(
    label="Referral that led to no case", record_type="referrals.referral",
    rows=_rows, dispose=_dispose))
