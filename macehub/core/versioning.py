"""Concurrent-edit detection, owned once: a record that several people edit (a case, a
referral's triage decision, a person's details, an intelligence report's review) is
saved only if nobody else saved it since the user opened it, and otherwise refused with
what the others changed, so nothing is overwritten unseen.

Each such model has a ``version`` field (an integer, starting at 1). The page carries
the version the user started from. The service fetches the row locked, as it already
does (``select_for_update`` through the access policy), and then:

- ``Versioning.check(record, expected_version)`` refuses at once if the row has moved
  on, before anything is validated or written;
- ``Versioning.save(record, expected_version=...)`` raises the version by one with a
  compare-and-set update (``WHERE version = expected``), so that two saves from the
  same version cannot both win even on an engine that ignores row locks (SQLite), and
  then saves the record.

Either refuses with one exception, ``EditConflict``, whose ``their_changes`` describes
what the others changed, one way everywhere: by the field's label as the page names it,
``{"old", "new", "by", "text"}`` with the values in words and ``text`` reading
"Medium to High, by a.user". The page shows it with the one partial
``components/edit_conflict.html`` and rebinds the form with ``form_after_conflict``, so
what the user typed is kept and their next save is checked against the version they
have now been shown.

What the others changed comes from the audit log, where each versioned save records its
changes and the version it made. The core sits below the audit log, so it does not read
it: each model's ``Versioning`` is given the reader (``macehub.audit.history``) with the
labels and the wording of its fields.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypedDict, TypeVar

from django import forms
from django.db.models import F, Model
from django.http import QueryDict

from macehub.core.service_errors import ServiceRefused
from macehub.core.submissions import refuse_if_already_submitted

BLANK = "None"


class FieldChange(TypedDict):
    """One field someone else changed, in words: its value before their first change,
    after their last, and who made the last."""

    old: str
    new: str
    by: str
    text: str


class SavedChange(Protocol):
    """One versioned save as the audit log holds it: who made it, the version it made,
    and the old and new value of each field it changed."""

    @property
    def by(self) -> str: ...

    @property
    def version(self) -> int: ...

    @property
    def changes(self) -> Mapping[str, Mapping[str, Any]]: ...


# Reads the saves of a record that made a version above the one given, oldest first.
History = Callable[[Model, int], Iterable[SavedChange]]


class EditConflict(ServiceRefused):
    """Someone else saved the record after this user opened it; nothing has been saved.
    ``their_changes`` maps each field's label to what they changed (``FieldChange``);
    it may be empty when the other change is not one a page names.

    A refusal of its own (``core.service_errors``) because a page answers it unlike
    other refusals: it shows the other changes and rebinds the form at the record's
    current version (``form_after_conflict``). Catch it before ``ValidationError``."""

    def __init__(self, record: Model, their_changes: Mapping[str, FieldChange] | None = None,
                 *, changed_fields: Iterable[str] = (), message: str = "") -> None:
        name = str(record._meta.verbose_name)
        super().__init__(message or f"The {name} was changed by someone else")
        self.record = record
        self.their_changes: dict[str, FieldChange] = dict(their_changes or {})
        # Every field they changed by its name, including those no page names, for a
        # page that words the refusal by what kind of change it was.
        self.changed_fields = frozenset(changed_fields)

    @property
    def current_version(self) -> int:
        """The version the record is at now: the one the user's next save is checked
        against, once they have been shown the other changes."""
        return int(self.record.version)  # type: ignore[attr-defined]


def plain_words(value: Any) -> str:
    """A stored value as a person reads it when no field-specific wording applies."""
    if value in (None, "", []):
        return BLANK
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def describe_changes(
    saves: Iterable[SavedChange],
    *,
    labels: Mapping[str, str],
    words: Callable[[str, Any], str] = lambda _name, value: plain_words(value),
) -> dict[str, FieldChange]:
    """The saves merged into one description per field: the value before the first, the
    value after the last, and who made the last. Fields without a label (bookkeeping
    such as a timestamp beside the field it belongs to) are left out."""
    merged: dict[str, FieldChange] = {}
    for save in saves:
        for name, change in save.changes.items():
            label = labels.get(name)
            if label is None:
                continue
            new = words(name, change.get("new"))
            if label in merged:
                merged[label]["new"] = new
                merged[label]["by"] = save.by
            else:
                merged[label] = FieldChange(old=words(name, change.get("old")), new=new,
                                            by=save.by, text="")
    for change in merged.values():
        change["text"] = f"{change['old']} to {change['new']}, by {change['by']}"
    return merged


@dataclass(frozen=True)
class Versioning:
    """The concurrent-edit rule for one model: where its history is read from, and how
    its fields are named (``labels``, field name to the label a page shows) and worded
    (``words(name, value)``)."""

    history: History
    labels: Mapping[str, str]
    words: Callable[[str, Any], str] = field(default=lambda _name, value: plain_words(value))

    def their_changes(self, record: Model, since_version: int) -> dict[str, FieldChange]:
        """What others changed on the record after ``since_version``, in words."""
        return describe_changes(self.history(record, since_version), labels=self.labels,
                                words=self.words)

    def conflict(self, record: Model, expected_version: int, *, message: str = ""
                 ) -> EditConflict:
        """The refusal of a save from ``expected_version``, saying what others changed;
        unless the save is the user's own form sent again (a double click), which is
        told it was already submitted instead (``core.submissions``)."""
        refuse_if_already_submitted()
        saves = list(self.history(record, expected_version))
        return EditConflict(
            record, describe_changes(saves, labels=self.labels, words=self.words),
            changed_fields={name for save in saves for name in save.changes},
            message=message,
        )

    def check(self, record: Model, expected_version: int, *, message: str = "") -> None:
        """Refuse if the (locked) record has moved on from the version the user saw."""
        if record.version != expected_version:  # type: ignore[attr-defined]
            raise self.conflict(record, expected_version, message=message)

    def save(self, record: Model, *, expected_version: int,
             update_fields: Sequence[str] | None = None) -> None:
        """Save the record as the version after ``expected_version``, unless someone
        else got there first. ``update_fields`` (without ``version``) limits the save
        as ``Model.save`` does."""
        model = type(record)
        updated = model._default_manager.filter(
            pk=record.pk, version=expected_version).update(version=F("version") + 1)
        if not updated:  # lost a race on an engine without row locks
            record.refresh_from_db()
            raise self.conflict(record, expected_version)
        record.version = expected_version + 1  # type: ignore[attr-defined]
        if update_fields is None:
            record.save()
        else:
            record.save(update_fields=[*update_fields, "version"])


FormT = TypeVar("FormT", bound=forms.BaseForm)


def form_after_conflict(make_form: Callable[[QueryDict], FormT], data: QueryDict,
                        conflict: EditConflict, message: str) -> FormT:
    """The form as the user typed it, told (``message``, at the top) that someone else
    saved first; its version is now the record's, so the next save is checked against
    what the user has now been shown."""
    data = data.copy()
    data["version"] = str(conflict.current_version)
    form = make_form(data)
    form.is_valid()
    form.add_error(None, message)
    return form
