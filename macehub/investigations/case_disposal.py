"""What investigations hold about a case (see ``macehub.cases.disposal``).

Disposal is refused while an investigation in which the case's child is a victim goes
on: still open, or a court hearing still to come after a charge (advocacy, and the case's
history, are needed through any prosecution). Otherwise the child's journey tied to the
case goes with it: the journey steps (interviews, special measures, hearings), the
advocate's confidential notes and the needs assessment and pre-trial therapy recorded on
the victim's row. The investigation and the child's place in it as a victim stay: they
are police information under their own retention (MoPI); the row no longer names the
case. Exhibits belong to investigations, not cases, and stay with them."""

from __future__ import annotations

from django.db.models import F, Q
from django.utils import timezone

from macehub.cases.disposal import CASE_DISPOSAL, CaseDisposal
from macehub.cases.models import Case
from macehub.investigations.codes import (
    InvestigationStatus,
    JourneyStepKind,
    JourneyStepStatus,
)
from macehub.investigations.models import AdvocateNote, InvestigationVictim, JourneyStep


def _refusals(case: Case) -> list[str]:
    today = timezone.localdate()
    going_on = (~Q(investigation__status=InvestigationStatus.CLOSED)
                | Q(steps__kind=JourneyStepKind.COURT_HEARING, steps__on__gte=today,
                    steps__status=JourneyStepStatus.PLANNED))
    references = sorted(set(
        InvestigationVictim.objects.filter(Q(case=case) | Q(person_id=case.child_id))
        .filter(going_on).values_list("investigation__reference", flat=True)))
    if not references:
        return []
    return [f"An investigation in which the child is a victim is still open or its "
            f"prosecution goes on ({', '.join(references)})."]


def _remove(case: Case) -> None:
    victims = InvestigationVictim.objects.filter(case=case)
    JourneyStep.objects.filter(victim__in=victims).delete()
    AdvocateNote.objects.filter(victim__in=victims).delete()
    # A new version: a journey page open on the old one is told it changed.
    victims.update(case=None, needs_assessed_on=None, needs_assessment="",
                   pre_trial_therapy="", version=F("version") + 1)


CASE_DISPOSAL.register("investigations", CaseDisposal(refusals=_refusals, remove=_remove))
