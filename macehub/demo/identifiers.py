"""Valid, unique, synthetic identifiers for demo people.

Each value is built with the hub's own check-character functions and passed through
its normaliser, so it is stored exactly as a partner's valid value would be. Ranges are
chosen to stay clear of real people's identifiers:
- NHS numbers start 999, the range NHS England keeps for test patients;
- UPNs use local authority number 999, which no authority has;
- PNC IDs use serial numbers from 9,000,000, far above those issued in a year;
- local authority child IDs are "NSC" and a running number.
"""

from __future__ import annotations

import datetime as dt
import random

from macehub.people.identifiers import (
    nhs_check_digit,
    normalise_la_child_id,
    normalise_nhs_number,
    normalise_pnc_id,
    normalise_upn,
    pnc_check_letter,
    upn_check_letter,
)

NHS_TEST_PREFIX = "999"
UPN_LA_NUMBER = "999"
PNC_FIRST_SERIAL = 9_000_000
LA_CHILD_ID_PREFIX = "NSC"
# Demo schools' DfE establishment numbers (4 digits after the LA number).
DEMO_SCHOOLS = tuple(range(2001, 2401)) + tuple(range(4001, 4201))
# About one in eleven 9-digit stems has no valid check digit.
NHS_TEST_RANGE_SIZE = 1_000_000 * 10 // 11


class IdentifierRangeExhausted(RuntimeError):
    """More identifiers were asked for than the synthetic range holds."""


class IdentifierMint:
    """Issues identifiers that no other demo person holds."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._nhs: set[str] = set()
        self._upn: set[str] = set()
        self._pnc: set[str] = set()
        self._la_child_next = 1

    def nhs_number(self) -> str:
        if len(self._nhs) >= NHS_TEST_RANGE_SIZE * 0.95:
            raise IdentifierRangeExhausted("The NHS test number range is nearly used up")
        while True:
            first_nine = f"{NHS_TEST_PREFIX}{self.rng.randrange(1_000_000):06d}"
            check = nhs_check_digit(first_nine)
            if check is None:
                continue  # no valid number has these nine digits
            number = f"{first_nine}{check}"
            if number not in self._nhs:
                self._nhs.add(number)
                return normalise_nhs_number(number)

    def upn(self, date_of_birth: dt.date | None) -> str:
        """A UPN allocated when the child started school (the year they turned 4-5)."""
        year = (date_of_birth.year + 5) % 100 if date_of_birth else self.rng.randrange(100)
        while True:
            school = self.rng.choice(DEMO_SCHOOLS)
            body = f"{UPN_LA_NUMBER}{school:04d}{year:02d}{self.rng.randrange(1000):03d}"
            if body not in self._upn:
                self._upn.add(body)
                return normalise_upn(upn_check_letter(body) + body)

    def pnc_id(self, first_arrest_year: int) -> str:
        year = f"{first_arrest_year % 100:02d}"
        while True:
            serial = str(PNC_FIRST_SERIAL + self.rng.randrange(1_000_000))
            key = year + serial
            if key not in self._pnc:
                self._pnc.add(key)
                return normalise_pnc_id(f"{year}/{serial}{pnc_check_letter(year, serial)}")

    def la_child_id(self) -> str:
        number = self._la_child_next
        self._la_child_next += 1
        return normalise_la_child_id(f"{LA_CHILD_ID_PREFIX}{number:07d}")
