"""Reading exhibits, always through the access policy: the queue a user may see (the
backlog by time left to its current target), one exhibit with what its page shows, the
exhibits of one investigation or seized from one person.

A digital forensics examiner reads an exhibit and, of its investigation, only what the
examination needs (``examination_context``): never its other people, reviews or plan."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, DateTimeField, F, QuerySet, When

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.forensics import clocks
from macehub.forensics.codes import BACKLOG_STAGES, ExhibitStage
from macehub.forensics.models import Exhibit
from macehub.investigations.models import Investigation
from macehub.investigations.offences import offence_label


def exhibits_for(user: User) -> QuerySet[Exhibit]:
    """The exhibits the user may see."""
    return policy.scope(user, Action.EXHIBIT_VIEW, Exhibit.objects.all())


def with_current_due(exhibits: QuerySet[Exhibit]) -> QuerySet[Exhibit]:
    """Each exhibit with the due time of the unit's next piece of work on it
    (``current_due``: triage, or the full examination; none once examined)."""
    return exhibits.annotate(current_due=Case(
        When(stage=ExhibitStage.WAITING_TRIAGE, then=F("triage_due_at")),
        When(stage=ExhibitStage.WAITING_FULL, then=F("full_examination_due_at")),
        default=None, output_field=DateTimeField()))


def exhibit_queue(user: User, *, stage: str = "", priority: str = "") -> QuerySet[Exhibit]:
    """The exhibits the user may see as the queue lists them: by default the backlog
    (waiting for triage or a full examination), least time left first; narrowed to a
    stage or priority when asked (examined ones then newest seized first)."""
    listed = with_current_due(exhibits_for(user)).select_related("investigation")
    if priority:
        listed = listed.filter(priority=priority)
    listed = (listed.filter(stage=stage) if stage
              else listed.filter(stage__in=list(BACKLOG_STAGES)))
    return listed.order_by(F("current_due").asc(nulls_last=True), "-seized_at", "pk")


def exhibit_for(user: User, pk: int, action: Action = Action.EXHIBIT_VIEW) -> Exhibit:
    """One exhibit (404 if the user may not know it exists, 403 if they may see it but
    not take ``action``), with what its page shows."""
    return policy.get_or_404(user, action, Exhibit.objects.select_related(
        "investigation", "investigation__officer_in_case", "investigation__team",
        "seized_from", "triaged_by", "examiner", "created_by",
    ), pk=pk)


def examination_context(user: User, exhibit: Exhibit) -> dict[str, Any]:
    """What an exhibit's page shows of its investigation: its reference, title,
    offences (labels), officer in the case and how to reach them, and the person the
    device was seized from (name and date of birth, to attribute the device). Links to
    the investigation and the person only for those who may open them."""
    investigation = exhibit.investigation
    may_open_person = (exhibit.seized_from is not None
                       and policy.can(user, Action.PERSON_VIEW, exhibit.seized_from))
    return {
        "offences": [offence_label(code) for code in
                     investigation.crimes.values_list("offence_code", flat=True)],
        "may_open_investigation": policy.can(user, Action.INVESTIGATION_VIEW, investigation),
        "may_open_person": may_open_person,
        "seized_from_withheld": seized_from_withheld(user, exhibit),
    }


def seized_from_withheld(user: User, exhibit: Exhibit) -> bool:
    """Whether the name and date of birth of the person the device was seized from are
    withheld from this user: a restricted record's, from anyone who may not open it (an
    examiner reads every exhibit of the force, but a restricted child's or suspect's
    identity stays with those allocated to them; the officer in the case attributes the
    device)."""
    person = exhibit.seized_from
    return (person is not None and person.is_restricted
            and not policy.can(user, Action.PERSON_VIEW, person))


def exhibits_of_investigation(user: User, investigation: Investigation
                              ) -> QuerySet[Exhibit]:
    return with_current_due(exhibits_for(user).filter(investigation=investigation)
                            ).order_by("seized_at", "pk")


def exhibits_seized_from(user: User, person_pk: int) -> QuerySet[Exhibit]:
    return exhibits_for(user).filter(seized_from_id=person_pk).select_related(
        "investigation").order_by("-seized_at", "-pk")


def is_old(exhibit: Exhibit, now: dt.datetime) -> bool:
    """Still waiting, and seized longer ago than the old-exhibit limit."""
    return exhibit.stage in BACKLOG_STAGES and exhibit.seized_at < clocks.old_before(now)
