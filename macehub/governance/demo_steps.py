"""The demo's retention review. The demo's records are at most a few years old (the
historic 5x5x5 reports up to 8), so few would be due under their rules on the demo's
day; and the other steps' records are not moved in time, since their tests hold them
to their year. Instead this step plants the history of earlier reviews: two
intelligence reports of MoPI group 3 and two referrals that led to no case were kept at
an earlier review (months ago, on a trigger) with a next review that fell due in the
last fortnight, so they are in the queue with any historic report past its clear
period. Then one decision to keep (a report, yesterday), one disposal asked for by the
information governance officer and waiting for a second officer's approval, and one
legal hold naming a report and a referral.

The step writes only governance's own rows; its reset deletes them."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from macehub.demo.progress import Progress
from macehub.demo.registry import DemoContext, demo_step
from macehub.governance.models import (
    DisposalRequest,
    DisposalTombstone,
    HeldRecord,
    LegalHold,
    RetentionDecision,
)
from macehub.governance.retention import ReviewItem, add_years, review_items

# After every step that makes records.
RETENTION_ORDER = 9850
OFFICER = "ig.police"
HOLD_NAME = "Operation Harbour inquiry"
MIN_AGE_DAYS = 30
EARLIER_REASONS = (
    "Reviewed early when the source was re-graded: still relevant, look again next year "
    "(synthetic).",
    "Reviewed early after a related arrest: keep until the investigation ends "
    "(synthetic).",
)


def delete_demo_retention(progress: Progress) -> dict[str, int]:
    return {
        "disposal tombstones": DisposalTombstone.objects.all().delete()[0],
        "disposal requests": DisposalRequest.objects.all().delete()[0],
        "retention decisions": RetentionDecision.objects.all().delete()[0],
        "legal holds": LegalHold.objects.all().delete()[0],
    }


def _pick(items: list[ReviewItem], count: int, ctx: DemoContext) -> list[ReviewItem]:
    ordered = sorted(items, key=lambda item: item.reference)
    return sorted(ctx.rng.sample(ordered, min(count, len(ordered))),
                  key=lambda item: item.reference)


@demo_step("retention", order=RETENTION_ORDER, reset=delete_demo_retention,
           description="records due for retention review after earlier reviews, a decision "
                       "to keep one, a disposal waiting for approval and a legal hold")
def demo_retention(ctx: DemoContext) -> None:
    officer = ctx.users.get(OFFICER)
    if officer is None:
        ctx.progress.write("    no demo information governance officer: no retention review")
        return
    rng, now = ctx.rng, timezone.now()
    today = timezone.localdate(now)
    # Records at least a month old: the earlier review came after the record's date.
    items = [item for item in review_items(today=today)
             if (today - item.row.clock_starts_on).days >= MIN_AGE_DAYS]
    reports = _pick([item for item in items if item.kind == "intelligence_report"
                     and item.rule.code == "mopi-group-3" and not item.is_due(today)], 3, ctx)
    referrals = _pick([item for item in items if item.kind == "referral"
                       and not item.is_due(today)], 2, ctx)
    earlier = [*reports, *referrals]
    RetentionDecision.objects.bulk_create(
        RetentionDecision(
            record_kind=item.kind, record_id=item.pk, rule=item.rule,
            reason=EARLIER_REASONS[n % len(EARLIER_REASONS)],
            next_review_on=today - dt.timedelta(days=rng.randint(1, 14)), decided_by=officer,
            decided_at=now - dt.timedelta(days=rng.randint(
                15, min(330, (today - item.row.clock_starts_on).days - 1))))
        for n, item in enumerate(earlier))
    if len(reports) == 3:
        kept, asked, held = reports
        RetentionDecision.objects.create(
            record_kind=kept.kind, record_id=kept.pk, rule=kept.rule,
            reason="The suspect named is still active in the area (synthetic).",
            next_review_on=add_years(today, 2), decided_by=officer,
            decided_at=now - dt.timedelta(days=1))
        DisposalRequest.objects.create(
            record_kind=asked.kind, record_id=asked.pk, reference=asked.reference,
            rule=asked.rule,
            reason="Nothing has linked to it since, and the people it names are not known "
                   "to any agency now (synthetic).",
            requested_by=officer, requested_at=now - dt.timedelta(hours=20))
        hold = LegalHold.objects.create(
            name=HOLD_NAME, reason="The inquiry has asked for every record about "
                                   "exploitation at the bus station (synthetic).",
            placed_by=officer, placed_on=today - dt.timedelta(days=14))
        HeldRecord.objects.bulk_create(
            HeldRecord(hold=hold, record_kind=item.kind, record_id=item.pk)
            for item in [held, *referrals[:1]])
        ctx.count("disposal requests", 1)
        ctx.count("legal holds", 1)
    ctx.count("retention decisions", RetentionDecision.objects.count())
    ctx.results["governance.retention"] = {
        "earlier": [(item.kind, item.pk) for item in earlier]}
