"""The kinds of record retention review covers, registered by the apps that own them,
and each record's next review worked out from its rule.

An app registers a ``RecordKind`` in its own ``retention.py`` (found by discovery, as
``core/registry.py`` describes): its label, its records' model (for the audit log's
record type), the rows the review reads, and how a record's personal data is disposed
of, and what would make disposing of one unsafe (``refusals``). A kind without
``dispose`` is listed for review (decisions to keep are recorded) but its records cannot
be disposed of yet, and the queue says so.

A record's next review is its rule's first review (``review_years`` after the clock's
start: the record's date, the decision on it, or the subject's date of birth), or the
next review set by the latest decision to keep it. A rule with ``keep_until_age`` keeps
the record until its subject reaches that age whatever the review finds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from macehub.core.registry import Registry
from macehub.governance.retention_codes import ClockStart, DisposalStatus
from macehub.governance.retention_models import (
    DisposalRequest,
    HeldRecord,
    RetentionDecision,
    RetentionRule,
)

# Children under this age on the day of review: their records get extra care (MoPI's
# National Retention Assessment Criteria).
EXTRA_CARE_UNDER_AGE = 10


@dataclass(frozen=True)
class RetentionRow:
    """What review needs of one record, read in one query for many: never a name."""

    pk: int
    reference: str
    category: str
    clock_starts_on: dt.date
    subject_born_on: dt.date | None


@dataclass(frozen=True)
class RecordKind:
    label: str
    # ``app_label.model_name`` of the record, as the audit log names it.
    record_type: str
    # The rows of every record of this kind under review, or of those with the given pks.
    rows: Callable[[Collection[int] | None], list[RetentionRow]]
    # Removes the record's personal data, inside the approving transaction.
    dispose: Callable[[int], None] | None = None
    # Why disposing of the record would be unsafe today (what still relies on it), in
    # sentences; none when it is safe. Asked when disposal is asked for and approved.
    refusals: Callable[[int], list[str]] | None = None


RECORD_KINDS: Registry[RecordKind] = Registry("retention record kind", module_name="retention")


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass
class ReviewItem:
    """One record as the review queue and its review page show it."""

    kind: str
    kind_label: str
    row: RetentionRow
    rule: RetentionRule
    next_review_on: dt.date
    keep_until: dt.date | None
    extra_care: bool
    disposable: bool
    last_decision: RetentionDecision | None = None
    holds: list[str] = field(default_factory=list)
    pending_request: DisposalRequest | None = None

    @property
    def pk(self) -> int:
        return self.row.pk

    @property
    def reference(self) -> str:
        return self.row.reference

    def is_due(self, today: dt.date) -> bool:
        return self.next_review_on <= today

    def latest_next_review(self, today: dt.date) -> dt.date:
        """The latest next review a decision to keep may set today."""
        return add_years(today, self.rule.review_years)


def first_review_on(rule: RetentionRule, row: RetentionRow) -> dt.date:
    """When the rule first asks for the record to be reviewed. A rule that runs from the
    subject's birth, for a subject whose date of birth is not recorded, runs from the
    record's own date instead: reviewed early rather than never."""
    start = row.clock_starts_on
    if rule.clock_starts == ClockStart.DATE_OF_BIRTH and row.subject_born_on is not None:
        start = row.subject_born_on
    return add_years(start, rule.review_years)


def review_items(*, today: dt.date, kind: str | None = None,
                 pks: Collection[int] | None = None) -> list[ReviewItem]:
    """Every record under review (of one kind, or only ``pks`` of it), with its rule and
    next review, oldest first: one query for the rules, then four for each kind (its
    rows, the decisions to keep, the holds, the waiting disposal requests)."""
    rules = {(rule.record_kind, rule.category): rule for rule in RetentionRule.objects.all()}
    born_after = add_years(today, -EXTRA_CARE_UNDER_AGE)
    items: list[ReviewItem] = []
    for code, record_kind in RECORD_KINDS.items():
        if kind is not None and code != kind:
            continue
        rows = record_kind.rows(pks)
        if not rows:
            continue
        ids = [row.pk for row in rows]
        latest: dict[int, RetentionDecision] = {}
        for kept in RetentionDecision.objects.filter(
                record_kind=code, record_id__in=ids).order_by("decided_at", "id"):
            latest[kept.record_id] = kept
        holds: dict[int, list[str]] = {}
        for held in HeldRecord.objects.filter(
                record_kind=code, record_id__in=ids, hold__released_on__isnull=True
        ).select_related("hold").order_by("hold__placed_on", "hold_id"):
            holds.setdefault(held.record_id, []).append(held.hold.name)
        pending = {request.record_id: request for request in DisposalRequest.objects.filter(
            record_kind=code, record_id__in=ids, status=DisposalStatus.PENDING
        ).select_related("requested_by")}
        for row in rows:
            rule = rules.get((code, row.category))
            if rule is None:  # a category the rules file does not cover is not reviewed
                continue
            decision = latest.get(row.pk)
            born = row.subject_born_on
            items.append(ReviewItem(
                kind=code, kind_label=record_kind.label, row=row, rule=rule,
                next_review_on=(decision.next_review_on if decision
                                else first_review_on(rule, row)),
                keep_until=(add_years(born, rule.keep_until_age)
                            if rule.keep_until_age and born else None),
                extra_care=born is not None and born > born_after,
                disposable=record_kind.dispose is not None,
                last_decision=decision, holds=holds.get(row.pk, []),
                pending_request=pending.get(row.pk)))
    items.sort(key=lambda item: (item.next_review_on, item.kind, item.reference))
    return items


def due_for_review(*, today: dt.date, kind: str | None = None) -> list[ReviewItem]:
    """The records whose review is due today or was due before, oldest first."""
    return [item for item in review_items(today=today, kind=kind) if item.is_due(today)]


def review_item(*, today: dt.date, kind: str, pk: int) -> ReviewItem | None:
    """One record's review, or None when there is no such record under review."""
    if kind not in RECORD_KINDS:
        return None
    found = review_items(today=today, kind=kind, pks=[pk])
    return found[0] if found else None
