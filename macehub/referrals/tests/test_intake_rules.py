"""The referral's rules, written once (``referrals.rules``) and asked by both the intake's
question pages and the service."""

from __future__ import annotations

import datetime as dt

import pytest

from macehub.referrals.codes import ConsentStatus
from macehub.referrals.rules import (
    MAX_MISSING_EPISODES,
    NOT_A_CHILD,
    age_in_years,
    consent_problem,
    missing_episodes_problem,
    not_a_child,
)

TODAY = dt.date(2026, 6, 15)


@pytest.mark.parametrize(("born", "estimated", "age"), [
    (dt.date(2008, 6, 15), None, 18),  # eighteenth birthday today
    (dt.date(2008, 6, 16), None, 17),  # tomorrow
    (dt.date(2012, 1, 1), 99, 14),  # the date of birth wins over an estimate
    (None, 15, 15),
    (None, None, None),
])
def test_age_in_years(born: dt.date | None, estimated: int | None, age: int | None) -> None:
    assert age_in_years(date_of_birth=born, estimated_age=estimated, today=TODAY) == age


def test_the_hub_takes_children_under_18() -> None:
    assert not_a_child(17) is None and not_a_child(None) is None
    assert not_a_child(18) == NOT_A_CHILD


def test_missing_episodes_are_counted_from_0_to_the_maximum() -> None:
    assert all(missing_episodes_problem(n) is None
               for n in (None, 0, 1, MAX_MISSING_EPISODES))
    assert missing_episodes_problem(-1) and missing_episodes_problem(MAX_MISSING_EPISODES + 1)


def test_consent_not_sought_needs_a_reason() -> None:
    assert consent_problem(ConsentStatus.NOT_SOUGHT, " ") == (
        "Enter why you did not ask for consent")
    assert consent_problem(ConsentStatus.NOT_SOUGHT, "Risk to the child") is None
    assert all(consent_problem(value, "") is None
               for value in ConsentStatus.values if value != ConsentStatus.NOT_SOUGHT)
