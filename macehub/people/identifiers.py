"""Formats and check characters of the identifiers partners hold about a person.

Each validator returns the normalised value or raises ``ValidationError`` saying what is
wrong, so the same rule serves forms, imports and the API.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

from macehub.people.codes import IdentifierKind

UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
PNC_CHECK_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"
_UPN_BODY_LETTERS = set(UPN_CHECK_LETTERS)


def _compact(value: str) -> str:
    return re.sub(r"[\s-]", "", value).upper()


def nhs_check_digit(first_nine: str) -> int | None:
    """The modulus-11 check digit of an NHS number, or None when no valid one exists."""
    weights = range(10, 1, -1)
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, weights, strict=True))
    check = 11 - (total % 11)
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def normalise_nhs_number(value: str) -> str:
    digits = _compact(value)
    if not re.fullmatch(r"\d{10}", digits):
        raise ValidationError("Enter an NHS number with 10 digits, like 943 476 5919")
    if nhs_check_digit(digits[:9]) != int(digits[9]):
        raise ValidationError("This NHS number's check digit is wrong – check it for typing errors")
    return digits


def upn_check_letter(body: str) -> str:
    """The check letter that starts a Unique Pupil Number, from the 12 characters after it."""
    total = 0
    for weight, char in enumerate(body, start=2):
        value = int(char) if char.isdigit() else UPN_CHECK_LETTERS.index(char)
        total += value * weight
    return UPN_CHECK_LETTERS[total % 23]


def normalise_upn(value: str) -> str:
    upn = _compact(value)
    if not re.fullmatch(r"[A-Z]\d{11}[0-9A-Z]", upn) or (
        not upn[12].isdigit() and upn[12] not in _UPN_BODY_LETTERS
    ):
        raise ValidationError(
            "Enter a Unique Pupil Number of 13 characters: a check letter, 11 digits, "
            "then a digit or letter"
        )
    if upn_check_letter(upn[1:]) != upn[0]:
        raise ValidationError("This Unique Pupil Number's check letter is wrong")
    return upn


def pnc_check_letter(year: str, serial: str) -> str:
    return PNC_CHECK_LETTERS[int(year + serial.zfill(7)) % 23]


def normalise_pnc_id(value: str) -> str:
    compact = _compact(value)
    match = re.fullmatch(r"(\d{2}|\d{4})/?(\d{1,7})([A-Z])", compact)
    if not match:
        raise ValidationError("Enter a PNC ID like 08/123456A: year, serial number, check letter")
    year, serial, letter = match.groups()
    year = year[-2:]
    if pnc_check_letter(year, serial) != letter:
        raise ValidationError("This PNC ID's check letter is wrong")
    return f"{year}/{serial.zfill(7)}{letter}"


def normalise_la_child_id(value: str) -> str:
    compact = value.strip()
    if not re.fullmatch(r"[A-Za-z0-9/_-]{1,30}", compact):
        raise ValidationError(
            "Enter the local authority child ID using letters, numbers, / - or _ (up to 30)"
        )
    return compact.upper()


NORMALISERS = {
    IdentifierKind.NHS_NUMBER: normalise_nhs_number,
    IdentifierKind.UPN: normalise_upn,
    IdentifierKind.PNC_ID: normalise_pnc_id,
    IdentifierKind.LA_CHILD_ID: normalise_la_child_id,
}


def normalise_identifier(kind: str, value: str) -> str:
    try:
        normaliser = NORMALISERS[IdentifierKind(kind)]
    except ValueError as exc:
        raise ValidationError(f"Unknown identifier kind {kind!r}") from exc
    return normaliser(value)


_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})$")


def normalise_postcode(value: str) -> str:
    """A UK postcode in its standard form (outward code, space, inward code)."""
    match = _POSTCODE.fullmatch(value.strip().upper())
    if not match:
        raise ValidationError("Enter a real UK postcode, like LE1 6ZZ")
    return f"{match.group(1)} {match.group(2)}"
