"""A record's versioned saves as the audit log holds them: what ``core.versioning``
reads to tell a user who saved a record after they opened it, and what they changed.

Every versioned save records a CHANGE event against the record whose detail carries the
version it made and the old and new value of each field (``changes``); this returns
those made after a given version, oldest first."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Model

from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.audit.services import record_type_of


@dataclass(frozen=True)
class SavedChange:
    by: str
    version: int
    changes: Mapping[str, Mapping[str, Any]]


def saves_after(record: Model, version: int) -> list[SavedChange]:
    """The record's versioned saves that made a version above ``version``."""
    events = AuditEvent.objects.filter(
        record_type=record_type_of(record), record_id=str(record.pk),
        event_type=EventType.CHANGE, detail__has_key="version",
    ).order_by("id").values_list("actor_username", "detail")
    saves = (SavedChange(by=by, version=int(detail.get("version") or 0),
                         changes=detail.get("changes") or {}) for by, detail in events)
    return [save for save in saves if save.version > version]
