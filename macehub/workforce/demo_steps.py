"""The demo's staffing: a year of establishment and posts filled for each hub team, with
known truth a test checks.

- The police hub team (MACE Hub): an establishment of 12 with 9 in post (3 vacancies)
  until two new posts, funded by a PCC exploitation grant, are added in the month six
  months before the demo's day (funded that day); from then on an establishment of 14
  with 11 in post (the new posts filled, the old vacancies still open).
- The children's social care hub team: 6 funded, 5 in post (one vacancy) throughout.
- The health hub team: 3 funded, 3 in post.
- The caseload weighting at its defaults.

Recorded by the police senior leader (their agency's team) and an administrator (the
partners' teams), as of the end of each month. Rows are written directly, as the other
steps write theirs; reset removes every recorded month."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from macehub.demo.progress import Progress
from macehub.demo.registry import DemoContext, demo_step
from macehub.workforce.demand import add_months
from macehub.workforce.models import DEFAULT_WEIGHTS, TeamMonth
from macehub.workforce.services import current_weighting

# After the disruption step (9500): the demand the report reads is all there by then.
WORKFORCE_ORDER = 9750
MONTHS = 12
FUNDED_MONTHS_BEFORE = 6
NEW_POSTS = Decimal(2)
FUNDING = "PCC exploitation grant 2026/27 (synthetic demo)"


@dataclass(frozen=True)
class Staffing:
    team_key: str
    recorded_by: str
    establishment: Decimal
    filled: Decimal
    # With the new posts added (from the month they were funded); None: never added.
    establishment_after: Decimal | None = None
    filled_after: Decimal | None = None


STAFFING = (
    Staffing("police-hub", "senior.police", Decimal(12), Decimal(9),
             Decimal(12) + NEW_POSTS, Decimal(11)),
    Staffing("social-care-hub", "admin.police", Decimal(6), Decimal(5)),
    Staffing("health-hub", "admin.police", Decimal(3), Decimal(3)),
)


def funded_on(as_of: dt.date) -> dt.date:
    """The day the new posts were funded: six months before the demo's day."""
    month = add_months(as_of.replace(day=1), -FUNDED_MONTHS_BEFORE)
    return month.replace(day=min(as_of.day, 28))


def delete_demo_staffing(progress: Progress) -> dict[str, int]:
    deleted, _ = TeamMonth.objects.all().delete()
    return {"team months": deleted}


@demo_step("workforce", order=WORKFORCE_ORDER, reset=delete_demo_staffing,
           description="a year of establishment and posts filled for each hub team (two "
                       "police posts added six months ago) and the caseload weighting")
def demo_staffing(ctx: DemoContext) -> None:
    weighting = current_weighting()
    for kind, weight in DEFAULT_WEIGHTS.items():
        setattr(weighting, kind, weight)
    weighting.save()
    this_month = ctx.as_of.replace(day=1)
    funded = funded_on(ctx.as_of)
    added_in = funded.replace(day=1)
    months = [add_months(this_month, -i) for i in range(MONTHS - 1, -1, -1)]
    rows = []
    for staffing in STAFFING:
        team = ctx.teams.get(staffing.team_key)
        recorder = ctx.users.get(staffing.recorded_by)
        if team is None or recorder is None:
            ctx.progress.write(f"    no {staffing.team_key} team: its months not recorded")
            continue
        for month in months:
            after = staffing.establishment_after is not None and month >= added_in
            recorded_at = min(timezone.make_aware(dt.datetime.combine(
                add_months(month, 1) - dt.timedelta(days=1), dt.time(17))),
                timezone.now())
            rows.append(TeamMonth(
                team=team, month=month,
                establishment=(staffing.establishment_after if after
                               and staffing.establishment_after is not None
                               else staffing.establishment),
                filled=(staffing.filled_after if after and staffing.filled_after is not None
                        else staffing.filled),
                posts_added=NEW_POSTS if after and month == added_in else Decimal(0),
                posts_added_funded_on=funded if after and month == added_in else None,
                posts_added_funding=FUNDING if after and month == added_in else "",
                recorded_by=recorder, recorded_at=recorded_at))
    TeamMonth.objects.bulk_create(rows)
    ctx.count("team months", len(rows))
