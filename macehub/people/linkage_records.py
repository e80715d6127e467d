"""Records as the matching model reads them (``people.linkage``): the fields compared,
and each record normalised the same way whether it is one of the hub's people
(``people_records``) or a row of a partner's list (``linkage_record``): names in lower
case without accents or punctuation, postcodes and identifiers without spaces, an empty
value missing, and each name's known forms (``people.names.name_roots``) beside it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from macehub.people.codes import IdentifierKind
from macehub.people.identity import LATEST_FIRST
from macehub.people.models import Person, PersonAddress, PersonIdentifier
from macehub.people.names import name_roots

# Identifiers partners hold, each compared on its own (one shared is strong evidence).
IDENTIFIER_FIELDS = {
    "nhs_number": IdentifierKind.NHS_NUMBER, "upn": IdentifierKind.UPN,
    "pnc_id": IdentifierKind.PNC_ID, "la_child_id": IdentifierKind.LA_CHILD_ID,
}
COMPARED_FIELDS = ("given_name", "family_name", "date_of_birth", "sex", "postcode",
                   "address", *IDENTIFIER_FIELDS)
# Every record holds these (an outside list's rows need them); the rest are compared
# when both sides hold some values for them (see ``_fields_held``).
REQUIRED_FIELDS = ("given_name", "family_name")
# Beside the names: the names each is a known form of, for the "forms of one name" level.
ROOT_COLUMNS = ("given_name_roots", "family_name_roots")
FIELD_LABELS = {
    "given_name": "Given name", "family_name": "Family name",
    "date_of_birth": "Date of birth", "sex": "Sex", "postcode": "Postcode",
    "address": "Address", **{name: str(kind.label) for name, kind in IDENTIFIER_FIELDS.items()},
}


_NOT_A_NAME_CHARACTER = re.compile(r"[^a-z' ]+")


def normalised_name(value: object) -> str | None:
    """A name as compared: lower case, accents and punctuation gone, a hyphen a space
    ("Smith-Jones" holds "smith"), missing when empty."""
    if value is None:
        return None
    text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode()
    text = _NOT_A_NAME_CHARACTER.sub(" ", text.lower().replace("-", " "))
    text = " ".join(text.replace("'", "").split())
    return text or None


def normalised_text(value: object) -> str | None:
    """Any other field as compared: trimmed, upper case, missing when empty."""
    if value is None:
        return None
    text = " ".join(str(value).split()).upper()
    return text or None


def normalised_postcode(value: object) -> str | None:
    """A postcode as compared: upper case without spaces ("le1 6zz" and "LE16ZZ" are
    one postcode), whatever its country's format; a partner's list is not refused for
    a postcode the hub would not accept on a form."""
    text = normalised_text(value)
    return text.replace(" ", "") if text else None


def linkage_record(*, unique_id: Any, given_name: object = None, family_name: object = None,
                   date_of_birth: object = None, sex: object = None, postcode: object = None,
                   address: object = None, **identifiers: object) -> dict[str, Any]:
    """One record as the model reads it. ``date_of_birth`` is a date or ISO text;
    ``identifiers`` by their names in ``IDENTIFIER_FIELDS``."""
    unknown = set(identifiers) - set(IDENTIFIER_FIELDS)
    if unknown:
        raise TypeError(f"Not identifiers the model compares: {sorted(unknown)}")
    given, family = normalised_name(given_name), normalised_name(family_name)
    dob = date_of_birth.isoformat() if hasattr(date_of_birth, "isoformat") else (
        normalised_text(date_of_birth))
    sex_text = normalised_text(sex)
    return {
        "unique_id": unique_id,
        "given_name": given,
        "family_name": family,
        "date_of_birth": dob,
        "sex": sex_text[0] if sex_text else None,
        "postcode": normalised_postcode(postcode),
        "address": normalised_text(address),
        **{name: (normalised_text(identifiers.get(name)) or "").replace(" ", "") or None
           for name in IDENTIFIER_FIELDS},
        "given_name_roots": _roots(given),
        "family_name_roots": _roots(family),
    }


def _roots(name: str | None) -> list[str] | None:
    """The names a name is a known form of (``people.names.name_roots``), word by word
    ("mo ali" holds "mohammed"), or missing."""
    roots = sorted({root for word in (name or "").split() for root in name_roots(word)})
    return roots or None


def people_records(people: QuerySet[Person], *, chunk_size: int = 20_000
                   ) -> Iterator[dict[str, Any]]:
    """The hub's people as linkage records: names, date of birth, sex, the current
    address's postcode and the identifiers partners hold, read in one query (in
    chunks)."""
    postcode = PersonAddress.objects.filter(person=OuterRef("pk")).order_by(
        "-is_current", *LATEST_FIRST).values("postcode")[:1]
    identifiers = {
        f"linkage_{name}": Subquery(PersonIdentifier.objects.filter(
            person=OuterRef("pk"), kind=kind).order_by("pk").values("value")[:1])
        for name, kind in IDENTIFIER_FIELDS.items()
    }
    rows = people.order_by().annotate(
        linkage_postcode=Subquery(postcode), **identifiers,
    ).values_list("pk", "given_name", "family_name", "date_of_birth", "sex", "linkage_postcode",
        *identifiers)
    for pk, given, family, dob, sex, post, *held in rows.iterator(chunk_size=chunk_size):
        yield linkage_record(unique_id=pk, given_name=given, family_name=family,
                             date_of_birth=dob, sex=sex, postcode=post,
                             **dict(zip(IDENTIFIER_FIELDS, held, strict=True)))
