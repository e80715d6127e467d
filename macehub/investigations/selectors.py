"""Reading investigations, always through the access policy: the list a user may see,
one investigation with what its page shows, and the supervisory reviews waiting."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Min, Prefetch, Q, QuerySet
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.investigations.models import (
    Investigation,
    InvestigationSuspect,
    InvestigationVictim,
    LineOfEnquiry,
    SupervisoryReview,
    SuspectRelease,
)
from macehub.networks.codes import GroupStatus, MemberPart
from macehub.networks.models import Group, GroupMember


def investigations_for(user: User) -> QuerySet[Investigation]:
    """The investigations the user may see."""
    return policy.scope(user, Action.INVESTIGATION_VIEW, Investigation.objects.all())


def investigation_list(user: User) -> QuerySet[Investigation]:
    """The investigations the user may see as a list shows them: each with its officer,
    supervisor and team, and the due time of its next review."""
    return investigations_for(user).select_related(
        "officer_in_case", "supervisor", "team",
    ).annotate(next_review_due=Min("reviews__due_at",
                                   filter=Q(reviews__reviewed_at__isnull=True)))


def investigation_for(user: User, pk: int, action: Action = Action.INVESTIGATION_VIEW,
                      ) -> Investigation:
    """One investigation (404 if the user may not know it exists, 403 if they may see it
    but not take ``action``), with what its page shows."""
    return policy.get_or_404(user, action, Investigation.objects.select_related(
        "officer_in_case", "supervisor", "team", "owning_agency", "created_by",
    ).prefetch_related(
        "crimes",
        Prefetch("victims", InvestigationVictim.objects.select_related("person", "case")),
        Prefetch("suspects", InvestigationSuspect.objects.select_related("person")
                 .prefetch_related(Prefetch("releases",
                                            SuspectRelease.objects.select_related(
                                                "recorded_by")))),
        Prefetch("enquiries", LineOfEnquiry.objects.select_related("owner")),
        Prefetch("reviews", SupervisoryReview.objects.select_related("reviewer")),
    ), pk=pk)


def reviews_waiting(user: User) -> QuerySet[SupervisoryReview]:
    """Reviews not yet signed, on investigations the user may see, the most overdue first."""
    visible = investigations_for(user).values("pk")
    return (SupervisoryReview.objects.filter(reviewed_at__isnull=True,
                                             investigation__in=visible)
            .select_related("investigation", "investigation__supervisor",
                            "investigation__officer_in_case", "investigation__team")
            .order_by("due_at", "pk"))


def is_overdue(review: SupervisoryReview) -> bool:
    return not review.is_done and review.due_at < timezone.now()


def releases_open(user: User) -> QuerySet[SuspectRelease]:
    """Suspects on bail or released under investigation now, on investigations the user
    may see, the soonest to expire (or the longest expired) first."""
    visible = investigations_for(user).values("pk")
    return (SuspectRelease.objects.filter(ended_on__isnull=True,
                                          suspect__investigation__in=visible)
            .select_related("suspect__person", "suspect__investigation",
                            "suspect__investigation__officer_in_case")
            .order_by("expires_on", "pk"))


def cases_shown(user: User, investigation: Investigation) -> set[int]:
    """Of the victims' cases, those the user may open: a case they may not know exists is
    not named on the investigation either (one query, none when there is no case)."""
    cases = [victim.case for victim in investigation.victims.all() if victim.case is not None]
    return policy.can_each(user, Action.CASE_VIEW, cases)


def force_staff(investigation: Investigation, roles: Iterable[str]) -> QuerySet[User]:
    """Active staff of the investigation's force holding one of ``roles``: who may be
    allocated to it or own its lines of enquiry."""
    return (User.objects.filter(is_active=True, agency_id=investigation.owning_agency_id,
                                role_assignments__role__in=list(roles))
            .distinct().order_by("last_name", "first_name", "username"))


def suspects_groups(user: User, investigation: Investigation) -> dict[int, list[Group]]:
    """For each suspect of the investigation (by person), the confirmed offender groups
    the user may see that name them as a suspect: what links this investigation to
    group-based exploitation."""
    if not policy.allows(user, Action.GROUP_VIEW):
        return {}
    confirmed = policy.scope(user, Action.GROUP_VIEW,
                             Group.objects.filter(status=GroupStatus.CONFIRMED))
    found: dict[int, list[Group]] = {}
    for member in GroupMember.objects.filter(
            group__in=confirmed, part=MemberPart.SUSPECT,
            person_id__in=investigation.suspects.values("person_id")).select_related(
            "group").order_by("group__reference"):
        found.setdefault(member.person_id, []).append(member.group)
    return found
