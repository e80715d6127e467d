"""Opening a restricted case: anyone not working on it says why first.

The reason is written as the ``purpose`` of the audit VIEW event of every page of the
case they open, where information governance reads it. It is remembered in the user's
session for ``REASON_REMEMBERED_FOR``, so each page of the same case does not ask again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.sessions.backends.base import SessionBase

from macehub.accounts.models import User
from macehub.cases.models import Case
from macehub.cases.selectors import is_working_on

REASON_REMEMBERED_FOR = dt.timedelta(minutes=30)
SESSION_KEY = "cases.restricted_case_reasons"


def reason_needed(user: User, case: Case) -> bool:
    return case.is_restricted and not is_working_on(user, case)


def remembered_reason(session: SessionBase, case: Case, now: dt.datetime) -> str | None:
    """The reason the user gave for opening this case, if given recently enough."""
    entry: dict[str, Any] | None = session.get(SESSION_KEY, {}).get(str(case.pk))
    if not entry:
        return None
    given_at = dt.datetime.fromisoformat(entry["given_at"])
    if now - given_at > REASON_REMEMBERED_FOR:
        return None
    return str(entry["reason"])


def remember_reason(session: SessionBase, case: Case, reason: str, now: dt.datetime) -> None:
    reasons = {
        pk: entry
        for pk, entry in session.get(SESSION_KEY, {}).items()
        if now - dt.datetime.fromisoformat(entry["given_at"]) <= REASON_REMEMBERED_FOR
    }
    reasons[str(case.pk)] = {"reason": reason, "given_at": now.isoformat()}
    session[SESSION_KEY] = reasons
