"""Reading people: every query starts from the records the access policy lets the user
see, so nothing here can return a person the user may not know exists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.audit.events import RECORD_ACCESS_TYPES, EventType
from macehub.audit.models import AuditEvent
from macehub.audit.services import record_event
from macehub.core.search_text import require_search_text_within_limits
from macehub.people.codes import IdentifierKind
from macehub.people.identifiers import NORMALISERS
from macehub.people.identity import current_addresses
from macehub.people.models import Person, PersonAddress, PersonAlias, PersonShare
from macehub.people.names import fold
from macehub.people.search import (
    close_name_page,
    exact_name_page,
    match_reasons,
    name_page,
    ranked_people,
)

SEARCH_RESULT_LIMIT = 50


def people_for(user: User, action: Action = Action.PERSON_VIEW) -> QuerySet[Person]:
    return policy.scope(user, action, Person.objects.all())


def person_for(user: User, pk: int, action: Action = Action.PERSON_VIEW) -> Person:
    """One person for an action: 404 if the user may not know they exist, 403 if they
    may see them but not take the action."""
    queryset = Person.objects.select_related(
        "owning_agency", "self_defined_ethnicity", "created_by", "statutory_status_recorded_by"
    ).prefetch_related(
        "aliases",
        "identifiers",
        Prefetch("addresses", queryset=PersonAddress.objects.select_related("area")),
    )
    return policy.get_or_404(user, action, queryset, pk=pk)


def shares_of(person: Person) -> list[PersonShare]:
    """The agencies a person's record (already opened through the policy) is shared
    with: by whom, when, and the agreement or reason it relies on."""
    return list(PersonShare.objects.filter(person=person)
                .select_related("agency", "shared_by", "agreement").order_by("agency__name"))


def share_for(person: Person, share_pk: int) -> PersonShare:
    """One share of a person's record (already opened through the policy): 404 if it is
    not theirs."""
    share = next((share for share in shares_of(person) if share.pk == share_pk), None)
    if share is None:
        raise Http404("No such share")
    return share


def record_person_viewed(*, user: User, person: Person, request: object = None) -> None:
    record_event(event_type=EventType.VIEW, actor=user, record=person,
                 request=request)  # type: ignore[arg-type]


@dataclass
class PersonMatch:
    person: Person
    score: float
    reasons: list[str] = field(default_factory=list)


def _identifier_values(text: str) -> list[tuple[str, str]]:
    """Every (kind, normalised value) the text could be."""
    values = []
    for kind, normalise in NORMALISERS.items():
        if kind == IdentifierKind.LA_CHILD_ID:
            continue
        try:
            values.append((kind.value, normalise(text)))
        except ValidationError:
            continue
    values.append((IdentifierKind.LA_CHILD_ID.value, text.strip().upper()))
    return values


def match_people(
    within: QuerySet[Person],
    *,
    text: str = "",
    date_of_birth: dt.date | None = None,
    identifiers: tuple[str, ...] = (),
    allow_unknown_birth_date: bool = False,
    limit: int = SEARCH_RESULT_LIMIT,
) -> list[PersonMatch]:
    """Rank the people in ``within`` against a name, a date of birth and identifiers.

    A name matches by phonetic key, prefix or (on PostgreSQL) trigram similarity, and
    is ranked by Jaro-Winkler similarity; with a date of birth, only names born that
    day (or with day and month swapped, or, if allowed, with no date recorded) count.
    An identifier match always counts. Found and ranked in one query
    (``people.search.ranked_people``); a name alone that fills the page with people
    who carry it whole is read from those people only (``exact_name_page``), one that
    fills it with close names ranks only those (``close_name_page``), and any other
    name alone is ranked from its different words (``name_page``), each with the same
    result. ``within`` must already be scoped by access:
    this function decides nothing about who may see whom, and audits nothing.

    Raises ``SearchTextTooLong`` for a name or identifier beyond the search limits
    (``macehub.core.search_text``): the form or API asking should have refused it.
    """
    require_search_text_within_limits(text, *identifiers)
    tokens = [fold(word) for word in text.split() if fold(word)]
    id_values: set[tuple[str, str]] = set()
    for identifier in identifiers:
        if identifier.strip():
            id_values.update(_identifier_values(identifier))
    rows = None
    if not id_values and date_of_birth is None:
        rows = exact_name_page(within, tokens, limit)
        if rows is None:
            rows = close_name_page(within, tokens, limit)
        if rows is None and tokens:
            rows = name_page(within, tokens, limit)
    if rows is None:
        rows = list(ranked_people(within, tokens=tokens, date_of_birth=date_of_birth,
                                  id_values=id_values,
                                  allow_unknown_birth_date=allow_unknown_birth_date)[:limit])
    # The page's people in full, in one more query (and their aliases and identifiers).
    people = (
        Person.objects.filter(pk__in=[row["pk"] for row in rows])
        .annotate(current_area_name=current_area_name())
        .select_related("owning_agency")
        .prefetch_related(Prefetch("aliases", queryset=PersonAlias.objects.all()), "identifiers")
        .in_bulk()
    )
    return [PersonMatch(person=people[row["pk"]], score=round(row["score"], 3),
                        reasons=match_reasons(row, searched_name=bool(tokens)))
            for row in rows]


def current_area_name() -> Subquery:
    """The name of the area a person lives in now (their latest current address's), for
    annotating a list of people in the same query."""
    return Subquery(current_addresses().values("area__name")[:1])


def search_people(
    *,
    user: User,
    text: str = "",
    date_of_birth: dt.date | None = None,
    identifier: str = "",
    request: object = None,
) -> list[PersonMatch]:
    """Find people by name or alias (tolerant of spelling), date of birth and identifier.

    Only people the user may see are ever considered, and every search is audited with
    its terms and the records it showed.
    """
    policy.require(user, Action.PERSON_SEARCH)
    matches = match_people(
        people_for(user), text=text, date_of_birth=date_of_birth, identifiers=(identifier,)
    )
    record_event(
        event_type=EventType.SEARCH,
        actor=user,
        record_type="people.person",
        detail={
            "terms": {
                "name": text,
                "date_of_birth": date_of_birth.isoformat() if date_of_birth else "",
                "identifier": identifier,
            },
            "results": [m.person.pk for m in matches],
        },
        request=request,  # type: ignore[arg-type]
    )
    return matches


def person_access_history(user: User, person: Person) -> QuerySet[AuditEvent]:
    """Who viewed or changed this person's record or their cases, when and why
    (information governance)."""
    policy.get_or_404(user, Action.PERSON_ACCESS_LOG, Person.objects.all(), pk=person.pk)
    case_ids = [str(pk) for pk in person.cases.values_list("pk", flat=True)]
    return AuditEvent.objects.filter(
        Q(record_type="people.person", record_id=str(person.pk))
        | Q(record_type="cases.case", record_id__in=case_ids),
        event_type__in=[t.value for t in RECORD_ACCESS_TYPES],
    ).order_by("-occurred_at", "-id")
