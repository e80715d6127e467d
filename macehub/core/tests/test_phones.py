"""A phone number has one written form across the hub: stored in E.164, shown as people
write it, anything else refused with a clear message."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from macehub.core.phones import PHONE_ERROR, display_phone, normalise_phone, phone_digits


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


def test_the_digits_typed_are_searched_as_an_international_number() -> None:
    assert phone_digits("07700 900123") == "447700900123"
    assert phone_digits("0033 1 23") == "33123"
    assert phone_digits("+44 7700") == "447700"
