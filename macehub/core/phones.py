"""One written form for a phone number across the hub (a referral's contact numbers,
intelligence's phones): stored in E.164, shown as people write them, and searchable by the
digits someone typed. ``normalise_phone`` raises ``ValidationError`` saying what is wrong,
so every form, import and API applies the same rule."""

from __future__ import annotations

import re

import phonenumbers
from django.core.exceptions import ValidationError

DEFAULT_PHONE_REGION = "GB"
PHONE_ERROR = "Enter a real phone number, like 07700 900123 or +44 7700 900123"
# Ofcom keeps these ranges for drama and training; they never connect, so the phone
# number library calls some of them invalid. The hub accepts them (the demo uses them).
OFCOM_DRAMA_PREFIXES = (
    "+447700900", "+441134960", "+441144960", "+441154960", "+441164960", "+441174960",
    "+441184960", "+441214960", "+441314960", "+441414960", "+441514960", "+441614960",
    "+442079460", "+442896496", "+442920180", "+441632960", "+443069990", "+448081570",
    "+449098790",
)
_UK_E164_LENGTH = 13
UK_CALLING_CODE = 44


def is_drama_number(e164: str) -> bool:
    return len(e164) == _UK_E164_LENGTH and e164.startswith(OFCOM_DRAMA_PREFIXES)


def normalise_phone(value: str, region: str = DEFAULT_PHONE_REGION) -> str:
    """Any way of writing a number -> E.164 (``07700 900123`` -> ``+447700900123``).
    Numbers without a country code are read as UK numbers."""
    text = value.strip()
    if not text:
        raise ValidationError("Enter the phone number", code="required")
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        raise ValidationError(PHONE_ERROR, code="invalid") from error
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    if not (phonenumbers.is_valid_number(parsed) or is_drama_number(e164)):
        raise ValidationError(PHONE_ERROR, code="invalid")
    return e164


def display_phone(e164: str) -> str:
    """UK numbers as people write them (``07700 900123``), others internationally."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if parsed.country_code == UK_CALLING_CODE:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_digits(value: str) -> str:
    """The digits someone typed, with a leading 0 turned into 44 (for partial search)."""
    digits = re.sub(r"\D", "", value)
    if digits.startswith("00"):
        return digits[2:]
    if digits.startswith("0"):
        return "44" + digits[1:]
    return digits
