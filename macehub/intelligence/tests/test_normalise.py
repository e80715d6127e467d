"""Registrations, phone numbers and handles have one written form each."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from macehub.core.phones import PHONE_ERROR, display_phone, normalise_phone
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
    ("07700 900123", "+447700900123"), ("+44 7700 900123", "+447700900123"),
    ("0044 7700 900123", "+447700900123"), ("(0113) 496 0123", "+441134960123"),
    ("020 7946 0123", "+442079460123"), ("+33 1 23 45 67 89", "+33123456789"),
])
def test_phone_numbers_are_stored_in_e164(typed: str, stored: str) -> None:
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize("typed", ["123", "07700", "not a number", "+44 1234", "0800 000"])
def test_invalid_phone_numbers_are_refused_with_a_clear_message(typed: str) -> None:
    with pytest.raises(ValidationError) as error:
        normalise_phone(typed)
    assert error.value.messages == [PHONE_ERROR]


def test_phone_numbers_are_shown_as_people_write_them() -> None:
    assert display_phone("+447700900123") == "07700 900123"
    assert display_phone("+33123456789") == "+33 1 23 45 67 89"


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
