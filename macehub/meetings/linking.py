"""The records a chair may link an agenda item to by hand, by kind and reference: a
child's case, an intelligence report, a group or a vehicle. The chair must be allowed
to read the record; who else sees the item is decided by the same rule."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import Http404
from django.urls import reverse

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.cases.models import Case
from macehub.intelligence.models import IntelligenceReport, Vehicle
from macehub.networks.models import Group


@dataclass(frozen=True)
class LinkKind:
    label: str
    model: type[Model]
    lookup: str
    view_action: Action
    url_name: str


KINDS: dict[str, LinkKind] = {
    "case": LinkKind("Child's case (reference)", Case, "reference", Action.CASE_VIEW,
                     "cases:detail"),
    "report": LinkKind("Intelligence report (reference)", IntelligenceReport, "reference",
                       Action.INTELLIGENCE_VIEW, "intelligence:report_detail"),
    "group": LinkKind("Group (reference)", Group, "reference", Action.GROUP_VIEW,
                      "networks:group_detail"),
    "vehicle": LinkKind("Vehicle (registration)", Vehicle, "registration",
                        Action.ENTITY_VIEW, "intelligence:vehicle_detail"),
}


@dataclass(frozen=True)
class Linked:
    record: Model
    view_action: Action
    link: str
    person_id: int | None


def find(user: User, kind: str, reference: str) -> Linked:
    """The record of this kind and reference, if the user may read it."""
    link_kind = KINDS.get(kind)
    if link_kind is None:
        raise ValidationError({"link_kind": "Select the kind of record"})
    value = reference.strip().upper().replace(" ", "")
    if not value:
        raise ValidationError({"link_reference": "Enter the record's reference"})
    try:
        record = policy.get_or_404(user, link_kind.view_action,
                                   link_kind.model._default_manager.all(),
                                   **{f"{link_kind.lookup}__iexact": value})
    except Http404 as exc:
        raise ValidationError(
            {"link_reference": "No record you may read has this reference"}) from exc
    person_id = getattr(record, "child_id", None)
    return Linked(record=record, view_action=link_kind.view_action,
                  link=reverse(link_kind.url_name, args=[record.pk]), person_id=person_id)
