"""Merging two records of one person under one identity, and undoing it.

A merge follows a decision that two records are the same person (``people.matching``).
Nothing is deleted and nothing is rewritten: every row that named the merged record (its
referrals, cases, missing episodes, intelligence links, aliases, identifiers, addresses,
shares and allocations; and whatever a later app links to a person) is pointed at the
kept record, and the merge keeps a ledger of exactly which rows moved. The merged record
stays, with its own details, marked as merged into the kept one. Undoing the merge moves
those rows back.

The links are found from the models themselves (every foreign key to ``Person``), so
an app that adds one needs nothing here. Two rules keep a merge safe:

- A row the kept record already holds the same of (both carry one NHS number) stays
  with the merged record: the unique rule that says so is read off the model. A rule
  with a condition (a child has one open case) is not settled by moving rows: the merge
  is refused, with the rule's own words, until someone resolves it.
- Need to know does not shrink or leak. If the merged record was restricted, the kept
  one becomes restricted (and stays so after an unmerge: lifting a restriction is a
  decision of its own). Who may see the merged record (its shares, its allocated
  workers, and the agency that held it, through a share) may see the kept one: copied,
  not moved, and taken away again on unmerging.

Both are one transaction each, checked against the version the user saw, audited
(``MERGE``, ``UNMERGE``), and on both records' chronology.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.audit.history import saves_after
from macehub.audit.services import record_event
from macehub.core.versioning import Versioning, plain_words
from macehub.people.codes import MatchDecision
from macehub.people.matching import MATCH_VERSIONING
from macehub.people.models import (
    MatchCandidate,
    Person,
    PersonAlias,
    PersonAllocation,
    PersonMerge,
    PersonNameForm,
    PersonNameWord,
    PersonShare,
)
from macehub.people.search_index import index_alias, index_person_names

# Who may see a record: copied to the kept record, not moved, so the merged record stays
# visible to those it was (a restricted one to its allocated workers, who may undo it).
ACCESS_COPIED = (PersonShare, PersonAllocation)
# Links to a person that are not moved: the name index follows the aliases it indexes
# (re-indexed after a merge), the pairs and merges are the history of the decision.
NOT_MOVED = frozenset({PersonNameForm, PersonNameWord, MatchCandidate, PersonMerge,
                       *ACCESS_COPIED})

MERGE_VERSIONING = Versioning(history=saves_after,
                              labels={"unmerged_at": "Unmerged", "unmerge_reason": "Reason"},
                              words=lambda _name, value: plain_words(value))


def links_to_person() -> list[models.ForeignKey[Any, Any]]:
    """Every foreign key to a person that a merge moves, across the installed apps."""
    return [
        field
        for model in apps.get_models()
        if model not in NOT_MOVED
        for field in model._meta.get_fields()
        if isinstance(field, models.ForeignKey) and field.related_model is Person
        and not (model is Person and field.name == "merged_into")
    ]


def _label(field: models.ForeignKey[Any, Any]) -> str:
    return f"{field.model._meta.label}.{field.name}"


def field_for(label: str) -> models.ForeignKey[Any, Any]:
    model_label, name = label.rsplit(".", 1)
    return cast(models.ForeignKey[Any, Any], apps.get_model(model_label)._meta.get_field(name))


def _unique_rules(field: models.ForeignKey[Any, Any]
                  ) -> Iterator[tuple[models.UniqueConstraint | None, list[str]]]:
    """The unique rules on the field's model that include the person: each with the
    other fields it names (``unique_together`` as a rule without a condition)."""
    meta = field.model._meta
    for constraint in meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and field.name in constraint.fields:
            yield constraint, [name for name in constraint.fields if name != field.name]
    for together in meta.unique_together:
        if field.name in together:
            yield None, [name for name in together if name != field.name]


def _rule_words(constraint: models.UniqueConstraint, model: type[models.Model]) -> str:
    """The rule in words: its own message, or one made from the model's name."""
    if constraint.violation_error_message != constraint.default_violation_error_message:
        return str(constraint.violation_error_message)
    return f"a person may hold only one {model._meta.verbose_name} of this kind"


def _rows_to_move(field: models.ForeignKey[Any, Any], kept: Person, merged: Person
                  ) -> tuple[list[Any], list[Any]]:
    """The pks of the rows naming ``merged`` to move, and of those to leave because
    the kept record holds the same. Refuses a merge a conditional rule forbids."""
    manager = field.model._base_manager
    theirs = manager.filter(**{field.name: merged})
    held_already: set[Any] = set()
    for constraint, others in _unique_rules(field):
        ours = manager.filter(**{field.name: kept})
        if constraint is not None and constraint.condition is not None:
            condition = constraint.condition
            clashing = theirs.filter(condition)
            if clashing.exists() and ours.filter(condition).exists():
                both = [str(row) for row in (*ours.filter(condition), *clashing)]
                rule = _rule_words(constraint, field.model)
                raise ValidationError({"kept": (
                    f"These records cannot be merged yet: {rule}, and both records have "
                    f"one ({', '.join(both)}). Resolve that first, then merge.")})
            continue
        if not others:
            continue
        held = set(ours.values_list(*others))
        held_already.update(pk for pk, *values in theirs.values_list("pk", *others)
                            if tuple(values) in held)
    moving = [pk for pk in theirs.order_by("pk").values_list("pk", flat=True)
              if pk not in held_already]
    return moving, sorted(held_already)


def _reindex_names(*people: Person) -> None:
    for person in people:
        index_person_names(person)
        for alias in PersonAlias.objects.filter(person=person):
            index_alias(alias)


def _bump(person: Person, **changes: Any) -> None:
    for name, value in changes.items():
        setattr(person, name, value)
    person.version += 1
    person.save(update_fields=[*changes, "version", "updated_at"])


MERGE_REASON_REQUIRED = "Enter why these records are being merged"
KEPT_REQUIRED = "Select which record to keep"


@transaction.atomic
def merge_people(*, actor: User, match_pk: int, expected_version: int, kept_pk: int | None,
                 reason: str) -> PersonMerge:
    """Merge the two records of a pair decided to be one person into ``kept_pk``
    (one of the pair), unless the pair changed since the user saw it."""
    policy.require(actor, Action.PERSON_MERGE)
    candidate = policy.get_or_404(actor, Action.PERSON_MATCH_REVIEW,
                                  MatchCandidate.objects.select_for_update(), pk=match_pk)
    MATCH_VERSIONING.check(candidate, expected_version)
    if candidate.decision != MatchDecision.SAME:
        raise ValidationError({"kept": "Only records decided to be the same person can be "
                                       "merged"})
    if kept_pk not in (candidate.first_id, candidate.second_id):
        raise ValidationError({"kept": KEPT_REQUIRED})
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": MERGE_REASON_REQUIRED})
    merged_pk = candidate.second_id if kept_pk == candidate.first_id else candidate.first_id
    people = {person.pk: person for person in
              Person.objects.select_for_update().filter(pk__in=(kept_pk, merged_pk))}
    kept, merged = people[kept_pk], people[merged_pk]
    for person in (kept, merged):
        if person.merged_into_id is not None:
            raise ValidationError({"kept": f"{person.full_name} (record {person.pk}) has "
                                           f"already been merged into another record"})

    moved: dict[str, list[Any]] = {}
    held_already: dict[str, list[Any]] = {}
    plan = []
    for field in links_to_person():
        moving, held = _rows_to_move(field, kept, merged)
        plan.append((field, moving))
        if held:
            held_already[_label(field)] = held
    for field, moving in plan:
        if moving:
            field.model._base_manager.filter(pk__in=moving).update(**{field.name: kept})
            moved[_label(field)] = moving

    access_added = _copy_access(actor, kept, merged)
    restricted_by_merge = merged.is_restricted and not kept.is_restricted
    if restricted_by_merge:
        _bump(kept, is_restricted=True)
    else:
        _bump(kept)
    _bump(merged, merged_into=kept)
    # Pairs still waiting that name the merged record: the next run proposes them
    # against the kept one.
    MatchCandidate.objects.filter(Q(first=merged) | Q(second=merged),
                                  decision=MatchDecision.UNDECIDED).delete()
    MATCH_VERSIONING.save(candidate, expected_version=expected_version)
    merge = PersonMerge.objects.create(
        match=candidate, kept=kept, merged=merged, merged_by=actor, merged_at=timezone.now(),
        reason=reason[:2000], moved=moved, held_already=held_already,
        access_added=access_added, restricted_by_merge=restricted_by_merge)
    _reindex_names(kept, merged)
    _audit_on_both(EventType.MERGE, actor, merge, {
        "match": candidate.pk, "reason": merge.reason, "moved": moved,
        "held_already": held_already, "access_added": access_added,
        "restricted_by_merge": restricted_by_merge})
    return merge


def _audit_on_both(event_type: EventType, actor: User, merge: PersonMerge,
                   detail: dict[str, Any]) -> None:
    """One entry on each record, so each one's access history shows the merge."""
    for person_pk in (merge.kept_id, merge.merged_id):
        record_event(event_type=event_type, actor=actor, record_type="people.person",
                     record_id=person_pk,
                     detail={"merge": merge.pk, "kept": merge.kept_id,
                             "merged": merge.merged_id, **detail})


def _copy_access(actor: User, kept: Person, merged: Person) -> dict[str, list[int]]:
    """Give the kept record the merged record's shares and allocations it lacks, and a
    share with the agency that held the merged record: whoever could see the merged
    record sees the person still."""
    added: dict[str, list[int]] = {}
    shared = set(PersonShare.objects.filter(person=kept).values_list("agency_id", flat=True))
    shares = [PersonShare(person=kept, agency_id=share.agency_id, shared_by=share.shared_by,
                          reason=share.reason, agreement_id=share.agreement_id)
              for share in PersonShare.objects.filter(person=merged).exclude(
                  agency_id__in=shared)]
    if merged.owning_agency_id not in shared | {kept.owning_agency_id, *(
            share.agency_id for share in shares)}:
        shares.append(PersonShare(
            person=kept, agency_id=merged.owning_agency_id, shared_by=actor,
            reason=f"Record {merged.pk}, held by this agency, was merged into this one."))
    allocated = PersonAllocation.objects.filter(person=kept).values_list("user_id", flat=True)
    allocations = [PersonAllocation(person=kept, user_id=user_id) for user_id in
                   PersonAllocation.objects.filter(person=merged).exclude(
                       user_id__in=allocated).values_list("user_id", flat=True)]
    for rows in (shares, allocations):
        for row in rows:
            row.save()
        if rows:
            added[type(rows[0])._meta.label] = [row.pk for row in rows]
    return added


def merge_for(user: User, pk: int, *, for_update: bool = False) -> PersonMerge:
    """One merge, for its page: 404 unless the user may open both records."""
    merges = PersonMerge.objects.select_related("kept", "merged", "merged_by", "unmerged_by",
                                                "match")
    if for_update:
        merges = merges.select_for_update(of=("self",))
    return policy.get_or_404(user, Action.PERSON_MERGE, merges, pk=pk)


def merges_of(user: User, person: Person) -> list[PersonMerge]:
    """The merges into or out of this person's record the user may see, latest first."""
    merges = PersonMerge.objects.select_related("kept", "merged", "merged_by",
                                                "unmerged_by").filter(
        Q(kept=person) | Q(merged=person))
    # Seen by anyone who may open both records (no one without PERSON_VIEW); the
    # merge's own action is for undoing.
    both_seen = policy.people_named(user, "kept") & policy.people_named(user, "merged")
    return list(merges.filter(both_seen))


UNMERGE_REASON_REQUIRED = "Enter why this merge is being undone"


@transaction.atomic
def unmerge_people(*, actor: User, merge_pk: int, expected_version: int,
                   reason: str) -> PersonMerge:
    """Undo a merge: the rows it moved go back to the merged record, which stands on
    its own again."""
    merge = merge_for(actor, merge_pk, for_update=True)
    MERGE_VERSIONING.check(merge, expected_version)
    if merge.is_undone:
        raise ValidationError({"reason": "This merge has already been undone"})
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": UNMERGE_REASON_REQUIRED})
    people = {person.pk: person for person in Person.objects.select_for_update().filter(
        pk__in=(merge.kept_id, merge.merged_id))}
    kept, merged = people[merge.kept_id], people[merge.merged_id]
    if kept.merged_into_id is not None:
        raise ValidationError({"reason": (
            f"{kept.full_name} (record {kept.pk}) has since been merged into another record. "
            f"Undo that merge first.")})
    returned: dict[str, int] = {}
    try:
        with transaction.atomic():
            for label, pks in merge.moved.items():
                field = field_for(label)
                returned[label] = field.model._base_manager.filter(
                    pk__in=pks, **{field.name: kept}).update(**{field.name: merged})
    except IntegrityError as error:
        raise ValidationError({"reason": (
            "This merge cannot be undone as it stands: a record moved back would break a "
            f"rule the hub keeps ({error}). Resolve that first.")}) from error
    for model in ACCESS_COPIED:
        model.objects.filter(pk__in=merge.access_added.get(model._meta.label, []),
                             person=kept).delete()
    _bump(kept)
    _bump(merged, merged_into=None)
    merge.unmerged_by = actor
    merge.unmerged_at = timezone.now()
    merge.unmerge_reason = reason[:2000]
    MERGE_VERSIONING.save(merge, expected_version=expected_version)
    _reindex_names(kept, merged)
    _audit_on_both(EventType.UNMERGE, actor, merge, {
        "reason": merge.unmerge_reason, "returned": returned,
        "still_restricted": merge.restricted_by_merge})
    return merge
