"""What the people app holds about a person for a subject access request: their record
(names, date of birth, identifiers, ethnicity, nationality, language, statutory status),
each address, and any record merged into theirs (a duplicate the hub found to be them).
It also names the person on the register of requests (``SUBJECT_NAMES``)."""

from __future__ import annotations

from macehub.governance.subject_access import (
    SUBJECT_NAMES,
    SUBJECT_SOURCES,
    HeldField,
    HeldItem,
    SubjectSource,
    local_day,
    recorded,
)
from macehub.people.models import Person
from macehub.ui.formatting import govuk_date


def _named(person_pk: int) -> str | None:
    person = Person.objects.filter(pk=person_pk).only(
        "given_name", "middle_names", "family_name", "date_of_birth").first()
    if person is None:
        return None
    born = f", born {govuk_date(person.date_of_birth)}" if person.date_of_birth else ""
    return f"{person.full_name}{born}"


def _person_item(person: Person) -> HeldItem:
    aliases = "; ".join(str(alias) for alias in person.aliases.all())
    fields = recorded(
        HeldField("name", "Name", person.full_name),
        HeldField("other_names", "Other names", aliases),
        HeldField("date_of_birth", "Date of birth", govuk_date(person.date_of_birth)),
        HeldField("sex", "Sex", person.get_sex_display()),
        HeldField("ethnicity", "Self-defined ethnicity", person.ethnicity_label),
        HeldField("nationality", "Nationality", person.nationality_label),
        HeldField("first_language", "First language", person.first_language),
        HeldField("statutory_status", "Statutory status", person.statutory_status_text),
        HeldField("placement", "Placement", person.placement_text),
        *[HeldField(f"identifier_{identifier.pk}", identifier.get_kind_display(),
                    identifier.display_value) for identifier in person.identifiers.all()],
        *[HeldField(f"address_{address.pk}", "Address" + (" (current)" if address.is_current
                                                           else ""), str(address))
          for address in person.addresses.all()],
    )
    merged = " (merged into this record)" if person.merged_into_id else ""
    return HeldItem(record_type="people.person", record_id=person.pk,
                    reference=f"Person {person.pk}", date=local_day(person.created_at),
                    heading=f"The person's record{merged}", fields=fields)


def _items(person_pk: int) -> list[HeldItem]:
    people = Person.objects.filter(pk=person_pk) | Person.objects.filter(
        merged_into_id=person_pk)
    return [_person_item(person) for person in people.prefetch_related(
        "aliases", "identifiers", "addresses").order_by("pk")]


SUBJECT_NAMES.register("person", _named)
SUBJECT_SOURCES.register("people", SubjectSource(label="Person record", items=_items))
