"""The return home interview clock (``RETURN_INTERVIEW_HOURS`` from the return) and the
strategy-meeting prompt (``MISSING_EPISODES_FOR_STRATEGY_MEETING`` episodes within
``MISSING_EPISODES_WINDOW_DAYS``), both configurable."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from macehub.cases import selectors
from macehub.cases.codes import MissingEpisodeState
from macehub.cases.models import MissingEpisode
from macehub.cases.tests.conftest import client_for

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)


def episode(case, user, went_hours_ago, returned_hours_ago=None, offered_hours_ago=None,
            response="", held_hours_ago=None):
    def at(hours):
        return None if hours is None else NOW - dt.timedelta(hours=hours)

    return MissingEpisode.objects.create(
        case=case, recorded_by=user, went_missing_at=at(went_hours_ago),
        returned_at=at(returned_hours_ago), interview_offered_at=at(offered_hours_ago),
        interview_offered_by="Sam Reed" if offered_hours_ago else "",
        interview_response=response, return_interview_at=at(held_hours_ago),
    )


@pytest.mark.parametrize(
    ("went", "returned", "offered", "response", "held", "state"),
    [
        (10, None, None, "", None, MissingEpisodeState.STILL_MISSING),
        (100, 71, None, "", None, MissingEpisodeState.OFFER_DUE),
        (100, 73, None, "", None, MissingEpisodeState.OFFER_OVERDUE),
        (200, 150, 100, "", None, MissingEpisodeState.OFFERED_IN_TIME),  # 50 h after return
        (200, 150, 70, "", None, MissingEpisodeState.OFFERED_LATE),  # 80 h after return
        (200, 150, 100, "accepted", None, MissingEpisodeState.OFFERED_IN_TIME),
        (200, 150, 100, "declined", None, MissingEpisodeState.DECLINED),
        (200, 150, 70, "declined", None, MissingEpisodeState.DECLINED),  # late, declined
        (200, 150, 70, "accepted", 60, MissingEpisodeState.HELD),
    ],
)
def test_the_72_hour_clock(case, triage, went, returned, offered, response, held, state):
    assert episode(case, triage, went, returned, offered, response, held).state(NOW) == state


def test_a_declined_interview_is_not_overdue(case, triage):
    declined = episode(case, triage, 300, 200, 199, "declined")
    overdue = episode(case, triage, 150, 100)
    assert declined.state(NOW) == MissingEpisodeState.DECLINED
    assert list(selectors.overdue_return_interviews(NOW)) == [overdue]
    due = selectors.return_interviews_due(triage, NOW)
    assert [view.episode for view in due] == [overdue]
    assert due[0].state == MissingEpisodeState.OFFER_OVERDUE


def test_the_clock_follows_the_setting(case, triage, settings):
    settings.RETURN_INTERVIEW_HOURS = 24
    late = episode(case, triage, 100, 30)
    assert late.return_interview_due_at == NOW - dt.timedelta(hours=6)
    assert late.state(NOW) == MissingEpisodeState.OFFER_OVERDUE
    assert list(selectors.overdue_return_interviews(NOW)) == [late]


LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize("saved", [False, True], ids=["as-entered", "as-stored"])
def test_72_hours_are_elapsed_hours_across_the_clock_change(case, triage, saved):
    """Clocks went forward at 01:00 UTC on 29 March 2026: 72 hours after noon on Friday
    27 March (GMT) is 13:00 on Monday 30 March (BST), not noon."""
    returned = dt.datetime(2026, 3, 27, 12, 0, tzinfo=LONDON)
    exactly = dt.datetime(2026, 3, 30, 13, 0, tzinfo=LONDON)
    assert exactly.astimezone(dt.UTC) - returned.astimezone(dt.UTC) == dt.timedelta(hours=72)
    assert exactly - returned != dt.timedelta(hours=72)  # wall-clock arithmetic would be wrong
    for offered, state in [
        (exactly, MissingEpisodeState.OFFERED_IN_TIME),
        (dt.datetime(2026, 3, 30, 12, 30, tzinfo=LONDON), MissingEpisodeState.OFFERED_IN_TIME),
        (exactly + dt.timedelta(minutes=1), MissingEpisodeState.OFFERED_LATE),
    ]:
        found = MissingEpisode(
            case=case, child=case.child, recorded_by=triage,
            went_missing_at=returned - dt.timedelta(hours=5), returned_at=returned,
            interview_offered_at=offered, interview_offered_by="Sam Reed")
        if saved:
            found.save()
            found.refresh_from_db()
        assert found.return_interview_due_at == exactly
        assert found.state(exactly + dt.timedelta(days=1)) == state, offered
        assert found.interview_offered_in_time is (state == MissingEpisodeState.OFFERED_IN_TIME)
    waiting = MissingEpisode(case=case, child=case.child, recorded_by=triage,
                             went_missing_at=returned - dt.timedelta(hours=5),
                             returned_at=returned)
    assert waiting.state(exactly) == MissingEpisodeState.OFFER_DUE
    assert waiting.state(exactly + dt.timedelta(seconds=1)) == MissingEpisodeState.OFFER_OVERDUE


def test_strategy_meeting_prompt_at_the_threshold(case, triage, settings):
    for days_ago in (2, 12):
        episode(case, triage, days_ago * 24, days_ago * 24 - 5, days_ago * 24 - 20)
    episode(case, triage, 40 * 24, 40 * 24 - 5)  # outside the 30-day window
    assert selectors.strategy_meeting_prompt(triage, case, NOW) is None
    episode(case, triage, 25 * 24, 25 * 24 - 5)
    prompt = selectors.strategy_meeting_prompt(triage, case, NOW)
    assert prompt == selectors.StrategyMeetingPrompt(episodes=3, threshold=3, window_days=30)
    settings.MISSING_EPISODES_FOR_STRATEGY_MEETING = 4
    assert selectors.strategy_meeting_prompt(triage, case, NOW) is None
    settings.MISSING_EPISODES_WINDOW_DAYS = 45
    assert selectors.strategy_meeting_prompt(triage, case, NOW).episodes == 4


def test_the_pages_show_the_clock_and_the_prompt(case, triage):
    now = timezone.now()
    for hours in (300, 200, 100):
        MissingEpisode.objects.create(
            case=case, recorded_by=triage, went_missing_at=now - dt.timedelta(hours=hours),
            returned_at=now - dt.timedelta(hours=hours - 10),
        )
    client = client_for(triage)
    html = client.get(reverse("cases:missing", args=[case.pk])).content.decode()
    assert "Interview offer overdue" in html
    assert "Consider a strategy meeting" in html
    assert "gone missing 3 times in the last 30 days" in html
    overview = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Overdue work" in overview and "Consider a strategy meeting" in overview


def test_recording_a_missing_episode_through_the_form(case, triage):
    client = client_for(triage)
    url = reverse("cases:add_missing_episode", args=[case.pk])
    # Went missing at 9:30pm three days ago, back at 5:15pm the next day, whatever the
    # time of day the test runs.
    went = timezone.localdate() - dt.timedelta(days=3)
    back = went + dt.timedelta(days=1)
    data = {
        "went_missing_on_day": went.day, "went_missing_on_month": went.month,
        "went_missing_on_year": went.year, "went_missing_time": "9:30pm",
        "returned_on_day": back.day, "returned_on_month": back.month,
        "returned_on_year": back.year, "returned_time": "5.15pm",
        "notes": "Found at a friend's address",
    }
    assert client.post(url, data).status_code == 302
    saved = MissingEpisode.objects.get()
    assert timezone.localtime(saved.went_missing_at).strftime("%H:%M") == "21:30"
    assert timezone.localtime(saved.returned_at).strftime("%H:%M") == "17:15"


def test_bad_times_are_shown_beside_their_fields_and_kept(case, triage):
    client = client_for(triage)
    url = reverse("cases:add_missing_episode", args=[case.pk])
    day = timezone.localdate() - dt.timedelta(days=2)
    data = {
        "went_missing_on_day": day.day, "went_missing_on_month": day.month,
        "went_missing_on_year": day.year, "went_missing_time": "22:00",
        "returned_on_day": day.day, "returned_on_month": day.month,
        "returned_on_year": day.year, "returned_time": "20:00",
        "return_interview_on_day": day.day, "return_interview_on_month": day.month,
        "return_interview_on_year": day.year, "return_interview_time": "25:61",
    }
    html = client.post(url, data).content.decode()
    assert "govuk-error-summary" in html
    assert "Time the interview was held must be a real time" in html
    assert 'value="25:61"' in html and 'value="22:00"' in html
    html = client.post(url, {**data, "return_interview_time": "23:00"}).content.decode()
    assert "The date and time the child returned must be after they went missing" in html
    assert 'href="#id_returned_on_day"' in html  # the summary links to the field
    assert not MissingEpisode.objects.exists()
