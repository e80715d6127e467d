"""Records for the accountability tests: an inspection with a recommendation, an action
and the PCC office's scrutiny officer."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from macehub.accountability.codes import FindingKind, Theme
from macehub.accountability.models import ImprovementAction, Inspection, Recommendation
from macehub.accounts.models import User
from macehub.accounts.roles import AgencyKind, Role
from macehub.testing.factories import make_agency, make_user


def make_scrutiny_officer(username: str = "pcc.scrutiny") -> User:
    pcc = make_agency("pcc-office", AgencyKind.PCC_OFFICE,
                      name="Office of the Police and Crime Commissioner")
    return make_user(username, Role.SCRUTINY, agency=pcc)


def make_inspection(by: User, title: str = "Inspection of the response to exploitation"
                    ) -> Inspection:
    return Inspection.objects.create(body="hmicfrs", title=title,
                                     published_on=dt.date(2025, 3, 1), created_by=by,
                                     created_at=timezone.now())


def make_recommendation(inspection: Inspection, number: int = 1,
                        theme: str = Theme.SUPERVISION,
                        kind: str = FindingKind.RECOMMENDATION) -> Recommendation:
    return Recommendation.objects.create(
        inspection=inspection, kind=kind, number=number,
        text="Forces should make sure supervisors review exploitation investigations.",
        addressed_to="Chief Constables", theme=theme, created_at=timezone.now())


def make_action(recommendation: Recommendation, owner: User, by: User,
                due_on: dt.date = dt.date(2026, 6, 30), status: str = "open",
                evidence: str = "", done_on: dt.date | None = None) -> ImprovementAction:
    assert owner.agency is not None
    return ImprovementAction.objects.create(
        recommendation=recommendation, description="Supervisory review at allocation",
        owner=owner, agency=owner.agency, due_on=due_on, status=status, evidence=evidence,
        done_on=done_on, created_by=by, created_at=timezone.now())
