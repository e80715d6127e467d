"""Opening a record that holds personal data: the one path every page that shows one
passes through.

``open_record`` does, in order, what every such page must do:

1. fetch the record through the access policy (404 if the user may not know it exists,
   403 if they may see it but not take the action);
2. *break glass*: when a restricted case lies behind the record (the case itself, or
   the child's case behind a referral) and the user does not work on it, send them to
   say why first. The reason is remembered in their session for
   ``REASON_REMEMBERED_FOR``, so each page of the same case does not ask again;
3. audit the view (a GET) as an entry naming the record, with the reason as its purpose.

Which records reveal which cases is registered by the apps that own them, each from its
``opening.py`` (``reveals_cases``, into the ``REVEALERS`` registry), so this module knows
no model; who must give a reason is the policy's ``reason_required``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.db.models import Model, QuerySet
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.access.typing import HubRequest
from macehub.audit.events import EventType
from macehub.audit.services import record_event, record_type_of
from macehub.core.registry import Registry

M = TypeVar("M", bound=Model)

REASON_REMEMBERED_FOR = dt.timedelta(minutes=30)
SESSION_KEY = "access.reasons_given"


@dataclass(frozen=True)
class Revealer:
    """What a kind of record reveals: the restricted records behind it (a queryset of
    them, given the record), and the page where a reason to open one is given."""

    model: type[Model]
    restricted_behind: Callable[[Any], QuerySet[Any]]
    reason_page: str  # URL name taking the restricted record's pk


# By the model's label; the same model and reason page registered again (its module
# imported a second time) is the same entry.
REVEALERS: Registry[Revealer] = Registry(
    "record revealing cases", module_name="opening",
    identity=lambda revealer: (revealer.model._meta.label_lower, revealer.reason_page))


def reveals_cases(model: type[Model], *, behind: Callable[[Any], QuerySet[Any]],
                  reason_page: str) -> None:
    """Register that a page showing a ``model`` record shows what ``behind(record)``
    holds, so a restricted one among them asks for a reason first."""
    REVEALERS.register(model._meta.label_lower, Revealer(model, behind, reason_page))


def _key(record: Model) -> str:
    return f"{record_type_of(record)}:{record.pk}"


def remembered_reason(request: HubRequest, record: Model,
                      now: dt.datetime | None = None) -> str | None:
    """The reason the user gave for opening this restricted record, if recent enough."""
    now = now or timezone.now()
    entry: dict[str, Any] | None = request.session.get(SESSION_KEY, {}).get(_key(record))
    if not entry:
        return None
    if now - dt.datetime.fromisoformat(entry["given_at"]) > REASON_REMEMBERED_FOR:
        return None
    return str(entry["reason"])


def remember_reason(request: HubRequest, record: Model, reason: str,
                    now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    reasons = {
        key: entry
        for key, entry in request.session.get(SESSION_KEY, {}).items()
        if now - dt.datetime.fromisoformat(entry["given_at"]) <= REASON_REMEMBERED_FOR
    }
    reasons[_key(record)] = {"reason": reason, "given_at": now.isoformat()}
    request.session[SESSION_KEY] = reasons


def restricted_records_behind(user: Any, record: Model) -> list[tuple[Model, str]]:
    """The restricted records behind ``record`` that ask this user for a reason, each
    with the URL name of the page where it is given."""
    label = type(record)._meta.label_lower
    if label not in REVEALERS:
        return []
    revealer = REVEALERS.get(label)
    behind = revealer.restricted_behind(record)
    asking = behind.filter(policy.reason_required(user)).order_by("pk")
    return [(found, revealer.reason_page) for found in asking]


def reasons_for(request: HubRequest, records: Iterable[tuple[Model, str]]
                ) -> str | HttpResponseRedirect:
    """The reasons given for opening these restricted records, joined as one audit
    purpose; or a redirect to give the first one missing (then back to this page)."""
    given = []
    for restricted, reason_page in records:
        reason = remembered_reason(request, restricted)
        if reason is None:
            back = request.get_full_path() if request.method == "GET" else request.path
            url = reverse(reason_page, args=[restricted.pk])
            return redirect(f"{url}?{urlencode({'next': back})}")
        if reason not in given:
            given.append(reason)
    return "; ".join(given)


def open_record(
    request: HubRequest,
    action: Action,
    queryset: QuerySet[M],
    *,
    page: str,
    detail: dict[str, Any] | None = None,
    **lookup: Any,
) -> M | HttpResponseRedirect:
    """The record for this page, fetched through the policy, after any reason its
    restriction asks for; a GET is audited as a view of it. Returns a redirect instead
    when a reason must be given first."""
    user = request.user
    record = policy.get_or_404(user, action, queryset, **lookup)
    purpose = reasons_for(request, restricted_records_behind(user, record))
    if isinstance(purpose, HttpResponseRedirect):
        return purpose
    if request.method == "GET":
        record_viewed(request, record, page=page, purpose=purpose, detail=detail)
    return record


def record_viewed(request: HubRequest, record: Model, *, page: str, purpose: str = "",
                  detail: dict[str, Any] | None = None) -> None:
    """Audit a page that showed this record's personal data."""
    record_event(
        event_type=EventType.VIEW, actor=request.user, record=record, purpose=purpose,
        detail={"page": page, **(detail or {})}, request=request,
    )
