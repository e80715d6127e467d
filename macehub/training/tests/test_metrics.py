"""The training measures on a small hand-made staff: the tier's required courses held at
the period's end, by team and agency; each figure and the trend of many months one
query. All names are made up."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import Role
from macehub.core.metrics import TOTAL, Breakdown, Filters, Period, get_metric
from macehub.testing.factories import make_user
from macehub.training.tests.factories import trained

pytestmark = pytest.mark.django_db


@time_machine.travel(dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC), tick=False)
def test_compliance_by_tier_team_and_agency_in_one_query(
        hub_agency: Agency, hub_team: Team, partner_agency: Agency) -> None:
    investigator = make_user("ian.investigator", Role.INVESTIGATOR, agency=hub_agency,
                             team=hub_team)
    make_user("sue.supervisor", Role.SUPERVISOR, agency=hub_agency, team=hub_team)
    social = make_user("sam.social", Role.SOCIAL_WORKER, agency=partner_agency)
    trained(investigator, "cse_specialist_investigation", dt.date(2026, 2, 10))
    trained(investigator, "cse_awareness", dt.date(2023, 1, 1), dt.date(2026, 1, 15))
    trained(social, "cse_awareness", dt.date(2025, 6, 1))
    specialist = get_metric("training_compliance_specialist")
    with CaptureQueriesContext(connection) as queries:
        figures = specialist.figures(Period.month(2026, 2))
    assert len(queries) == 1
    found = {(f.breakdown, f.category): (f.numerator, f.denominator) for f in figures}
    # Specialist CSE (investigator, supervisor) and ABE (investigator): 1 of 3 held.
    assert found[TOTAL, ""] == (1, 3)
    assert found[Breakdown.TEAM, "MACE Hub (County Police)"] == (1, 3)
    assert found[Breakdown.AGENCY, "County Police"] == (1, 3)
    awareness = get_metric("training_compliance_awareness")
    months = [Period.month(2025, 12), Period.month(2026, 1), Period.month(2026, 3)]
    with CaptureQueriesContext(connection) as queries:
        trend = awareness.trend(months)
    assert len(queries) == 1
    # The investigator's awareness expired on 15 January; March counts to today.
    assert [(f.numerator, f.denominator) for f in trend] == [(2, 3), (1, 3), (1, 3)]
    only_partner = awareness.figures(Period.month(2026, 3),
                                     Filters(agency_id=partner_agency.pk))
    assert (only_partner[0].numerator, only_partner[0].denominator) == (1, 1)
