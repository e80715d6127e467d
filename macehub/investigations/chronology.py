"""Investigations on a child's chronology: each investigation naming the child as a
victim (recorded, sent for a charging decision, closed with its outcome) that the viewer
may see, and the child's journey through it (interviews, hearings, special measures,
withdrawal) for those who may read the journey, the child's advocate among them."""

from __future__ import annotations

from django.urls import reverse

from macehub.access.actions import Action
from macehub.access.policy import allows
from macehub.accounts.models import User
from macehub.days import day_starts
from macehub.investigations.codes import JourneyStepStatus
from macehub.investigations.journey import step_what, victims_for
from macehub.investigations.models import JourneyStep
from macehub.investigations.selectors import investigations_for
from macehub.people.chronology import ChronologyEntry, chronology_source
from macehub.people.models import Person

CATEGORY = "Investigation"
JOURNEY = "Victim's journey"


@chronology_source("investigations")
def investigations_of_the_child(user: User, child: Person) -> list[ChronologyEntry]:
    if not allows(user, Action.INVESTIGATION_VIEW):
        return []
    entries = []
    for investigation in investigations_for(user).filter(victims__person=child
                                                        ).select_related("created_by"):
        url = reverse("investigations:detail", args=[investigation.pk])
        entries.append(ChronologyEntry(
            occurred_at=investigation.created_at, category=CATEGORY,
            title=f"Investigation {investigation.reference} recorded: {investigation.title}",
            byline=investigation.created_by.display_name, url=url))
        if investigation.charging_requested_at is not None:
            entries.append(ChronologyEntry(
                occurred_at=investigation.charging_requested_at, category=CATEGORY,
                title=f"Investigation {investigation.reference} sent for a charging "
                      f"decision", url=url, verb="Sent"))
        if investigation.closed_at is not None:
            entries.append(ChronologyEntry(
                occurred_at=investigation.closed_at, category=CATEGORY,
                title=f"Investigation {investigation.reference} closed: "
                      f"{investigation.get_outcome_display()}",
                text=(f"Outcome on {investigation.outcome_on:%d %B %Y}"
                      if investigation.outcome_on else ""),
                url=url, verb="Closed"))
    return entries


@chronology_source("victim_journeys")
def journeys_of_the_child(user: User, child: Person) -> list[ChronologyEntry]:
    """The child's journey through each investigation they may see it for: interviews
    and hearings held, special measures decided, and a withdrawal of support. The
    child's advocate sees these without the investigation's own entries."""
    if not allows(user, Action.VICTIM_JOURNEY_VIEW):
        return []
    entries = []
    victims = victims_for(user).filter(person=child).select_related("investigation")
    steps = JourneyStep.objects.filter(victim__in=victims).exclude(
        status__in=[JourneyStepStatus.PLANNED, JourneyStepStatus.CANCELLED,
                    JourneyStepStatus.APPLIED]).select_related("victim__investigation",
                                                               "recorded_by")
    for step in steps:
        reference = step.victim.investigation.reference
        entries.append(ChronologyEntry(
            occurred_at=day_starts(step.on), category=JOURNEY,
            title=f"{step_what(step)}: {step.get_status_display().lower()} ({reference})",
            byline=step.recorded_by.display_name,
            url=reverse("investigations:victim_journey", args=[step.victim_id]),
            verb=step.get_status_display()))
    for victim in victims:
        if victim.withdrew_on is not None:
            entries.append(ChronologyEntry(
                occurred_at=day_starts(victim.withdrew_on), category=JOURNEY,
                title=f"Withdrew support for investigation {victim.investigation.reference}",
                text=victim.get_withdrawal_reason_display(),
                url=reverse("investigations:victim_journey", args=[victim.pk]),
                verb="Withdrew"))
    return entries
