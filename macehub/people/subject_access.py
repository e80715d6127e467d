"""What the people app holds about a person for a subject access request: their record
(names, date of birth, identifiers, ethnicity, nationality, language, statutory status),
each address, and any record merged into theirs (a duplicate the hub found to be them).
It also names the person on the register of requests (``SUBJECT_NAMES``).

With the record go who may see it and how the hub matched it, for the person's records
and any merged into theirs:

- **Allocations and shares**: each worker allocated to the record, and each partner
  agency it was shared with, why and under which information-sharing agreement (the
  recipients of the person's data, which UK GDPR Art. 15(1)(c) entitles them to know).
- **Matching**: each time record linkage compared their record with another ("your record
  was compared with record X"), with the model's probability, what it compared and the
  reviewer's decision and reason. The other record is another person's (unless it was
  merged into theirs): it is named for the third-party check, and its values in the
  comparison are withheld by default as third-party data.
- **Merges**: each merge of their record with another, or into another, and whether it
  was undone, with why. A record merged and then unmerged is another person's, named
  for the third-party check."""

from __future__ import annotations

from django.db.models import Q

from macehub.governance.subject_access import (
    SUBJECT_NAMES,
    SUBJECT_SOURCES,
    HeldField,
    HeldItem,
    SubjectSource,
    local_day,
    recorded,
    staff_member,
)
from macehub.governance.subject_access_codes import RedactionReason
from macehub.people.models import (
    MatchCandidate,
    Person,
    PersonAllocation,
    PersonMerge,
    PersonShare,
)
from macehub.ui.formatting import govuk_date, govuk_datetime

OTHER_RECORD_WHY = "The other record's details are another person's"


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


def _share(share: PersonShare) -> HeldItem:
    agreement = (f"{share.agreement.reference} {share.agreement.title}" if share.agreement
                 else "Not recorded")
    return HeldItem(
        record_type="people.personshare", record_id=share.pk,
        reference=f"Person {share.person_id} share {share.pk}",
        date=local_day(share.shared_at), heading="Record shared with a partner agency",
        fields=recorded(
            HeldField("agency", "Shared with", share.agency.name),
            HeldField("shared_at", "Shared", govuk_datetime(share.shared_at)),
            HeldField("shared_by", "Shared by",
                      share.shared_by.display_name if share.shared_by else ""),
            HeldField("agreement", "Information-sharing agreement", agreement),
            HeldField("reason", "Why", share.reason)))


def _allocation(allocation: PersonAllocation) -> HeldItem:
    user = allocation.user
    return HeldItem(
        record_type="people.personallocation", record_id=allocation.pk,
        reference=f"Person {allocation.person_id} allocation {allocation.pk}",
        date=local_day(allocation.allocated_at), heading="Worker allocated to the record",
        fields=recorded(
            HeldField("worker", "Worker", staff_member(user)),
            HeldField("allocated_at", "Allocated", govuk_datetime(allocation.allocated_at))))


def _compared(candidate: MatchCandidate, theirs: set[int]) -> HeldItem:
    mine, other = ((candidate.first, candidate.second) if candidate.first_id in theirs
                   else (candidate.second, candidate.first))
    other_side = "right" if mine.pk == candidate.first_id else "left"
    others = other.pk not in theirs
    other_values = "; ".join(f"{entry.get('field', '')}: {entry[other_side]}"
                             for entry in candidate.evidence if entry.get(other_side))
    return HeldItem(
        record_type="people.matchcandidate", record_id=candidate.pk,
        reference=f"Person {mine.pk} compared with person {other.pk}",
        date=local_day(candidate.decided_at or candidate.run.started_at),
        heading="Record compared with another record",
        fields=recorded(
            HeldField("compared_with", "Compared with", f"Person {other.pk}"),
            HeldField("probability", "How likely the model said they are one person",
                      candidate.probability_text),
            HeldField("comparison", "What was compared", "; ".join(
                str(entry.get("label", "")) for entry in candidate.evidence)),
            HeldField("other_values", "The other record's values", other_values,
                      withhold=RedactionReason.THIRD_PARTY if others else "",
                      why=OTHER_RECORD_WHY if others else ""),
            HeldField("decision", "Decision", candidate.get_decision_display()),
            HeldField("decided", "Decided by", ", ".join(part for part in (
                candidate.decided_by.display_name if candidate.decided_by else "",
                govuk_datetime(candidate.decided_at)) if part)),
            HeldField("reason", "Why", candidate.reason)),
        others_named=[other.full_name] if others else [])


def _merge(merge: PersonMerge, theirs: set[int]) -> HeldItem:
    other = merge.merged if merge.kept_id in theirs else merge.kept
    others = other.pk not in theirs
    return HeldItem(
        record_type="people.personmerge", record_id=merge.pk,
        reference=f"Person {merge.merged_id} merged into person {merge.kept_id}",
        date=local_day(merge.merged_at),
        heading="Records merged" + (" (undone)" if merge.is_undone else ""),
        fields=recorded(
            HeldField("merged", "Merged", f"Person {merge.merged_id} into person "
                      f"{merge.kept_id}, {govuk_datetime(merge.merged_at)}, by "
                      f"{merge.merged_by.display_name}"),
            HeldField("reason", "Why", merge.reason),
            HeldField("moved", "Records moved to the kept record", str(merge.rows_moved)),
            HeldField("unmerged", "Undone", ", ".join(part for part in (
                govuk_datetime(merge.unmerged_at),
                merge.unmerged_by.display_name if merge.unmerged_by else "") if part)),
            HeldField("unmerge_reason", "Why it was undone", merge.unmerge_reason)),
        others_named=[other.full_name] if others else [])


def _items(person_pk: int) -> list[HeldItem]:
    people = list((Person.objects.filter(pk=person_pk) | Person.objects.filter(
        merged_into_id=person_pk)).prefetch_related(
        "aliases", "identifiers", "addresses").order_by("pk"))
    theirs = {person.pk for person in people}
    if not theirs:
        return []
    items = [_person_item(person) for person in people]
    items += [_allocation(allocation) for allocation in PersonAllocation.objects.filter(
        person_id__in=theirs).select_related("user__agency")]
    items += [_share(share) for share in PersonShare.objects.filter(
        person_id__in=theirs).select_related("agency", "shared_by", "agreement")]
    items += [_compared(candidate, theirs) for candidate in MatchCandidate.objects.filter(
        Q(first_id__in=theirs) | Q(second_id__in=theirs)).select_related(
        "first", "second", "run", "decided_by")]
    items += [_merge(merge, theirs) for merge in PersonMerge.objects.filter(
        Q(kept_id__in=theirs) | Q(merged_id__in=theirs)).select_related(
        "kept", "merged", "merged_by", "unmerged_by")]
    return items


SUBJECT_NAMES.register("person", _named)
SUBJECT_SOURCES.register("people", SubjectSource(label="Person record", items=_items))
