"""Building intelligence records for tests (synthetic only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from macehub.accounts.models import Agency, Team, User
from macehub.intelligence.codes import EntityRole, ReportStatus
from macehub.intelligence.models import IntelligenceReport, ReportLink

_counter = {"n": 0}


def make_report(
    owning_team: Team,
    created_by: User,
    *,
    handling_code: str = "P",
    conditions: str = "",
    teams: Iterable[Team] = (),
    agencies: Iterable[Agency] = (),
    source_text: str = "Source text",
    sanitised_text: str = "Sanitised text",
    reviewed: bool = True,
    received_at: dt.datetime | None = None,
    **fields: Any,
) -> IntelligenceReport:
    _counter["n"] += 1
    received_at = received_at or timezone.now() - dt.timedelta(days=2)
    if handling_code == "C" and not conditions:
        conditions = "Named teams and agencies only"
    report = IntelligenceReport.objects.create(
        reference=fields.pop("reference", f"INT-TEST-{_counter['n']:05d}"),
        owning_team=owning_team,
        created_by=created_by,
        received_at=received_at,
        source_text=source_text,
        sanitised_text=sanitised_text,
        source_evaluation=fields.pop("source_evaluation", "2"),
        intelligence_assessment=fields.pop("intelligence_assessment", "B"),
        handling_code=handling_code,
        handling_conditions=conditions,
        status=fields.pop("status", ReportStatus.REVIEWED if reviewed
                          else ReportStatus.AWAITING_REVIEW),
        reviewed_at=received_at + dt.timedelta(hours=5) if reviewed else None,
        reviewed_by=created_by if reviewed else None,
        review_action="develop" if reviewed else "",
        **fields,
    )
    report.permitted_teams.set(list(teams))
    report.permitted_agencies.set(list(agencies))
    return report


def link(report: IntelligenceReport, entity: Any, role: str = "", **kwargs: Any) -> ReportLink:
    from macehub.intelligence.models import (
        Location,
        OnlineAccount,
        PhoneNumber,
        Premises,
        Vehicle,
    )
    from macehub.people.models import Person

    kinds = {Person: ("person", EntityRole.SUSPECT), Location: ("location",
             EntityRole.LOCATION_OF_CONCERN), Vehicle: ("vehicle", EntityRole.VEHICLE_USED),
             PhoneNumber: ("phone", EntityRole.PHONE_USED),
             OnlineAccount: ("account", EntityRole.ACCOUNT_USED),
             Premises: ("premises", EntityRole.PREMISES_OF_CONCERN)}
    kind, default_role = kinds[type(entity)]
    return ReportLink.objects.create(report=report, role=role or default_role,
                                     **{kind: entity}, **kwargs)
