"""The rules a referral's answers must meet, written once.

``services.submit_referral`` applies them to the whole referral before anything is saved,
so no caller can get round them. The intake's question pages ask the same functions as
each page is answered, only so that the referrer is told on the page where the answer
is, not at the end; they decide nothing of their own.
"""

from __future__ import annotations

import datetime as dt

from macehub.referrals.codes import ConsentStatus
from macehub.referrals.selectors import ADULT_AGE

# More is a typing slip, not a count anyone keeps.
MAX_MISSING_EPISODES = 99

NOT_A_CHILD = "The MACE hub takes referrals about children under 18"
CONSENT_REASON_MISSING = "Enter why you did not ask for consent"


def age_in_years(*, date_of_birth: dt.date | None, estimated_age: int | None,
                 today: dt.date) -> int | None:
    """The child's age today, from their date of birth or else the age the referrer
    estimated today; None when neither is known."""
    if date_of_birth is None:
        return estimated_age
    before_birthday = (today.month, today.day) < (date_of_birth.month, date_of_birth.day)
    return today.year - date_of_birth.year - before_birthday


def not_a_child(age: int | None) -> str | None:
    """Why the hub cannot take a referral about someone this age, if it cannot."""
    return NOT_A_CHILD if age is not None and age >= ADULT_AGE else None


def missing_episodes_problem(count: int | None) -> str | None:
    """What is wrong with the number of times the child has been missing, if anything
    (None: the referrer does not know)."""
    if count is not None and not 0 <= count <= MAX_MISSING_EPISODES:
        return f"The number of missing episodes must be between 0 and {MAX_MISSING_EPISODES}"
    return None


def consent_problem(consent: str, reason_not_sought: str) -> str | None:
    """Consent not sought needs the reason why."""
    if consent == ConsentStatus.NOT_SOUGHT and not reason_not_sought.strip():
        return CONSENT_REASON_MISSING
    return None
