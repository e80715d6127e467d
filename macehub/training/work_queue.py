"""What training puts in people's work queues (see ``macehub.core.work_queue``): for a
training lead, each course the people of their agency must take whose latest record has
expired or expires within ``TRAINING_EXPIRING_DAYS``; for everyone, their own. Soonest
first; only people the policy lets the user keep the training of."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.core.work_queue import HIGH, NORMAL, WorkItem, work_queue_source
from macehub.training import selectors
from macehub.training.models import TrainingRecord

PERSON_RECORD = "accounts.user"


def _items(rows: list[selectors.Expiring], today: dt.date, *, own: bool) -> list[WorkItem]:
    items = []
    for row in rows:
        expired = row.expired(today)
        items.append(WorkItem(
            kind="Training expired" if expired else "Training expiring",
            title=row.course.title if own else f"{row.person.name}: {row.course.title}",
            link=reverse("training:mine") if own else reverse("training:person",
                                                              args=[row.person.pk]),
            action=("Book the course again" if own
                    else "Check it is booked, then record it when done"),
            detail=f"{'Expired' if expired else 'Expires'} {row.expires_on:%d %B %Y}.",
            due_on=row.expires_on, urgency=HIGH if expired else NORMAL,
            tag="Expired" if expired else "", tag_colour="red" if expired else "",
            names_record=None if own else (PERSON_RECORD, row.person.pk)))
    return items


@work_queue_source("training_to_renew", label="Training to renew", order=90,
                   everything="training:expiring")
def training_to_renew(user: User, now: dt.datetime) -> list[WorkItem]:
    """The training lead's: their agency's required training expired or expiring."""
    if not policy.allows(user, Action.TRAINING_RECORD):
        return []
    today = timezone.localdate(now)
    people = policy.scope(user, Action.TRAINING_RECORD, User.objects.all())
    return _items(selectors.expiring(people, today), today, own=False)


@work_queue_source("own_training", label="Your training", order=91)
def own_training(user: User, now: dt.datetime) -> list[WorkItem]:
    """Anyone's own required training expired or expiring (asked only of someone with a
    record expiring by then, so most home pages ask one query)."""
    today = timezone.localdate(now)
    soon = today + dt.timedelta(days=selectors.expiring_days())
    if not TrainingRecord.objects.filter(person_id=user.pk, expires_on__lte=soon).exists():
        return []
    return _items(selectors.expiring(User.objects.filter(pk=user.pk), today), today,
                  own=True)
