"""Reads of the workforce records. Establishment figures are about posts, not people:
a senior leader sees their own agency's teams (an administrator every team), and the
hub's staffing (its hub teams together) is read by the resourcing report. A month not
recorded is ``None`` here and "not recorded" on every page, never zero."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from macehub.accounts.models import Team, User
from macehub.workforce.models import TeamMonth
from macehub.workforce.services import teams_recorded_by


@dataclass
class TeamRow:
    team: Team
    months: list[tuple[dt.date, TeamMonth | None]]


def establishment_table(actor: User, months: list[dt.date]) -> list[TeamRow]:
    """The teams whose months the actor records, each with its recorded months (two
    queries)."""
    teams = list(teams_recorded_by(actor))
    recorded = {(record.team_id, record.month): record for record in
                TeamMonth.objects.filter(team__in=[team.pk for team in teams],
                                         month__in=months)}
    return [TeamRow(team, [(month, recorded.get((team.pk, month))) for month in months])
            for team in teams]


def team_month(actor: User, team_pk: int | None, month: dt.date | None) -> TeamMonth | None:
    """A team's month the actor may record, if recorded."""
    if team_pk is None or month is None:
        return None
    return TeamMonth.objects.filter(team__in=teams_recorded_by(actor), team_id=team_pk,
                                    month=month).first()


@dataclass
class HubMonth:
    """The hub teams' staffing in one month: totals only when every hub team recorded
    the month (a part-recorded month would look like a fall in staffing)."""

    month: dt.date
    teams: int
    teams_recorded: int
    establishment: Decimal | None = None
    filled: Decimal | None = None
    posts_added: Decimal = Decimal(0)
    funding: list[str] = field(default_factory=list)

    @property
    def recorded(self) -> bool:
        return self.teams > 0 and self.teams_recorded == self.teams

    @property
    def vacancies(self) -> Decimal | None:
        if self.establishment is None or self.filled is None:
            return None
        return self.establishment - self.filled


def hub_teams() -> list[Team]:
    return list(Team.objects.filter(is_hub_team=True, is_active=True).order_by("name"))


def hub_staffing(months: list[dt.date]) -> list[HubMonth]:
    """Each month's staffing of the hub teams together (two queries)."""
    teams = hub_teams()
    found = {month: HubMonth(month, len(teams), 0) for month in months}
    for record in TeamMonth.objects.filter(team__in=[team.pk for team in teams],
                                           month__in=months).select_related("team"):
        hub_month = found[record.month]
        hub_month.teams_recorded += 1
        hub_month.establishment = (hub_month.establishment or Decimal(0)) + record.establishment
        hub_month.filled = (hub_month.filled or Decimal(0)) + record.filled
        hub_month.posts_added += record.posts_added
        if record.posts_added:
            funded = record.posts_added_funded_on
            hub_month.funding.append(
                f"{record.team.name}: {record.posts_added.normalize():f} funded "
                f"{funded.day} {funded:%B %Y} ({record.posts_added_funding})"
                if funded else f"{record.team.name}: {record.posts_added_funding}")
    for hub_month in found.values():
        if not hub_month.recorded:
            hub_month.establishment = hub_month.filled = None
    return [found[month] for month in months]


def filled_now(staffing: list[HubMonth]) -> HubMonth | None:
    """The latest month every hub team recorded: today's staffing, as far as known."""
    return next((month for month in reversed(staffing) if month.recorded), None)
