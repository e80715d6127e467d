"""Sign-in lockout: django-axes' database handler plus a throttle by address.

Axes locks a username at one address after ``MACEHUB_LOGIN_FAILURE_LIMIT`` failures
(``AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]``), so that failures from one
place cannot lock the account's owner out everywhere. On its own that would let one
address try a few passwords against every username, so this handler also pauses
sign-ins from an address once failures from it, across all usernames, reach the higher
``MACEHUB_LOGIN_ADDRESS_FAILURE_LIMIT``. Axes compares every lockout parameter with one
limit, which is why the second limit lives here rather than in its settings.

Both limits count axes' own records of failures within the cool-off, so the cool-off and
``manage.py axes_reset_ip`` lift both alike. An address reaching its limit is audited.
The address is the hub's one client address (``macehub.core.client_address``).
"""

from __future__ import annotations

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest

from macehub.audit.events import EventType
from macehub.audit.services import record_event


def failures_from_address(request: HttpRequest) -> int:
    """Failed sign-ins from the request's address, for any username, within the
    cool-off. Axes has put the address and the attempt's time on the request."""
    address = getattr(request, "axes_ip_address", None)
    if not address:
        return 0
    total = AccessAttempt.objects.filter(
        ip_address=address, attempt_time__gte=get_cool_off_threshold(request)
    ).aggregate(total=Sum("failures_since_start"))["total"]
    return int(total or 0)


class HubLockoutHandler(AxesDatabaseHandler):
    def is_locked(self, request: Any, credentials: dict[str, Any] | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        if failures_from_address(request) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            request.sign_in_address_paused = True
            return True
        return False

    def user_login_failed(
        self,
        sender: Any,
        credentials: dict[str, Any],
        request: Any = None,
        **kwargs: Any,
    ) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or request.axes_locked_out:
            return
        failures = failures_from_address(request)
        limit: int = settings.LOGIN_ADDRESS_FAILURE_LIMIT
        if failures < limit:
            return
        request.axes_locked_out = True
        request.axes_credentials = credentials
        request.sign_in_address_paused = True
        if failures == limit:
            # The failure that reached the limit: later ones are each audited as a
            # failed sign-in already.
            record_event(
                event_type=EventType.SIGN_IN_ADDRESS_PAUSED,
                actor=None,
                actor_username=str(credentials.get("username", "")),
                request=request,
                detail={
                    "failures": failures,
                    "limit": limit,
                    "cool_off_minutes": round(settings.AXES_COOLOFF_TIME * 60),
                },
            )
