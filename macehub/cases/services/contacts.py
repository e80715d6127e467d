"""Contacts with the child, their family or a professional: whether the child was seen,
and alone, and the child's own words. A victim advocate's notes stay with the advocacy
service."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.db import transaction

from macehub.access.actions import Action
from macehub.accounts.models import Agency, User
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.cases.codes import ContactKind, SeenAnswer
from macehub.cases.models import Contact
from macehub.cases.services.checks import (
    _audit_case,
    _case_for_change,
    _not_in_future,
    _raise_if,
    _require_text,
)


def advocacy_service_of(actor: User) -> Agency | None:
    """The advocacy service a contact the actor records belongs to: a victim advocate's
    agency (their notes are confidential to it), or none."""
    if Role.VICTIM_ADVOCATE in actor.role_codes:
        return actor.agency
    return None


@transaction.atomic
def record_contact(
    *,
    actor: User,
    case_pk: int,
    occurred_at: dt.datetime | None,
    kind: ContactKind | str,
    with_whom: str,
    summary: str,
    child_seen: SeenAnswer | str = "",
    child_seen_alone: SeenAnswer | str = "",
    child_words: str = "",
) -> Contact:
    """Log a contact with the child, their family or a professional: whether the child
    was seen (and if so whether alone), and the child's own words and wishes. Seen alone
    is only asked when the child was seen; otherwise it is "not applicable"."""
    case = _case_for_change(actor, Action.CASE_RECORD_WORK, case_pk)
    errors: dict[str, str] = {}
    if occurred_at is None:
        errors["occurred_at"] = "Enter the date and time of the contact"
    _not_in_future(errors, "occurred_at", occurred_at,
                   "The date and time of the contact must be in the past")
    if kind not in ContactKind.values:
        errors["kind"] = "Select the kind of contact"
    with_whom = _require_text(errors, "with_whom", with_whom, "Enter who the contact was with")
    summary = _require_text(errors, "summary", summary, "Enter a summary of the contact")
    if child_seen not in SeenAnswer.values:
        errors["child_seen"] = "Select whether the child was seen"
    elif child_seen != SeenAnswer.YES:
        child_seen_alone = SeenAnswer.NOT_APPLICABLE
    elif child_seen_alone not in (SeenAnswer.YES, SeenAnswer.NO):
        errors["child_seen_alone"] = "Select whether the child was seen alone"
    _raise_if(errors)
    occurred_at = cast(dt.datetime, occurred_at)
    contact = Contact.objects.create(
        case=case, occurred_at=occurred_at, kind=ContactKind(kind), with_whom=with_whom[:200],
        summary=summary, recorded_by=actor, advocacy_service=advocacy_service_of(actor),
        child_seen=SeenAnswer(child_seen), child_seen_alone=SeenAnswer(child_seen_alone),
        child_words=(child_words or "").strip(),
    )
    # Whether seen and the child's words are notes of the contact: an advocate's stay with
    # the advocacy service, so the audit row names only that they were recorded.
    _audit_case(actor, case, EventType.CHANGE, {
        "contact": contact.pk, "added": True, "kind": contact.kind,
        "occurred_at": occurred_at,
        "confidential_to_advocacy": contact.confidential_to_advocacy,
        "child_words_recorded": bool(contact.child_words),
    })
    return contact
