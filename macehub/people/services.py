"""Changing people's records: one transaction each, each audited with old and new values.

Edits carry the version the user started from; if someone else saved in between, the
save is refused with what they changed (``core.versioning.EditConflict``), and nothing is
overwritten.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django_countries import countries

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import Agency, User
from macehub.audit.events import EventType
from macehub.audit.history import saves_after
from macehub.audit.services import changed_values, record_event
from macehub.core.service_errors import ServiceRefused
from macehub.core.versioning import BLANK, Versioning, plain_words
from macehub.governance.sharing_services import agreement_relied_on, agreements_covering
from macehub.people.codes import (
    NATIONALITY_NOT_STATED,
    STATUTORY_STATUS_SHORT,
    AliasKind,
    OfficerDefinedEthnicity,
    PlacementType,
    Sex,
    StatutoryStatus,
)
from macehub.people.models import (
    EthnicGroup,
    Person,
    PersonAddress,
    PersonAlias,
    PersonIdentifier,
    PersonShare,
)
from macehub.people.postcodes import fill_coordinates

# The fields a person's details form edits; the audit records old and new values of each.
PERSON_DETAIL_FIELDS = (
    "given_name",
    "middle_names",
    "family_name",
    "date_of_birth",
    "estimated_age",
    "age_estimated_on",
    "sex",
    "self_defined_ethnicity",
    "officer_defined_ethnicity",
    "nationality",
)


@dataclass(frozen=True)
class PersonDetails:
    given_name: str
    family_name: str
    middle_names: str = ""
    date_of_birth: dt.date | None = None
    estimated_age: int | None = None
    sex: str = ""
    self_defined_ethnicity: EthnicGroup | None = None
    officer_defined_ethnicity: str = ""
    nationality: str = ""


@dataclass(frozen=True)
class NewAddress:
    line_1: str
    town: str
    postcode: str
    line_2: str = ""
    area_id: int | None = None


def _values(person: Person) -> dict[str, Any]:
    values = {name: getattr(person, name) for name in PERSON_DETAIL_FIELDS}
    values["self_defined_ethnicity"] = person.self_defined_ethnicity_id
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in values.items()}


def _apply(person: Person, details: PersonDetails, today: dt.date) -> None:
    person.given_name = details.given_name
    person.middle_names = details.middle_names
    person.family_name = details.family_name
    person.date_of_birth = details.date_of_birth
    person.estimated_age = details.estimated_age
    if details.estimated_age is None:
        person.age_estimated_on = None
    elif person.age_estimated_on is None or details.estimated_age != person.estimated_age:
        person.age_estimated_on = today
    person.sex = details.sex
    person.self_defined_ethnicity = details.self_defined_ethnicity
    person.officer_defined_ethnicity = details.officer_defined_ethnicity
    person.nationality = details.nationality


@transaction.atomic
def create_person(
    *,
    actor: User,
    details: PersonDetails,
    identifier: tuple[str, str] | None = None,
    alias: tuple[str, str] | None = None,
    alias_kind: str = AliasKind.ALIAS,
    address: NewAddress | None = None,
    today: dt.date | None = None,
) -> Person:
    """Record a new person, held by the actor's agency. Someone known only by a nickname
    or street name is recorded with no names and that alias (``alias_kind`` nickname),
    never as "Unknown Unknown"."""
    policy.require(actor, Action.PERSON_CREATE)
    if actor.agency_id is None:
        raise ValueError("A person is recorded by a member of staff of an agency")
    person = Person(owning_agency_id=actor.agency_id, created_by=actor)
    _apply(person, details, today or timezone.localdate())
    person.save()
    if identifier:
        PersonIdentifier.objects.create(person=person, kind=identifier[0], value=identifier[1])
    if alias:
        PersonAlias.objects.create(person=person, kind=alias_kind, given_name=alias[0],
                                   family_name=alias[1])
    if address:
        new_address = PersonAddress(
            person=person,
            line_1=address.line_1,
            line_2=address.line_2,
            town=address.town,
            postcode=address.postcode,
            area_id=address.area_id,
        )
        fill_coordinates(new_address)
        new_address.save()
    record_event(
        event_type=EventType.CREATE,
        actor=actor,
        record=person,
        detail={
            "changes": changed_values({}, _values(person)),
            "identifier": list(identifier) if identifier else None,
            "alias": list(alias) if alias else None,
            **({"alias_kind": alias_kind} if alias and alias_kind != AliasKind.ALIAS else {}),
            "address": address.postcode if address else None,
        },
    )
    return person


@transaction.atomic
def update_person_details(
    *,
    actor: User,
    person_pk: int,
    expected_version: int,
    details: PersonDetails,
    today: dt.date | None = None,
) -> Person:
    """Change a person's details unless someone else changed them first."""
    person = policy.get_or_404(
        actor, Action.PERSON_CHANGE, Person.objects.select_for_update(), pk=person_pk
    )
    PERSON_VERSIONING.check(person, expected_version)
    before = _values(person)
    _apply(person, details, today or timezone.localdate())
    after = _values(person)
    changes = changed_values(before, after)
    if not changes:
        return person
    PERSON_VERSIONING.save(person, expected_version=expected_version)
    record_event(
        event_type=EventType.CHANGE,
        actor=actor,
        record=person,
        detail={"changes": changes, "version": person.version},
    )
    return person


# --- Statutory status and language -----------------------------------------------------

# The fields the statutory status form edits; the audit records old and new values of each.
STATUTORY_STATUS_FIELDS = (
    "child_in_need",
    "child_protection_plan",
    "looked_after",
    "placement_type",
    "placing_authority",
    "care_leaver",
    "first_language",
    "interpreter_needed",
)


@dataclass(frozen=True)
class StatutoryStatusDetails:
    statuses: frozenset[str] = frozenset()
    placement_type: str = ""
    placing_authority: str = ""
    first_language: str = ""
    interpreter_needed: bool | None = None


def _statutory_values(person: Person) -> dict[str, Any]:
    return {name: getattr(person, name) for name in STATUTORY_STATUS_FIELDS}


def _check_statutory_status(details: StatutoryStatusDetails) -> None:
    errors: dict[str, str] = {}
    unknown = details.statuses - set(StatutoryStatus.values)
    if unknown:
        errors["statuses"] = "Select statuses from the list"
    looked_after = StatutoryStatus.LOOKED_AFTER in details.statuses
    if looked_after and StatutoryStatus.CARE_LEAVER in details.statuses:
        errors["statuses"] = (
            "A care leaver has left care: select looked after or care leaver, not both"
        )
    if looked_after:
        if details.placement_type not in PlacementType.values:
            errors["placement_type"] = "Select the type of placement of the looked-after child"
        if not details.placing_authority.strip():
            errors["placing_authority"] = "Enter the local authority that placed the child"
    else:
        if details.placement_type:
            errors["placement_type"] = (
                "Only a looked-after child has a placement: select looked after, or no "
                "placement type"
            )
        if details.placing_authority.strip():
            errors["placing_authority"] = (
                "Only a looked-after child has a placing authority: select looked after, or "
                "leave it blank"
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def update_statutory_status(
    *,
    actor: User,
    person_pk: int,
    expected_version: int,
    details: StatutoryStatusDetails,
) -> Person:
    """Record the child's statutory status (child in need, child protection plan, looked
    after with placement type and placing authority, care leaver), first language and
    whether an interpreter is needed, unless someone else changed the record first.
    Saving marks the status as recorded, even when it is "none"."""
    person = policy.get_or_404(
        actor, Action.PERSON_CHANGE, Person.objects.select_for_update(), pk=person_pk
    )
    PERSON_VERSIONING.check(person, expected_version)
    _check_statutory_status(details)
    before = _statutory_values(person)
    for status in StatutoryStatus:
        setattr(person, status.value, status.value in details.statuses)
    looked_after = person.looked_after
    person.placement_type = details.placement_type if looked_after else ""
    person.placing_authority = details.placing_authority.strip()[:200] if looked_after else ""
    person.first_language = details.first_language.strip()[:100]
    person.interpreter_needed = details.interpreter_needed
    changes = changed_values(before, _statutory_values(person))
    first_recording = person.statutory_status_recorded_at is None
    if not changes and not first_recording:
        return person
    person.statutory_status_recorded_at = timezone.now()
    person.statutory_status_recorded_by = actor
    PERSON_VERSIONING.save(person, expected_version=expected_version)
    record_event(
        event_type=EventType.CHANGE,
        actor=actor,
        record=person,
        detail={"changes": changes, "version": person.version, "statutory_status": True},
    )
    return person


# --- Concurrent edits ------------------------------------------------------------------

# Every field a versioned save of a person records, as the pages name it.
PERSON_FIELD_LABELS = {
    "given_name": "First name",
    "middle_names": "Middle names",
    "family_name": "Last name",
    "date_of_birth": "Date of birth",
    "estimated_age": "Estimated age in years",
    "age_estimated_on": "Age estimated on",
    "sex": "Sex",
    "self_defined_ethnicity": "Ethnicity (as the person describes it)",
    "officer_defined_ethnicity": "Officer-defined ethnicity (police IC code)",
    "nationality": "Nationality",
    **{status.value: STATUTORY_STATUS_SHORT[status] for status in StatutoryStatus},
    "placement_type": "Placement type",
    "placing_authority": "Placing authority",
    "first_language": "First language",
    "interpreter_needed": "Interpreter needed",
}
_NOT_RECORDED = "Not recorded"


def _person_words(name: str, value: Any) -> str:
    """A value of a person's field as the page shows it: the choice's label, not its
    code."""
    if value in (None, ""):
        return _NOT_RECORDED if name in _CHOICE_FIELDS else BLANK
    if name in ("date_of_birth", "age_estimated_on"):
        day = dt.date.fromisoformat(str(value))
        return f"{day.day} {day:%B %Y}"
    if name == "self_defined_ethnicity":
        if value == EthnicGroup.NOT_STATED:
            return "Not stated"
        group = EthnicGroup.objects.filter(pk=value).first()
        return group.name if group else str(value)
    if name == "nationality":
        return "Not stated" if value == NATIONALITY_NOT_STATED else countries.name(value) or value
    labels = _CHOICE_FIELDS.get(name)
    if labels is not None:
        return str(labels.get(value, value))
    return plain_words(value)


_CHOICE_FIELDS: dict[str, dict[str, str]] = {
    "sex": dict(Sex.choices),
    "officer_defined_ethnicity": dict(OfficerDefinedEthnicity.choices),
    "placement_type": dict(PlacementType.choices),
    "self_defined_ethnicity": {},
    "nationality": {},
}

PERSON_VERSIONING = Versioning(history=saves_after, labels=PERSON_FIELD_LABELS,
                               words=_person_words)


# --- Sharing the record with a partner agency ------------------------------------------

SHARE_REASON_LENGTH = 2000


def partner_agencies_for(person: Person) -> list[Agency]:
    """The agencies a person's record may be shared with: the active agencies other than
    the one holding it and those it is already shared with."""
    shared = PersonShare.objects.filter(person=person).values("agency_id")
    return list(Agency.objects.filter(is_active=True)
                .exclude(pk=person.owning_agency_id).exclude(pk__in=shared).order_by("name"))


def _share_values(share: PersonShare) -> dict[str, Any]:
    return {"shared_with": share.agency.name,
            "agreement": share.agreement.reference if share.agreement else None,
            "reason": share.reason or None}


@transaction.atomic
def share_person(*, actor: User, person_pk: int, agency_pk: int | None,
                 agreement_pk: int | None, reason: str,
                 now: dt.datetime | None = None) -> PersonShare:
    """Share a person's record with a partner agency, whose staff may then see it. The
    share names the information-sharing agreement in force between the two agencies
    that it relies on; where none covers them, ``reason`` says why it is shared anyway
    (``governance.sharing_services.agreement_relied_on``, the rule every share asks)."""
    person = policy.get_or_404(actor, Action.PERSON_SHARE,
                               Person.objects.select_for_update(of=("self",)), pk=person_pk)
    agency = (Agency.objects.filter(pk=agency_pk, is_active=True).first()
              if agency_pk is not None else None)
    if agency is None:
        raise ServiceRefused("Choose the agency to share the record with", field="agency")
    if agency.pk == person.owning_agency_id:
        raise ServiceRefused(f"{agency.name} holds this record already: choose another "
                             f"agency", field="agency")
    if PersonShare.objects.filter(person=person, agency=agency).exists():
        raise ServiceRefused(f"The record is already shared with {agency.name}",
                             field="agency")
    reason = reason.strip()
    if len(reason) > SHARE_REASON_LENGTH:
        raise ServiceRefused(f"The reason must be {SHARE_REASON_LENGTH} characters or fewer",
                             field="reason")
    day = timezone.localdate(now or timezone.now())
    covered = agreements_covering(person.owning_agency_id, agency.pk, day)
    agreement = agreement_relied_on(
        from_agency_pk=person.owning_agency_id, to_agency=agency,
        chosen_pks=[agreement_pk] if agreement_pk else [], reason_without=reason,
        field="agreement" if covered else "reason", day=day)
    share = PersonShare.objects.create(person=person, agency=agency, shared_by=actor,
                                       reason=reason, agreement=agreement)
    record_event(event_type=EventType.CHANGE, actor=actor, record=person, detail={
        "changes": changed_values({}, _share_values(share)), "shared": agency.pk})
    return share


@transaction.atomic
def stop_sharing_person(*, actor: User, share_pk: int, reason: str) -> Person:
    """Stop sharing a person's record with a partner agency: its staff no longer see it
    (unless they work on the child's case or are allocated to the record). The share is
    removed; the audit keeps what it was, who stopped it and why."""
    person_pk = PersonShare.objects.filter(pk=share_pk).values_list("person_id",
                                                                     flat=True).first()
    if person_pk is None:
        raise Http404("No such share")
    person = policy.get_or_404(actor, Action.PERSON_SHARE,
                               Person.objects.select_for_update(of=("self",)), pk=person_pk)
    share = (PersonShare.objects.select_related("agency", "agreement")
             .filter(pk=share_pk, person=person).first())
    if share is None:  # stopped by someone else meanwhile
        raise ServiceRefused("The record is no longer shared with that agency")
    if not reason.strip():
        raise ServiceRefused("Enter why the record is no longer shared", field="reason")
    before = _share_values(share)
    share.delete()
    record_event(event_type=EventType.CHANGE, actor=actor, record=person, detail={
        "changes": changed_values(before, {}), "stopped_sharing": before["shared_with"],
        "reason": reason.strip()})
    return person
