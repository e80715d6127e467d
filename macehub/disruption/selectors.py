"""Reading the disruption register, always through the access policy: the register a
user may see, one disruption with what its page shows, the disruptions on a person,
group, premises or vehicle, and whether they work (``effectiveness``).

Whether it works: for each disruption that started (granted or served), the intelligence
reports about its target and the missing episodes of its children in the 90 days before
it started and the 90 days from then; summed by tactic, with the breach rate. A report is
about a target when it links to it (for a group, to any of its members). The figures are
counts only, of every report and episode (not only those the viewer may open): the page
is for those who read intelligence, and names no report."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.cases.models import MissingEpisode
from macehub.days import day_starts
from macehub.disruption.codes import IN_FORCE_STATUSES, DisruptionStatus, TargetKind
from macehub.disruption.models import TARGET_FIELDS, Disruption, DisruptionChild, Tactic
from macehub.intelligence.models import IntelligenceReport, ReportLink
from macehub.networks.models import GroupMember

WINDOW_DAYS = 90
# Below this, before and after, the numbers are too small to say whether it worked.
SMALL = 5


def disruptions_for(user: User) -> QuerySet[Disruption]:
    return policy.scope(user, Action.DISRUPTION_VIEW, Disruption.objects.all())


def register(user: User, *, status: str = "", tactic_pk: int | None = None
             ) -> QuerySet[Disruption]:
    listed = disruptions_for(user).select_related(
        "tactic", "target_person", "target_group", "target_premises", "target_vehicle",
        "target_location", "target_account", "lead_agency", "lead_officer")
    if status:
        listed = listed.filter(status=status)
    if tactic_pk:
        listed = listed.filter(tactic_id=tactic_pk)
    return listed


def disruption_for(user: User, pk: int, action: Action = Action.DISRUPTION_VIEW
                   ) -> Disruption:
    return policy.get_or_404(user, action, Disruption.objects.select_related(
        "tactic", "target_person", "target_group", "target_premises", "target_vehicle",
        "target_location", "target_account", "lead_agency", "lead_officer", "investigation",
        "created_by", "agreed_at__meeting"), pk=pk)


def disruptions_on(user: User, kind: str, target_pk: int) -> list[Disruption]:
    """The disruptions aimed at one person, group, premises or vehicle that the user may
    see (a person's also those protecting them as a child)."""
    if not policy.allows(user, Action.DISRUPTION_VIEW):
        return []
    target = Q(**{f"{TARGET_FIELDS[kind]}_id": target_pk})
    if kind == TargetKind.PERSON:
        target |= Q(pk__in=DisruptionChild.objects.filter(
            person_id=target_pk).values("disruption_id"))
    return list(register(user).filter(target).order_by("-created_at"))


def target_label(disruption: Disruption) -> str:
    target = disruption.target
    if target is None:
        return ""
    name = getattr(target, "full_name", None) or str(target)
    return f"{TargetKind(disruption.target_kind).label}: {name}"


# --- does it work? ----------------------------------------------------------------------


SUPPRESSED = "Fewer than 5"
NOT_SHOWN = "Not shown: small numbers"


@dataclass
class BeforeAfter:
    reports_before: int = 0
    reports_after: int = 0
    episodes_before: int = 0
    episodes_after: int = 0
    # False when the viewer may not read every report counted: their counts below
    # ``SMALL`` (above nought) are then shown as "Fewer than 5", and a change that would
    # give one away is not shown.
    reports_exact: bool = True

    def add(self, other: BeforeAfter) -> None:
        self.reports_before += other.reports_before
        self.reports_after += other.reports_after
        self.episodes_before += other.episodes_before
        self.episodes_after += other.episodes_after
        self.reports_exact = self.reports_exact and other.reports_exact

    def _hidden(self, count: int) -> bool:
        return not self.reports_exact and 0 < count < SMALL

    @property
    def reports_before_shown(self) -> str:
        return SUPPRESSED if self._hidden(self.reports_before) else str(self.reports_before)

    @property
    def reports_after_shown(self) -> str:
        return SUPPRESSED if self._hidden(self.reports_after) else str(self.reports_after)

    def reports_for_chart(self) -> tuple[Decimal | None, Decimal | None]:
        return (None if self._hidden(self.reports_before) else Decimal(self.reports_before),
                None if self._hidden(self.reports_after) else Decimal(self.reports_after))

    @staticmethod
    def change(before: int, after: int) -> str:
        """The change in words: too small to say (below ``SMALL`` before and after), or
        the difference and, from a count before, the percentage."""
        if before < SMALL and after < SMALL:
            return "Too few to say"
        difference = after - before
        text = f"{difference:+d}"
        if before:
            text += f" ({round(Decimal(difference) * 100 / before):+d}%)"
        return text

    @property
    def reports_change(self) -> str:
        change = self.change(self.reports_before, self.reports_after)
        if change != "Too few to say" and (self._hidden(self.reports_before)
                                           or self._hidden(self.reports_after)):
            return NOT_SHOWN
        return change

    @property
    def episodes_change(self) -> str:
        return self.change(self.episodes_before, self.episodes_after)


@dataclass(frozen=True)
class _Window:
    before_from: dt.datetime
    start: dt.datetime
    after_to: dt.datetime

    def side(self, when: dt.datetime) -> str | None:
        if self.before_from <= when < self.start:
            return "before"
        if self.start <= when < self.after_to:
            return "after"
        return None


def _window(disruption: Disruption, today: dt.date) -> _Window:
    """The 90 days before the disruption started and the 90 days from then (up to the
    end of ``today``, for one started less than 90 days ago)."""
    start = day_starts(disruption.started_on or today)
    return _Window(before_from=start - dt.timedelta(days=WINDOW_DAYS), start=start,
                   after_to=min(start + dt.timedelta(days=WINDOW_DAYS),
                                day_starts(today + dt.timedelta(days=1))))


def _target_keys(disruptions: list[Disruption]) -> dict[int, set[tuple[str, int]]]:
    """What each disruption's reports link to, as (report link field, pk): its target,
    or for a group every member (one query for all the groups)."""
    groups = {d.target_group_id for d in disruptions if d.target_group_id}
    members: dict[int, set[int]] = defaultdict(set)
    for group_id, person_id in GroupMember.objects.filter(group_id__in=groups).values_list(
            "group_id", "person_id"):
        members[group_id].add(person_id)
    keys: dict[int, set[tuple[str, int]]] = {}
    for disruption in disruptions:
        if disruption.target_kind == TargetKind.GROUP:
            keys[disruption.pk] = {("person", pk)
                                   for pk in members[disruption.target_group_id or 0]}
        else:
            target = TARGET_FIELDS[disruption.target_kind]
            keys[disruption.pk] = {(target.removeprefix("target_"),
                                    getattr(disruption, f"{target}_id"))}
    return keys


LINK_FIELDS = ("person", "premises", "vehicle", "location", "account")


def counts_before_and_after(disruptions: list[Disruption], today: dt.date,
                            viewer: User | None = None) -> dict[int, BeforeAfter]:
    """For each disruption, the intelligence reports about its target and the missing
    episodes of its children in its windows (``_window``), and, with ``viewer``,
    whether they may read every report counted (``reports_exact``). A fixed number of
    queries however many disruptions: the links, the episodes and the viewer's scope are
    each read once for all of them."""
    if not disruptions:
        return {}
    windows = {d.pk: _window(d, today) for d in disruptions}
    earliest = min(w.before_from for w in windows.values())
    latest = max(w.after_to for w in windows.values())
    keys = _target_keys(disruptions)
    wanted: dict[str, set[int]] = defaultdict(set)
    for found in keys.values():
        for name, pk in found:
            wanted[name].add(pk)
    about = Q(pk__in=[])
    for name, pks in wanted.items():
        about |= Q(**{f"{name}_id__in": sorted(pks)})
    links = ReportLink.objects.filter(about, report__received_at__gte=earliest,
                                      report__received_at__lt=latest)
    reports_of: dict[tuple[str, int], set[tuple[int, dt.datetime]]] = defaultdict(set)
    for row in links.values_list("report_id", "report__received_at",
                                 *(f"{name}_id" for name in LINK_FIELDS)):
        for name, pk in zip(LINK_FIELDS, row[2:], strict=True):
            if pk is not None:
                reports_of[(name, pk)].add((row[0], row[1]))
    readable: set[int] | None = None
    if viewer is not None:
        readable = set(policy.scope(viewer, Action.INTELLIGENCE_VIEW,
                                    IntelligenceReport.objects.filter(
                                        pk__in=links.values("report_id")))
                       .values_list("pk", flat=True)) if policy.allows(
            viewer, Action.INTELLIGENCE_VIEW) else set()
    children: dict[int, set[int]] = defaultdict(set)
    for disruption_id, person_id in DisruptionChild.objects.filter(
            disruption_id__in=windows).values_list("disruption_id", "person_id"):
        children[disruption_id].add(person_id)
    episodes: dict[int, list[dt.datetime]] = defaultdict(list)
    for child_id, went in MissingEpisode.objects.filter(
            child_id__in={pk for pks in children.values() for pk in pks},
            went_missing_at__gte=earliest, went_missing_at__lt=latest).values_list(
            "child_id", "went_missing_at"):
        episodes[child_id].append(went)
    counted: dict[int, BeforeAfter] = {}
    for disruption in disruptions:
        window = windows[disruption.pk]
        counts = BeforeAfter()
        reports = set().union(*(reports_of[key] for key in keys[disruption.pk]))
        in_window = set()
        for report_id, received in reports:
            side = window.side(received)
            if side is not None:
                in_window.add(report_id)
                setattr(counts, f"reports_{side}", getattr(counts, f"reports_{side}") + 1)
        for child_id in children[disruption.pk]:
            for went in episodes[child_id]:
                side = window.side(went)
                if side is not None:
                    setattr(counts, f"episodes_{side}",
                            getattr(counts, f"episodes_{side}") + 1)
        counts.reports_exact = readable is None or in_window <= readable
        counted[disruption.pk] = counts
    return counted


def before_and_after(disruption: Disruption, today: dt.date, viewer: User | None = None
                     ) -> BeforeAfter:
    """One disruption's counts (``counts_before_and_after``)."""
    return counts_before_and_after([disruption], today, viewer)[disruption.pk]


@dataclass
class DisruptionRow:
    disruption: Disruption
    target: str
    counts: BeforeAfter
    partial: bool  # started less than 90 days ago: the "after" is not complete


@dataclass
class TacticRow:
    tactic: Tactic
    counts: BeforeAfter = field(default_factory=BeforeAfter)
    started: int = 0  # granted or served (the denominator of the breach rate)
    breached: int = 0

    @property
    def breach_rate(self) -> str:
        if not self.started:
            return "None granted or served"
        if self.started < SMALL:
            return f"{self.breached} of {self.started} (too few for a rate)"
        rate = round(Decimal(self.breached) * 100 / self.started)
        return f"{rate}% ({self.breached} of {self.started})"


@dataclass
class Effectiveness:
    tactics: list[TacticRow]
    rows: list[DisruptionRow]
    today: dt.date


def effectiveness(user: User, today: dt.date | None = None) -> Effectiveness:
    """Whether the disruptions the user may see work, as of ``today``."""
    today = today or timezone.localdate()
    started = list(register(user).filter(started_on__isnull=False, started_on__lte=today)
                   .prefetch_related("breaches").order_by("tactic__name", "started_on"))
    by_tactic: dict[int, TacticRow] = {}
    rows = []
    counted = counts_before_and_after(started, today, user)
    for disruption in started:
        counts = counted[disruption.pk]
        rows.append(DisruptionRow(
            disruption=disruption, target=target_label(disruption), counts=counts,
            partial=disruption.started_on is not None
            and disruption.started_on + dt.timedelta(days=WINDOW_DAYS) > today))
        tactic_row = by_tactic.setdefault(disruption.tactic_id, TacticRow(disruption.tactic))
        tactic_row.counts.add(counts)
        tactic_row.started += 1
        if disruption.status == DisruptionStatus.BREACHED or any(
                breach.occurred_on <= today for breach in disruption.breaches.all()):
            tactic_row.breached += 1
    return Effectiveness(tactics=sorted(by_tactic.values(), key=lambda row: row.tactic.name),
                         rows=rows, today=today)


def in_force(disruptions: QuerySet[Disruption]) -> QuerySet[Disruption]:
    return disruptions.filter(status__in=list(IN_FORCE_STATUSES))


# --- what the record page offers --------------------------------------------------------


def target_for(user: User, kind: str, pk: int | None) -> object | None:
    """The target the user may know exists, or None."""
    from macehub.disruption.services import TARGETS

    if kind not in TARGETS or pk is None:
        return None
    model, action = TARGETS[kind]
    if not policy.allows(user, action):
        return None
    return policy.scope(user, action, model._default_manager.filter(pk=pk)).first()


def children_to_offer(user: User, kind: str, pk: int) -> list[tuple[int, str]]:
    """The children a disruption on this target may protect, as the record page offers
    them: victims in the reports about the target (for a person, also of the
    investigations they are a suspect in; for a group, its victim members), of those the
    user may see."""
    from macehub.intelligence.models import ReportLink
    from macehub.investigations.models import InvestigationVictim
    from macehub.people.models import Person

    if kind == TargetKind.GROUP:
        members = GroupMember.objects.filter(group_id=pk)
        reports = ReportLink.objects.filter(
            person_id__in=members.values("person_id")).values("report_id")
        people = Q(pk__in=members.filter(part="victim").values("person_id"))
    else:
        field = TARGET_FIELDS[kind].removeprefix("target_")
        reports = ReportLink.objects.filter(**{f"{field}_id": pk}).values("report_id")
        people = Q(pk__in=[])
    people |= Q(pk__in=ReportLink.objects.filter(report_id__in=reports, role="victim")
                .values("person_id"))
    if kind == TargetKind.PERSON:
        people |= Q(pk__in=InvestigationVictim.objects.filter(
            investigation__suspects__person_id=pk).values("person_id"))
    found = policy.scope(user, Action.PERSON_VIEW, Person.objects.filter(people)
                         ).order_by("family_name", "given_name")[:50]
    return [(person.pk, person.full_name) for person in found]


def investigations_to_offer(user: User, kind: str, pk: int) -> list[tuple[int, str]]:
    """The investigations the user may see that name the target person as a suspect
    (or any, for another kind of target: the latest 50)."""
    from macehub.investigations.models import Investigation

    if not policy.allows(user, Action.INVESTIGATION_VIEW):
        return []
    found = policy.scope(user, Action.INVESTIGATION_VIEW, Investigation.objects.all())
    if kind == TargetKind.PERSON:
        found = found.filter(suspects__person_id=pk)
    return [(investigation.pk, f"{investigation.reference} {investigation.title}")
            for investigation in found.order_by("-pk")[:50]]
