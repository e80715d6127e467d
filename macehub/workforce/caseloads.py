"""Each worker's live caseload: what they hold now, counted by kind of work
(``codes.WorkKind``) and weighted into one figure by the hub's ``CaseloadWeighting``.

- Cases: the open cases a worker is key worker of, by risk tier, as the cases app
  counts them (``cases.selectors.key_workers_with_caseload``, with Medium and Low added
  to its High).
- Investigations: those not closed of which the worker is officer in the case.
- Exhibits: devices still waiting for the forensics unit (triage or a full
  examination), counted against the officer in the case of their investigation, who
  chases them (a device waiting has no examiner named yet).
- Meeting actions: open actions the worker owns.

One grouped query per kind and one for the workers: five in all, however many workers.
Named caseloads are personal data about staff: the page that shows them audits the view.
A senior leader sees their agency's staff, a supervisor their team's; the resourcing
report counts everyone's but names no one."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.accounts.roles import Role
from macehub.cases.codes import CaseStatus, RiskTier
from macehub.cases.selectors import key_workers_with_caseload
from macehub.forensics.codes import BACKLOG_STAGES
from macehub.forensics.models import Exhibit
from macehub.investigations.codes import InvestigationStatus
from macehub.investigations.models import Investigation
from macehub.meetings.codes import ActionStatus
from macehub.meetings.models import MeetingAction
from macehub.workforce.codes import WorkKind

NO_TEAM = "No team"


@dataclass
class WorkerCaseload:
    worker: User
    counts: dict[str, int]
    weighted: Decimal

    @property
    def team_name(self) -> str:
        return self.worker.team.name if self.worker.team else NO_TEAM

    def count(self, kind: str) -> int:
        return self.counts.get(kind, 0)

    @property
    def counts_in_order(self) -> list[int]:
        """Its count of each kind of work, in the order ``WorkKind`` lists them."""
        return [self.count(kind) for kind in WorkKind.values]


@dataclass
class TeamCaseloads:
    name: str
    workers: list[WorkerCaseload] = field(default_factory=list)

    @property
    def weighted(self) -> Decimal:
        return sum((worker.weighted for worker in self.workers), Decimal(0))


def staff_seen_by(viewer: User) -> Q:
    """The staff whose caseloads the viewer may see named: a senior leader's agency, a
    supervisor's team (both, for one who is both); nobody for anyone else."""
    if not policy.allows(viewer, Action.WORKFORCE_CASELOAD_VIEW):
        return Q(pk__in=[])
    roles = viewer.role_codes
    seen = Q(pk__in=[])
    if Role.SENIOR_LEADER in roles and viewer.agency_id:
        seen |= Q(agency_id=viewer.agency_id)
    if Role.SUPERVISOR in roles and viewer.team_id:
        seen |= Q(team_id=viewer.team_id)
    return seen


def _held(rows: Iterable[Mapping[str, Any]], worker_field: str) -> dict[int, int]:
    return {int(row[worker_field]): int(row["held"]) for row in rows
            if row[worker_field] is not None}


def live_caseloads(*, staff: Q, weights: dict[str, Decimal]) -> list[WorkerCaseload]:
    """The caseload of every active member of ``staff`` who holds any work, heaviest
    first (five queries)."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    open_case = Q(key_worker_cases__status=CaseStatus.OPEN)
    for row in (key_workers_with_caseload().filter(staff).annotate(
            medium_cases=Count("key_worker_cases", distinct=True, filter=open_case & Q(
                key_worker_cases__risk_tier=RiskTier.MEDIUM)),
            low_cases=Count("key_worker_cases", distinct=True, filter=open_case & Q(
                key_worker_cases__risk_tier=RiskTier.LOW)))
            .filter(Q(open_cases__gt=0)).order_by()
            .values("pk", "high_cases", "medium_cases", "low_cases")):
        counts[row["pk"]].update({WorkKind.HIGH_CASE: row["high_cases"],
                                  WorkKind.MEDIUM_CASE: row["medium_cases"],
                                  WorkKind.LOW_CASE: row["low_cases"]})
    staff_pks = User.objects.filter(staff, is_active=True).values("pk")
    by_kind = {
        WorkKind.INVESTIGATION: _held(
            Investigation.objects.exclude(status=InvestigationStatus.CLOSED)
            .filter(officer_in_case__in=staff_pks).order_by()
            .values("officer_in_case").annotate(held=Count("pk")), "officer_in_case"),
        WorkKind.EXHIBIT: _held(
            Exhibit.objects.filter(stage__in=BACKLOG_STAGES,
                                   investigation__officer_in_case__in=staff_pks).order_by()
            .values("investigation__officer_in_case").annotate(held=Count("pk")),
            "investigation__officer_in_case"),
        WorkKind.MEETING_ACTION: _held(
            MeetingAction.objects.filter(status=ActionStatus.OPEN, owner__in=staff_pks)
            .order_by().values("owner").annotate(held=Count("pk")), "owner"),
    }
    for kind, held in by_kind.items():
        for worker_pk, number in held.items():
            counts[worker_pk][kind] = number
    holding = {pk for pk, kinds in counts.items() if any(kinds.values())}
    workers = User.objects.filter(staff, is_active=True, pk__in=holding).select_related(
        "team", "agency")
    found = [WorkerCaseload(worker, counts[worker.pk], sum(
        (weights.get(kind, Decimal(0)) * number for kind, number in counts[worker.pk].items()),
        Decimal(0))) for worker in workers]
    found.sort(key=lambda load: (-load.weighted, load.worker.last_name,
                                 load.worker.first_name, load.worker.username))
    return found


def by_team(caseloads: list[WorkerCaseload]) -> list[TeamCaseloads]:
    """The caseloads grouped by the worker's team, teams by name."""
    teams: dict[str, TeamCaseloads] = {}
    for load in caseloads:
        teams.setdefault(load.team_name, TeamCaseloads(load.team_name)).workers.append(load)
    return [teams[name] for name in sorted(teams)]


def everyone() -> Q:
    """Every member of staff: for counts that name no one (the resourcing report)."""
    return Q()
