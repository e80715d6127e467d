"""Registrations and handles have one written form each (phone numbers: core)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from macehub.intelligence.normalise import (
    REGISTRATION_ERROR,
    display_registration,
    normalise_handle,
    normalise_registration,
    search_keys,
)


@pytest.mark.parametrize(("typed", "stored"), [
    ("ab12 cde", "AB12CDE"), ("AB12CDE", "AB12CDE"), (" ab-12-cde ", "AB12CDE"),
    ("A123 BCD", "A123BCD"), ("abc 123d", "ABC123D"), ("1 A", "1A"), ("ABZ 1234", "ABZ1234"),
    ("XB01 ABC", "XB01ABC"),
])
def test_uk_registrations_are_stored_without_spaces_in_capitals(typed: str, stored: str) -> None:
    assert normalise_registration(typed) == stored


@pytest.mark.parametrize("typed", ["AB12 CDEF", "12345678", "AB!2CDE", "ABCDEFG", "A", "Ä12 CDE"])
def test_other_registrations_are_refused_with_a_clear_message(typed: str) -> None:
    with pytest.raises(ValidationError) as error:
        normalise_registration(typed)
    assert error.value.messages == [REGISTRATION_ERROR]


def test_an_empty_registration_asks_for_one() -> None:
    with pytest.raises(ValidationError, match="Enter the vehicle's registration"):
        normalise_registration("  ")


def test_registrations_are_shown_as_on_the_plate() -> None:
    assert display_registration("AB12CDE") == "AB12 CDE"
    assert display_registration("A123BCD") == "A123BCD"


@pytest.mark.parametrize(("typed", "stored"), [
    ("@Some.Name", "some.name"), (" some_name ", "some_name"),
    ("https://www.instagram.com/Some.Name/", "some.name"), ("tiktok.com/@dj-x", "dj-x"),
])
def test_handles_are_lower_case_without_the_at(typed: str, stored: str) -> None:
    assert normalise_handle(typed) == stored


@pytest.mark.parametrize("typed", ["two words", "@", "emoji😀"])
def test_odd_handles_are_refused(typed: str) -> None:
    with pytest.raises(ValidationError):
        normalise_handle(typed)


def test_search_keys_are_phonetic_and_padded() -> None:
    keys = search_keys("Brackenford Takeaway")
    assert keys.startswith(" ") and keys.endswith(" ")
    assert search_keys("Brakenford Takeway") == keys
