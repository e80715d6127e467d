"""Reading intelligence. Every query starts from what the access policy lets the user
see, so nothing here can return, count or describe a report its handling code keeps from
them, nor an entity known only through such a report.

- ``reports_for`` is the one door to reports (``policy.scope`` with ``report_relation``);
- a report's source text is shown only to its owning team (``INTELLIGENCE_VIEW_SOURCE``);
  everyone else gets the sanitised text, or nothing until there is one;
- an entity (place, vehicle, phone, account, premises) is seen only through a report the
  user may see (``ENTITY_VIEW``); a person through the people rules (``PERSON_VIEW``).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Case, Count, Model, Q, QuerySet, Value, When
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import Truncator

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import Agency, User
from macehub.audit.events import EventType
from macehub.audit.services import record_event, record_type_of
from macehub.days import on_days
from macehub.intelligence.codes import EntityKind, EntityRole, Priority, ReportStatus
from macehub.intelligence.models import (
    Dissemination,
    IntelligenceReport,
    Location,
    OnlineAccount,
    PhoneNumber,
    Premises,
    ReportLink,
    Submission,
    Vehicle,
)
from macehub.people.areas import area_filter_choices, area_ids_within, people_living_in
from macehub.people.models import Person
from macehub.people.selectors import people_for

E = TypeVar("E", bound=Model)

# The entity models with pages of their own, by the kind (= link field) that names them.
ENTITY_MODELS: dict[str, type[Model]] = {
    EntityKind.LOCATION.value: Location,
    EntityKind.VEHICLE.value: Vehicle,
    EntityKind.PHONE.value: PhoneNumber,
    EntityKind.ACCOUNT.value: OnlineAccount,
    EntityKind.PREMISES.value: Premises,
}
# How long back the review queue's timeliness summary looks.
TIMELINESS_WINDOW_DAYS = 90

NOT_YET_SANITISED = (
    "This report has not been sanitised yet. Only its owning team may read its text."
)


# --- Reports ------------------------------------------------------------------------------


def reports_for(
    user: User, action: Action = Action.INTELLIGENCE_VIEW
) -> QuerySet[IntelligenceReport]:
    """Every report the user may take ``action`` on: the handling codes enforced."""
    return policy.scope(user, action, IntelligenceReport.objects.all())


def _report_queryset() -> QuerySet[IntelligenceReport]:
    return IntelligenceReport.objects.select_related(
        "owning_team", "owning_team__agency", "created_by", "reviewed_by"
    ).prefetch_related("permitted_teams", "permitted_teams__agency", "permitted_agencies")


def report_for(
    user: User, pk: int, action: Action = Action.INTELLIGENCE_VIEW
) -> IntelligenceReport:
    """One report for an action: 404 if the user may not know it exists (whatever the
    reason), 403 if they may see it but not take the action."""
    return policy.get_or_404(user, action, _report_queryset(), pk=pk)


def may_see_source(user: User, report: IntelligenceReport) -> bool:
    """Only the owning team reads what the source said."""
    return policy.can(user, Action.INTELLIGENCE_VIEW_SOURCE, report)


@dataclass(frozen=True)
class ReportText:
    text: str
    is_source: bool
    is_sanitised: bool

    @property
    def description(self) -> str:
        if self.is_source:
            return "As received (may identify the source: it never leaves your team)"
        return "Sanitised"


def report_text(report: IntelligenceReport, *, show_source: bool) -> ReportText:
    """The source text if it may be shown, otherwise the sanitised text (or a notice
    that there is none yet)."""
    if show_source:
        return ReportText(report.source_text, is_source=True, is_sanitised=False)
    if report.sanitised_text.strip():
        return ReportText(report.sanitised_text, is_source=False, is_sanitised=True)
    return ReportText(NOT_YET_SANITISED, is_source=False, is_sanitised=False)


def report_text_for(user: User, report: IntelligenceReport) -> ReportText:
    """The text this user may read: the source text for the owning team only."""
    return report_text(report, show_source=may_see_source(user, report))


SUMMARY_LENGTH = 110
NO_SUMMARY_YET = "Not sanitised yet"


def sanitised_summary(report: IntelligenceReport, length: int = SUMMARY_LENGTH) -> str:
    """A short summary for lists, from the sanitised text only: never the source text,
    whoever is looking (a list is easily seen over a shoulder or shared on a screen)."""
    text = " ".join(report.sanitised_text.split())
    if not text:
        return NO_SUMMARY_YET
    return Truncator(text).chars(length)


def source_visible_ids(user: User, report_ids: Iterable[int]) -> set[int]:
    """Of these reports, the ones whose source text the user may read (one query)."""
    return set(
        policy.scope(
            user, Action.INTELLIGENCE_VIEW_SOURCE,
            IntelligenceReport.objects.filter(pk__in=list(report_ids)),
        ).values_list("pk", flat=True)
    )


# A status filter for every report but the historic (5x5x5, read-only) ones.
CURRENT = "current"
# A "submitted by" filter for reports from any partner's submission.
ANY_SUBMITTER = "any"


@dataclass(frozen=True)
class ReportFilters:
    status: str = ""  # a ReportStatus, or CURRENT
    priority: str = ""
    handling_code: str = ""
    reference: str = ""
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    owning_agency_id: int | None = None
    # Reports about an area: linked to a place or premises in it (or any area inside
    # it), or to a person whose current address is there.
    area_code: str = ""
    submitted_by: str = ""  # an agency's id, or ANY_SUBMITTER

    def as_dict(self) -> dict[str, object]:
        """The filters that narrow anything (for the audit log)."""
        return {k: v for k, v in self.__dict__.items() if v not in ("", None)}


def reports_about_area(code: str) -> QuerySet[ReportLink, Any]:
    """Ids of reports about the area (as a subquery): linked to a location or premises in
    it, or to a person whose current address is in it."""
    areas = area_ids_within(code)
    return ReportLink.objects.filter(
        Q(location__area_id__in=areas)
        | Q(premises__location__area_id__in=areas)
        | Q(person_id__in=people_living_in(code))
    ).values("report_id")


def report_filter_choices() -> dict[str, list[tuple[str, str]]]:
    """Choices for the list's filters: every agency (as the performance dashboard offers
    them) and the hub's areas."""
    agencies = [(str(pk), name) for pk, name in
                Agency.objects.order_by("name").values_list("pk", "name")]
    return {"agency": agencies, "area": area_filter_choices()}


def report_list(user: User, filters: ReportFilters | None = None
                ) -> QuerySet[IntelligenceReport]:
    """The reports a user may read, newest first, filtered."""
    policy.require(user, Action.INTELLIGENCE_VIEW)
    filters = filters or ReportFilters()
    reports = reports_for(user).select_related("owning_team", "owning_team__agency")
    if filters.status == CURRENT:
        reports = reports.exclude(status=ReportStatus.HISTORIC)
    elif filters.status:
        reports = reports.filter(status=filters.status)
    if filters.priority:
        reports = reports.filter(priority=filters.priority)
    if filters.handling_code:
        reports = reports.filter(handling_code=filters.handling_code)
    if filters.reference.strip():
        reports = reports.filter(reference__icontains=filters.reference.strip())
    reports = reports.filter(on_days("received_at", filters.received_from, filters.received_to))
    if filters.owning_agency_id is not None:
        reports = reports.filter(owning_team__agency_id=filters.owning_agency_id)
    if filters.area_code:
        reports = reports.filter(pk__in=reports_about_area(filters.area_code))
    if filters.submitted_by == ANY_SUBMITTER:
        reports = reports.filter(submission__isnull=False)
    elif filters.submitted_by:
        reports = reports.filter(submission__agency_id=filters.submitted_by)
    return reports.order_by("-received_at", "-pk")


# The review queue's order: High priority first, then Medium, then Low.
PRIORITY_RANK = {Priority.HIGH: 0, Priority.MEDIUM: 1, Priority.LOW: 2}


def review_queue(user: User) -> QuerySet[IntelligenceReport]:
    """Reports and partner submissions awaiting a hub researcher: the highest priority
    first, then the longest waiting. A researcher's own reports are not theirs to
    review (four eyes), so they are not in their queue."""
    policy.require(user, Action.INTELLIGENCE_REVIEW)
    rank = Case(*[When(priority=code, then=Value(order)) for code, order in
                  PRIORITY_RANK.items()], default=Value(len(PRIORITY_RANK)))
    return (
        reports_for(user, Action.INTELLIGENCE_REVIEW)
        .filter(status=ReportStatus.AWAITING_REVIEW, is_legacy_5x5x5=False)
        .select_related("owning_team", "submission", "submission__agency")
        .annotate(priority_rank=rank)
        .order_by("priority_rank", "received_at", "pk")
    )


def awaiting_others_review(user: User) -> int:
    """How many reports this user recorded are waiting for someone else's review."""
    if not policy.allows(user, Action.INTELLIGENCE_REVIEW):
        return 0
    return (
        reports_for(user)
        .filter(status=ReportStatus.AWAITING_REVIEW, is_legacy_5x5x5=False, created_by=user)
        .count()
    )


def recently_reviewed(user: User) -> QuerySet[IntelligenceReport]:
    policy.require(user, Action.INTELLIGENCE_REVIEW)
    return (
        reports_for(user, Action.INTELLIGENCE_REVIEW)
        .filter(status=ReportStatus.REVIEWED, reviewed_at__isnull=False)
        .select_related("owning_team", "reviewed_by", "submission")
        .order_by("-reviewed_at", "-pk")
    )


@dataclass(frozen=True)
class ReviewTimeliness:
    """How long reports the user may see waited for their first review."""

    reviewed: int
    median: dt.timedelta | None
    longest: dt.timedelta | None
    waiting: int
    oldest_waiting: dt.timedelta | None
    window_days: int = TIMELINESS_WINDOW_DAYS


def review_timeliness(user: User, now: dt.datetime | None = None) -> ReviewTimeliness:
    now = now or timezone.now()
    since = now - dt.timedelta(days=TIMELINESS_WINDOW_DAYS)
    pairs = recently_reviewed(user).filter(reviewed_at__gte=since).values_list(
        "received_at", "reviewed_at"
    )
    waits = sorted(reviewed - received for received, reviewed in pairs if reviewed)
    queue = review_queue(user)
    oldest = queue.order_by("received_at").values_list("received_at", flat=True).first()
    return ReviewTimeliness(
        reviewed=len(waits),
        median=statistics.median_low(waits) if waits else None,
        longest=waits[-1] if waits else None,
        waiting=queue.count(),
        oldest_waiting=(now - oldest) if oldest else None,
    )


# --- Links --------------------------------------------------------------------------------


@dataclass
class LinkView:
    """One entity a report mentions, as this user may be shown it."""

    link: ReportLink
    kind: str
    label: str
    url_name: str = ""
    url_kwargs: dict[str, int] = field(default_factory=dict)
    visible: bool = True


ENTITY_URL_NAMES = {
    "person": ("people:detail", "person_pk"),
    "location": ("intelligence:location_detail", "intel_location_pk"),
    "vehicle": ("intelligence:vehicle_detail", "intel_vehicle_pk"),
    "phone": ("intelligence:phone_detail", "intel_phone_pk"),
    "account": ("intelligence:account_detail", "intel_account_pk"),
    "premises": ("intelligence:premises_detail", "intel_premises_pk"),
}
PERSON_NOT_SHOWN = "A person whose record you may not see"


def links_of(user: User, report: IntelligenceReport) -> list[LinkView]:
    """The report's links. Every non-person entity of a report the user may see is one
    they may see; a person is named only if the people rules let the user see them."""
    links = list(
        report.links.select_related(
            "person", "location", "vehicle", "phone", "account", "premises"
        ).order_by("role", "pk")
    )
    person_ids = [link.person_id for link in links if link.person_id]
    visible_people = set(
        people_for(user).filter(pk__in=person_ids).values_list("pk", flat=True)
    ) if person_ids else set()
    views = []
    for link in links:
        kind = link.kind
        url_name, kwarg = ENTITY_URL_NAMES[kind]
        entity = link.entity
        if entity is None:  # the database's constraint makes this impossible
            continue
        if kind == "person":
            visible = link.person_id in visible_people
            label = link.person.full_name if visible and link.person else PERSON_NOT_SHOWN
        else:
            visible, label = True, str(entity)
        views.append(LinkView(
            link=link, kind=kind, label=label,
            url_name=url_name if visible else "",
            url_kwargs={kwarg: entity.pk} if visible else {},
            visible=visible,
        ))
    return views


def disseminations_of(user: User, report: IntelligenceReport) -> list[Dissemination]:
    """Who the report was shared with: the owning team's business only."""
    if not may_see_source(user, report):
        return []
    return list(report.disseminations.select_related("to_agency", "shared_by", "agreement"))


# --- Submissions --------------------------------------------------------------------------


def own_submissions(user: User) -> QuerySet[Submission]:
    policy.require(user, Action.INTELLIGENCE_SUBMISSION_VIEW_OWN)
    return policy.scope(
        user, Action.INTELLIGENCE_SUBMISSION_VIEW_OWN, Submission.objects.all()
    ).select_related("report", "agency").order_by("-received_at", "-pk")


def submission_for(user: User, pk: int) -> Submission:
    return policy.get_or_404(
        user, Action.INTELLIGENCE_SUBMISSION_VIEW_OWN,
        Submission.objects.select_related("report", "agency"), pk=pk,
    )


# --- Entities -----------------------------------------------------------------------------


def entities_for(user: User, model: type[E]) -> QuerySet[E]:
    """The places, vehicles, phones, accounts or premises the user may know exist."""
    return policy.scope(user, Action.ENTITY_VIEW, model._default_manager.all())


def entity_for(user: User, model: type[E], pk: int) -> E:
    queryset = model._default_manager.all()
    if model is Premises:
        queryset = queryset.select_related("location")
    if model is Location:
        queryset = queryset.select_related("area")
    return policy.get_or_404(user, Action.ENTITY_VIEW, queryset, pk=pk)


@dataclass
class ReportMention:
    """A report the user may see that mentions an entity, and in which roles."""

    report: IntelligenceReport
    roles: list[str]
    descriptions: list[str] = field(default_factory=list)


def _mentions(user: User, link_filter: Q) -> list[ReportMention]:
    links = ReportLink.objects.filter(link_filter, report__in=reports_for(user)).order_by("pk")
    roles: dict[int, list[str]] = {}
    descriptions: dict[int, list[str]] = {}
    for report_id, role, description in links.values_list("report_id", "role", "description"):
        roles.setdefault(report_id, [])
        descriptions.setdefault(report_id, [])
        label = str(EntityRole(role).label)
        if label not in roles[report_id]:
            roles[report_id].append(label)
        if description and description not in descriptions[report_id]:
            descriptions[report_id].append(description)
    reports = _report_queryset().filter(pk__in=list(roles)).order_by("-received_at", "-pk")
    return [ReportMention(report=report, roles=roles[report.pk],
                          descriptions=descriptions[report.pk]) for report in reports]


def reports_about_entity(user: User, entity: Model) -> list[ReportMention]:
    """The intelligence the viewer may see about a place, vehicle, phone, account or
    premises (a premises' own location counts too)."""
    kind = next(k for k, model in ENTITY_MODELS.items() if isinstance(entity, model))
    return _mentions(user, Q(**{kind: entity.pk}))


def reports_about_person(user: User, person: Person) -> list[ReportMention]:
    """The intelligence the viewer may see about a person (for the person page). Users
    without the intelligence roles see none."""
    if not policy.allows(user, Action.INTELLIGENCE_VIEW):
        return []
    return _mentions(user, Q(person=person.pk))


def visible_report_counts(user: User, kind: str, entity_ids: Sequence[int]) -> dict[int, int]:
    """How many reports the user may see mention each entity (one query)."""
    if not entity_ids:
        return {}
    rows = (
        ReportLink.objects.filter(
            **{f"{kind}__in": list(entity_ids)}, report__in=reports_for(user)
        )
        .values(kind)
        .annotate(reports=Count("report", distinct=True))
    )
    return {row[kind]: row["reports"] for row in rows}


def premises_at(user: User, location: Location) -> QuerySet[Premises]:
    return entities_for(user, Premises).filter(location=location)


# --- Audit of reads -----------------------------------------------------------------------


def record_viewed(*, user: User, record: Model, request: HttpRequest | None = None,
                  **detail: Any) -> None:
    record_event(event_type=EventType.VIEW, actor=user, record=record, detail=detail or None,
                 request=request)


def record_listed(*, user: User, listing: str, records: Sequence[Model],
                  request: HttpRequest | None = None) -> None:
    """A list that shows records is a view of each of them."""
    record_type = record_type_of(records[0]) if records else "intelligence.intelligencereport"
    record_event(
        event_type=EventType.VIEW, actor=user, record_type=record_type,
        detail={"list": listing, "shown": [record.pk for record in records]},
        request=request,
    )
