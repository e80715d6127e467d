"""Disposal of a closed case at the end of its retention: what is removed, and what
makes it unsafe.

A case is more than its row: its risk history, plan, contacts, missing episodes and
advocate allocations are the cases app's own, but the referrals that opened it, the
meeting items and actions about it and the child's journey through an investigation
tied to it are held by apps above cases, which cases may not import. Each of those apps
registers a ``CaseDisposal`` in its own ``case_disposal.py`` (found by the registries'
one discovery rule, ``macehub.core.registry``): what would make disposing of the case
unsafe (sentences saying why, none when it is safe) and how it removes what it holds
about that case only.

``disposal_refusals`` asks the cases app's own questions and every app's; ``dispose_case``
runs inside the approving transaction: every app removes its part, then the case goes
with what hangs off it. The child's record stays (other records name them) and so does
the audit log (append-only; a tombstone and an audit entry say what went).

Each app's part reads and deletes with a fixed number of queries for one case, however
many rows it removes (queryset deletes, never row by row)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from macehub.cases.codes import CaseStatus
from macehub.cases.models import AdvocateAllocation, Case, MissingEpisode
from macehub.core.registry import Registry


@dataclass(frozen=True)
class CaseDisposal:
    # Why disposing of the case would be unsafe today, in sentences; none when it is safe.
    refusals: Callable[[Case], list[str]]
    # Removes what the app holds about this case only, inside the approving transaction.
    remove: Callable[[Case], None]


CASE_DISPOSAL: Registry[CaseDisposal] = Registry("case disposal", module_name="case_disposal")


def disposal_refusals(case: Case) -> list[str]:
    """Why the case may not be disposed of today (none when it may): its own state, and
    what every app that holds something about it says."""
    reasons: list[str] = []
    if case.status != CaseStatus.CLOSED:
        reasons.append(f"{case.reference} is not closed.")
    if Case.objects.filter(child_id=case.child_id).exclude(pk=case.pk).exclude(
            status=CaseStatus.CLOSED).exists():
        reasons.append("The child has another case still open, which may rely on this one's "
                       "history.")
    if AdvocateAllocation.objects.filter(case=case, ended_on__isnull=True).exists():
        reasons.append("The child's victim advocate is still allocated: advocacy goes on "
                       "after the case closes.")
    for part in CASE_DISPOSAL.values():
        reasons.extend(part.refusals(case))
    return reasons


def dispose_case(case: Case) -> None:
    """Remove the case's personal data: every app's part, the missing episodes recorded
    with it, then the case with its risk history, plan, contacts, allocations, shares,
    outcomes, NRM referrals, risk assessments and referrals joined (deleted with it)."""
    for part in CASE_DISPOSAL.values():
        part.remove(case)
    MissingEpisode.objects.filter(case=case).delete()
    Case.objects.filter(pk=case.pk).delete()
