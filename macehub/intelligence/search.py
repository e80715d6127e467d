"""One search box across people, locations, vehicles, phones, online accounts and
premises.

Tolerant of how things are written: registrations and phone numbers are normalised (and
``O``/``0``, ``I``/``1``, ``S``/``5``, ``B``/``8`` read alike in registrations, and a
registration typed with one character changed, added or missed is found); names of
places and businesses match by part of a word or by phonetic key, and are ranked by
Jaro-Winkler similarity (``name_form_similarity``, a database function on both
engines); account handles by part of the handle (and, on PostgreSQL, trigram
similarity); people by the people app's rules (``people.selectors.match_people``).

Places, vehicles, phones, accounts and premises are found in one query on the entity
index (``EntitySearchEntry``, kept by ``intelligence.search_index``): one row per link
from a report, so the user's access is a filter in the same query (only entries of
reports the user may see), and the finding, scoring, counting of the reports the user
may see, ranking and cutting to a page for each kind all happen there. The entities on
the page are then read, one query per kind shown; so a search costs the same number of
queries however many records match.

Only records the user may see are ever considered: people through the people rules,
every other entity only through a report the user may see. Each entity carries the
number of reports the user may see about it, never more. Every search is audited with
its terms and what it showed.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import connection
from django.db.models import Case, F, FloatField, IntegerField, Model, Q, QuerySet, Value, When
from django.db.models.functions import Concat, Greatest, Length, Substr
from django.db.models.lookups import Exact, GreaterThanOrEqual
from django.http import HttpRequest

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.core.lookups import InOnce
from macehub.core.phones import normalise_phone, phone_digits
from macehub.core.search_text import require_search_text_within_limits
from macehub.intelligence import selectors
from macehub.intelligence.codes import EntityKind
from macehub.intelligence.models import EntitySearchEntry
from macehub.intelligence.normalise import compact_registration, registration_variants
from macehub.intelligence.search_index import (
    INDEXED_MODELS,
    WORD_BREAKS,
    plate_canonical,
    postcode_compact,
)
from macehub.people.models import Person
from macehub.people.names import fold, name_key
from macehub.people.search import NameFormSimilarity

# The people app's matching rules (names tolerant of spelling, identifiers normalised),
# applied to the people this user may see; as in referrals.selectors.
from macehub.people.selectors import match_people, people_for

RESULTS_PER_KIND = 20
WORD_MATCH_THRESHOLD = 0.8
MIN_PHONE_DIGITS = 5
MIN_REGISTRATION_CHARACTERS = 2
# Shorter than this, one character either way matches too many registrations to help.
MIN_REGISTRATION_FOR_SLIP = 5

# The scores of a vehicle, by how its registration matched.
REGISTRATION_EXACT = 1.0
REGISTRATION_LOOKALIKE = 0.95
REGISTRATION_SLIP = 0.9
REGISTRATION_PART = 0.5
PHONE_EXACT = 1.0
PHONE_PART = 0.6
HANDLE_EXACT = 1.0
HANDLE_PART_AT_LEAST = 0.7
# A name at least this similar to the one typed is reported as matching, not similar.
NAME_MATCHES = 0.97
# How an entry was found, beyond its score: by its reference whole, or by part of it.
EXACT = 2
PART = 1
# Kinds whose every found entry has passed its own test (the others pass by score).
KINDS_FOUND_BY_MATCH = (EntityKind.VEHICLE.value, EntityKind.PHONE.value,
                        EntityKind.ACCOUNT.value)


@dataclass
class EntityHit:
    entity: Any
    score: float
    reasons: list[str]
    reports: int = 0


@dataclass
class EntitySearchResults:
    query: str
    people: list[EntityHit] = field(default_factory=list)
    locations: list[EntityHit] = field(default_factory=list)
    vehicles: list[EntityHit] = field(default_factory=list)
    phones: list[EntityHit] = field(default_factory=list)
    accounts: list[EntityHit] = field(default_factory=list)
    premises: list[EntityHit] = field(default_factory=list)

    SECTIONS = (
        ("people", "People", "person"),
        ("locations", "Locations", "location"),
        ("vehicles", "Vehicles", "vehicle"),
        ("phones", "Phone numbers", "phone"),
        ("accounts", "Online accounts", "account"),
        ("premises", "Premises and businesses", "premises"),
    )

    @property
    def total(self) -> int:
        return sum(len(getattr(self, name)) for name, _, _ in self.SECTIONS)

    def sections(self) -> list[tuple[str, str, list[EntityHit]]]:
        return [(label, kind, getattr(self, name)) for name, label, kind in self.SECTIONS]


def _words(text: str) -> list[str]:
    return [fold(word) for word in WORD_BREAKS.split(text) if len(fold(word)) >= 2]


@dataclass
class KindSearch:
    """How one kind of entity is found and scored for the text searched: ``found`` picks
    its entries (indexed lookups), ``score`` rates each (0 to 1); ``exact`` marks the
    entries found by their reference whole (a postcode, a licence, a handle) and
    ``part`` those found by part of it, for the reasons shown."""

    kind: str
    found: Q
    score: Any
    exact: Q = field(default_factory=lambda: Q(pk__in=[]))
    part: Q = field(default_factory=lambda: Q(pk__in=[]))


def _found_by_words(tokens: Sequence[str]) -> Q:
    """Entries any searched word finds: part of a word or the phonetic key, on every
    engine (trigram-indexed on PostgreSQL).

    Not trigram word similarity (``%>``), as person search decided: measured on
    force-scale data it cost more than all the rest of the query (PostgreSQL works it
    out entry by entry), and what it finds that the key and the part of a word do not
    is then mostly refused by the similarity threshold."""
    condition = Q()
    for token in tokens:
        condition |= Q(words__contains=token)
        key = name_key(token)
        if key:
            condition |= Q(keys__contains=f" {key} ")
    return condition


def _word_score(tokens: Sequence[str]) -> Any:
    """How well the searched words match the entry's words (0 to 1): the average over
    the searched words of each one's best Jaro-Winkler similarity to a word of the
    entry (a whole word found needs no comparing)."""
    if not tokens:
        return Value(0.0)
    total: Any = Value(0.0)
    for token in tokens:
        total = total + Case(
            When(words__contains=f" {token} ", then=Value(1.0)),
            default=NameFormSimilarity(Value(token), F("words")),
            output_field=FloatField(),
        )
    return total / Value(float(len(tokens)))


def _by_name(kind: str, tokens: Sequence[str], exact: Q) -> KindSearch | None:
    """Places and premises: found by their words, or exactly (postcode, licence)."""
    found = _found_by_words(tokens)
    if exact:
        found |= exact
    if not found:
        return None
    score = Case(When(exact, then=Value(1.0)), default=_word_score(tokens),
                 output_field=FloatField()) if exact else _word_score(tokens)
    return KindSearch(kind, found, score, exact or Q(pk__in=[]))


def _locations(text: str, tokens: Sequence[str]) -> KindSearch | None:
    compact = postcode_compact(text)
    by_postcode = len(compact) >= 3 and any(c.isdigit() for c in compact)
    return _by_name(EntityKind.LOCATION.value, tokens,
                    Q(text__startswith=compact) if by_postcode else Q())


def _premises(text: str, tokens: Sequence[str]) -> KindSearch | None:
    reference = text.strip().lower()
    return _by_name(EntityKind.PREMISES.value, tokens,
                    Q(text=reference) if reference else Q())


def _one_slip(compact: str) -> Q:
    """Registrations at most one character changed, added or missed from ``compact``
    (Levenshtein distance of one or less), worked out in the query: one character more
    leaves ``compact`` when one is left out (a stored key), one fewer is one of
    ``compact``'s own variants, and the same length differs in one place only."""
    length = len(compact)
    slip = (Q(Exact(Length("text"), length + 1), keys__contains=f" {compact} ")
            | Q(Exact(Length("text"), length - 1), text__in=registration_variants(compact)))
    for position in range(length):
        left_out: Any = Substr("text", position + 2)
        if position:
            left_out = Concat(Substr("text", 1, position), left_out)
        slip |= Q(Exact(Length("text"), length),
                  Exact(left_out, compact[:position] + compact[position + 1:]))
    return slip


def _vehicles(text: str) -> KindSearch | None:
    compact = compact_registration(text)
    if len(compact) < MIN_REGISTRATION_CHARACTERS or not compact.isalnum():
        return None
    canonical = plate_canonical(compact)
    part = Q(text__contains=compact) | Q(plate__contains=canonical)
    found = part
    whens = [When(text=compact, then=Value(REGISTRATION_EXACT)),
             When(plate=canonical, then=Value(REGISTRATION_LOOKALIKE))]
    if len(compact) >= MIN_REGISTRATION_FOR_SLIP:
        # Two registrations one slip apart share a form with one character left out
        # (the stored keys); the score then keeps only those truly one slip apart.
        for variant in registration_variants(compact):
            found |= Q(keys__contains=f" {variant} ")
        whens.append(When(_one_slip(compact), then=Value(REGISTRATION_SLIP)))
    whens.append(When(part, then=Value(REGISTRATION_PART)))
    return KindSearch(EntityKind.VEHICLE.value, found,
                      Case(*whens, default=Value(0.0), output_field=FloatField()))


def _phones(text: str) -> KindSearch | None:
    exact = ""
    with contextlib.suppress(ValidationError):
        exact = normalise_phone(text)
    typed_digits = re.sub(r"\D", "", text)
    found = Q(text=exact) if exact else Q()
    if len(typed_digits) >= MIN_PHONE_DIGITS:
        found |= Q(text__contains=typed_digits) | Q(text__contains=phone_digits(text))
    if not found:
        return None
    score = Case(When(text=exact, then=Value(PHONE_EXACT)), default=Value(PHONE_PART),
                 output_field=FloatField()) if exact else Value(PHONE_PART)
    return KindSearch(EntityKind.PHONE.value, found, score)


def _accounts(text: str) -> KindSearch | None:
    handle = text.strip().lstrip("@").lower()
    if len(handle) < 2 or " " in handle:
        return None
    found = Q(text__contains=handle)
    if connection.vendor == "postgresql":
        found |= Q(text__trigram_similar=handle)
    folded = fold(handle)
    similarity: Any = NameFormSimilarity(Value(folded), F("words")) if folded else Value(0.0)
    score = Case(
        When(text=handle, then=Value(HANDLE_EXACT)),
        When(text__contains=handle, then=Greatest(Value(HANDLE_PART_AT_LEAST), similarity)),
        When(GreaterThanOrEqual(similarity, WORD_MATCH_THRESHOLD), then=similarity),
        default=Value(0.0), output_field=FloatField(),
    )
    return KindSearch(EntityKind.ACCOUNT.value, found, score, exact=Q(text=handle),
                      part=Q(text__contains=handle))


# The page of each kind, ranked: the entries found (the inner query, built by the ORM,
# scored row by row) grouped into one row per entity, cut to ``RESULTS_PER_KIND`` of
# each kind. Written out because the ORM would repeat the score expression (a few
# kilobytes for a registration) in the select, the having and the window, compiling
# and sending it three times; here each entry's score is worked out once.
RANKED_SQL = """
SELECT kind, entity_id, score, exact, reports FROM (
    SELECT kind, entity_id, MAX(score) AS score, MAX(exact) AS exact,
           COUNT(DISTINCT report_id) AS reports,
           ROW_NUMBER() OVER (
               PARTITION BY kind
               ORDER BY MAX(score) DESC, MAX(label) COLLATE {collation}, entity_id
           ) AS place
    FROM ({entries}) AS entries
    GROUP BY kind, entity_id
    HAVING MAX(score) >= %s OR (kind IN ({found_by_match}) AND MAX(score) > 0)
) AS ranked
WHERE place <= %s
ORDER BY kind, place
"""
# Ties are put in the order of the labels' characters (as Python sorts text), not a
# language-aware collation.
CHARACTER_ORDER = {"postgresql": '"C"', "sqlite": "BINARY"}


def _entries_the_user_may_see(user: User, found: Q) -> QuerySet[EntitySearchEntry]:
    """The entries ``found`` picks that are of a report the user may see.

    Access is asked only of the reports the found entries name (an InOnce array of
    them, read by key), not worked out for every report held and then matched: at
    national scale that was a pass over 34,000 reports for 200 entries. The same
    entries either way, as an entry is kept only if its own report may be seen."""
    named = EntitySearchEntry.objects.filter(found).order_by().values("report_id")
    visible = selectors.reports_for(user).filter(InOnce(F("pk"), named)).values("pk")
    return EntitySearchEntry.objects.filter(found, report_id__in=visible)


def _ranked_entries(user: User, searches: Sequence[KindSearch]) -> list[dict[str, Any]]:
    """The entities found, one row each (``kind``, ``entity_id``, ``score``, ``exact``,
    ``reports``: how many reports the user may see mention it), at most
    ``RESULTS_PER_KIND`` of each kind, best first. One query, through the reports the
    user may see only."""
    found = Q()
    score_whens = []
    exact_whens = []
    for search in searches:
        found |= Q(kind=search.kind) & search.found
        score_whens.append(When(kind=search.kind, then=search.score))
        exact_whens += [When(Q(kind=search.kind) & search.exact, then=Value(EXACT)),
                        When(Q(kind=search.kind) & search.part, then=Value(PART))]
    entries = (
        _entries_the_user_may_see(user, found)
        .annotate(score=Case(*score_whens, default=Value(0.0), output_field=FloatField()),
                  exact=Case(*exact_whens, default=Value(0), output_field=IntegerField()))
        .values("kind", "entity_id", "report_id", "label", "score", "exact")
    )
    try:
        inner, params = entries.query.sql_with_params()
    except EmptyResultSet:
        return []  # the user may see no report at all
    sql = RANKED_SQL.format(
        collation=CHARACTER_ORDER[connection.vendor], entries=inner,
        found_by_match=", ".join(["%s"] * len(KINDS_FOUND_BY_MATCH)))
    with connection.cursor() as cursor:
        cursor.execute(sql, (*params, WORD_MATCH_THRESHOLD, *KINDS_FOUND_BY_MATCH,
                             RESULTS_PER_KIND))
        rows = cursor.fetchall()
    # A score that is a constant comes back as a decimal on PostgreSQL.
    return [{"kind": kind, "entity_id": entity_id, "score": float(score), "exact": exact,
             "reports": reports} for kind, entity_id, score, exact, reports in rows]


def _reasons(row: dict[str, Any]) -> list[str]:
    kind, score, exact = row["kind"], row["score"], row["exact"] == EXACT
    if kind == EntityKind.VEHICLE:
        return [{
            REGISTRATION_EXACT: "registration matches",
            REGISTRATION_LOOKALIKE: "registration matches, reading look-alike characters alike",
            REGISTRATION_SLIP: "registration matches but for one character",
        }.get(score, "part of the registration matches")]
    if kind == EntityKind.PHONE:
        return ["number matches" if score == PHONE_EXACT else "part of the number matches"]
    if kind == EntityKind.ACCOUNT:
        if exact:
            return ["handle matches"]
        return ["part of the handle matches" if row["exact"] == PART else "handle is similar"]
    if exact:
        return ["postcode matches" if kind == EntityKind.LOCATION
                else "licence reference matches"]
    return ["name matches" if score > NAME_MATCHES else "name is similar"]


# How each kind's entities are read for the page.
_RELATED = {EntityKind.LOCATION.value: ("area",), EntityKind.PREMISES.value: ("location",)}


def _search_entities(user: User, text: str) -> dict[str, list[EntityHit]]:
    """Places, vehicles, phones, accounts and premises that match, by kind, best first."""
    if not policy.allows(user, Action.ENTITY_VIEW):
        return {}
    tokens = _words(text)
    searches = [search for search in (
        _locations(text, tokens), _vehicles(text), _phones(text), _accounts(text),
        _premises(text, tokens)) if search is not None]
    if not searches:
        return {}
    rows = _ranked_entries(user, searches)
    hits: dict[str, list[EntityHit]] = {}
    for kind, model in INDEXED_MODELS.items():
        ids = [row["entity_id"] for row in rows if row["kind"] == kind]
        if not ids:
            continue
        entities = model._default_manager.select_related(*_RELATED.get(kind, ())).in_bulk(ids)
        hits[kind] = [
            EntityHit(entity=entities[row["entity_id"]], score=round(row["score"], 3),
                      reasons=_reasons(row), reports=row["reports"])
            for row in rows if row["kind"] == kind and row["entity_id"] in entities
        ]
    return hits


def _search_people(user: User, text: str) -> list[EntityHit]:
    if not policy.allows(user, Action.PERSON_SEARCH):
        return []
    identifiers = (text,) if any(c.isdigit() for c in text) else ()
    matches = match_people(people_for(user), text=text, identifiers=identifiers,
                           limit=RESULTS_PER_KIND)
    return [EntityHit(entity=m.person, score=m.score, reasons=m.reasons) for m in matches]


def _count_reports(user: User, kind: str, hits: list[EntityHit]) -> None:
    counts = selectors.visible_report_counts(user, kind, [hit.entity.pk for hit in hits])
    for hit in hits:
        hit.reports = counts.get(hit.entity.pk, 0)


def search_entities(*, user: User, text: str, request: HttpRequest | None = None
                    ) -> EntitySearchResults:
    """Everything the user may see that matches, by kind, best first; audited.

    Raises ``SearchTextTooLong`` for text beyond the search limits
    (``macehub.core.search_text``): the form or API asking should have refused it."""
    policy.require(user, Action.ENTITY_SEARCH)
    require_search_text_within_limits(text)
    text = text.strip()
    results = EntitySearchResults(query=text)
    if text:
        results.people = _search_people(user, text)
        _count_reports(user, EntityKind.PERSON.value, results.people)
        found = _search_entities(user, text)
        for name, _label, kind in results.SECTIONS:
            if kind in found:
                setattr(results, name, found[kind])
    record_event(
        event_type=EventType.SEARCH,
        actor=user,
        record_type="intelligence.entity",
        detail={
            "terms": {"q": text},
            "results": {
                kind: [hit.entity.pk for hit in hits]
                for _label, kind, hits in results.sections() if hits
            },
        },
        request=request,
    )
    return results


def entity_label(entity: Model) -> str:
    if isinstance(entity, Person):
        return entity.full_name
    return str(entity)
