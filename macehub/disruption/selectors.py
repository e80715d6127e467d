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
from macehub.intelligence.models import IntelligenceReport
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


def _reports_about(disruption: Disruption) -> QuerySet[IntelligenceReport]:
    if disruption.target_kind == TargetKind.GROUP:
        members = GroupMember.objects.filter(group_id=disruption.target_group_id or 0)
        about = Q(links__person_id__in=members.values("person_id"))
    else:
        field = TARGET_FIELDS[disruption.target_kind].removeprefix("target_")
        about = Q(**{f"links__{field}_id": getattr(disruption,
                                                  f"{TARGET_FIELDS[disruption.target_kind]}_id")})
    return IntelligenceReport.objects.filter(about).distinct()


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


def before_and_after(disruption: Disruption, today: dt.date, viewer: User | None = None
                     ) -> BeforeAfter:
    """The counts in the 90 days before the disruption started and the 90 days from
    then (up to ``today``, for one started less than 90 days ago). With ``viewer``, whether
    they may read every report counted (``reports_exact``)."""
    start = day_starts(disruption.started_on or today)
    before_from = start - dt.timedelta(days=WINDOW_DAYS)
    after_to = min(start + dt.timedelta(days=WINDOW_DAYS),
                   day_starts(today + dt.timedelta(days=1)))
    reports = _reports_about(disruption)
    children = disruption.child_links.values("person_id")
    episodes = MissingEpisode.objects.filter(child_id__in=children)
    in_window = reports.filter(received_at__gte=before_from, received_at__lt=after_to)
    exact = viewer is None or (
        policy.allows(viewer, Action.INTELLIGENCE_VIEW)
        and policy.scope(viewer, Action.INTELLIGENCE_VIEW, IntelligenceReport.objects.filter(
            pk__in=in_window.values("pk"))).count() == in_window.count())
    return BeforeAfter(
        reports_exact=exact,
        reports_before=reports.filter(received_at__gte=before_from,
                                      received_at__lt=start).count(),
        reports_after=reports.filter(received_at__gte=start,
                                     received_at__lt=after_to).count(),
        episodes_before=episodes.filter(went_missing_at__gte=before_from,
                                        went_missing_at__lt=start).count(),
        episodes_after=episodes.filter(went_missing_at__gte=start,
                                       went_missing_at__lt=after_to).count())


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
    for disruption in started:
        counts = before_and_after(disruption, today, user)
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
