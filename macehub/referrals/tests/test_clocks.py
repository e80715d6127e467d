"""A referral's two clocks: the decision within one working day, and partner checks by the
BRAG rating; hours of elapsed time, or working days that skip weekends and England and
Wales bank holidays, across the changes between GMT and BST."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured

from macehub.cases.codes import Brag
from macehub.referrals.clocks import (
    TimeLeft,
    add_working_days,
    decision_clock,
    decision_due_at,
    describe_duration,
    is_working_day,
    partner_check_clock,
    partner_check_clocks,
    partner_checks_due_at,
)

LONDON = ZoneInfo("Europe/London")


def london(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=LONDON)


def local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(LONDON)


def test_the_default_clocks_and_their_names() -> None:
    clocks = partner_check_clocks()
    assert [clocks[b].label for b in Brag] == [
        "within 2 hours", "within 6 hours", "within 24 hours", "within one working day"]
    assert decision_clock().label == "within one working day"


def test_every_referral_is_decided_within_one_working_day_whatever_its_rating() -> None:
    received = london(2026, 6, 10, 10, 0)
    assert local(decision_due_at(received)) == london(2026, 6, 11, 10, 0)
    assert local(partner_checks_due_at(received, Brag.RED)) == london(2026, 6, 10, 12, 0)


def test_the_decision_and_blue_clocks_skip_a_weekend_and_a_bank_holiday() -> None:
    # Friday 28 August 2026, 3pm: the Summer bank holiday is Monday 31 August.
    friday = london(2026, 8, 28, 15, 0)
    assert local(decision_due_at(friday)) == london(2026, 9, 1, 15, 0)
    assert local(partner_checks_due_at(friday, Brag.BLUE)) == london(2026, 9, 1, 15, 0)
    # A referral received on the Saturday is due at that time on the Tuesday.
    saturday = london(2026, 8, 29, 11, 0)
    assert local(decision_due_at(saturday)) == london(2026, 9, 1, 11, 0)
    # The hours clocks run through the weekend.
    assert local(partner_checks_due_at(friday, Brag.GREEN)) == london(2026, 8, 29, 15, 0)


def test_hours_clocks_count_elapsed_time_and_are_stored_in_utc() -> None:
    due = partner_checks_due_at(london(2026, 6, 10, 10, 0), Brag.RED)
    assert due.tzinfo == dt.UTC
    assert local(due) == london(2026, 6, 10, 12, 0)
    assert local(partner_checks_due_at(london(2026, 6, 12, 20, 0), Brag.AMBER)) == london(
        2026, 6, 13, 2, 0)  # Friday evening to Saturday: hours ignore weekends


def test_24_hours_across_the_clocks_going_forward_is_an_hour_later_on_the_wall() -> None:
    # The UK moves to BST at 1am GMT on Sunday 29 March 2026.
    due = partner_checks_due_at(london(2026, 3, 28, 12, 0), Brag.GREEN)
    assert local(due) == london(2026, 3, 29, 13, 0)
    assert due - london(2026, 3, 28, 12, 0) == dt.timedelta(hours=24)


def test_24_hours_across_the_clocks_going_back_is_an_hour_earlier_on_the_wall() -> None:
    # Back to GMT at 2am BST on Sunday 25 October 2026.
    due = partner_checks_due_at(london(2026, 10, 24, 12, 0), Brag.GREEN)
    assert local(due) == london(2026, 10, 25, 11, 0)


def test_one_working_day_is_the_same_time_on_the_next_working_day() -> None:
    assert local(partner_checks_due_at(london(2026, 6, 10, 9, 15), Brag.BLUE)) == london(
        2026, 6, 11, 9, 15)


def test_working_days_skip_the_weekend() -> None:
    friday = london(2026, 6, 12, 16, 0)
    assert local(partner_checks_due_at(friday, Brag.BLUE)) == london(2026, 6, 15, 16, 0)
    saturday = london(2026, 6, 13, 10, 0)
    assert local(partner_checks_due_at(saturday, Brag.BLUE)) == london(2026, 6, 15, 10, 0)


def test_working_days_skip_christmas_and_boxing_day_substitute() -> None:
    # Christmas Day 2026 is a Friday; Boxing Day (Saturday) is observed on Monday 28th.
    assert not is_working_day(dt.date(2026, 12, 25))
    assert not is_working_day(dt.date(2026, 12, 28))
    due = partner_checks_due_at(london(2026, 12, 24, 15, 0), Brag.BLUE)
    assert local(due) == london(2026, 12, 29, 15, 0)


def test_working_days_skip_good_friday_and_easter_monday() -> None:
    due = partner_checks_due_at(london(2026, 4, 2, 11, 0), Brag.BLUE)
    assert local(due) == london(2026, 4, 7, 11, 0)


def test_a_working_day_across_the_clocks_going_forward_keeps_the_wall_clock_time() -> None:
    friday_gmt = london(2026, 3, 27, 9, 30)
    due = partner_checks_due_at(friday_gmt, Brag.BLUE)
    assert local(due) == london(2026, 3, 30, 9, 30)  # BST now
    assert due == dt.datetime(2026, 3, 30, 8, 30, tzinfo=dt.UTC)


def test_scottish_bank_holidays_are_not_england_and_wales_ones() -> None:
    assert is_working_day(dt.date(2026, 1, 2))  # 2 January is a holiday in Scotland only
    assert not is_working_day(dt.date(2026, 8, 31))  # Summer bank holiday in England


def test_clocks_are_configurable(settings) -> None:
    settings.PARTNER_CHECK_CLOCKS = {
        "red": {"hours": 1}, "amber": {"hours": 4}, "green": {"working_days": 1},
        "blue": {"working_days": 3},
    }
    settings.REFERRAL_DECISION_CLOCK = {"working_days": 2}
    assert partner_check_clock(Brag.GREEN).label == "within one working day"
    assert partner_check_clock(Brag.BLUE).label == "within three working days"
    assert decision_clock().label == "within two working days"
    assert local(decision_due_at(london(2026, 6, 12, 16, 0))) == london(2026, 6, 16, 16, 0)
    assert local(partner_checks_due_at(london(2026, 6, 12, 16, 0), Brag.BLUE)) == london(
        2026, 6, 17, 16, 0)
    assert local(add_working_days(london(2026, 6, 12, 16, 0), 0)) == london(2026, 6, 12, 16, 0)


@pytest.mark.parametrize("bad", [
    {"red": {"hours": 2}},
    {"red": {"minutes": 2}, "amber": {"hours": 6}, "green": {"hours": 24},
     "blue": {"working_days": 1}},
    {"red": {"hours": 0}, "amber": {"hours": 6}, "green": {"hours": 24},
     "blue": {"working_days": 1}},
])
def test_a_clock_setting_that_makes_no_sense_fails_loudly(bad) -> None:
    with pytest.raises(ImproperlyConfigured):
        partner_check_clocks(bad)


def test_a_naive_receipt_time_is_refused() -> None:
    with pytest.raises(ValueError):
        partner_check_clock(Brag.RED).due_at(dt.datetime(2026, 6, 1, 9, 0))  # noqa: DTZ001
    with pytest.raises(ImproperlyConfigured):
        decision_clock({"days": 1})


def test_time_left_and_overdue_text() -> None:
    due = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
    overdue = TimeLeft(due_at=due, now=due + dt.timedelta(hours=3, seconds=20))
    assert overdue.is_overdue and overdue.text == "Overdue by 3 hours"
    waiting = TimeLeft(due_at=due, now=due - dt.timedelta(hours=1, minutes=20))
    assert not waiting.is_overdue and waiting.text == "1 hour 20 minutes left"
    assert describe_duration(dt.timedelta(days=2, hours=1, minutes=5)) == "2 days 1 hour"
    assert describe_duration(dt.timedelta(seconds=10)) == "less than a minute"
