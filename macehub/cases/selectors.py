"""Reading child safeguarding cases: every query starts from the cases the access policy
lets the user see, so nothing here can return a case the user may not know exists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models import (
    Case as SqlCase,
)
from django.db.models.functions import Coalesce, TruncDate
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import Agency, User
from macehub.accounts.roles import Role
from macehub.audit.events import RECORD_ACCESS_TYPES
from macehub.audit.models import AuditEvent
from macehub.audit.services import record_type_of
from macehub.cases.codes import (
    RISK_TIER_RANK,
    CaseStatus,
    DecisionStatus,
    MissingEpisodeState,
    PlanItemStatus,
    RiskTier,
    SeenAnswer,
    tier_rank,
)
from macehub.cases.models import (
    AdvocateAllocation,
    Case,
    CaseAllocation,
    CaseDecisionRequest,
    CaseOutcome,
    CaseShare,
    Contact,
    MissingEpisode,
    NrmReferral,
    PlanItem,
    ReferralJoined,
    RiskAssessment,
    RiskAssessmentRating,
    RiskTierChange,
    return_interview_window,
)
from macehub.cases.reviews import review_due_on, review_intervals
from macehub.days import day_starts, on_days
from macehub.people.areas import area_filter_choices, people_living_in
from macehub.people.identity import (
    CaseIdentity,
    ChildIdentity,
    current_addresses,
    current_area,
    identity_flags,
)
from macehub.people.models import Person

CASES_PER_PAGE = 25


def cases_for(user: User, action: Action = Action.CASE_VIEW) -> QuerySet[Case]:
    return policy.scope(user, action, Case.objects.all())


def case_queryset(*, full: bool = False, overview: bool = False) -> QuerySet[Case]:
    """Cases with what a case page shows fetched with them; ``full`` prefetches every
    section, ``overview`` what the overview shows (not the contacts, workers and shares:
    ``case_overview(..., contacts=False)``). Fetch one only through the policy
    (``case_for`` or ``access.opening``)."""
    queryset = Case.objects.select_related(
        "child", "lead_agency", "key_worker", "opened_by", "closed_by"
    )
    if full or overview:
        # The child's area as the identity bar names it (``people.identity.current_area``:
        # the current address's area, or its town), fetched with the case.
        queryset = queryset.annotate(child_area=Subquery(
            current_addresses("child_id").annotate(named=Coalesce("area__name", "town"))
            .values("named")[:1]))
        queryset = queryset.prefetch_related(
            Prefetch("tier_history", queryset=RiskTierChange.objects.select_related("changed_by")),
            Prefetch("advocacy", queryset=AdvocateAllocation.objects.select_related(
                "advocate", "advocate__agency", "allocated_by")),
            # Who added and finished each item: the chronology's (a full page), not the
            # overview's plan table.
            Prefetch("plan_items", queryset=PlanItem.objects.select_related(
                "owner", "owner_agency", *(("created_by", "completed_by") if full else ()))),
            Prefetch("outcomes", queryset=CaseOutcome.objects.select_related("recorded_by")),
            Prefetch("nrm_referrals", queryset=NrmReferral.objects.select_related("recorded_by")),
            # The overview shows the latest assessment, not its ratings.
            Prefetch("risk_assessments", queryset=risk_assessment_queryset() if full
                     else RiskAssessment.objects.select_related("assessed_by")),
        )
    if full:
        queryset = queryset.prefetch_related(
            Prefetch("allocations", queryset=CaseAllocation.objects.select_related(
                "user", "user__agency", "allocated_by").order_by("allocated_at", "pk")),
            Prefetch("shares", queryset=CaseShare.objects.select_related(
                "agency", "shared_by").order_by("shared_at", "pk")),
            Prefetch("contacts", queryset=contact_queryset()),
        )
    return queryset


def risk_assessment_queryset() -> QuerySet[RiskAssessment]:
    """Risk assessments, newest first, with their ratings and assessor."""
    return RiskAssessment.objects.select_related("assessed_by", "assessed_by__agency") \
        .prefetch_related(Prefetch("ratings", queryset=RiskAssessmentRating.objects.all()))


def case_for(user: User, case_pk: int, action: Action = Action.CASE_VIEW, *,
             full: bool = False) -> Case:
    """One case for an action: 404 if the user may not know it exists, 403 if they may
    see it but not take the action. ``full`` prefetches everything the case pages show."""
    return policy.get_or_404(user, action, case_queryset(full=full), pk=case_pk)


def other_cases_of_child(user: User, case: Case) -> list[Case]:
    """The child's other cases this user may see (their events share one chronology)."""
    return list(
        cases_for(user).filter(child_id=case.child_id).exclude(pk=case.pk).order_by("opened_at")
    )


# --- Contacts: a victim advocate's notes stay with the advocacy service ---------------


def contact_queryset() -> QuerySet[Contact]:
    return Contact.objects.select_related("recorded_by", "advocacy_service")


@dataclass(frozen=True)
class ContactView:
    """A contact as one viewer may read it. Everyone who sees the case sees that a
    contact happened: when, what kind, who recorded it and, for a victim advocate's, which
    advocacy service. Who it was with and what was said (the notes) of an advocate's
    contact only those the policy lets read advocacy notes see."""

    contact: Contact
    notes_shown: bool

    @property
    def is_advocacy(self) -> bool:
        return self.contact.confidential_to_advocacy

    @property
    def with_whom(self) -> str:
        return self.contact.with_whom if self.notes_shown else ""

    @property
    def summary(self) -> str:
        return self.contact.summary if self.notes_shown else ""

    @property
    def child_words(self) -> str:
        """The voice of the child: an advocate's record of it stays with their service."""
        return self.contact.child_words if self.notes_shown else ""

    @property
    def child_seen(self) -> str:
        return self.contact.child_seen_text if self.notes_shown else ""

    @property
    def child_seen_alone(self) -> str:
        return self.contact.child_seen_alone_text if self.notes_shown else ""

    @property
    def advocacy_service_name(self) -> str:
        service = self.contact.advocacy_service
        return service.name if service is not None else ""


def readable_advocacy_notes(user: User, contacts: list[Contact]) -> set[int]:
    """Of these contacts, the advocates' ones whose notes the user may read (one query)."""
    confidential = [contact.pk for contact in contacts if contact.confidential_to_advocacy]
    if not confidential:
        return set()
    return set(policy.scope(
        user, Action.CASE_READ_ADVOCACY_NOTES, Contact.objects.filter(pk__in=confidential)
    ).values_list("pk", flat=True))


def contact_views(user: User, contacts: Iterable[Contact]) -> list[ContactView]:
    """Contacts of a case the user may see, each with its notes shown or withheld."""
    rows = list(contacts)
    readable = readable_advocacy_notes(user, rows)
    return [ContactView(contact, notes_shown=not contact.confidential_to_advocacy
                        or contact.pk in readable) for contact in rows]


# --- The case list -------------------------------------------------------------------


class CaseSort:
    """The columns a case list can be sorted by, and the default."""

    CHILD = "child"
    TIER = "tier"
    OPENED = "opened"
    LAST_CONTACT = "last_contact"
    NEXT_DUE = "next_due"
    ALL = (CHILD, TIER, OPENED, LAST_CONTACT, NEXT_DUE)
    DEFAULT = TIER


class MissingWhen:
    """Which moment of a missing episode a case list's missing dates are about."""

    WENT_MISSING = "went_missing"
    CAME_BACK = "came_back"
    FIELDS = {WENT_MISSING: "went_missing_at", CAME_BACK: "returned_at"}


@dataclass(frozen=True)
class CaseFilters:
    status: str = CaseStatus.OPEN  # "" for every case
    risk_tier: str = ""
    lead_agency_id: int | None = None
    key_worker_id: int | None = None
    overdue_only: bool = False
    area_code: str = ""
    # Cases open at the end of this day: opened before it ended and not closed by then.
    open_on: dt.date | None = None
    # Cases with a missing episode that began (or ended) on a day in this range.
    missing: str = ""
    missing_from: dt.date | None = None
    missing_to: dt.date | None = None
    # Only the cases the user holds: as key worker, or as the child's current advocate.
    mine: bool = False
    sort: str = CaseSort.DEFAULT
    descending: bool = True


def open_at_end_of(day: dt.date) -> Q:
    """Cases open at the end of the day: opened before it ended, not closed by then."""
    end = day_starts(day + dt.timedelta(days=1))
    return Q(opened_at__lt=end) & (Q(closed_at__isnull=True) | Q(closed_at__gte=end))


def missing_between(
    missing: str, first: dt.date | None, last: dt.date | None
) -> QuerySet[MissingEpisode]:
    """Missing episodes that began (or ended) on a day from ``first`` to ``last``."""
    return MissingEpisode.objects.filter(on_days(MissingWhen.FIELDS[missing], first, last))


def overdue_plan_items(today: dt.date) -> QuerySet[PlanItem]:
    return PlanItem.objects.filter(status=PlanItemStatus.OPEN, due_on__lt=today)


def overdue_return_interviews(now: dt.datetime) -> QuerySet[MissingEpisode]:
    """Episodes whose return home interview was not offered within its time (a declined
    interview was offered: it is never overdue)."""
    return MissingEpisode.objects.filter(
        returned_at__isnull=False,
        returned_at__lt=now - return_interview_window(),
        interview_offered_at__isnull=True,
    )


def visible_episodes(user: User, child_id: int, *, opened_case_pk: int | None = None
                     ) -> QuerySet[MissingEpisode]:
    """The child's missing episodes, with or without a case, as a page about the child
    shows them: all of them, less those recorded with a restricted case the user does not
    work on (unless it is the case they have opened, giving their reason), whose
    restriction guards them. The caller has checked the user may see the child."""
    guarded = Case.objects.filter(child_id=child_id).filter(policy.reason_required(user))
    if opened_case_pk is not None:
        guarded = guarded.exclude(pk=opened_case_pk)
    return MissingEpisode.objects.filter(child_id=child_id).exclude(case__in=guarded)


def episode_views(episodes: QuerySet[MissingEpisode] | list[MissingEpisode],
                  now: dt.datetime) -> list[EpisodeView]:
    """Each episode with where it stands against the return home interview clock (a
    list given is fetched already, with who recorded it and its case)."""
    views = []
    if isinstance(episodes, QuerySet):
        episodes = episodes.select_related("recorded_by", "case")
    for episode in episodes:
        hours = (
            (episode.returned_at - episode.went_missing_at).total_seconds() / 3600
            if episode.returned_at else None
        )
        views.append(EpisodeView(
            episode=episode, state=episode.state(now),
            interview_due_at=episode.return_interview_due_at, hours_missing=hours,
        ))
    return views


@dataclass(frozen=True)
class EpisodeFilters:
    """A list of missing episodes: those that began (or ended) in the missing dates, of
    children living in an area, recorded with a case led by an agency."""

    missing: str = ""
    missing_from: dt.date | None = None
    missing_to: dt.date | None = None
    area_code: str = ""
    lead_agency_id: int | None = None


def episodes_for(user: User) -> QuerySet[MissingEpisode]:
    """Every missing episode of the children the user may see, with or without a case,
    less those recorded with a restricted case the user does not work on."""
    if not policy.allows(user, Action.MISSING_EPISODE_LIST):
        return MissingEpisode.objects.none()
    guarded = Case.objects.filter(policy.reason_required(user))
    return MissingEpisode.objects.filter(policy.people_named(user, "child")).exclude(
        case__in=guarded)


def episode_list(user: User, filters: EpisodeFilters) -> QuerySet[MissingEpisode]:
    episodes = episodes_for(user)
    if filters.missing in MissingWhen.FIELDS:
        episodes = episodes.filter(on_days(MissingWhen.FIELDS[filters.missing],
                                           filters.missing_from, filters.missing_to))
    if filters.area_code:
        episodes = episodes.filter(child_id__in=people_living_in(filters.area_code))
    if filters.lead_agency_id:
        episodes = episodes.filter(case__lead_agency_id=filters.lead_agency_id)
    return episodes.select_related("child", "case", "case__lead_agency").order_by(
        "-went_missing_at", "-pk")


def return_interviews_due(user: User, now: dt.datetime | None = None, *,
                          returned_since: dt.datetime | None = None,
                          among: Q | None = None) -> list[EpisodeView]:
    """Return home interviews still to be offered (due, or overdue) for the children the
    user may see, the most pressing first: what a work queue shows. A declined or
    offered interview is not due. ``returned_since`` leaves out children back before
    then; ``among`` keeps only the episodes it names (the ones a user works with)."""
    now = now or timezone.now()
    guarded = Case.objects.filter(policy.reason_required(user))
    since = {"returned_at__gte": returned_since} if returned_since is not None else {}
    waiting = MissingEpisode.objects.filter(returned_at__isnull=False,
                                            interview_offered_at__isnull=True, **since)
    named = policy.people_named(user, "child")
    if among is not None:
        # The episodes ``among`` names (a few hundred at most) are picked first, and
        # their children asked of the policy on their own: asked in one query with the
        # episodes, PostgreSQL joins them to every person in the hub (a million at
        # national scale) to test the policy's conditions on the child.
        picked = list(waiting.filter(among).values_list("pk", "child_id"))
        may_see = set(policy.scope(
            user, Action.PERSON_VIEW,
            Person.objects.filter(pk__in={child for _pk, child in picked}),
        ).values_list("pk", flat=True))
        waiting = MissingEpisode.objects.filter(
            pk__in=[pk for pk, child in picked if child in may_see])
        named = Q()
    episodes = (
        waiting.filter(named)
        .exclude(case__in=guarded)
        .select_related("child")
        .order_by("returned_at", "pk")
    )
    return episode_views(episodes, now)


def case_list(user: User, filters: CaseFilters, now: dt.datetime | None = None
              ) -> QuerySet[Case]:
    """The cases the user may see, filtered and sorted. What each row shows besides the
    case is read for the page's rows only, once the page is cut (``mark_case_rows``):
    computed here it would be computed for every case the user may see (each mark's
    subquery is hashed over the whole hub to count and sort the list). Only a column the
    list is sorted or filtered by is computed here."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    cases = policy.scope(user, Action.CASE_LIST, cases_for(user))
    # The children of the page's cases are fetched after the page is cut: joined here,
    # every case the user may see would be looked up in the people table to sort them.
    cases = cases.select_related("lead_agency", "key_worker").prefetch_related("child")
    sort = filters.sort if filters.sort in CaseSort.ALL else CaseSort.DEFAULT
    if sort == CaseSort.TIER:
        cases = cases.annotate(tier_rank=tier_rank())
    if sort == CaseSort.LAST_CONTACT:
        cases = cases.annotate(last_contact_at=_last_contact_at())
    if sort == CaseSort.NEXT_DUE:
        cases = cases.annotate(next_due_on=_next_due_on())
    if filters.mine:
        cases = cases.filter(_holds(user))
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.risk_tier:
        cases = cases.filter(risk_tier=filters.risk_tier)
    if filters.lead_agency_id:
        cases = cases.filter(lead_agency_id=filters.lead_agency_id)
    if filters.key_worker_id:
        cases = cases.filter(key_worker_id=filters.key_worker_id)
    if filters.overdue_only:
        cases = cases.filter(_has_overdue_items(today) | _has_overdue_interviews(now))
    if filters.area_code:
        cases = cases.filter(child_id__in=people_living_in(filters.area_code))
    if filters.open_on is not None:
        cases = cases.filter(open_at_end_of(filters.open_on))
    if filters.missing in MissingWhen.FIELDS:
        cases = cases.filter(Exists(
            missing_between(filters.missing, filters.missing_from, filters.missing_to)
            .filter(case=OuterRef("pk"))
        ))
    return cases.order_by(*_ordering(filters.sort, filters.descending))


def _last_contact_at() -> Subquery:
    return Subquery(Contact.objects.filter(case=OuterRef("pk")).order_by("-occurred_at")
                    .values("occurred_at")[:1])


def _next_due_on() -> Subquery:
    return Subquery(PlanItem.objects.filter(case=OuterRef("pk"), status=PlanItemStatus.OPEN)
                    .order_by("due_on").values("due_on")[:1])


def _has_overdue_items(today: dt.date) -> Exists:
    return Exists(overdue_plan_items(today).filter(case=OuterRef("pk")))


def _has_overdue_interviews(now: dt.datetime) -> Exists:
    return Exists(overdue_return_interviews(now).filter(child=OuterRef("child_id")))


# What ``mark_case_rows`` sets on each case of a page of the list.
CASE_ROW_MARKS = ("last_contact_at", "next_due_on", "has_overdue_items",
                  "has_overdue_interviews", "area_name", "user_works_on")


def mark_case_rows(user: User, cases: list[Case], now: dt.datetime | None = None) -> None:
    """Set on each case of a page of the list what its row shows besides the case, read
    in one query for these cases only: the last contact, the next plan item due, whether
    plan items or return interviews are overdue, the child's area, and whether the user
    works on the case (a restricted case the user does not work on is listed without the
    child's name or area)."""
    if not cases:
        return
    now = now or timezone.now()
    today = timezone.localdate(now)
    marks = {
        row["pk"]: row for row in Case.objects.filter(pk__in=[case.pk for case in cases])
        .annotate(
            last_contact_at=_last_contact_at(),
            next_due_on=_next_due_on(),
            has_overdue_items=_has_overdue_items(today),
            has_overdue_interviews=_has_overdue_interviews(now),
            area_name=Subquery(current_addresses("child_id").values("area__name")[:1]),
            user_works_on=SqlCase(
                When(works_on(user), then=Value(True)), default=Value(False),
                output_field=BooleanField(),
            ),
        ).values("pk", *CASE_ROW_MARKS)
    }
    for case in cases:
        for name in CASE_ROW_MARKS:
            setattr(case, name, marks[case.pk][name])


def works_on(user: User) -> Q:
    """The cases the user works on: key worker, allocated worker or current advocate
    (each a lookup by index, no join that repeats a case)."""
    return (
        Q(key_worker_id=user.pk)
        | Q(Exists(CaseAllocation.objects.filter(case=OuterRef("pk"), user_id=user.pk)))
        | Q(Exists(AdvocateAllocation.objects.filter(
            case=OuterRef("pk"), advocate_id=user.pk, ended_on__isnull=True)))
    )


def _holds(user: User) -> Q:
    """The cases a practitioner holds: as key worker, or as the child's current advocate
    ("My cases"). Workers allocated alongside and supervisors do not hold a case."""
    return Q(key_worker_id=user.pk) | Q(Exists(AdvocateAllocation.objects.filter(
        case=OuterRef("pk"), advocate_id=user.pk, ended_on__isnull=True)))


def holds_open_cases(user: User) -> bool:
    """Whether the user holds any open case they may see: such a user's case list opens
    on "My cases". Each way of holding one is asked from its own index (the key worker's
    cases; the advocate's allocations), in one query: the two ways OR-ed on each case
    would read every open case of the hub to find none, for a user who holds none."""
    open_cases = cases_for(user, Action.CASE_LIST).filter(status=CaseStatus.OPEN)
    as_key_worker = open_cases.filter(key_worker_id=user.pk).values("pk")
    as_advocate = open_cases.filter(pk__in=AdvocateAllocation.objects.filter(
        advocate_id=user.pk, ended_on__isnull=True).values("case_id")).values("pk")
    return as_key_worker.union(as_advocate, all=True).exists()


def _ordering(sort: str, descending: bool) -> list[Any]:
    columns: dict[str, list[Any]] = {
        CaseSort.CHILD: [F("child__family_name"), F("child__given_name")],
        CaseSort.TIER: [F("tier_rank")],
        CaseSort.OPENED: [F("opened_at")],
        CaseSort.LAST_CONTACT: [F("last_contact_at")],
        CaseSort.NEXT_DUE: [F("next_due_on")],
    }
    key = sort if sort in columns else CaseSort.DEFAULT
    # Columns never empty sort without NULLS LAST, so the list's own order (tier, then
    # newest) is read from its index, ``case_list_order``, rather than sorted.
    nulls = {} if key in (CaseSort.TIER, CaseSort.OPENED) else {"nulls_last": True}
    ordered = [
        column.desc(**nulls) if descending else column.asc(**nulls)
        for column in columns[key]
    ]
    # A stable order within equal values, so pages never repeat or skip a case.
    return [*ordered, F("opened_at").desc(), F("pk").desc()]


def case_list_choices(user: User) -> dict[str, list[tuple[str, str]]]:
    """Choices for the list's filters: every agency (as the performance dashboard and
    the other record lists offer them, so a figure for any agency can be followed to
    its cases), key workers of cases the user may see only, and the hub's areas.

    Each key worker is asked whether they hold a case the user may see, stopping at
    the first (a few index look-ups each), rather than every case the user may see
    being read to list a handful of key workers."""
    with policy.asked_of_few_records():
        held = cases_for(user).filter(key_worker_id=OuterRef("pk"))
    agencies = Agency.objects.order_by("name")
    workers = User.objects.filter(
        Exists(held), pk__in=Case.objects.order_by().values("key_worker_id")
    ).order_by("last_name", "first_name", "username")
    return {
        "lead_agency": [(str(a.pk), a.name) for a in agencies],
        "key_worker": [(str(u.pk), u.display_name) for u in workers],
        "area": area_filter_choices(),
    }


# --- What a case page shows ----------------------------------------------------------


@dataclass(frozen=True)
class StrategyMeetingPrompt:
    """The child went missing often enough, recently enough, to prompt a strategy meeting
    (``MISSING_EPISODES_FOR_STRATEGY_MEETING`` within ``MISSING_EPISODES_WINDOW_DAYS``)."""

    episodes: int
    threshold: int
    window_days: int


def cases_of_child_counted(user: User, case: Case) -> QuerySet[Case]:
    """The child's cases a figure on this case's page may count: those the user may see,
    less any other restricted case they have not opened (a count would reveal what its
    reason step guards)."""
    return cases_for(user).filter(child_id=case.child_id).filter(
        Q(pk=case.pk) | ~policy.reason_required(user)
    )


def strategy_meeting_prompt(user: User, case: Case, now: dt.datetime | None = None
                            ) -> StrategyMeetingPrompt | None:
    """The child's missing episodes (with or without a case, as the case page shows
    them) against the strategy-meeting rule."""
    return child_strategy_meeting_prompt(
        visible_episodes(user, case.child_id, opened_case_pk=case.pk), now)


def child_strategy_meeting_prompt(episodes: Iterable[MissingEpisode],
                                  now: dt.datetime | None = None
                                  ) -> StrategyMeetingPrompt | None:
    """``MISSING_EPISODES_FOR_STRATEGY_MEETING`` or more of these episodes began within
    the last ``MISSING_EPISODES_WINDOW_DAYS`` (counted from the episodes a page already
    shows, so no query of its own)."""
    now = now or timezone.now()
    window_days = int(settings.MISSING_EPISODES_WINDOW_DAYS)
    threshold = int(settings.MISSING_EPISODES_FOR_STRATEGY_MEETING)
    since = now - dt.timedelta(days=window_days)
    count = sum(1 for episode in episodes if since < episode.went_missing_at <= now)
    if count >= threshold:
        return StrategyMeetingPrompt(episodes=count, threshold=threshold,
                                     window_days=window_days)
    return None


def advocate_changes(user: User, case: Case) -> int:
    """Victim-advocate continuity: how many times the child's advocate has changed, over
    the child's cases the user may see (the first advocate is not a change)."""
    return _advocate_changes(_advocacy_of_cases_counted(user, case))


def _advocacy_of_cases_counted(user: User, case: Case) -> dict[int, int]:
    """The child's cases a figure on this case's page may count, each with how many
    advocates it has had (one query)."""
    return dict(cases_of_child_counted(user, case)
                .annotate(advocates=Count("advocacy", distinct=True))
                .values_list("pk", "advocates"))


def _advocate_changes(advocates_by_case: dict[int, int]) -> int:
    return max(sum(advocates_by_case.values()) - 1, 0)


@dataclass
class EpisodeView:
    episode: MissingEpisode
    state: MissingEpisodeState
    interview_due_at: dt.datetime | None
    hours_missing: float | None


@dataclass
class CaseOverview:
    """A case with what its pages show worked out once: the current advocate, open and
    overdue plan items, missing episodes against the return home interview clock, the
    continuity count and the strategy-meeting prompt."""

    case: Case
    now: dt.datetime
    current_advocate: AdvocateAllocation | None
    advocate_changes: int
    open_plan_items: list[PlanItem]
    overdue_plan_items: list[PlanItem]
    finished_plan_items: list[PlanItem]
    episodes: list[EpisodeView]
    strategy_meeting: StrategyMeetingPrompt | None
    overdue_interviews: list[EpisodeView] = field(default_factory=list)
    risk_review: RiskReviewStatus | None = None
    # As this viewer may read them: a victim advocate's notes only for their service.
    contacts: list[ContactView] = field(default_factory=list)
    # The child's cases the user may open without a reason step (named beside episodes).
    cases_seen: set[int] = field(default_factory=set)

    @property
    def has_overdue(self) -> bool:
        return bool(self.overdue_plan_items or self.overdue_interviews)

    @property
    def last_seen(self) -> Contact | None:
        """The latest contact, of those this viewer may read, at which the child was seen."""
        return next((view.contact for view in self.contacts
                     if view.notes_shown and view.contact.child_seen == SeenAnswer.YES), None)

    @property
    def last_seen_alone(self) -> Contact | None:
        """The latest contact, of those this viewer may read, at which the child was seen
        alone."""
        return next((view.contact for view in self.contacts
                     if view.notes_shown and view.contact.child_seen_alone == SeenAnswer.YES),
                    None)


def case_overview(user: User, case: Case, now: dt.datetime | None = None, *,
                  contacts: bool = True) -> CaseOverview:
    """Work out what the case pages show from a case fetched with ``full=True`` (or with
    ``overview=True`` and ``contacts=False``: the overview page shows no contacts);
    figures about the child's other cases count only those this user may see."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    advocacy = list(case.advocacy.all())
    current = next((a for a in advocacy if a.ended_on is None), None)
    items = list(case.plan_items.all())
    open_items = [item for item in items if item.is_open]
    episodes = episode_views(visible_episodes(user, case.child_id, opened_case_pk=case.pk), now)
    counted = _advocacy_of_cases_counted(user, case)
    return CaseOverview(
        case=case,
        now=now,
        current_advocate=current,
        advocate_changes=_advocate_changes(counted),
        open_plan_items=open_items,
        overdue_plan_items=[item for item in open_items if item.due_on < today],
        finished_plan_items=[item for item in items if not item.is_open],
        episodes=episodes,
        # The same episodes (visible_episodes with this case opened) as the prompt's own.
        strategy_meeting=child_strategy_meeting_prompt(
            (view.episode for view in episodes), now),
        overdue_interviews=[
            view for view in episodes if view.state == MissingEpisodeState.OFFER_OVERDUE
        ],
        risk_review=risk_review_status(case, list(case.risk_assessments.all()), today),
        contacts=contact_views(user, case.contacts.all()) if contacts else [],
        cases_seen=set(counted),
    )


# --- The child's identity bar ----------------------------------------------------------


def child_identity(user: User, child: Person, *, case: Case | None = None,
                   now: dt.datetime | None = None, overview: CaseOverview | None = None,
                   cases: list[Case] | None = None,
                   episodes: list[MissingEpisode] | None = None,
                   ) -> ChildIdentity:
    """The identity bar of a child for this viewer (``people.identity``): the child, and
    the case facts of ``case`` (a case page: the case the viewer has opened) or, on the
    child's record, of their open case that the viewer may see. A restricted open case
    the viewer must give a reason to open shows none of its facts there: only that it
    exists and is restricted (which the record's list of cases already says). Missing
    now counts the episodes a page about the child shows. At most four queries, however
    much the child has; two when a case page gives the ``overview`` of ``case`` it has
    worked out already (its current advocate and the episodes the page shows), and on
    the child's record when it gives the ``cases`` of the child the viewer may see (newest
    first, with their key worker and ``guarded`` marked as below) and the ``episodes`` it
    shows. The flags other apps raise (``people.identity.identity_flags``) ask their
    own: one for the confirmed groups the child is in."""
    now = now or timezone.now()
    hidden = False
    opened_pk = case.pk if case is not None else None
    if case is None and cases is not None:
        case = next((seen for seen in cases if seen.status == CaseStatus.OPEN), None)
        hidden = case is not None and bool(getattr(case, "guarded", False))
    elif case is None:
        case = (
            cases_for(user).filter(child_id=child.pk, status=CaseStatus.OPEN)
            .select_related("key_worker")
            .annotate(guarded=SqlCase(When(policy.reason_required(user), then=Value(True)),
                                      default=Value(False), output_field=BooleanField()))
            .first()
        )
        hidden = case is not None and bool(getattr(case, "guarded", False))
    facts = None
    if case is not None and not hidden:
        if overview is not None and overview.case.pk == opened_pk:
            current = overview.current_advocate
        else:
            current = (AdvocateAllocation.objects.filter(case_id=case.pk, ended_on__isnull=True)
                       .select_related("advocate").first())
        tier = RiskTier(case.risk_tier)
        facts = CaseIdentity(
            reference=case.reference, url=reverse("cases:detail", args=[case.pk]),
            risk_tier=tier.value, risk_tier_name=tier.short_label,
            risk_tier_colour=tier.tag_colour,
            key_worker=case.key_worker.display_name if case.key_worker else "",
            advocate=current.advocate.display_name if current is not None else "",
        )
    if overview is not None and opened_pk is not None and overview.case.pk == opened_pk:
        # The overview's episodes are those this page shows (the same visible_episodes).
        missing_now = any(view.episode.returned_at is None
                          and view.episode.went_missing_at <= now for view in overview.episodes)
    elif episodes is not None and opened_pk is None:
        missing_now = any(episode.returned_at is None and episode.went_missing_at <= now
                          for episode in episodes)
    else:
        missing_now = visible_episodes(user, child.pk, opened_case_pk=opened_pk).filter(
            returned_at__isnull=True, went_missing_at__lte=now).exists()
    fetched = case.__dict__ if opened_pk is not None and case is not None else {}
    if "child_area" in fetched:
        # A case page's case was fetched with the child's area (case_queryset).
        area = "Not known" if fetched["child_area"] is None else str(fetched["child_area"])
    else:
        area = current_area(child)
    return ChildIdentity(
        person=child, today=timezone.localdate(now), area=area, case=facts,
        missing_now=missing_now, case_hidden=hidden,
        restricted=child.is_restricted or (case is not None and case.is_restricted),
        flags=identity_flags(user, child),
    )


# --- Risk assessments and their reviews ---------------------------------------------


@dataclass(frozen=True)
class RiskReviewStatus:
    """Where a case stands against its risk review cadence on a day (``cases.reviews``
    says how the date is worked out; a case never assessed is due from its opening)."""

    case: Case
    today: dt.date
    due_on: dt.date
    latest: RiskAssessment | None = None
    # The latest assessment's judgement and date, when ``latest`` was not fetched.
    latest_judgement: str = ""
    latest_assessed_on: dt.date | None = None
    # A restricted case the user does not work on is listed without the child's name.
    name_hidden: bool = False

    @property
    def judgement(self) -> str:
        return self.latest.judgement if self.latest is not None else self.latest_judgement

    @property
    def assessed_on(self) -> dt.date | None:
        return self.latest.assessed_on if self.latest is not None else self.latest_assessed_on

    @property
    def never_assessed(self) -> bool:
        return self.assessed_on is None

    @property
    def is_due(self) -> bool:
        return self.due_on <= self.today

    @property
    def is_overdue(self) -> bool:
        return self.due_on < self.today

    @property
    def days_overdue(self) -> int:
        return max((self.today - self.due_on).days, 0)

    @property
    def days_overdue_text(self) -> str:
        days = self.days_overdue
        return f"{days} day{'s' if days != 1 else ''}"

    @property
    def judgement_differs(self) -> bool:
        """The latest judgement is not the case's tier: someone should look at the tier."""
        return bool(self.judgement) and self.judgement != self.case.risk_tier


def risk_review_status(case: Case, assessments: list[RiskAssessment], today: dt.date
                       ) -> RiskReviewStatus | None:
    """The case's review status from its assessments (newest first); None for a closed
    case, which is no longer reviewed."""
    if not case.is_open:
        return None
    latest = assessments[0] if assessments else None
    return RiskReviewStatus(
        case=case, today=today, latest=latest,
        due_on=review_due_on(
            opened_on=timezone.localdate(case.opened_at), case_tier=case.risk_tier,
            assessed_on=latest.assessed_on if latest else None,
            set_review_on=latest.next_review_on if latest else None,
        ),
    )


def _latest_assessment(column: str) -> Subquery:
    return Subquery(
        RiskAssessment.objects.filter(case=OuterRef("pk"))
        .order_by("-assessed_on", "-recorded_at", "-id").values(column)[:1]
    )


def _cases_with_review_due(user: User, today: dt.date, within_days: int) -> QuerySet[Any]:
    """The open cases the user may see whose risk review is due by ``within_days`` from
    ``today``, with their latest assessment's dates and judgement and whether the user
    works on them annotated."""
    due_by = today + dt.timedelta(days=within_days)
    cases = policy.scope(user, Action.CASE_LIST, cases_for(user)).filter(
        status=CaseStatus.OPEN
    ).annotate(
        latest_assessed_on=_latest_assessment("assessed_on"),
        latest_review_on=_latest_assessment("next_review_on"),
        latest_judgement=_latest_assessment("judgement"),
        user_works_on=SqlCase(
            When(works_on(user), then=Value(True)), default=Value(False),
            output_field=BooleanField(),
        ),
    )
    # Each annotation is a subquery the database runs once per case for each time the
    # condition names it, so each is named once: the tier's cadence is a date to compare
    # with, chosen by the case's tier.
    assessed_by_tier = SqlCase(
        *[When(risk_tier=tier, then=Value(due_by - interval))
          for tier, interval in review_intervals().items()],
        output_field=DateField(),
    )
    due = (
        Q(latest_assessed_on__isnull=True, opened_at__lt=day_starts(due_by + dt.timedelta(days=1)))
        | Q(latest_review_on__lte=due_by)
        | Q(latest_assessed_on__lte=assessed_by_tier)
    )
    return cases.filter(due)


def _review_order(due_on: dt.date, risk_tier: str, reference: str) -> tuple[Any, ...]:
    """Most overdue first; then the highest tier; then by reference."""
    return due_on, -RISK_TIER_RANK[RiskTier(risk_tier)], reference


def risk_reviews_due(user: User, now: dt.datetime | None = None, *, within_days: int = 0,
                     of_cases: Collection[int] | None = None) -> list[RiskReviewStatus]:
    """The open cases the user may see whose risk review is due by ``within_days`` from
    today (0: due today or overdue), most overdue first. One query, however many cases
    (``of_cases``: only these cases' reviews).

    A case never assessed counts from the day it opened; otherwise the review is due by
    the earlier of the date the latest assessment set and that assessment's date plus
    the cadence of the case's tier now (so raising the tier brings the review forward)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    cases = _cases_with_review_due(user, today, within_days).select_related(
        "child", "lead_agency", "key_worker")
    if of_cases is not None:
        cases = cases.filter(pk__in=list(of_cases))
    rows = []
    for case in cases:
        rows.append(RiskReviewStatus(
            case=case, today=today,
            due_on=review_due_on(
                opened_on=timezone.localdate(case.opened_at), case_tier=case.risk_tier,
                assessed_on=case.latest_assessed_on, set_review_on=case.latest_review_on,
            ),
            latest_judgement=case.latest_judgement or "",
            latest_assessed_on=case.latest_assessed_on,
            name_hidden=case.is_restricted and not case.user_works_on,
        ))
    rows.sort(key=lambda row: _review_order(row.due_on, row.case.risk_tier,
                                            row.case.reference))
    return rows


@dataclass(frozen=True)
class ReviewDue:
    """When one case's risk review is due (``risk_reviews_due``, read without the case)."""

    case_pk: int
    due_on: dt.date
    user_works_on: bool


def risk_review_dates(user: User, now: dt.datetime | None = None, *,
                      worked_on_only: bool = False) -> list[ReviewDue]:
    """The cases ``risk_reviews_due`` lists (due today or overdue), in its order, each
    with only when its review is due and whether the user works on it: for a work queue
    that shows a few of thousands (``risk_reviews_due(of_cases=...)`` reads those).
    ``worked_on_only``: only the cases the user works on."""
    now = now or timezone.now()
    cases = _cases_with_review_due(user, timezone.localdate(now), 0)
    if worked_on_only:
        cases = cases.filter(works_on(user))
    intervals = review_intervals()
    rows = []
    for pk, reference, opened_on, tier, assessed_on, review_on, works in cases.annotate(
            opened_on=TruncDate("opened_at")).values_list(
            "pk", "reference", "opened_on", "risk_tier", "latest_assessed_on",
            "latest_review_on", "user_works_on"):
        due_on = review_due_on(opened_on=opened_on, case_tier=tier,
                               assessed_on=assessed_on, set_review_on=review_on,
                               intervals=intervals)
        rows.append((_review_order(due_on, tier, reference),
                     ReviewDue(case_pk=pk, due_on=due_on, user_works_on=bool(works))))
    rows.sort(key=lambda row: row[0])
    return [review for _order, review in rows]


# Rows of a case the caller has already fetched through the policy: 404 unless the row
# belongs to that case.


def plan_item_for(case: Case, plan_item_pk: int) -> PlanItem:
    return _child_row(PlanItem.objects.select_related("owner", "owner_agency"), case,
                      plan_item_pk)


def missing_episode_for(user: User, case: Case, episode_pk: int) -> MissingEpisode:
    """One of the child's episodes, as the case page lists them: 404 otherwise."""
    episode = visible_episodes(user, case.child_id, opened_case_pk=case.pk).filter(
        pk=episode_pk).first()
    if episode is None:
        raise Http404("No such record")
    return episode


def child_missing_episode(user: User, child_id: int, episode_pk: int) -> MissingEpisode:
    """One of the child's episodes, as their record lists them: 404 otherwise."""
    episode = visible_episodes(user, child_id).filter(pk=episode_pk).first()
    if episode is None:
        raise Http404("No such record")
    return episode


def nrm_referral_for(case: Case, nrm_pk: int) -> NrmReferral:
    return _child_row(NrmReferral.objects.all(), case, nrm_pk)


def allocation_for(case: Case, allocation_pk: int) -> CaseAllocation:
    return _child_row(CaseAllocation.objects.select_related("user", "user__agency"), case,
                      allocation_pk)


def share_for(case: Case, share_pk: int) -> CaseShare:
    return _child_row(CaseShare.objects.select_related("agency"), case, share_pk)


def _child_row(queryset: QuerySet[Any], case: Case, pk: int) -> Any:
    row = queryset.filter(case=case, pk=pk).first()
    if row is None:
        raise Http404("No such record")
    return row


def case_access_history(user: User, case: Case) -> QuerySet[AuditEvent]:
    """Who viewed or changed this case, when and why (information governance)."""
    policy.get_or_404(user, Action.CASE_ACCESS_LOG, Case.objects.all(), pk=case.pk)
    return AuditEvent.objects.filter(
        record_type=record_type_of(case),
        record_id=str(case.pk),
        event_type__in=[t.value for t in RECORD_ACCESS_TYPES],
    ).order_by("-occurred_at", "-id")


def users_who_work_on_cases() -> QuerySet[User]:
    """Staff who may be named on a case (key worker, allocated worker, plan item owner)."""
    roles = sorted(policy.RULES[Action.CASE_VIEW].roles)
    return (
        User.objects.filter(is_active=True, role_assignments__role__in=roles)
        .select_related("agency").distinct().order_by("last_name", "first_name", "username")
    )


def victim_advocates() -> QuerySet[User]:
    return (
        User.objects.filter(is_active=True, role_assignments__role=Role.VICTIM_ADVOCATE)
        .select_related("agency").distinct().order_by("last_name", "first_name", "username")
    )


# Allocation: each candidate with their open caseload, counted in the query that lists
# them (``open_cases``, ``high_cases``). The counts are of every open case, restricted or
# not, as workload: a count names no case.


def key_workers_with_caseload() -> QuerySet[User]:
    """Staff who may be a case's key worker, each with the open cases they are key worker
    of and how many of those are High risk."""
    open_cases = Q(key_worker_cases__status=CaseStatus.OPEN)
    return users_who_work_on_cases().annotate(
        open_cases=Count("key_worker_cases", filter=open_cases, distinct=True),
        high_cases=Count("key_worker_cases", distinct=True,
                         filter=open_cases & Q(key_worker_cases__risk_tier=RiskTier.HIGH)),
    )


def victim_advocates_with_caseload() -> QuerySet[User]:
    """Victim advocates, each with the open cases they are the current advocate of and
    how many of those are High risk."""
    current = Q(advocacy__ended_on__isnull=True, advocacy__case__status=CaseStatus.OPEN)
    return victim_advocates().annotate(
        open_cases=Count("advocacy", filter=current, distinct=True),
        high_cases=Count("advocacy", distinct=True,
                         filter=current & Q(advocacy__case__risk_tier=RiskTier.HIGH)),
    )


# --- Requests for a decision (closing, lowering the tier, lifting a restriction) -----


def decision_request_queryset() -> QuerySet[CaseDecisionRequest]:
    """Requests with what their pages show; fetch one only through the policy."""
    return CaseDecisionRequest.objects.select_related(
        "case", "case__child", "case__lead_agency", "requested_by", "decided_by"
    )


@dataclass(frozen=True)
class PendingDecision:
    request: CaseDecisionRequest
    can_decide: bool


def pending_decisions(user: User, case: Case) -> list[PendingDecision]:
    """The requests waiting for a decision on a case the user may see, each with
    whether this user may decide it (one query for the requests, one for the rule). Of
    ``case`` as given: each request's case is ``case`` itself, not fetched again."""
    waiting = list(
        policy.scope_of(user, Action.CASE_DECISION_VIEW,
                        CaseDecisionRequest.objects.select_related("requested_by"),
                        path="case", record=case)
        .filter(status=DecisionStatus.PENDING).order_by("requested_at", "pk")
    )
    for request in waiting:
        request.case = case
    decidable = set(
        policy.scope(user, Action.CASE_DECIDE, CaseDecisionRequest.objects.all())
        .filter(pk__in=[request.pk for request in waiting]).values_list("pk", flat=True)
    ) if waiting else set()
    return [PendingDecision(request, request.pk in decidable) for request in waiting]


def decision_requests_awaiting(user: User) -> QuerySet[CaseDecisionRequest]:
    """Requests waiting for a decision that this user may approve or reject (never their
    own), oldest first: one query, with the case, child and requester."""
    return (
        policy.scope(user, Action.CASE_DECIDE, decision_request_queryset())
        .filter(status=DecisionStatus.PENDING)
        .order_by("requested_at", "pk")
    )


# --- New referrals that joined an open case ---------------------------------------------


def opening_referral_reference(case: Case) -> str:
    """The reference of the referral whose triage decision opened the case ("" for a case
    opened without one). Referrals point at the case they opened or joined
    (``case.referrals``); the earliest decided of them that did not join it later opened
    it."""
    joined = ReferralJoined.objects.filter(case=case).values("referral_reference")
    reference: str | None = (
        case.referrals.exclude(reference__in=joined)
        .order_by("decided_at", "pk").values_list("reference", flat=True).first()
    )
    return reference or ""


def referral_joined_queryset() -> QuerySet[ReferralJoined]:
    return ReferralJoined.objects.select_related(
        "referring_agency", "recorded_by", "acknowledged_by", "case", "case__child")


def referrals_joined_to_review(user: User, case: Case, *, opened: bool = False
                               ) -> list[ReferralJoined]:
    """The new referrals that joined this open case and wait for its tier to be
    reviewed, oldest first (one query; nothing on a case the user may not see).
    ``opened``: the case page fetched the case for this user through the policy
    (``access.opening``), so whether they may see it is answered already."""
    if not case.is_open or not (opened or policy.can(user, Action.CASE_VIEW, case)):
        return []
    # Each one's case is ``case`` itself: not joined again (with its child) to be fetched.
    waiting = list(ReferralJoined.objects.select_related("referring_agency", "recorded_by")
                   .filter(case_id=case.pk, acknowledged_at__isnull=True)
                   .order_by("joined_at", "pk"))
    for joined in waiting:
        joined.case = case
    return waiting


def tier_reviews_due(user: User) -> QuerySet[ReferralJoined]:
    """Referrals that joined an open case and wait for its tier to be reviewed, for the
    one who reviews it: the case's key worker, or, when it has none, a supervisor who
    may change the case. Oldest first, in one query."""
    if not policy.allows(user, Action.CASE_CHANGE):
        return ReferralJoined.objects.none()
    reviews = Q(case__key_worker=user)
    if Role.SUPERVISOR in user.role_codes:
        reviews |= Q(case__key_worker__isnull=True)
    cases = policy.scope(user, Action.CASE_CHANGE, Case.objects.filter(status=CaseStatus.OPEN))
    return (
        referral_joined_queryset()
        .filter(reviews, acknowledged_at__isnull=True, case__in=cases)
        .annotate(needs_reason=Exists(
            Case.objects.filter(pk=OuterRef("case_id")).filter(policy.reason_required(user))))
        .order_by("joined_at", "pk")
    )
