"""Identifier formats and check characters (synthetic values only)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from macehub.people.identifiers import (
    nhs_check_digit,
    normalise_la_child_id,
    normalise_nhs_number,
    normalise_pnc_id,
    normalise_postcode,
    normalise_upn,
    pnc_check_letter,
    upn_check_letter,
)


def test_nhs_number_with_valid_check_digit_is_normalised() -> None:
    # 943 476 5919 is the NHS's own published example number.
    assert normalise_nhs_number("943 476 5919") == "9434765919"
    assert normalise_nhs_number("943-476-5919") == "9434765919"


@pytest.mark.parametrize("value", ["9434765918", "943476591", "94347659190", "abcdefghij"])
def test_nhs_number_with_wrong_digit_or_length_is_refused(value: str) -> None:
    with pytest.raises(ValidationError):
        normalise_nhs_number(value)


def test_nhs_check_digit_of_ten_means_no_valid_number() -> None:
    # Weighted sum 1*10 = 10 -> 11 - 10 = 1; find a prefix giving remainder 1 -> check 10.
    prefixes = [f"{n:09d}" for n in range(200)]
    assert any(nhs_check_digit(p) is None for p in prefixes)


def test_upn_check_letter_round_trip() -> None:
    body = "82012345678" + "9"
    upn = upn_check_letter(body) + body
    assert normalise_upn(upn.lower()) == upn
    wrong = ("A" if upn[0] != "A" else "B") + body
    with pytest.raises(ValidationError, match="check letter"):
        normalise_upn(wrong)


def test_upn_must_have_thirteen_characters() -> None:
    with pytest.raises(ValidationError):
        normalise_upn("A12345")


def test_pnc_id_round_trip_and_wrong_letter() -> None:
    letter = pnc_check_letter("08", "0123456")
    assert normalise_pnc_id(f"08/123456{letter}") == f"08/0123456{letter}"
    assert normalise_pnc_id(f"2008/123456{letter}") == f"08/0123456{letter}"
    wrong = "Z" if letter != "Z" else "A"
    with pytest.raises(ValidationError, match="check letter"):
        normalise_pnc_id(f"08/123456{wrong}")


def test_local_authority_child_id_format() -> None:
    assert normalise_la_child_id(" lcs-0042 ") == "LCS-0042"
    with pytest.raises(ValidationError):
        normalise_la_child_id("has spaces in it")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("zz11aa", "ZZ1 1AA"), ("ZZ99 9ZZ", "ZZ99 9ZZ"), (" zz1a 1aa ", "ZZ1A 1AA")],
)
def test_postcode_normalised(typed: str, expected: str) -> None:
    assert normalise_postcode(typed) == expected


@pytest.mark.parametrize("typed", ["", "12345", "ZZ1", "ZZ1 1A", "Z Z1 1AA"])
def test_bad_postcode_refused(typed: str) -> None:
    with pytest.raises(ValidationError):
        normalise_postcode(typed)
