"""The demo's weekly tactical meetings: 52, one a week over the year before the demo's
day, chaired by the demo's chair (``chair.police``), with known truth for the measures:

- attendance by agency: police and children's social care nearly always there (present,
  now and then a deputy), health and education less often (deputies and apologies);
- each agenda written by the registered agenda sources from the demo's data as it stood
  on the meeting's day (children newly at High risk, children missing often, groups,
  new intelligence, overdue reviews, old exhibits, and the actions reported back);
- for each item a discussion and a decision; about half the items an action for one of
  the standing agencies' hub staff, due one to three weeks on: most done by their due
  date, some done late, a few dropped, and some still open past their due date;
- every meeting's minutes approved by the chair the day after, except the last.

Rows are written directly, dated as the meetings happened (never after the demo's day).
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from macehub.accounts.models import Agency, User
from macehub.demo.accounts import CHILDRENS_SERVICES, EDUCATION, HEALTH, POLICE
from macehub.demo.progress import Progress
from macehub.demo.registry import DemoContext, demo_step
from macehub.meetings.codes import ActionStatus, AttendanceStatus, SeriesKind
from macehub.meetings.models import (
    AgendaItem,
    Attendance,
    Meeting,
    MeetingAction,
    MeetingSeries,
)
from macehub.meetings.services import write_agenda

# After forensics (9400): the agendas read every app's data.
MEETINGS_ORDER = 9500
CHAIR = "chair.police"
WEEKS = 52
SERIES_NAME = "Northshire MACE weekly tactical meeting"
# (present, deputy, apologies) chances for each standing agency; the rest absent.
ATTENDANCE = {POLICE: (0.92, 0.07, 0.01), CHILDRENS_SERVICES: (0.9, 0.08, 0.02),
              HEALTH: (0.55, 0.2, 0.2), EDUCATION: (0.45, 0.2, 0.25)}
DISCUSSIONS = ("Partners shared what they know; the risk is rising.",
               "Plan reviewed; the child is engaging with their advocate.",
               "Intelligence discussed; the locations match earlier reports.",
               "Progress noted since the last meeting.")
DECISIONS = ("Keep under review at the next meeting.", "Refer for a strategy meeting.",
             "Disruption plan to be drawn up by police.", "No further action by the hub.")
ACTIONS = ("Arrange a strategy meeting", "Visit the premises with licensing",
           "Share the safety plan with the school", "Request a return home interview",
           "Update the intelligence picture")


def delete_demo_meetings(progress: Progress) -> dict[str, int]:
    actions, _ = MeetingAction.objects.all().delete()
    items, _ = AgendaItem.objects.all().delete()
    Attendance.objects.all().delete()
    meetings, _ = Meeting.objects.all().delete()
    MeetingSeries.objects.all().delete()
    return {"meeting actions": actions, "agenda items": items, "meetings": meetings}


def _owners(ctx: DemoContext, agencies: list[Agency]) -> dict[int, list[User]]:
    owners: dict[int, list[User]] = {agency.pk: [] for agency in agencies}
    for username in sorted(ctx.users):
        user = ctx.users[username]
        if user.agency_id in owners and not username.startswith(("scrutiny", "admin")):
            owners[user.agency_id].append(user)
    return owners


@demo_step("meetings", order=MEETINGS_ORDER, reset=delete_demo_meetings,
           description="52 weekly tactical meetings over the year: attendance by agency, "
                       "agendas written from the demo's data, decisions and actions")
def demo_meetings(ctx: DemoContext) -> None:
    chair = ctx.users.get(CHAIR)
    agencies = [ctx.agencies[code] for code in ATTENDANCE if code in ctx.agencies]
    if chair is None or not agencies:
        ctx.progress.write("    no demo chair or agencies: no meetings")
        return
    rng, now = ctx.rng, timezone.now()
    today = timezone.localdate(now)
    series = MeetingSeries.objects.create(name=SERIES_NAME, kind=SeriesKind.WEEKLY_TACTICAL,
                                          created_by=chair,
                                          created_at=now - dt.timedelta(days=7 * WEEKS + 7))
    series.standing_agencies.set(agencies)
    owners = _owners(ctx, agencies)
    codes = {agency.pk: code for code, agency in ctx.agencies.items()}
    actions_made = 0
    for week in range(WEEKS, 0, -1):
        held_on = today - dt.timedelta(days=7 * week)
        held_at = timezone.make_aware(dt.datetime.combine(held_on, dt.time(10)))
        meeting = Meeting.objects.create(
            reference=f"MTG-{held_on.year}-{WEEKS - week + 1:06d}", series=series,
            held_on=held_on, chair=chair, created_by=chair,
            created_at=held_at - dt.timedelta(days=6))
        context, items = write_agenda(meeting, now=held_at - dt.timedelta(hours=2))
        meeting.agenda_prepared_at = context.until
        for agency in agencies:
            present, deputy, apologies = ATTENDANCE[codes[agency.pk]]
            roll = rng.random()
            status = (AttendanceStatus.PRESENT if roll < present
                      else AttendanceStatus.DEPUTY if roll < present + deputy
                      else AttendanceStatus.APOLOGIES if roll < present + deputy + apologies
                      else AttendanceStatus.ABSENT)
            Attendance.objects.create(
                meeting=meeting, agency=agency, status=status,
                attendee="Deputy safeguarding lead" if status == AttendanceStatus.DEPUTY
                else "")
        for item in items:
            item.summary = rng.choice(DISCUSSIONS)
            item.decision = rng.choice(DECISIONS)
            item.save(update_fields=["summary", "decision"])
            if item.source == "actions" or rng.random() >= 0.5:
                continue
            agency = rng.choice(agencies)
            owner = rng.choice(owners[agency.pk] or [chair])
            due_on = held_on + dt.timedelta(days=rng.randint(7, 21))
            action = MeetingAction(
                reference=f"ACT-{held_on.year}-{0:06d}", item=item,
                description=rng.choice(ACTIONS), owner=owner, agency=agency, due_on=due_on,
                created_by=chair, created_at=held_at + dt.timedelta(hours=1))
            _work(action, rng, today, held_on)
            actions_made += 1
            action.reference = f"ACT-{held_on.year}-{actions_made:06d}"
            action.save()
        if week > 1:
            meeting.minutes_approved_at = held_at + dt.timedelta(days=1)
            meeting.minutes_approved_by = chair
        meeting.save()
    ctx.count("meetings", WEEKS)
    ctx.count("meeting actions", actions_made)
    ctx.progress.write(f"    {WEEKS} weekly tactical meetings, {actions_made} actions")


def _work(action: MeetingAction, rng: random.Random, today: dt.date, held_on: dt.date
          ) -> None:
    """Where the action stands on the demo's day: most done by their due date, some
    late, a few dropped, some still open (overdue once their due date has passed)."""
    roll = rng.random()
    if roll < 0.72:
        done = action.due_on - dt.timedelta(days=rng.randint(0, 6))
    elif roll < 0.84:
        done = action.due_on + dt.timedelta(days=rng.randint(1, 14))
    elif roll < 0.9:
        dropped = held_on + dt.timedelta(days=rng.randint(1, 7))
        if dropped <= today:
            action.status = ActionStatus.DROPPED
            action.status_changed_at = timezone.make_aware(
                dt.datetime.combine(dropped, dt.time(12)))
        return
    else:
        return  # still open
    done = max(done, held_on)
    if done <= today:
        action.status, action.completed_on = ActionStatus.DONE, done
        action.status_changed_at = timezone.make_aware(dt.datetime.combine(done, dt.time(15)))
