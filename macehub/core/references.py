"""Reference numbers, owned once: the routine that gives a new referral, case,
intelligence report or submission its reference (``REF-2026-000123``, ``CASE-2026-000007``,
``INT-2026-000042``, ``SUB-2026-000003``).

A reference is the kind, the year (for the kinds numbered afresh each year), and the next
number after the highest already used under that prefix, zero-padded so that the text
sorts as the numbers do. Two saves at the same moment can read the same highest number
and pick the same reference: the column is unique, so the second insert fails. The insert
runs inside a savepoint, so that failure does not spoil the caller's transaction (on
PostgreSQL a failed statement aborts the whole transaction otherwise), and the loser tries
the next number.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Model

# How many numbers a save tries before giving up: each retry means another save took the
# number in between, so more than a few in a row means something else is wrong.
REFERENCE_ATTEMPTS = 5
DIGITS = 6


def reference_prefix(kind: str, *, year: int | None) -> str:
    """The part of a reference before the number: ``CASE-2026-``, or ``KIND-`` for a kind
    numbered without a year."""
    return f"{kind}-{year}-" if year is not None else f"{kind}-"


def _last_reference(model: type[Model], prefix: str) -> str | None:
    last = (
        model._default_manager.filter(reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    return str(last) if last is not None else None


def next_reference(model: type[Model], *, kind: str, year: int | None) -> str:
    """The next free reference of this kind (and year), as things stand now."""
    prefix = reference_prefix(kind, year=year)
    last = _last_reference(model, prefix)
    number = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{number:0{DIGITS}d}"


def save_with_reference(record: Model, *, kind: str, year: int | None) -> None:
    """Insert ``record`` (a model with a unique ``reference`` field, not yet saved) with
    the next reference of its kind. If another save took that number first, try the
    next; any other integrity error is the caller's and is raised as it is."""
    model = type(record)
    for attempt in range(REFERENCE_ATTEMPTS):
        reference = next_reference(model, kind=kind, year=year)
        record.reference = reference  # type: ignore[attr-defined]
        try:
            with transaction.atomic():
                record.save(force_insert=True)
            return
        except IntegrityError:
            taken = model._default_manager.filter(reference=reference).exists()
            if not taken or attempt == REFERENCE_ATTEMPTS - 1:
                raise
            # The failed insert left no row; start the next attempt as a new record.
            record.pk = None
            record._state.adding = True
