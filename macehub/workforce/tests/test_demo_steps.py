"""The demo's staffing, as of the tests' fixed demo day: a year of months for each hub
team; the police hub 12 funded with 3 vacancies until two posts funded six months
before the day, 14 funded from then; social care one vacancy throughout; the weighting
at its defaults; and the resourcing report reads them, with a forecast from the year of
demand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from macehub.conftest import DEMO_AS_OF
from macehub.demo.progress import Progress
from macehub.workforce import report
from macehub.workforce.demand import add_months
from macehub.workforce.demo_steps import delete_demo_staffing, funded_on
from macehub.workforce.models import DEFAULT_WEIGHTS, TeamMonth
from macehub.workforce.services import current_weighting

pytestmark = pytest.mark.django_db


def test_the_demo_plants_the_hub_teams_staffing(small_demo: None) -> None:
    funded = funded_on(DEMO_AS_OF)
    assert funded == dt.date(2025, 12, 1)
    added_in = funded.replace(day=1)
    police = list(TeamMonth.objects.filter(team__name="MACE Hub", team__is_hub_team=True,
                                           team__agency__kind="police").order_by("month"))
    assert len(police) == 12
    assert police[0].month == add_months(DEMO_AS_OF.replace(day=1), -11)
    assert police[-1].month == DEMO_AS_OF.replace(day=1)
    for record in police:
        if record.month < added_in:
            assert (record.establishment, record.filled, record.vacancies) == (12, 9, 3)
            assert record.posts_added == 0
        else:
            assert (record.establishment, record.filled, record.vacancies) == (14, 11, 3)
            assert record.posts_added == (2 if record.month == added_in else 0)
    added = next(record for record in police if record.posts_added)
    assert added.posts_added_funded_on == funded
    assert "PCC exploitation grant" in added.posts_added_funding
    social_care = TeamMonth.objects.filter(team__agency__kind="childrens_social_care",
                                           team__is_hub_team=True)
    assert social_care.count() == 12
    assert {record.vacancies for record in social_care} == {Decimal(1)}
    assert TeamMonth.objects.filter(team__is_hub_team=False).count() == 0
    assert current_weighting().weights() == DEFAULT_WEIGHTS

    built = report.resourcing_report(start=add_months(DEMO_AS_OF.replace(day=1), -12),
                                     end=add_months(DEMO_AS_OF.replace(day=1), -1),
                                     safe=Decimal(12), suppressed=False, today=DEMO_AS_OF)
    assert [effect.month for effect in built.effects] == [added_in]
    assert built.effects[0].posts_added == 2
    assert built.months[-1].staffing.filled == 11 + 5 + 3
    assert built.months[0].staffing.recorded is False  # before the year recorded
    assert built.staffed_now is not None and built.staffed_now.filled == 19
    assert built.weighted_forecast.made, built.weighted_forecast.reason
    assert len(built.implied) == 12

    deleted = delete_demo_staffing(Progress())
    assert deleted == {"team months": 36} and not TeamMonth.objects.exists()
