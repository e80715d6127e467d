"""One search box across people, locations, vehicles, phones, online accounts and
premises.

Tolerant of how things are written: registrations and phone numbers are normalised (and
``O``/``0``, ``I``/``1``, ``S``/``5``, ``B``/``8`` read alike in registrations, and a
registration typed with one character changed, added or missed is found); names of
people, places and businesses match by spelling-tolerant keys (phonetic keys stored on
every database, trigram similarity on PostgreSQL too) and are then ranked by
Jaro-Winkler similarity.

Only records the user may see are ever considered: people through the people rules,
every other entity only through a report the user may see. Each entity carries the
number of reports the user may see about it, never more. Every search is audited with
its terms and what it showed.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F, Model, Q, QuerySet, Value
from django.db.models.functions import Replace, Upper
from django.http import HttpRequest

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.core.phones import normalise_phone, phone_digits
from macehub.core.search_text import require_search_text_within_limits
from macehub.intelligence import selectors
from macehub.intelligence.models import (
    Location,
    OnlineAccount,
    PhoneNumber,
    Premises,
    Vehicle,
)
from macehub.intelligence.normalise import (
    compact_registration,
    one_slip_apart,
    registration_variants,
)
from macehub.people.models import Person
from macehub.people.names import fold, name_key, name_similarity

# The people app's matching rules (names tolerant of spelling, identifiers normalised),
# applied to the people this user may see; as in referrals.selectors.
from macehub.people.selectors import match_people, people_for

RESULTS_PER_KIND = 20
CANDIDATES_PER_KIND = 300
WORD_MATCH_THRESHOLD = 0.8
MIN_PHONE_DIGITS = 5
MIN_REGISTRATION_CHARACTERS = 2
# Shorter than this, one character either way matches too many registrations to help.
MIN_REGISTRATION_FOR_SLIP = 5
# Characters read alike on number plates.
PLATE_LOOKALIKES = (("O", "0"), ("I", "1"), ("S", "5"), ("B", "8"))


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
    return [fold(word) for word in re.split(r"[\s,./\-]+", text) if len(fold(word)) >= 2]


def _word_score(tokens: Sequence[str], texts: Sequence[str]) -> float:
    """How well the searched words match the words of the record (0 to 1)."""
    words = [fold(w) for text in texts for w in re.split(r"[\s,./\-]+", text) if fold(w)]
    if not tokens or not words:
        return 0.0
    return sum(max(name_similarity(t, w) for w in words) for t in tokens) / len(tokens)


def _trigram(fields: Sequence[str], tokens: Sequence[str]) -> Q:
    condition = Q()
    if connection.vendor == "postgresql":
        for token in tokens:
            if len(token) >= 3:
                for name in fields:
                    condition |= Q(**{f"{name}__trigram_similar": token})
    return condition


def _keyed_words(fields: Sequence[str], tokens: Sequence[str]) -> Q:
    condition = Q()
    for token in tokens:
        for name in fields:
            condition |= Q(**{f"{name}__icontains": token})
        key = name_key(token)
        if key:
            condition |= Q(search_keys__contains=f" {key} ")
    return condition | _trigram(fields, tokens)


def _ranked(
    candidates: QuerySet[Any], score: Callable[[Any], tuple[float, list[str]]]
) -> list[EntityHit]:
    hits = []
    for entity in candidates[:CANDIDATES_PER_KIND]:
        value, reasons = score(entity)
        if value > 0:
            hits.append(EntityHit(entity=entity, score=round(value, 3), reasons=reasons))
    hits.sort(key=lambda hit: (-hit.score, str(hit.entity), hit.entity.pk))
    return hits[:RESULTS_PER_KIND]


def _postcode_compact(text: str) -> str:
    return re.sub(r"\s", "", text).upper()


def _search_locations(user: User, text: str, tokens: list[str]) -> list[EntityHit]:
    compact = _postcode_compact(text)
    condition = _keyed_words(("description", "address"), tokens)
    by_postcode = len(compact) >= 3 and any(c.isdigit() for c in compact)
    queryset = selectors.entities_for(user, Location).annotate(
        postcode_compact=Replace(F("postcode"), Value(" "), Value(""))
    )
    if by_postcode:
        condition |= Q(postcode_compact__startswith=compact)
    if not condition:
        return []

    def score(location: Location) -> tuple[float, list[str]]:
        if by_postcode and _postcode_compact(location.postcode).startswith(compact):
            return 1.0, ["postcode matches"]
        value = _word_score(tokens, [location.description, location.address])
        if value < WORD_MATCH_THRESHOLD:
            return 0.0, []
        return value, ["name matches" if value > 0.97 else "name is similar"]

    return _ranked(queryset.filter(condition).select_related("area").order_by("pk"), score)


def _search_premises(user: User, text: str, tokens: list[str]) -> list[EntityHit]:
    condition = _keyed_words(("name",), tokens)
    if text.strip():
        condition |= Q(licence_reference__iexact=text.strip())
    if not condition:
        return []

    def score(premises: Premises) -> tuple[float, list[str]]:
        if premises.licence_reference and premises.licence_reference.lower() == text.strip(
        ).lower():
            return 1.0, ["licence reference matches"]
        value = _word_score(tokens, [premises.name])
        if value < WORD_MATCH_THRESHOLD:
            return 0.0, []
        return value, ["name matches" if value > 0.97 else "name is similar"]

    queryset = selectors.entities_for(user, Premises).filter(condition)
    return _ranked(queryset.select_related("location").order_by("pk"), score)


def _plate_canonical(value: str) -> str:
    for letter, digit in PLATE_LOOKALIKES:
        value = value.replace(letter, digit)
    return value


def _one_slip_condition(compact: str) -> Q:
    """Vehicles whose registration is at most one character changed, added or missed
    from ``compact``: they share one of its variants (``registration_variants``), looked
    up in the stored keys (trigram-indexed on PostgreSQL) rather than vehicle by vehicle."""
    condition = Q()
    for variant in registration_variants(compact):
        condition |= Q(registration_keys__contains=f" {variant} ")
    return condition


def _search_vehicles(user: User, text: str) -> list[EntityHit]:
    compact = compact_registration(text)
    if len(compact) < MIN_REGISTRATION_CHARACTERS or not compact.isalnum():
        return []
    canonical = _plate_canonical(compact)
    expression: Any = Upper(F("registration"))
    for letter, digit in PLATE_LOOKALIKES:
        expression = Replace(expression, Value(letter), Value(digit))
    condition = Q(registration__contains=compact) | Q(plate__contains=canonical)
    tolerate_slip = len(compact) >= MIN_REGISTRATION_FOR_SLIP
    if tolerate_slip:
        condition |= _one_slip_condition(compact)
    queryset = selectors.entities_for(user, Vehicle).annotate(plate=expression).filter(condition)

    def score(vehicle: Vehicle) -> tuple[float, list[str]]:
        if vehicle.registration == compact:
            return 1.0, ["registration matches"]
        if _plate_canonical(vehicle.registration) == canonical:
            return 0.95, ["registration matches, reading look-alike characters alike"]
        if tolerate_slip and one_slip_apart(vehicle.registration, compact):
            return 0.9, ["registration matches but for one character"]
        if compact in vehicle.registration or canonical in _plate_canonical(
                vehicle.registration):
            return 0.5, ["part of the registration matches"]
        return 0.0, []

    return _ranked(queryset.order_by("pk"), score)


def _search_phones(user: User, text: str) -> list[EntityHit]:
    exact = ""
    with contextlib.suppress(ValidationError):
        exact = normalise_phone(text)
    digits = phone_digits(text)
    condition = Q()
    if exact:
        condition |= Q(number=exact)
    if len(re.sub(r"\D", "", text)) >= MIN_PHONE_DIGITS:
        condition |= Q(number__contains=re.sub(r"\D", "", text)) | Q(number__contains=digits)
    if not condition:
        return []

    def score(phone: PhoneNumber) -> tuple[float, list[str]]:
        if phone.number == exact:
            return 1.0, ["number matches"]
        return 0.6, ["part of the number matches"]

    return _ranked(selectors.entities_for(user, PhoneNumber).filter(condition).order_by("pk"),
                   score)


def _search_accounts(user: User, text: str) -> list[EntityHit]:
    handle = text.strip().lstrip("@").lower()
    if len(handle) < 2 or " " in handle:
        return []
    condition = Q(handle__icontains=handle) | _trigram(("handle",), [handle])

    def score(account: OnlineAccount) -> tuple[float, list[str]]:
        if account.handle == handle:
            return 1.0, ["handle matches"]
        similarity = name_similarity(account.handle, handle)
        if handle in account.handle:
            return max(0.7, similarity), ["part of the handle matches"]
        if similarity < WORD_MATCH_THRESHOLD:
            return 0.0, []
        return similarity, ["handle is similar"]

    return _ranked(
        selectors.entities_for(user, OnlineAccount).filter(condition).order_by("pk"), score
    )


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
        tokens = _words(text)
        results.people = _search_people(user, text)
        results.locations = _search_locations(user, text, tokens)
        results.vehicles = _search_vehicles(user, text)
        results.phones = _search_phones(user, text)
        results.accounts = _search_accounts(user, text)
        results.premises = _search_premises(user, text, tokens)
        for _label, kind, hits in results.sections():
            _count_reports(user, kind, hits)
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
