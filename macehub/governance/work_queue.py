"""What information governance puts in its work queue (see ``macehub.core.work_queue``):
each sharing agreement in force whose review date falls within the next
``REVIEW_WARNING_DAYS`` days or has passed, the most overdue first."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from macehub.accounts.models import User
from macehub.core.work_queue import WorkItem, work_queue_source
from macehub.governance.sharing_selectors import agreements_to_review


@work_queue_source("sharing_agreement_reviews", label="Sharing agreements to review",
                   order=96, everything="audit:agreements")
def sharing_agreement_reviews(user: User, now: dt.datetime) -> list[WorkItem]:
    return [
        WorkItem(kind="Sharing agreement review", title=f"{agreement.reference} {agreement.title}",
                 link=reverse("audit:agreement_change", args=[agreement.pk]),
                 action="Review the agreement", due_on=agreement.review_on)
        for agreement in agreements_to_review(user, timezone.localdate(now))
    ]
