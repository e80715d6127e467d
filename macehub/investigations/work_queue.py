"""What investigations put in people's work queues (see ``macehub.core.work_queue``):

- a supervisor's reviews waiting on the investigations they supervise, overdue first
  (never one where they are the officer in the case: someone else signs it);
- for the force's supervisors, new investigations waiting to be allocated;
- an officer's own open lines of enquiry with a due date;
- for the officer in the case, each suspect's bail or release under investigation from
  ``RELEASE_NOTICE_DAYS`` before it expires (and once it has), and each child victim
  with no advocate while the investigation or the prosecution goes on.

Each only on investigations the policy lets the user see."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.cases.models import AdvocateAllocation
from macehub.core.work_queue import (
    HIGH,
    NORMAL,
    Waiting,
    WorkItem,
    WorkSelection,
    is_overdue,
    place_in_queue,
    work_queue_source,
)
from macehub.investigations.codes import (
    EnquiryStatus,
    InvestigationStatus,
    JourneyStepKind,
    JourneyStepStatus,
)
from macehub.investigations.models import (
    Investigation,
    InvestigationVictim,
    LineOfEnquiry,
    SupervisoryReview,
    SuspectRelease,
)

INVESTIGATION_RECORD = "investigations.investigation"
RELEASE_NOTICE_DAYS = 7


def _visible(user: User, action: Action) -> QuerySet[Investigation, int]:
    return policy.scope(user, action, Investigation.objects.all()).values_list(
        "pk", flat=True)


def _name(user: User | None) -> str:
    return user.display_name if user is not None else "none"


@work_queue_source("investigation_reviews", label="Supervisory reviews", order=45,
                   everything="investigations:reviews_due")
def supervisory_reviews(user: User, now: dt.datetime) -> WorkSelection:
    """Reviews waiting on the investigations the user supervises, and investigations of
    their force waiting to be allocated: each drawn only when shown (a national hub's
    supervisor may have hundreds)."""
    reviews = SupervisoryReview.objects.none()
    unallocated = Investigation.objects.none()
    if policy.allows(user, Action.INVESTIGATION_REVIEW):
        reviews = SupervisoryReview.objects.filter(
            reviewed_at__isnull=True, investigation__supervisor=user,
            investigation__in=_visible(user, Action.INVESTIGATION_REVIEW))
    if policy.allows(user, Action.INVESTIGATION_ALLOCATE):
        unallocated = Investigation.objects.filter(
            pk__in=_visible(user, Action.INVESTIGATION_ALLOCATE),
            officer_in_case__isnull=True).exclude(status=InvestigationStatus.CLOSED)
    waiting = [Waiting(place=place_in_queue(now, urgency=HIGH, due_at=due_at),
                       overdue=is_overdue(now, due_at=due_at), key=(REVIEW, pk))
               for pk, due_at in reviews.values_list("pk", "due_at")]
    waiting += [Waiting(place=place_in_queue(now, urgency=HIGH, waiting_since=created_at),
                        overdue=False, key=(TO_ALLOCATE, pk))
                for pk, created_at in unallocated.values_list("pk", "created_at")]

    def draw(keys: list[Any]) -> list[WorkItem | None]:
        drawn_reviews = SupervisoryReview.objects.select_related(
            "investigation", "investigation__officer_in_case").in_bulk(
            [pk for kind, pk in keys if kind == REVIEW])
        drawn_investigations = Investigation.objects.in_bulk(
            [pk for kind, pk in keys if kind == TO_ALLOCATE])
        def drawn(kind: str, pk: int) -> WorkItem | None:
            # None for a review done, or an investigation allocated, since it was read.
            if kind == REVIEW:
                return _review_item(drawn_reviews[pk]) if pk in drawn_reviews else None
            investigation = drawn_investigations.get(pk)
            return _allocation_item(investigation) if investigation is not None else None

        return [drawn(kind, pk) for kind, pk in keys]

    return WorkSelection(waiting=waiting, draw=draw)


REVIEW, TO_ALLOCATE = "review", "allocate"


def _review_item(review: SupervisoryReview) -> WorkItem:
    return WorkItem(
        kind="Supervisory review",
        title=f"{review.investigation.reference}: {review.investigation.title}",
        link=reverse("investigations:sign_review", args=[review.investigation_id, review.pk]),
        action="Sign the review",
        detail=f"{review.get_point_display()}. Officer in the case: "
               f"{_name(review.investigation.officer_in_case)}.",
        due_at=review.due_at, urgency=HIGH,
        names_record=(INVESTIGATION_RECORD, review.investigation_id),
    )


def _allocation_item(investigation: Investigation) -> WorkItem:
    return WorkItem(
        kind="Investigation to allocate",
        title=f"{investigation.reference}: {investigation.title}",
        link=reverse("investigations:allocate", args=[investigation.pk]),
        action="Allocate it", waiting_since=investigation.created_at, urgency=HIGH,
        names_record=(INVESTIGATION_RECORD, investigation.pk),
    )


@work_queue_source("investigation_enquiries", label="Lines of enquiry", order=46,
                   everything="investigations:list")
def lines_of_enquiry(user: User, now: dt.datetime) -> list[WorkItem]:
    """The user's own open lines of enquiry that have a due date."""
    if not policy.allows(user, Action.INVESTIGATION_CHANGE):
        return []
    owned = (LineOfEnquiry.objects
             .filter(owner=user, status=EnquiryStatus.OPEN, due_on__isnull=False,
                     investigation__in=_visible(user, Action.INVESTIGATION_CHANGE))
             .select_related("investigation").order_by("due_on", "pk"))
    return [WorkItem(
        kind="Line of enquiry",
        title=f"{enquiry.investigation.reference}: {enquiry.description[:80]}",
        link=reverse("investigations:finish_enquiry",
                     args=[enquiry.investigation_id, enquiry.pk]),
        action="Record the result", due_on=enquiry.due_on, urgency=NORMAL,
        names_record=(INVESTIGATION_RECORD, enquiry.investigation_id),
    ) for enquiry in owned]


@work_queue_source("investigation_releases", label="Bail and release under investigation",
                   order=47, everything="investigations:releases_expiring")
def releases_expiring(user: User, now: dt.datetime) -> list[WorkItem]:
    """Bail or release under investigation expiring within a week (or expired) on the
    investigations the user is the officer in the case for."""
    if not policy.allows(user, Action.INVESTIGATION_CHANGE):
        return []
    horizon = timezone.localdate(now) + dt.timedelta(days=RELEASE_NOTICE_DAYS)
    releases = (SuspectRelease.objects
                .filter(ended_on__isnull=True, expires_on__lte=horizon,
                        suspect__investigation__officer_in_case=user,
                        suspect__investigation__in=_visible(user,
                                                            Action.INVESTIGATION_CHANGE))
                .select_related("suspect__person", "suspect__investigation")
                .order_by("expires_on", "pk"))
    return [WorkItem(
        kind=release.get_kind_display(),
        title=f"{release.suspect.investigation.reference}: {release.suspect.person.full_name}",
        link=reverse("investigations:detail", args=[release.suspect.investigation_id]),
        action="Extend it, bail again or end it",
        detail=release.conditions, due_on=release.expires_on, urgency=HIGH,
        names_record=(INVESTIGATION_RECORD, release.suspect.investigation_id),
    ) for release in releases]


@work_queue_source("investigation_victims_without_advocate",
                   label="Child victims without an advocate", order=48,
                   everything="investigations:list")
def victims_without_advocate(user: User, now: dt.datetime) -> list[WorkItem]:
    """For the officer in the case: each child victim of their investigations still
    going on (open, or with a court hearing to come) who has no victim advocate now. An
    advocate is meant to stay with the child through court; a child left without one is
    the child most likely to withdraw."""
    if not policy.allows(user, Action.VICTIM_JOURNEY_RECORD):
        return []
    today = timezone.localdate(now)
    going_on = (~Q(investigation__status=InvestigationStatus.CLOSED)
                | Q(steps__kind=JourneyStepKind.COURT_HEARING, steps__on__gte=today,
                    steps__status=JourneyStepStatus.PLANNED))
    advocate_now = AdvocateAllocation.objects.filter(case__child_id=OuterRef("person_id"),
                                                     ended_on__isnull=True)
    victims = (policy.scope(user, Action.VICTIM_JOURNEY_RECORD,
                            InvestigationVictim.objects.all())
               .filter(going_on, investigation__officer_in_case=user)
               .filter(~Exists(advocate_now)).distinct()
               .select_related("person", "investigation")
               .order_by("investigation__created_at", "pk"))
    return [WorkItem(
        kind="Child victim without an advocate",
        title=f"{victim.investigation.reference}: {victim.person.full_name}",
        link=reverse("investigations:victim_journey", args=[victim.pk]),
        action="Ask the hub to allocate a victim advocate",
        waiting_since=victim.investigation.created_at, urgency=NORMAL,
        names_record=(INVESTIGATION_RECORD, victim.investigation_id),
    ) for victim in victims]
