"""What digital forensics puts on the hub's meeting agendas: exhibits still waiting past
the old-exhibit limit (``FORENSICS_OLD_EXHIBIT_DAYS``) when the meeting meets."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse

from macehub.access.actions import Action
from macehub.forensics import clocks
from macehub.forensics.codes import ExhibitStage
from macehub.forensics.models import Exhibit
from macehub.meetings.agenda import AgendaContext, Proposed, agenda_source, proposed


@agenda_source("old_exhibits", label="Exhibits past their limit", order=50)
def old_exhibits(context: AgendaContext) -> Iterable[Proposed]:
    waiting = Exhibit.objects.filter(
        stage__in=(ExhibitStage.WAITING_TRIAGE, ExhibitStage.WAITING_FULL),
        seized_at__lt=clocks.old_before(context.until)).order_by("seized_at", "pk")
    for exhibit in waiting:
        yield proposed(exhibit, title=f"Exhibit {exhibit.reference} waiting past its limit",
                       view_action=Action.EXHIBIT_VIEW,
                       link=reverse("forensics:detail", args=[exhibit.pk]))
