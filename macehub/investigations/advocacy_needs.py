"""An investigation still open, or a court hearing still to come, for a child victim:
reasons to keep their victim advocate (see ``macehub.cases.advocacy_needs``). Only
investigations whose journey the user may read are named."""

from __future__ import annotations

from django.db.models import Min, Q
from django.utils import timezone

from macehub.accounts.models import User
from macehub.cases.advocacy_needs import advocacy_need
from macehub.investigations.codes import (
    InvestigationStatus,
    JourneyStepKind,
    JourneyStepStatus,
)
from macehub.investigations.journey import victims_for
from macehub.people.models import Person
from macehub.ui.formatting import govuk_date


@advocacy_need("investigations")
def investigations_going_on(user: User, child: Person) -> list[str]:
    today = timezone.localdate()
    hearing = Q(steps__kind=JourneyStepKind.COURT_HEARING, steps__on__gte=today,
                steps__status=JourneyStepStatus.PLANNED)
    victims = (victims_for(user).filter(person=child)
               .annotate(next_hearing=Min("steps__on", filter=hearing))
               .select_related("investigation").order_by("investigation__reference"))
    reasons = []
    for victim in victims:
        reference = victim.investigation.reference
        if victim.next_hearing is not None:
            reasons.append(f"A court hearing in investigation {reference} is planned for "
                           f"{govuk_date(victim.next_hearing)}.")
        elif victim.investigation.status != InvestigationStatus.CLOSED:
            reasons.append(f"Investigation {reference}, in which the child is a victim, is "
                           f"still open.")
    return reasons
