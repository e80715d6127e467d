"""One written form for each thing intelligence mentions, so that the same vehicle, phone
or account typed two ways is one record and is found however it is searched for. (Phone
numbers are written one way across the hub, referrals too: ``macehub.core.phones``.)

Each normaliser returns the stored form or raises ``ValidationError`` saying what is
wrong, so forms, the legacy import, the API and the demo all apply the same rule.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

from macehub.people.names import fold, name_key

# --- Vehicle registrations --------------------------------------------------------------

# The formats the DVLA (and DVA in Northern Ireland) have issued, spaces removed.
_REGISTRATION_FORMATS = (
    re.compile(r"[A-Z]{2}\d{2}[A-Z]{3}"),  # current, since 2001: AB12 CDE
    re.compile(r"[A-Z]\d{1,3}[A-Z]{3}"),  # prefix, 1983-2001: A123 BCD
    re.compile(r"[A-Z]{3}\d{1,3}[A-Z]"),  # suffix, 1963-1983: ABC 123D
    re.compile(r"[A-Z]{1,3}\d{1,4}"),  # dateless, and Northern Ireland: ABZ 1234
    re.compile(r"\d{1,4}[A-Z]{1,3}"),  # dateless: 1234 AB
)
REGISTRATION_ERROR = "Enter a UK vehicle registration, like AB12 CDE"
_CURRENT_FORMAT = _REGISTRATION_FORMATS[0]


def compact_registration(value: str) -> str:
    """Upper case, with spaces, hyphens and dots removed (no format check)."""
    return re.sub(r"[\s.\-]", "", value).upper()


def normalise_registration(value: str) -> str:
    """``"ab12 cde"`` -> ``"AB12CDE"``; anything that is not a UK format is refused."""
    compact = compact_registration(value)
    if not compact:
        raise ValidationError("Enter the vehicle's registration", code="required")
    if len(compact) > 7 or not any(f.fullmatch(compact) for f in _REGISTRATION_FORMATS):
        raise ValidationError(REGISTRATION_ERROR, code="invalid")
    return compact


def display_registration(registration: str) -> str:
    """How a registration is written on a plate: ``AB12CDE`` -> ``AB12 CDE``."""
    if _CURRENT_FORMAT.fullmatch(registration):
        return f"{registration[:4]} {registration[4:]}"
    return registration


def registration_variants(compact: str) -> list[str]:
    """The registration and every form of it with one character left out: two
    registrations one typing slip apart (a character changed, added or missed) share at
    least one of these, so a slip is found by an indexed lookup rather than by comparing
    every vehicle."""
    variants = [compact]
    for position in range(len(compact)):
        variant = compact[:position] + compact[position + 1:]
        if variant and variant not in variants:
            variants.append(variant)
    return variants


def registration_keys(registration: str) -> str:
    """What ``Vehicle.registration_keys`` stores: the variants, space-padded, so that one
    can be looked up with a plain ``contains`` on any database."""
    return f" {' '.join(registration_variants(registration))} "


def one_slip_apart(a: str, b: str) -> bool:
    """Whether two registrations differ by at most one character changed, added or
    missed (Levenshtein distance of one or less)."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    shorter, longer = sorted((a, b), key=len)
    return any(longer[:i] + longer[i + 1:] == shorter for i in range(len(longer)))


# --- Online accounts ----------------------------------------------------------------------

HANDLE_ERROR = "Enter the account's handle or username, like @name"
_HANDLE = re.compile(r"[a-z0-9._\-]{1,100}")


def normalise_handle(value: str) -> str:
    """``" @Some.Name "`` -> ``"some.name"``; a profile address gives its last part
    (``https://www.instagram.com/some.name/`` -> ``"some.name"``)."""
    text = value.strip()
    if "/" in text:
        path = urlsplit(text if "://" in text else f"https://{text}").path
        parts = [part for part in path.split("/") if part]
        text = parts[-1] if parts else ""
    text = text.lstrip("@").strip().lower()
    if not text:
        raise ValidationError("Enter the account's handle or username", code="required")
    if not _HANDLE.fullmatch(text):
        raise ValidationError(HANDLE_ERROR, code="invalid")
    return text


# --- Words of places and businesses -------------------------------------------------------


def search_keys(*texts: str) -> str:
    """The phonetic key of every word, space-padded (`` TKW BRKNFRT ``) so that one key
    can be looked up with a plain ``contains`` on any database."""
    keys: list[str] = []
    for text in texts:
        for word in re.split(r"[\s,./\-]+", text):
            key = name_key(word) if fold(word) else ""
            if key and key not in keys:
                keys.append(key)
    return f" {' '.join(keys)} " if keys else ""
