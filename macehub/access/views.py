"""How views declare the action they serve, and how refusals look and are audited."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from macehub.access.actions import Action
from macehub.access.policy import RULES, require
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.core.outage import is_database_outage, service_unavailable

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponseBase])


def requires(action: Action) -> Callable[[ViewFunc], ViewFunc]:
    """Declare the one action a view serves.

    Role-level actions, and record-level actions on a list (a URL without a record),
    are refused here with 403. On a single record the decision waits until the view
    fetches it through a selector (404 if the user may not know the record exists), so
    a user without the role cannot even learn that an id is valid.
    """

    def decorate(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if RULES[action].relation is None or not kwargs:
                require(request.user, action)  # type: ignore[arg-type]
            return view(request, *args, **kwargs)

        wrapper.access_action = action  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def public(view: ViewFunc) -> ViewFunc:
    """A page anyone may open without signing in (sign-in itself, for example)."""
    view.access_action = None  # type: ignore[attr-defined]
    view.is_public = True  # type: ignore[attr-defined]
    return login_not_required(view)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403 page; every refusal is written to the audit log."""
    record_event(
        event_type=EventType.PERMISSION_DENIED,
        actor=request.user,  # type: ignore[arg-type]
        detail={"path": request.path, "method": request.method, "reason": str(exception or "")},
        request=request,
    )
    return render(request, "403.html", status=403)


def _is_api_call(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404 page; under ``/api/`` an address that names nothing (a record number that is
    not a number, a path the API does not have) answers in JSON, as the API's own 404s
    do, so a partner system never has to read an HTML page."""
    if _is_api_call(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """500 page; when the error is the database being unreachable, the static 503 page.

    Django calls this for an error raised anywhere under a request, in a middleware
    (loading the session, the signed-in user) as in a view, so every page answers an
    outage the same way.
    """
    if is_database_outage(sys.exc_info()[1]):
        return service_unavailable(request)
    if _is_api_call(request):
        return JsonResponse({"detail": "The hub could not answer this call: the error has "
                                       "been recorded."}, status=500)
    return render(request, "500.html", status=500)
