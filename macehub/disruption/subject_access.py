"""What the disruption app holds about a person for a subject access request: each
disruption aimed at them, and each that names them as a child it protects, with its
breaches. A breach is the conduct of the person the disruption is aimed at: disclosed to
them, and withheld by default as third-party data from a child it protects (the officer
decides what the child may know of it)."""

from __future__ import annotations

from macehub.disruption.models import Disruption
from macehub.governance.subject_access import (
    SUBJECT_SOURCES,
    HeldField,
    HeldItem,
    SubjectSource,
    local_day,
    recorded,
)
from macehub.governance.subject_access_codes import RedactionReason
from macehub.ui.formatting import govuk_date

BREACH_WHY = "A breach is the conduct of the person the disruption is aimed at"


def _item(disruption: Disruption, person_pk: int) -> HeldItem:
    aimed = disruption.target_person_id == person_pk
    others = sorted({child.full_name for child in disruption.children.all()
                     if child.pk != person_pk})
    if not aimed and disruption.target_person is not None:
        others.append(disruption.target_person.full_name)
    breaches = "; ".join(f"{govuk_date(breach.occurred_on)}: {breach.what_happened} "
                         f"(action taken: {breach.action_taken})"
                         for breach in disruption.breaches.all())
    return HeldItem(
        record_type="disruption.disruption", record_id=disruption.pk,
        reference=disruption.reference, date=local_day(disruption.created_at),
        heading=("Disruption aimed at the person" if aimed
                 else "Disruption protecting the person"),
        fields=recorded(
            HeldField("tactic", "Tactic", disruption.tactic.name),
            HeldField("status", "Status", disruption.get_status_display()),
            HeldField("started_on", "Granted or served", govuk_date(disruption.started_on)),
            HeldField("expires_on", "Ends", govuk_date(disruption.expires_on)),
            HeldField("details", "Details", disruption.details),
            HeldField("breaches", "Breaches", breaches,
                      withhold="" if aimed else RedactionReason.THIRD_PARTY,
                      why="" if aimed else BREACH_WHY)),
        others_named=others)


def _items(person_pk: int) -> list[HeldItem]:
    disruptions = (Disruption.objects.filter(target_person_id=person_pk)
                   | Disruption.objects.filter(child_links__person_id=person_pk)).distinct()
    return [_item(disruption, person_pk) for disruption in disruptions.select_related(
        "tactic", "target_person").prefetch_related("children", "breaches")]


SUBJECT_SOURCES.register("disruption", SubjectSource(label="Disruption", items=_items))
