"""The idle timeout: a signed-in session ends ``SESSION_COOKIE_AGE`` after the user's last
request, give or take ``IDLE_CLOCK_REFRESH``.

Django keeps a sliding expiry by saving the session on every request
(``SESSION_SAVE_EVERY_REQUEST``): a write and a commit on every page anyone opens, all
to move a date forward by a second or two. The hub moves it forward when it is more than
``IDLE_CLOCK_REFRESH`` old instead, so an idle session can end at most that much early,
never late."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

IDLE_CLOCK_REFRESH = dt.timedelta(seconds=60)
# When the session's expiry was last moved forward (seconds since the epoch).
LAST_ACTIVE_KEY = "macehub_last_active"


class IdleTimeoutMiddleware:
    """Marks a signed-in session for saving, which sets its expiry afresh, when it was
    last saved for activity more than ``IDLE_CLOCK_REFRESH`` ago. Sits after
    ``SessionMiddleware``, which saves a marked session."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        # Only sessions of someone signed in: a visitor to the sign-in page gets none.
        if SESSION_KEY in session:
            last_active = session.get(LAST_ACTIVE_KEY)
            if (not isinstance(last_active, int)
                    or _now() - last_active >= IDLE_CLOCK_REFRESH.total_seconds()):
                mark_active(session)
        return self.get_response(request)


def mark_active(session: SessionBase) -> None:
    """Start the idle clock afresh; the session is saved, with a new expiry, at the end
    of the request (signing in saves it anyway)."""
    session[LAST_ACTIVE_KEY] = _now()


def _now() -> int:
    return int(timezone.now().timestamp())
