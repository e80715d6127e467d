"""Tactical meetings' items about a case (its discussion and decision) and the actions
set on them go when the case is disposed of; an action about it still open refuses the
disposal (see ``macehub.cases.disposal``). Items about the child as a person, not the
case, stay with the meeting."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from macehub.cases.disposal import CASE_DISPOSAL, CaseDisposal
from macehub.cases.models import Case
from macehub.meetings.codes import ActionStatus
from macehub.meetings.models import AgendaItem, MeetingAction


def _items(case: Case) -> QuerySet[AgendaItem]:
    return AgendaItem.objects.filter(record_type=ContentType.objects.get_for_model(Case),
                                     record_id=case.pk)


def _refusals(case: Case) -> list[str]:
    open_actions = list(MeetingAction.objects.filter(
        item__in=_items(case), status=ActionStatus.OPEN).order_by("reference")
        .values_list("reference", flat=True))
    if not open_actions:
        return []
    return [f"Meeting actions about the case are still open ({', '.join(open_actions)})."]


def _remove(case: Case) -> None:
    items = _items(case)
    MeetingAction.objects.filter(item__in=items).delete()
    items.delete()


CASE_DISPOSAL.register("meetings", CaseDisposal(refusals=_refusals, remove=_remove))
