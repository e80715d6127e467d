"""The demo's retention review: a few old intelligence reports (one naming a child at
risk, so MoPI group 1; two of group 3) and two referrals that led to no case, dated so
that each is due for review on the demo's day (the referrals are copies of recent ones
moved back 7 years, the reports are written as the intelligence step writes its
historic ones); then one decision to keep (the group 1 report), one disposal asked for
by the information governance officer and waiting for a second officer's approval, and
one legal hold naming a report and a referral.

The reports and referrals go with the intelligence and referrals steps' resets (they
are owned by the demo's hub team and referrers); this step's reset deletes its own
decisions, requests and holds."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone

from macehub.core.references import next_reference
from macehub.demo.progress import Progress
from macehub.demo.registry import DemoContext, demo_step
from macehub.governance.models import (
    DisposalRequest,
    DisposalTombstone,
    HeldRecord,
    LegalHold,
    RetentionDecision,
)
from macehub.governance.retention import add_years, review_item
from macehub.intelligence.codes import EntityRole, HandlingCode, ReportStatus
from macehub.intelligence.models import IntelligenceReport, ReportLink
from macehub.referrals.models import Referral

# After every step that makes records.
RETENTION_ORDER = 9850
OFFICER = "ig.police"
HOLD_NAME = "Operation Harbour inquiry"
# Years before the demo's day each old report was received, and whether it names a child.
OLD_REPORTS = ((11, True), (8, False), (7, False))
REFERRAL_YEARS_BACK = 7


def delete_demo_retention(progress: Progress) -> dict[str, int]:
    return {
        "disposal tombstones": DisposalTombstone.objects.all().delete()[0],
        "disposal requests": DisposalRequest.objects.all().delete()[0],
        "retention decisions": RetentionDecision.objects.all().delete()[0],
        "legal holds": LegalHold.objects.all().delete()[0],
    }


def _old_reports(ctx: DemoContext, now: dt.datetime) -> list[IntelligenceReport]:
    rng, team, analyst = ctx.rng, ctx.teams["police-hub"], ctx.users["analyst.police"]
    children = sorted(ctx.child_ids)
    reports = []
    for years, names_child in OLD_REPORTS:
        received_at = (now.replace(year=now.year - years)
                       - dt.timedelta(days=rng.randint(5, 60), hours=rng.randint(0, 8)))
        report = IntelligenceReport.objects.create(
            reference=next_reference(IntelligenceReport, kind="INT",
                                     year=timezone.localtime(received_at).year),
            owning_team=team, created_by=analyst, received_at=received_at,
            source_text="Historic intelligence: a girl seen getting into cars at the bus "
                        "station late at night (synthetic).",
            sanitised_text="Historic intelligence about exploitation near the bus station.",
            handling_code=HandlingCode.PERMITTED, status=ReportStatus.HISTORIC)
        if names_child and children:
            ReportLink.objects.create(report=report, role=EntityRole.VICTIM,
                                      person_id=rng.choice(children))
        reports.append(report)
    return reports


def _old_referrals(ctx: DemoContext) -> list[Referral]:
    """Copies of two recent referrals that led to no case, moved back in time."""
    recent = list(Referral.objects.filter(case__isnull=True, decided_at__isnull=False)
                  .order_by("pk")[:20])
    chosen = ctx.rng.sample(recent, min(2, len(recent)))
    moved = []
    for referral in sorted(chosen, key=lambda found: found.pk):
        shift = referral.received_at - referral.received_at.replace(
            year=referral.received_at.year - REFERRAL_YEARS_BACK)
        referral.pk = None
        for field in Referral._meta.concrete_fields:
            value = getattr(referral, field.attname)
            if isinstance(field, models.DateTimeField) and value is not None:
                setattr(referral, field.attname, value - shift)
        referral.reference = next_reference(
            Referral, kind="REF", year=timezone.localtime(referral.received_at).year)
        referral.save(force_insert=True)
        moved.append(referral)
    return moved


@demo_step("retention", order=RETENTION_ORDER, reset=delete_demo_retention,
           description="old reports and referrals due for retention review, a decision to "
                       "keep one, a disposal waiting for approval and a legal hold")
def demo_retention(ctx: DemoContext) -> None:
    officer = ctx.users.get(OFFICER)
    if officer is None or "analyst.police" not in ctx.users:
        ctx.progress.write("    no demo information governance officer: no retention review")
        return
    now = timezone.now()
    today = timezone.localdate(now)
    child_report, held_report, asked_report = _old_reports(ctx, now)
    referrals = _old_referrals(ctx)
    kept = review_item(today=today, kind="intelligence_report", pk=child_report.pk)
    asked = review_item(today=today, kind="intelligence_report", pk=asked_report.pk)
    if kept is None or asked is None:
        return
    RetentionDecision.objects.create(
        record_kind="intelligence_report", record_id=child_report.pk, rule=kept.rule,
        reason="The child named is now an adult; the suspect named is still active in "
               "the area (synthetic).",
        next_review_on=add_years(today, 2), decided_by=officer,
        decided_at=now - dt.timedelta(days=3))
    DisposalRequest.objects.create(
        record_kind="intelligence_report", record_id=asked_report.pk,
        reference=asked_report.reference, rule=asked.rule,
        reason="Past its clear period, not graded, and nothing has linked to it since "
               "(synthetic).",
        requested_by=officer, requested_at=now - dt.timedelta(days=1))
    hold = LegalHold.objects.create(
        name=HOLD_NAME, reason="The inquiry has asked for every record about exploitation "
                               "at the bus station (synthetic).",
        placed_by=officer, placed_on=today - dt.timedelta(days=14))
    HeldRecord.objects.create(hold=hold, record_kind="intelligence_report",
                              record_id=held_report.pk)
    for referral in referrals[:1]:
        HeldRecord.objects.create(hold=hold, record_kind="referral", record_id=referral.pk)
    ctx.count("old records for retention review", 3 + len(referrals))
    ctx.count("retention decisions", 1)
    ctx.count("disposal requests", 1)
    ctx.count("legal holds", 1)
    ctx.results["governance.retention"] = {
        "kept": child_report.pk, "asked": asked_report.pk, "held": held_report.pk,
        "referrals": [referral.pk for referral in referrals]}
