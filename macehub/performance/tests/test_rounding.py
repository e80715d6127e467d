"""Published figures are worked out exactly and rounded once, half up (the hub's one rule,
``macehub.core.figures``): a median of exactly 12.15 hours is published as 12.2, not as the
12.1 a floating-point median gives; a share of exactly 12.25% as 12.3%."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import Role
from macehub.core.measures import median_hours
from macehub.core.metrics import TOTAL, Breakdown, Figure, Period, Unit, get_metric
from macehub.performance.selectors import format_value
from macehub.referrals.codes import ReferralStatus, TriageOutcome
from macehub.referrals.tests.factories import make_referral
from macehub.testing.factories import make_person, make_user, verified_login

LONDON = ZoneInfo("Europe/London")
MARCH = Period.month(2024, 3)
# Decided 12 h 6 min and 12 h 12 min after receipt: the median is exactly 12.15 hours.
TOOK = (dt.timedelta(hours=12, minutes=6), dt.timedelta(hours=12, minutes=12))


def test_an_exact_median_of_12_15_hours_is_published_as_12_2() -> None:
    assert median_hours(list(TOOK)) == Decimal("12.2")
    # The same halves the other way, and an odd count (no halving at all).
    assert median_hours([dt.timedelta(hours=1), dt.timedelta(hours=1, minutes=15)]
                        ) == Decimal("1.1")  # 1.125 → 1.1 (not a tie)
    assert median_hours([dt.timedelta(minutes=3)] * 3) == Decimal("0.1")  # 0.05 → 0.1
    assert median_hours([]) is None


def test_shares_and_rates_round_half_up_once_to_their_published_places() -> None:
    assert Figure(TOTAL, "", "All", 49, 400).value(Unit.PERCENTAGE) == Decimal("12.3")
    assert Figure(TOTAL, "", "All", 1, 8).value(Unit.PERCENTAGE) == Decimal("12.5")
    # A rate is published to two places, rounded once (not to 0.3 first, then "0.30").
    assert Figure(TOTAL, "", "All", 2, 7).value(Unit.RATE) == Decimal("0.29")
    assert Figure(TOTAL, "", "All", 1, 8).value(Unit.RATE) == Decimal("0.13")
    assert format_value(Unit.RATE, Decimal("0.125")) == "0.13"
    assert format_value(Unit.PERCENTAGE, Decimal("12.25")) == "12.3%"
    assert format_value(Unit.COUNT, Decimal(1234)) == "1,234"
    assert format_value(Unit.MEDIAN_HOURS, Decimal("90")) == "90.0 hours"


@pytest.mark.django_db
def test_the_dashboard_publishes_the_exact_median_rounded_half_up(
    client: Client, hub_agency: Agency, hub_team: Team
) -> None:
    # A senior leader who also triages: they may open every referral behind the figure.
    leader = make_user("senior.leader", Role.SENIOR_LEADER, Role.TRIAGE, agency=hub_agency,
                       team=hub_team)
    for day, took in zip((4, 5), TOOK, strict=True):
        received = dt.datetime(2024, 3, day, 9, tzinfo=LONDON)
        referral = make_referral(make_person(hub_agency), leader, received_at=received)
        referral.status = ReferralStatus.DECIDED
        referral.outcome = TriageOutcome.EARLY_HELP
        referral.decided_at = received + took
        referral.decided_by = leader
        referral.save()
    metric = get_metric("referral_hours_to_decision")
    figures = {(f.breakdown, f.category): f for f in metric.figures(MARCH)}
    assert (figures[TOTAL, ""].numerator, figures[TOTAL, ""].denominator) == (Decimal("12.2"), 2)
    brag = next(f for key, f in figures.items() if key[0] == Breakdown.BRAG)
    assert brag.numerator == Decimal("12.2")
    assert metric.trend([MARCH])[0].numerator == Decimal("12.2")

    verified_login(client, leader)
    html = client.get(reverse("performance:dashboard"), {
        "start_day": "1", "start_month": "3", "start_year": "2024",
        "end_day": "31", "end_month": "3", "end_year": "2024",
    }).content.decode()
    assert "12.2 hours" in html
    assert "12.1 hours" not in html
def test_a_median_in_days_is_published_to_a_tenth_of_a_day() -> None:
    assert format_value(Unit.MEDIAN_DAYS, Decimal("42")) == "42.0 days"
    assert median_hours([dt.timedelta(days=3), dt.timedelta(days=4)],
                        unit=Unit.MEDIAN_DAYS) == Decimal("3.5")
    # 1.25 days exactly is published as 1.3 (half up), not 1.2.
    assert median_hours([dt.timedelta(hours=30)], unit=Unit.MEDIAN_DAYS) == Decimal("1.3")
