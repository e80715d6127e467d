"""How completely agencies record ethnicity and nationality, month by month, for the
people in a population (children referred, victims, suspects...), so the hub can see
recording improve. Three states, not two: recorded, not stated (asked, declined), not
recorded (never asked). Officer-defined ethnicity (police IC codes) is counted apart
from self-defined: an IC code recorded (IC1 to IC6), IC9 (the officer could not say),
or none. Counted with one aggregate query; aggregate only.

A person is counted once per month in which they have an event, against the agency that
owns their record (the agency that recorded, or failed to record, their ethnicity). A
victim's event is their case: counted in the month it opened, or the period's first
month if it opened before the period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case, CharField, Count, F, Value, When
from django.db.models.functions import TruncMonth

from macehub.accounts.models import User
from macehub.people.codes import NATIONALITY_NOT_STATED, RecordingState
from macehub.people.models import EthnicGroup
from macehub.people.populations import LONDON, Population

STATES = (RecordingState.RECORDED, RecordingState.NOT_STATED, RecordingState.NOT_RECORDED)
IC_RECORDED, IC_UNKNOWN, IC_NONE = "recorded", "unknown", "not_recorded"
IC_STATES = (IC_RECORDED, IC_UNKNOWN, IC_NONE)
ALL_AGENCIES = "All agencies"


@dataclass
class MonthCompleteness:
    month: dt.date
    ethnicity: dict[str, int] = field(default_factory=lambda: {s.value: 0 for s in STATES})
    nationality: dict[str, int] = field(default_factory=lambda: {s.value: 0 for s in STATES})
    officer_defined: dict[str, int] = field(default_factory=lambda: dict.fromkeys(IC_STATES, 0))

    @property
    def people(self) -> int:
        return sum(self.ethnicity.values())

    def share(self, what: str, state: str) -> float | None:
        counts = {"ethnicity": self.ethnicity, "nationality": self.nationality,
                  "officer_defined": self.officer_defined}[what]
        return counts[state] / self.people if self.people else None


@dataclass
class AgencyCompleteness:
    agency: str
    months: list[MonthCompleteness]

    @property
    def people(self) -> int:
        return sum(month.people for month in self.months)


def _ethnicity_state(prefix: str) -> Case:
    return Case(
        When(**{f"{prefix}self_defined_ethnicity__isnull": True},
             then=Value(RecordingState.NOT_RECORDED.value)),
        When(**{f"{prefix}self_defined_ethnicity": EthnicGroup.NOT_STATED},
             then=Value(RecordingState.NOT_STATED.value)),
        default=Value(RecordingState.RECORDED.value), output_field=CharField(),
    )


def _nationality_state(prefix: str) -> Case:
    return Case(
        When(**{f"{prefix}nationality": ""}, then=Value(RecordingState.NOT_RECORDED.value)),
        When(**{f"{prefix}nationality": NATIONALITY_NOT_STATED},
             then=Value(RecordingState.NOT_STATED.value)),
        default=Value(RecordingState.RECORDED.value), output_field=CharField(),
    )


def _officer_defined_state(prefix: str) -> Case:
    return Case(
        When(**{f"{prefix}officer_defined_ethnicity": ""}, then=Value(IC_NONE)),
        When(**{f"{prefix}officer_defined_ethnicity": "IC9"}, then=Value(IC_UNKNOWN)),
        default=Value(IC_RECORDED), output_field=CharField(),
    )


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def completeness_by_month(
    *, population: Population, start: dt.date, end: dt.date, user: User | None = None
) -> list[AgencyCompleteness]:
    """Per agency (and all agencies together, first), per month of the period: how many
    people in the population had ethnicity and nationality recorded, not stated, not
    recorded. For a ``user``, only events whose records they may open are counted (the
    table names agencies and months: a count there could point at a hidden record)."""
    prefix = f"{population.person_field}__"
    events = (population.events_open_to(user, start, end) if user is not None
              else population.events_between(start, end))
    rows = (
        events
        .annotate(
            month=TruncMonth(population.event_date(start), tzinfo=LONDON),
            agency=F(f"{prefix}owning_agency__name"),
            ethnicity_state=_ethnicity_state(prefix),
            nationality_state=_nationality_state(prefix),
            officer_defined_state=_officer_defined_state(prefix),
        )
        .values("month", "agency", "ethnicity_state", "nationality_state",
                "officer_defined_state")
        .annotate(people=Count(population.person_field, distinct=True))
        .order_by()
    )
    months = _months(start, end)
    table: dict[str, dict[dt.date, MonthCompleteness]] = {}
    for row in rows:
        month = row["month"]
        month = month.astimezone(LONDON).date() if isinstance(month, dt.datetime) else month
        for agency in (ALL_AGENCIES, row["agency"]):
            by_month = table.setdefault(agency, {m: MonthCompleteness(m) for m in months})
            cell = by_month.setdefault(month, MonthCompleteness(month))
            cell.ethnicity[row["ethnicity_state"]] += row["people"]
            cell.nationality[row["nationality_state"]] += row["people"]
            cell.officer_defined[row["officer_defined_state"]] += row["people"]
    ordered = sorted(table, key=lambda name: (name != ALL_AGENCIES, name))
    return [AgencyCompleteness(name, sorted(table[name].values(), key=lambda m: m.month))
            for name in ordered]

