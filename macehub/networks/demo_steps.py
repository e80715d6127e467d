"""The demo's groups: group detection run as the demo's analyst over the intelligence the
demo planted, as ``Run group detection`` does, and most of the groups found decided by
its supervisor, so the group pages, the children's flags and the networks measures have
something to show.

A group is dated as an analyst would have worked it: proposed a few days after the last
report in its evidence arrived, and decided a few days to a few weeks later (never after
the demo's day). Two in three are confirmed, one in six rejected, one in six left waiting
for a decision.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Max
from django.utils import timezone

from macehub.demo.progress import Progress
from macehub.demo.registry import DemoContext, demo_step
from macehub.networks.codes import GroupStatus
from macehub.networks.groups import propose_groups
from macehub.networks.models import Group, GroupEvidence

# After the intelligence and every person (matching runs at 9100).
GROUPS_ORDER = 9200
ANALYST = "analyst.police"
SUPERVISOR = "supervisor.police"
CONFIRM_REASON = ("The evidence shows these suspects sharing vehicles and phones to reach "
                  "the same children; confirmed at the weekly tactical meeting.")
# Of every six groups, in the order found: the second waits for a decision (so the demo's
# supervisor has one to decide), the fifth is rejected, the rest are confirmed.
WAITING, REJECTED = 1, 4
REJECT_REASON = ("The shared vehicle is a taxi firm's car; the suspects are not otherwise "
                 "linked.")


def delete_demo_groups(progress: Progress) -> dict[str, int]:
    deleted, _ = Group.objects.all().delete()
    return {"groups": deleted}


@demo_step("groups", order=GROUPS_ORDER, reset=delete_demo_groups,
           description="group detection as the demo's analyst: possible group-based CSE "
                       "proposed from the planted intelligence, most decided by a supervisor")
def demo_groups(ctx: DemoContext) -> None:
    analyst, supervisor = ctx.users.get(ANALYST), ctx.users.get(SUPERVISOR)
    if analyst is None or supervisor is None:
        ctx.progress.write("    no demo analyst or supervisor: no groups")
        return
    found = propose_groups(actor=analyst)
    latest = dict(GroupEvidence.objects.filter(group__in=found).values("group_id").annotate(
        last=Max("report__received_at")).values_list("group_id", "last"))
    now = timezone.now()
    decided = 0
    for number, group in enumerate(sorted(found, key=lambda group: group.pk)):
        proposed_at = min(now, (latest.get(group.pk) or now)
                          + dt.timedelta(days=ctx.rng.randint(1, 6), hours=ctx.rng.randint(0, 8)))
        changes = {"proposed_at": proposed_at}
        outcome = number % 6
        if outcome != WAITING:
            status = GroupStatus.REJECTED if outcome == REJECTED else GroupStatus.CONFIRMED
            changes.update(
                status=status, decided_by=supervisor,
                decided_at=min(now, proposed_at + dt.timedelta(
                    days=ctx.rng.randint(2, 20), hours=ctx.rng.randint(0, 8))),
                reason=REJECT_REASON if status == GroupStatus.REJECTED else CONFIRM_REASON,
                name=f"Group {group.reference}" if status == GroupStatus.CONFIRMED
                else group.name)
            decided += 1
        Group.objects.filter(pk=group.pk).update(**changes)
    ctx.count("groups", len(found))
    ctx.progress.write(f"    {len(found)} groups proposed, {decided} decided")
