"""The referrals that opened a case (or were linked to it) are kept with the case and
never reviewed alone, so they go when the case is disposed of, with their indicators,
partner checks, immediate steps and later additions (see ``macehub.cases.disposal``)."""

from __future__ import annotations

from macehub.cases.disposal import CASE_DISPOSAL, CaseDisposal
from macehub.cases.models import Case
from macehub.referrals.models import Referral


def _refusals(case: Case) -> list[str]:
    return []


def _remove(case: Case) -> None:
    Referral.objects.filter(case=case).delete()


CASE_DISPOSAL.register("referrals", CaseDisposal(refusals=_refusals, remove=_remove))
