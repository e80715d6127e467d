"""The return home interview clock (``RETURN_INTERVIEW_HOURS`` from the return) and the
strategy-meeting prompt (``MISSING_EPISODES_FOR_STRATEGY_MEETING`` episodes within
``MISSING_EPISODES_WINDOW_DAYS``), both configurable."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from macehub.cases import selectors
from macehub.cases.codes import MissingEpisodeState
from macehub.cases.models import MissingEpisode
from macehub.cases.tests.conftest import client_for

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)


def episode(case, user, went_hours_ago, returned_hours_ago=None, interview_hours_ago=None):
    def at(hours):
        return None if hours is None else NOW - dt.timedelta(hours=hours)

    return MissingEpisode.objects.create(
        case=case, recorded_by=user, went_missing_at=at(went_hours_ago),
        returned_at=at(returned_hours_ago), return_interview_at=at(interview_hours_ago),
    )


@pytest.mark.parametrize(
    ("went", "returned", "interview", "state"),
    [
        (10, None, None, MissingEpisodeState.STILL_MISSING),
        (100, 71, None, MissingEpisodeState.INTERVIEW_DUE),
        (100, 73, None, MissingEpisodeState.INTERVIEW_OVERDUE),
        (200, 150, 100, MissingEpisodeState.INTERVIEW_IN_TIME),  # 50 hours after return
        (200, 150, 70, MissingEpisodeState.INTERVIEW_LATE),  # 80 hours after return
    ],
)
def test_the_72_hour_clock(case, triage, went, returned, interview, state):
    assert episode(case, triage, went, returned, interview).state(NOW) == state


def test_the_clock_follows_the_setting(case, triage, settings):
    settings.RETURN_INTERVIEW_HOURS = 24
    late = episode(case, triage, 100, 30)
    assert late.return_interview_due_at == NOW - dt.timedelta(hours=6)
    assert late.state(NOW) == MissingEpisodeState.INTERVIEW_OVERDUE
    assert list(selectors.overdue_return_interviews(NOW)) == [late]


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
    assert "Interview overdue" in html
    assert "Consider a strategy meeting" in html
    assert "gone missing 3 times in the last 30 days" in html
    overview = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Overdue work" in overview and "Consider a strategy meeting" in overview


def test_recording_a_missing_episode_through_the_form(case, triage):
    client = client_for(triage)
    url = reverse("cases:add_missing_episode", args=[case.pk])
    went = timezone.localtime() - dt.timedelta(days=3)
    back = went + dt.timedelta(hours=20)
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
    assert "Time of the return home interview must be a real time" in html
    assert 'value="25:61"' in html and 'value="22:00"' in html
    html = client.post(url, {**data, "return_interview_time": "23:00"}).content.decode()
    assert "The date and time the child returned must be after they went missing" in html
    assert 'href="#id_returned_on_day"' in html  # the summary links to the field
    assert not MissingEpisode.objects.exists()
