"""Duplicate submissions, refused once for every form and API call that creates a record:
a double-clicked "Submit referral" or a retried POST creates one record.

Every form the hub sends by POST carries a one-time token beside its CSRF token (the
hub's ``{% csrf_token %}``, ``core/templatetags/submission_tokens.py``, drawn fresh each
time the form is drawn); a machine client sends its own in the ``Idempotency-Key``
header. ``SubmissionMiddleware`` holds the token for the request, and the first write
the request makes claims it: the audit log's ``record_event`` calls ``claim`` for the
entry of every write (a record created, or a change to one: adding a missing episode to
a case is audited as a change of the case), so the claim (a ``Submission`` row, unique
per user and token, naming the record) is written in the same transaction as the
record and its audit entry.

A second POST with the same token therefore fails to claim it, its transaction rolls
back (no second record, no second "created" entry) and the user is taken where the
first took them, with "This was already submitted". A second POST sent while the
first is still being saved waits on the unique constraint (PostgreSQL's row lock on the
index entry; SQLite's write lock) and then does the same. An API call with a used key
is answered 409 with the record the first created. A token is honoured only for the
user who was given it: another user's is simply a token of their own. A page's POST
whose token its user already claimed is answered so before its view runs, so no form
refuses the duplicate for what the first sending wrote (a name it took, a stage it
moved the record on from). A form answered with a page rather than a redirect (an API
client's token, shown once) names where a duplicate is taken with ``duplicates_go_to``.

Tokens are kept ``KEPT_FOR`` (two days: far longer than any retry) and then removed by
``purge_submissions`` (``manage.py purge_submissions``, daily).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils import timezone

FIELD = "submission_token"
HEADER = "Idempotency-Key"
MAX_LENGTH = 128
# A key a client may send: printable ASCII without spaces (the tokens the hub draws are
# URL-safe base64).
_WELL_FORMED = re.compile(rf"[!-~]{{1,{MAX_LENGTH}}}")
ALREADY_SUBMITTED = "This was already submitted"
KEPT_FOR = dt.timedelta(days=2)
# How long a duplicate waits for the first request to say where it took the user: the
# first has committed by then (the claim waited for it), only its answer is still on its
# way.
WAIT_FOR_LOCATION = dt.timedelta(seconds=5)


def new_token() -> str:
    """A one-time submission token for one drawing of one form."""
    return secrets.token_urlsafe(32)


@dataclass
class _Pending:
    token: str
    user_pk: int | None = None  # the signed-in user sending it (pages; the API's is
    # known only to its view)
    claimed: int | None = None  # the Submission this request wrote
    location: str = ""  # where a duplicate is taken, if the answer is not a redirect


_pending: ContextVar[_Pending | None] = ContextVar("macehub_submission", default=None)


class AlreadySubmitted(Exception):
    """The request's token was already used by the same user to create a record; this
    request's work is rolled back. Answered by ``SubmissionMiddleware``."""

    def __init__(self, *, user_pk: int, token: str) -> None:
        super().__init__(ALREADY_SUBMITTED)
        self.user_pk = user_pk
        self.token = token


@contextmanager
def submitted_with(token: str, *, user_pk: int | None = None) -> Iterator[_Pending]:
    """The token of the request being handled, for ``claim`` to find."""
    reset = _pending.set(_Pending(token, user_pk=user_pk))
    try:
        yield _pending.get()  # type: ignore[misc]
    finally:
        _pending.reset(reset)


def claim(*, user_pk: int | None, record_type: str, record_id: str | int) -> None:
    """Claim the request's token for the record it has just written, in the caller's
    transaction; the first write a request makes claims it, later ones do nothing.
    Raises ``AlreadySubmitted`` if the user already used the token (after waiting for
    a request that is using it to finish)."""
    from macehub.core.models import Submission

    pending = _pending.get()
    if pending is None or pending.claimed is not None or user_pk is None:
        return
    try:
        with transaction.atomic():
            row = Submission.objects.create(
                token=pending.token, user_id=user_pk, record_type=record_type,
                record_id=str(record_id), created_at=timezone.now())
    except IntegrityError:
        raise AlreadySubmitted(user_pk=user_pk, token=pending.token) from None
    pending.claimed = row.pk


def duplicates_go_to(location: str) -> None:
    """Where a duplicate of the request being handled is taken, for a form answered
    with a page that cannot be shown again (a new API client's token) rather than
    with a redirect."""
    pending = _pending.get()
    if pending is not None:
        pending.location = location


def refuse_if_already_submitted() -> None:
    """Raise ``AlreadySubmitted`` if the request being handled is a duplicate of one
    that has already written: asked before a refusal that the duplicate would otherwise
    get instead (a double-clicked save finds the record at the version its first click
    made, which is not someone else's change)."""
    from macehub.core.models import Submission

    pending = _pending.get()
    if pending is None or pending.user_pk is None or pending.claimed is not None:
        return
    if Submission.objects.filter(user_id=pending.user_pk, token=pending.token).exists():
        raise AlreadySubmitted(user_pk=pending.user_pk, token=pending.token)


def first_submission(user_pk: int, token: str, *, wait: dt.timedelta = WAIT_FOR_LOCATION,
                     sleep: Callable[[float], None] = time.sleep) -> tuple[str, str, str]:
    """What the first request with this token created and where it took the user
    (``record_type``, ``record_id``, ``location``; ``location`` blank if it has not
    answered within ``wait``)."""
    from macehub.core.models import Submission

    deadline = time.monotonic() + wait.total_seconds()
    while True:
        row = Submission.objects.filter(user_id=user_pk, token=token).values_list(
            "record_type", "record_id", "location").first()
        if row is None:  # purged meanwhile: nothing to point at
            return ("", "", "")
        if row[2] or time.monotonic() >= deadline:
            return row
        sleep(0.05)


def purge_submissions(*, now: dt.datetime | None = None) -> int:
    """Remove the tokens older than ``KEPT_FOR``; how many were removed."""
    from macehub.core.models import Submission

    before = (now or timezone.now()) - KEPT_FOR
    deleted, _ = Submission.objects.filter(created_at__lt=before).delete()
    return deleted


IDEMPOTENCY_KEY_DESCRIPTION = (
    "A key of your choosing, new for each record you mean to create (a UUID serves), sent "
    "again unchanged when you retry the same request. A request whose key you already "
    "used creates nothing and is answered 409 naming the first record the first wrote; one "
    "sent while the first is still being saved waits for it. Keys are yours alone and "
    "are kept for two days."
)


def openapi_idempotency_key(result: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: every POST of the API documents the
    ``Idempotency-Key`` header and its 409 answer."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["AlreadySubmitted"] = {
        "type": "object",
        "properties": {
            "detail": {"type": "string"},
            "record_type": {"type": "string", "description":
                            "The kind of the first record the first request wrote"},
            "record_id": {"type": "string", "description":
                          "The id of the first record the first request wrote"},
        },
        "required": ["detail", "record_type", "record_id"],
    }
    components["IdempotencyKeyRefused"] = {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    }
    for operations in result.get("paths", {}).values():
        operation = operations.get("post")
        if operation is None:
            continue
        operation.setdefault("parameters", []).append({
            "in": "header", "name": HEADER, "required": False,
            "schema": {"type": "string", "maxLength": MAX_LENGTH, "pattern": r"^[!-~]+$"},
            "description": IDEMPOTENCY_KEY_DESCRIPTION,
        })
        responses = operation.setdefault("responses", {})
        refused = {"$ref": "#/components/schemas/IdempotencyKeyRefused"}
        bad = responses.get("400", {}).get("content", {}).get("application/json", {})
        if "schema" in bad:  # the operation's own 400, or a malformed key's
            bad["schema"] = {"anyOf": [bad["schema"], refused]}
        else:
            responses["400"] = {"description": f"A malformed {HEADER}: nothing created",
                                "content": {"application/json": {"schema": refused}}}
        responses["409"] = {
            "description": "Already submitted with this Idempotency-Key: nothing created",
            "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/AlreadySubmitted"}}},
        }
    return result


def _already_claimed(user_pk: int, token: str) -> bool:
    from macehub.core.models import Submission

    return Submission.objects.filter(user_id=user_pk, token=token).exists()


_local_locks: dict[tuple[int, str], threading.Lock] = {}
_local_locks_guard = threading.Lock()


@contextmanager
def _one_at_a_time(user_pk: int, token: str) -> Iterator[None]:
    """Hold the user's token for the whole request, so a second sending of the same form
    (a double click, a retried POST) waits until the first has finished, then finds the
    token claimed and is answered before its view runs. Without it the second could run
    its view while the first's transaction is still open and fail on a constraint of
    what the first was writing (a name that must be unique) rather than on the token.
    On PostgreSQL an advisory lock on the connection (released when the request ends, or
    by the server if the worker dies); elsewhere a lock in the process (SQLite serves
    one process)."""
    digest = hashlib.sha256(f"{user_pk}:{token}".encode()).digest()
    if connection.vendor == "postgresql":
        keys = [int.from_bytes(digest[:4], "big", signed=True),
                int.from_bytes(digest[4:8], "big", signed=True)]
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", keys)
        try:
            yield
        finally:
            if connection.connection is not None:  # closed meanwhile: the lock went with it
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", keys)
        return
    key = (user_pk, token)
    with _local_locks_guard:
        lock = _local_locks.setdefault(key, threading.Lock())
    try:
        with lock:
            yield
    finally:
        with _local_locks_guard:
            if not lock.locked():
                _local_locks.pop(key, None)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


class SubmissionMiddleware:
    """Holds a POST's submission token (form field or ``Idempotency-Key`` header) while
    the view runs, records where the request that claimed it took the user, and answers
    a duplicate: a redirect to where the first went with "This was already submitted"
    (a page), or 409 naming the record the first created (the API)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return self.get_response(request)
        token = request.headers.get(HEADER)
        if token is not None:
            if not _WELL_FORMED.fullmatch(token):
                return JsonResponse({"detail": f"{HEADER} must be 1 to {MAX_LENGTH} printable "
                                               "characters without spaces."}, status=400)
        elif request.content_type in ("application/x-www-form-urlencoded",
                                      "multipart/form-data"):
            token = request.POST.get(FIELD) or None
            if token is not None and not _WELL_FORMED.fullmatch(token):
                token = None  # not one the hub drew: the form is handled as if without one
        if token is None:
            return self.get_response(request)
        user = getattr(request, "user", None)
        user_pk = user.pk if user is not None and user.is_authenticated else None
        if user_pk is None:
            return self._handle(request, token, None)
        with _one_at_a_time(user_pk, token):
            if _already_claimed(user_pk, token):
                # Sent again after the first was saved: answered before the view runs, so
                # no form refuses it for what the first sending wrote (a name now taken, a
                # device already triaged, a version moved on).
                return self._answer_duplicate(request, AlreadySubmitted(user_pk=user_pk,
                                                                        token=token))
            return self._handle(request, token, user_pk)

    def _handle(self, request: HttpRequest, token: str, user_pk: int | None) -> HttpResponse:
        with submitted_with(token, user_pk=user_pk) as pending:
            response = self.get_response(request)
            location = (response["Location"] if response.has_header("Location")
                        else pending.location)
            if pending.claimed is not None and location:
                from macehub.core.models import Submission

                Submission.objects.filter(pk=pending.claimed).update(location=location[:2000])
        return response

    def process_exception(self, request: HttpRequest, exception: Exception
                          ) -> HttpResponse | None:
        if not isinstance(exception, AlreadySubmitted):
            return None
        return self._answer_duplicate(request, exception)

    def _answer_duplicate(self, request: HttpRequest, exception: AlreadySubmitted
                          ) -> HttpResponse:
        api = _is_api(request)
        record_type, record_id, location = first_submission(
            exception.user_pk, exception.token, wait=dt.timedelta(0) if api else WAIT_FOR_LOCATION)
        if api:
            return JsonResponse({"detail": f"{ALREADY_SUBMITTED} with this {HEADER}.",
                                 "record_type": record_type, "record_id": record_id},
                                status=409)
        messages.info(request, ALREADY_SUBMITTED)
        return HttpResponseRedirect(location or request.get_full_path())
