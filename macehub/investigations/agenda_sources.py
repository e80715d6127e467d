"""What investigations put on the hub's meeting agendas: investigations whose supervisory
review is overdue when the meeting meets (``meetings.agenda``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q
from django.urls import reverse

from macehub.access.actions import Action
from macehub.investigations.models import Investigation, SupervisoryReview
from macehub.meetings.agenda import AgendaContext, Proposed, agenda_source, proposed


@agenda_source("reviews_overdue", label="Investigations with reviews overdue", order=40)
def reviews_overdue(context: AgendaContext) -> Iterable[Proposed]:
    # Overdue when the meeting meets: not signed by then (the same answer for history).
    overdue = (SupervisoryReview.objects.filter(
        Q(reviewed_at__isnull=True) | Q(reviewed_at__gt=context.until),
        due_at__lt=context.until).values_list("investigation_id", flat=True))
    for investigation in Investigation.objects.filter(pk__in=overdue).order_by("pk"):
        yield proposed(investigation,
                       title=f"Investigation {investigation.reference}: supervisory review "
                       f"overdue", view_action=Action.INVESTIGATION_VIEW,
                       link=reverse("investigations:detail", args=[investigation.pk]))
