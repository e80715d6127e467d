"""When the database cannot be reached: the static "service unavailable" page and the
load balancer's health check.

A database outage shows as ``OperationalError`` (connection refused, timed out, or the
server gone) or ``InterfaceError`` (a connection that died under a request). Any page
that meets one answers 503 with the GOV.UK "service unavailable" page and a
``Retry-After``, not a server error. The page is rendered without a request, so no
context processor, session or user is looked up while the database is away; Django opens
a fresh connection on the next request, so the hub recovers by itself when it returns.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

logger = logging.getLogger(__name__)

DATABASE_OUTAGE_ERRORS = (OperationalError, InterfaceError)
# Seconds a client is asked to wait before trying again.
RETRY_AFTER_SECONDS = 30


def is_database_outage(error: BaseException | None) -> bool:
    """Whether ``error`` (or an error it was raised from) says the database is away."""
    while error is not None:
        if isinstance(error, DATABASE_OUTAGE_ERRORS):
            return True
        error = error.__cause__ or error.__context__
    return False


def service_unavailable(request: HttpRequest | None = None) -> HttpResponse:
    """The 503 page, from its template alone: nothing on it needs the database (the API
    answers in JSON)."""
    if request is not None and request.path_info.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"detail": "The service is unavailable. Try again later."}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    nonce = getattr(request, "csp_nonce", "") if request is not None else ""
    body = loader.render_to_string("503.html", {
        "hub_name": settings.HUB_TEAM_LABEL,
        "demo_mode": settings.DEMO_MODE,
        "out_of_hours_phone": settings.OUT_OF_HOURS_PHONE,
        "request": {"csp_nonce": nonce},
    })
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


# Where the health check answers: the URL configuration routes it (so the URL x role test
# sees it) and the middleware answers it there, whatever URL configuration a request uses.
HEALTH_CHECK_PATH = "health/"


def database_is_reachable() -> bool:
    """One round trip to the database; any database error counts as unreachable."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("Health check: the database did not answer", exc_info=True)
        return False
    return True


def health_check(request: HttpRequest) -> HttpResponse:
    """``ok`` (200) when the database answers, ``unavailable`` (503) when not: nothing else,
    so a load balancer's probe learns no version, host or error text."""
    reachable = database_is_reachable()
    response = HttpResponse("ok" if reachable else "unavailable",
                            content_type="text/plain; charset=utf-8",
                            status=200 if reachable else 503)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class HealthCheckMiddleware:
    """Answers the health check before any other middleware: no session or user is
    looked up, no audit entry or sign-in limit applies, the HTTPS redirect and the host
    check do not refuse a load balancer probing by address. First in ``MIDDLEWARE``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == f"/{HEALTH_CHECK_PATH}" and request.method in ("GET", "HEAD"):
            return health_check(request)
        return self.get_response(request)
