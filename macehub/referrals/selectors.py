"""Reading referrals, and finding the child a referral is about. Every query starts from
what the access policy lets the user see.

A referrer usually may not search the hub's people (they lack ``PERSON_SEARCH``). To
ask "is this the same child?" they are shown matches only among the children their own
agency holds (as ``policy.person_relation`` allows them to see) and the children they
have referred before, so the question can never reveal a record they may not know
exists. Staff who may search people are shown matches among everyone they may see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from enum import IntEnum

from django.db.models import (
    BooleanField,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models import Case as SqlCase
from django.http import HttpRequest
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import Agency, User
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.cases.codes import Brag, CaseStatus, IndicatorDomain
from macehub.cases.models import Case, Indicator, MissingEpisode
from macehub.days import on_days
from macehub.people.areas import area_filter_choices, people_living_in
from macehub.people.known import KnownIntelligence, intelligence_about
from macehub.people.models import Person, PersonAddress
from macehub.people.selectors import PersonMatch, match_people, people_for
from macehub.referrals.clocks import TimeLeft
from macehub.referrals.codes import ReferralStatus, YearGroup
from macehub.referrals.models import PartnerCheck, Referral

CHILD_MATCH_LIMIT = 10
ADULT_AGE = 18


def _children_only(today: dt.date) -> Q:
    """People who are (or may be) under 18: a known birthday less than 18 years ago, an
    estimated age under 18, or no age at all."""
    try:
        eighteen_years_ago = today.replace(year=today.year - ADULT_AGE)
    except ValueError:  # 29 February
        eighteen_years_ago = today.replace(year=today.year - ADULT_AGE, day=28)
    return Q(date_of_birth__gt=eighteen_years_ago) | Q(
        date_of_birth__isnull=True, estimated_age__lt=ADULT_AGE
    ) | Q(date_of_birth__isnull=True, estimated_age__isnull=True)


def findable_children(user: User, today: dt.date | None = None) -> QuerySet[Person]:
    """The children this user may be shown when asked "is this the same child?"."""
    policy.require(user, Action.REFERRAL_SUBMIT)
    today = today or timezone.localdate()
    if policy.allows(user, Action.PERSON_SEARCH):
        visible = people_for(user)
    else:
        held_by_agency = Person.objects.filter(
            policy.person_relation(user), owning_agency_id=user.agency_id
        ).values("pk")
        referred_before = policy.scope(
            user, Action.REFERRAL_VIEW_OWN, Referral.objects.all()
        ).values("child_id")
        visible = Person.objects.filter(
            Q(pk__in=held_by_agency) | (Q(pk__in=referred_before) & Q(is_restricted=False))
        )
    return visible.filter(_children_only(today))


def find_child(
    *,
    user: User,
    given_name: str,
    family_name: str,
    date_of_birth: dt.date | None = None,
    identifiers: tuple[str, ...] = (),
    request: HttpRequest | None = None,
) -> list[PersonMatch]:
    """Possible matches for the child being referred, best first; audited as a search."""
    matches = match_people(
        findable_children(user),
        text=f"{given_name} {family_name}",
        date_of_birth=date_of_birth,
        identifiers=identifiers,
        allow_unknown_birth_date=True,
        limit=CHILD_MATCH_LIMIT,
    )
    record_event(
        event_type=EventType.SEARCH,
        actor=user,
        record_type="people.person",
        purpose="Referral: is this the same child?",
        detail={
            "terms": {
                "name": f"{given_name} {family_name}".strip(),
                "date_of_birth": date_of_birth.isoformat() if date_of_birth else "",
                "identifiers": [i for i in identifiers if i],
            },
            "results": [m.person.pk for m in matches],
        },
        request=request,
    )
    return matches


@dataclass(frozen=True)
class ChildIdentity:
    """Enough to tell one possible match from another, and no more than the referrer may
    know: the age (from the birth date the page shows anyway), where the child lives
    and their school. Where they live comes from the child's record only for a user who
    may open it; otherwise, like the school, only from the referrer's own earlier
    referrals about the child (what they told the hub themselves). Never a case, a
    rating or anyone else's referral."""

    age: int | None = None
    area: str = ""
    school: str = ""
    year_group: str = ""


def _outward_code(postcode: str) -> str:
    return postcode.split(" ")[0] if postcode else ""


def child_identities(user: User, people: list[Person],
                     today: dt.date | None = None) -> dict[int, ChildIdentity]:
    """Each possible match's identity details, by record id (two queries at most, three
    for a user who may open people's records)."""
    today = today or timezone.localdate()
    ids = [person.pk for person in people]
    from_own: dict[int, dict[str, str]] = {}
    own = policy.scope(user, Action.REFERRAL_VIEW_OWN, Referral.objects.filter(
        child_id__in=ids)).order_by("-received_at", "-pk").values(
        "child_id", "child_town", "child_postcode", "school", "year_group")
    for row in own:
        said = from_own.setdefault(row["child_id"], {})
        area = row["child_town"] or _outward_code(row["child_postcode"])
        if area and "area" not in said:
            said["area"] = area
        if row["school"] and "school" not in said:
            said["school"] = row["school"]
            said["year_group"] = row["year_group"]
    from_record: dict[int, str] = {}
    if policy.allows(user, Action.PERSON_VIEW):
        may_open = policy.scope(user, Action.PERSON_VIEW, Person.objects.filter(pk__in=ids))
        addresses = PersonAddress.objects.filter(
            person__in=may_open, is_current=True).select_related("area").order_by("-pk")
        for address in addresses:
            from_record.setdefault(address.person_id,
                                   address.area.name if address.area else address.town)
    identities = {}
    for person in people:
        said = from_own.get(person.pk, {})
        year = said.get("year_group", "")
        identities[person.pk] = ChildIdentity(
            age=person.age_on(today),
            area=from_record.get(person.pk) or said.get("area", ""),
            school=said.get("school", ""),
            year_group=str(YearGroup(year).label) if year in YearGroup.values else "",
        )
    return identities


def child_is_findable(user: User, person_pk: int) -> bool:
    return findable_children(user).filter(pk=person_pk).exists()


def active_indicators() -> QuerySet[Indicator]:
    return Indicator.objects.filter(is_active=True).order_by("sort_order", "code")


def indicators_by_domain() -> list[tuple[IndicatorDomain, list[Indicator]]]:
    """The catalogue grouped by domain, in the domains' own order."""
    grouped: dict[str, list[Indicator]] = {domain.value: [] for domain in IndicatorDomain}
    for indicator in active_indicators():
        grouped.setdefault(indicator.domain, []).append(indicator)
    return [(IndicatorDomain(code), items) for code, items in grouped.items() if items]


# --- Hub staff ----------------------------------------------------------------------------


def _full_referrals() -> QuerySet[Referral]:
    return Referral.objects.select_related(
        "child", "referrer", "referrer_agency", "decided_by", "case", "picked_up_by"
    )


@dataclass(frozen=True)
class ReferralFilters:
    """What a list of referrals is narrowed to: whole days received or decided (either
    end may be open), the referrer's agency, and the area the child lives in now (the
    area or any area inside it)."""

    received_from: dt.date | None = None
    received_to: dt.date | None = None
    decided_from: dt.date | None = None
    decided_to: dt.date | None = None
    referrer_agency_id: int | None = None
    area_code: str = ""

    def as_dict(self) -> dict[str, object]:
        """The filters that narrow anything (for the audit log)."""
        return {name: value for name, value in asdict(self).items()
                if value not in (None, "")}


def _filtered(referrals: QuerySet[Referral], filters: ReferralFilters) -> QuerySet[Referral]:
    referrals = referrals.filter(
        on_days("received_at", filters.received_from, filters.received_to)
        & on_days("decided_at", filters.decided_from, filters.decided_to)
    )
    if filters.referrer_agency_id is not None:
        referrals = referrals.filter(referrer_agency_id=filters.referrer_agency_id)
    if filters.area_code:
        referrals = referrals.filter(child_id__in=people_living_in(filters.area_code))
    return referrals


def referral_filter_choices() -> dict[str, list[tuple[str, str]]]:
    """Choices for the lists' filters: every agency (as the performance dashboard offers
    them) and the hub's areas."""
    agencies = Agency.objects.order_by("name").values_list("pk", "name")
    return {"referrer_agency": [(str(pk), name) for pk, name in agencies],
            "area": area_filter_choices()}


UNDER_13 = 13


def _under(age: int, today: dt.date) -> Q:
    """Children younger than ``age`` today (``Person.age_on``): a known birthday less
    than ``age`` years ago, or an estimated age that has not yet reached it."""
    def years_before(years: int) -> dt.date:
        try:
            return today.replace(year=today.year - years)
        except ValueError:  # 29 February
            return today.replace(year=today.year - years, day=28)

    estimated = Q(pk__in=[])
    for estimate in range(age):
        # An estimate ages a year every 365 days from the day it was made.
        estimated |= Q(child__estimated_age=estimate, child__age_estimated_on__gt=(
            today - dt.timedelta(days=365 * (age - estimate))))
    return Q(child__date_of_birth__gt=years_before(age)) | (
        Q(child__date_of_birth__isnull=True) & estimated)


class TriageBand(IntEnum):
    """The triage queue's order of urgency: risk first, then time left."""

    RED = 0
    UNDER_13_OR_IMMEDIATE_RISK = 1
    AMBER = 2
    GREEN = 3
    OTHER = 4


def triage_queue(user: User, today: dt.date | None = None) -> QuerySet[Referral]:
    """Undecided referrals, most urgent first: by risk (a Red suggested rating, then
    under-13s and immediate risk, then Amber, Green and the rest), then within each by
    the time left on the decision clock, overdue first. Ordered in the database so each
    page of the queue holds the right referrals. The child's open case, if any, is
    found for the page's referrals only, once the page is cut (``open_case_markers``):
    a subquery here would be run for every referral waiting, to count them."""
    policy.require(user, Action.REFERRAL_VIEW)
    today = today or timezone.localdate()
    # Only what the queue shows: every referral waiting is joined to these before the
    # page is cut (to order and count them), so each join not needed is work wasted.
    awaiting = Referral.objects.select_related(
        "child", "referrer_agency", "picked_up_by",
    ).filter(status=ReferralStatus.AWAITING_TRIAGE)
    # Each waiting referral's child asked about as that child (is this one restricted,
    # and if so is the viewer linked to them: index look-ups), not by first listing
    # every restricted child the viewer may not know: a busy worker's thousands of
    # links made that list cost more than the queue itself (12.7 ms against 5.9 ms of
    # SQL for 522 waiting referrals at national scale).
    with policy.asked_of_few_records(links_too=True):
        scoped = policy.scope(user, Action.REFERRAL_VIEW, awaiting)
    return scoped.annotate(
        triage_band=SqlCase(
            When(suggested_brag=Brag.RED, then=Value(TriageBand.RED)),
            When(Q(immediate_risk=True) | _under(UNDER_13, today),
                 then=Value(TriageBand.UNDER_13_OR_IMMEDIATE_RISK)),
            When(suggested_brag=Brag.AMBER, then=Value(TriageBand.AMBER)),
            When(suggested_brag=Brag.GREEN, then=Value(TriageBand.GREEN)),
            default=Value(TriageBand.OTHER),
            output_field=IntegerField(),
        ),
    ).order_by("triage_band", "decision_due_at", "received_at", "pk")


@dataclass(frozen=True)
class OpenCaseMarker:
    """What the queue shows of a child's open case: a link with its reference when the
    viewer may open it (``reason_needed``: it is restricted, they do not work on it and
    opening it asks why, so the link names no reference), a bare marker when they may
    not see it, and nothing at all for a restricted case they may not see."""

    case_pk: int
    reference: str
    may_open: bool
    reason_needed: bool


def open_case_markers(user: User, referrals: list[Referral]) -> dict[int, OpenCaseMarker]:
    """For each referral (of ``triage_queue``) whose child has an open case (a child has
    one at most), keyed by referral: what the viewer is shown of that case. One query
    whatever the count."""
    if not referrals:
        return {}
    visible: Exists | Value = Value(False)
    if policy.allows(user, Action.CASE_VIEW):
        # Asked of a page's handful of cases, in the select list: each case's child
        # and links looked up for that case, not the set of every case the viewer may
        # see worked out first (9 ms at national scale, for 25 rows at most).
        with policy.asked_of_few_records(links_too=True):
            visible = Exists(policy.scope(user, Action.CASE_VIEW,
                                          Case.objects.filter(pk=OuterRef("pk"))))
    cases = {
        case.child_id: case for case in Case.objects.filter(
            child_id__in={referral.child_id for referral in referrals},
            status=CaseStatus.OPEN)
        .annotate(
            may_open=visible,
            asks_reason=SqlCase(When(policy.reason_required(user), then=Value(True)),
                                default=Value(False), output_field=BooleanField()))
        .only("pk", "child_id", "reference", "is_restricted")
    }
    markers = {}
    for referral in referrals:
        case = cases.get(referral.child_id)
        if case is None:
            continue
        may_open = bool(case.may_open)
        if case.is_restricted and not may_open:
            continue  # never reveal a restricted case
        markers[referral.pk] = OpenCaseMarker(
            case_pk=case.pk, reference=case.reference, may_open=may_open,
            reason_needed=may_open and bool(case.asks_reason))
    return markers


def decided_referrals(user: User, filters: ReferralFilters | None = None
                      ) -> QuerySet[Referral]:
    """Decided referrals, the latest decision first."""
    policy.require(user, Action.REFERRAL_VIEW)
    decided = _filtered(_full_referrals().filter(status=ReferralStatus.DECIDED),
                        filters or ReferralFilters())
    return policy.scope(user, Action.REFERRAL_VIEW, decided).order_by("-decided_at", "-pk")


def all_referrals(user: User, filters: ReferralFilters | None = None) -> QuerySet[Referral]:
    """Every referral, awaiting triage or decided, the latest received first."""
    policy.require(user, Action.REFERRAL_VIEW)
    every = _filtered(_full_referrals(), filters or ReferralFilters())
    return policy.scope(user, Action.REFERRAL_VIEW, every).order_by("-received_at", "-pk")


def referral_queryset() -> QuerySet[Referral]:
    """Referrals in full, as the hub's referral pages show them. Fetch one only through
    the policy (``referral_for`` or ``access.opening``)."""
    return _full_referrals().prefetch_related(
        Prefetch("indicators", queryset=Indicator.objects.order_by("sort_order"))
    )


def referral_for(user: User, pk: int, action: Action = Action.REFERRAL_VIEW) -> Referral:
    """One referral in full, for hub staff: 404 if the user may not know it exists, 403
    if they may read it but not take the action."""
    return policy.get_or_404(user, action, referral_queryset(), pk=pk)


def record_referrals_listed(
    *, user: User, listing: str, referral_ids: list[int], request: HttpRequest | None = None,
    filters: ReferralFilters | None = None,
) -> None:
    """A list that names children is a view of each of them."""
    detail: dict[str, object] = {"list": listing, "shown": referral_ids}
    if filters is not None and filters.as_dict():
        detail["filters"] = filters.as_dict()
    record_event(
        event_type=EventType.VIEW,
        actor=user,
        record_type="referrals.referral",
        detail=detail,
        request=request,
    )


# --- Referrers ----------------------------------------------------------------------------

# What a referrer is shown of their own referrals: what they submitted, the status and
# the outcome. Never the screening, the triage reasons or anyone else's work.
OWN_REFERRAL_FIELDS = (
    "pk", "reference", "received_at", "status", "outcome", "decided_at", "source",
    "concerns", "exploitation_model", "immediate_risk", "disclosure", "missing_episodes",
    "online_platforms", "referrer_id", "child__given_name", "child__middle_names",
    "child__family_name", "decision_due_at", "sexual_activity",
    "child_address_line_1", "child_address_line_2", "child_town", "child_postcode", "school",
    "year_group", "parent_carer_name", "parent_carer_relationship", "parent_carer_contact",
    "parent_carer_aware", "consent", "consent_not_sought_reason", "referrer_phone",
)


def own_referrals(user: User) -> QuerySet[Referral]:
    """The referrals this user made, newest first."""
    policy.require(user, Action.REFERRAL_VIEW_OWN)
    mine = Referral.objects.select_related("child").only(*OWN_REFERRAL_FIELDS)
    return policy.scope(user, Action.REFERRAL_VIEW_OWN, mine).order_by("-received_at", "-pk")


def own_referral(user: User, pk: int) -> Referral:
    queryset = (
        Referral.objects.select_related("child")
        .only(*OWN_REFERRAL_FIELDS)
        .prefetch_related(Prefetch("indicators", queryset=Indicator.objects.order_by("sort_order")))
    )
    return policy.get_or_404(user, Action.REFERRAL_VIEW_OWN, queryset, pk=pk)


# --- What the hub already knows about the child (the triage decision page) ----------------


@dataclass(frozen=True)
class KnownCase:
    case: Case
    # A restricted case the user does not work on: they may know it exists, but its
    # contents are opened only with a reason (``policy.reason_required``), not here.
    contents_withheld: bool


@dataclass(frozen=True)
class WhatWeKnow:
    referrals: list[Referral]
    cases: list[KnownCase]
    missing_episodes: list[MissingEpisode]
    intelligence: list[KnownIntelligence]
    may_see_intelligence: bool

    @property
    def is_empty(self) -> bool:
        return not (self.referrals or self.cases or self.missing_episodes or self.intelligence)


def what_we_already_know(user: User, referral: Referral) -> WhatWeKnow:
    """The child's other referrals, cases, missing episodes and the intelligence that
    mentions them, each scoped by the access policy, in a fixed number of queries.

    A restricted case the user does not work on is named but nothing of it is shown
    (its missing episodes included): opening it asks for a reason. Intelligence is read
    by intelligence's own reader (``what_we_know``; handling codes enforced there), with
    the source text only for those who may see it and the sanitised text for everyone
    else.
    """
    child_id = referral.child_id
    referrals = list(
        policy.scope(user, Action.REFERRAL_VIEW,
                     Referral.objects.filter(child_id=child_id).exclude(pk=referral.pk))
        .select_related("referrer_agency")
        .order_by("-received_at", "-pk")
    )
    cases = policy.scope(user, Action.CASE_VIEW, Case.objects.filter(child_id=child_id))
    withheld = set(cases.filter(policy.reason_required(user)).values_list("pk", flat=True))
    known_cases = [
        KnownCase(case=case, contents_withheld=case.pk in withheld)
        for case in cases.select_related("lead_agency").order_by("-opened_at", "-pk")
    ]
    open_to_user = [known.case.pk for known in known_cases if not known.contents_withheld]
    # Missing episodes are the child's: those recorded without a case, and those on the
    # cases whose contents the user may see.
    episodes = list(
        MissingEpisode.objects.filter(child_id=child_id)
        .filter(Q(case__isnull=True) | Q(case_id__in=open_to_user))
        .select_related("case").order_by("-went_missing_at", "-pk")
    )
    may_see_intelligence = policy.allows(user, Action.INTELLIGENCE_VIEW)
    intelligence: list[KnownIntelligence] = []
    if may_see_intelligence:
        intelligence = intelligence_about(user, referral.child)
    return WhatWeKnow(referrals=referrals, cases=known_cases, missing_episodes=episodes,
                      intelligence=intelligence, may_see_intelligence=may_see_intelligence)


# --- Partner checks -----------------------------------------------------------------------


def partner_check_agencies() -> QuerySet[Agency]:
    """Agencies triage may ask for a check: those with a hub team, whose members return
    them."""
    return Agency.objects.filter(teams__is_hub_team=True).distinct().order_by("name")


def _checks() -> QuerySet[PartnerCheck]:
    return PartnerCheck.objects.select_related(
        "agency", "requested_by", "returned_by", "referral", "referral__child"
    )


def checks_on_referral(user: User, referral: Referral) -> list[PartnerCheck]:
    """The partner checks on a referral the user may see, outstanding first (soonest due
    first), then those back."""
    checks = policy.scope(user, Action.PARTNER_CHECK_VIEW,
                          _checks().filter(referral=referral))
    return sorted(checks, key=lambda c: (c.returned_at is not None, c.due_at, c.pk))


@dataclass(frozen=True)
class AgencyChecks:
    """The checks asked of the user's agency: outstanding ones, soonest due first, and
    the latest returned."""

    outstanding: list[PartnerCheck]
    returned: list[PartnerCheck]


RETURNED_CHECKS_SHOWN = 25


def agency_partner_checks(user: User) -> AgencyChecks:
    policy.require(user, Action.PARTNER_CHECK_RETURN)
    mine = policy.scope(user, Action.PARTNER_CHECK_RETURN, _checks())
    return AgencyChecks(
        outstanding=list(mine.filter(returned_at__isnull=True).order_by("due_at", "pk")),
        returned=list(mine.filter(returned_at__isnull=False)
                      .order_by("-returned_at", "-pk")[:RETURNED_CHECKS_SHOWN]),
    )


def partner_check_queryset() -> QuerySet[PartnerCheck]:
    """Checks in full, as the agency's check page shows them. Fetch one only through the
    policy (``access.opening``)."""
    return _checks()


@dataclass(frozen=True)
class AwaitingCheck:
    """A partner check waiting for the user's agency, where it stands against its clock."""

    check: PartnerCheck
    time_left: TimeLeft

    @property
    def is_overdue(self) -> bool:
        return self.time_left.is_overdue


def partner_checks_awaiting(user: User, now: dt.datetime) -> list[AwaitingCheck]:
    """For the user's work queue: the checks asked of their agency that they may return
    and nobody has yet, soonest due (overdue) first. Empty for anyone who returns none."""
    return [AwaitingCheck(check=check, time_left=TimeLeft(due_at=check.due_at, now=now))
            for check in _checks_awaiting(user, _checks())]


def partner_check_clocks(user: User) -> list[tuple[int, str, dt.datetime]]:
    """``partner_checks_awaiting`` as (check id, BRAG rating, due at) only, in its order:
    for a work queue that draws the few it shows (``of_checks``)."""
    return list(_checks_awaiting(user, PartnerCheck.objects.all())
                .values_list("pk", "brag", "due_at"))


def partner_checks_of(user: User, now: dt.datetime, check_ids: list[int]
                      ) -> list[AwaitingCheck]:
    """Those of ``partner_checks_awaiting`` with these ids, in its order."""
    return [AwaitingCheck(check=check, time_left=TimeLeft(due_at=check.due_at, now=now))
            for check in _checks_awaiting(user, _checks()).filter(pk__in=check_ids)]


def _checks_awaiting(user: User, checks: QuerySet[PartnerCheck]) -> QuerySet[PartnerCheck]:
    if not policy.allows(user, Action.PARTNER_CHECK_RETURN):
        return checks.none()
    # The checks outstanding with one agency are a handful (each is due within days):
    # each child's restriction is asked of that child, not of every restricted person.
    with policy.asked_of_few_records():
        return policy.scope(user, Action.PARTNER_CHECK_RETURN,
                            checks.filter(returned_at__isnull=True)).order_by("due_at", "pk")


def record_checks_listed(*, user: User, listing: str, check_ids: list[int],
                         request: HttpRequest | None = None) -> None:
    """A list of checks names the children: a view of each."""
    record_event(
        event_type=EventType.VIEW,
        actor=user,
        record_type="referrals.partnercheck",
        detail={"list": listing, "shown": check_ids},
        request=request,
    )
