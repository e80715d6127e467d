"""Missing episodes are the child's: recorded from their person page with or without a
case, shown on every case of theirs, refused (404) to anyone who may not know the child
and (403) to those who may see them but not record, and audited against the child."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.audit.services import record_type_of
from macehub.cases import selectors, services
from macehub.cases.codes import InterviewOfferer, InterviewResponse, MissingEpisodeState
from macehub.cases.models import MissingEpisode
from macehub.cases.tests.conftest import ago, client_for

pytestmark = pytest.mark.django_db


def _form(went: dt.datetime, back: dt.datetime | None = None, **extra: str) -> dict[str, object]:
    went, data = timezone.localtime(went), {}
    data.update({"went_missing_on_day": went.day, "went_missing_on_month": went.month,
                 "went_missing_on_year": went.year, "went_missing_time": f"{went:%H:%M}"})
    if back is not None:
        back = timezone.localtime(back)
        data.update({"returned_on_day": back.day, "returned_on_month": back.month,
                     "returned_on_year": back.year, "returned_time": f"{back:%H:%M}"})
    data.update(extra)
    return data


def _audited(record: object) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(
        record_type=record_type_of(record), record_id=str(record.pk),  # type: ignore[attr-defined]
        event_type=EventType.CHANGE).order_by("id"))


def test_an_episode_is_recorded_for_a_child_without_a_case(child, triage):
    assert not child.cases.exists()
    url = reverse("cases:child_add_missing_episode", args=[child.pk])
    client = client_for(triage)
    page = client.get(url).content.decode()
    assert "The child has no open case" in page
    offered = ago(hours=30)
    response = client.post(url, _form(
        ago(hours=60), ago(hours=40),
        interview_offered_on_day=str(timezone.localtime(offered).day),
        interview_offered_on_month=str(timezone.localtime(offered).month),
        interview_offered_on_year=str(timezone.localtime(offered).year),
        interview_offered_time=f"{timezone.localtime(offered):%H:%M}",
        interview_offered_by="Robin Ashdown",
        interview_offered_by_agency="Safe Return Service",
        interview_offerer=InterviewOfferer.INDEPENDENT,
        interview_response=InterviewResponse.DECLINED))
    assert response.status_code == 302
    assert response["Location"].endswith(f"/people/{child.pk}/#missing-episodes")
    episode = MissingEpisode.objects.get()
    assert (episode.child, episode.case) == (child, None)
    assert episode.state(timezone.now()) == MissingEpisodeState.DECLINED
    event = _audited(child)[-1]
    assert event.actor_id == triage.pk and event.detail["missing_episode"] == episode.pk
    assert event.detail["changes"]["interview_response"]["new"] == "declined"
    person_page = client.get(reverse("people:detail", args=[child.pk])).content.decode()
    assert "Interview declined" in person_page and "Robin Ashdown" in person_page
    assert "The child's record (no case)" in person_page


def test_from_the_person_page_an_episode_joins_the_open_case(case, child, advocate):
    episode = services.record_missing_episode(
        actor=advocate, child_pk=child.pk, went_missing_at=ago(hours=10))
    assert episode.case == case
    assert _audited(child) and _audited(case)


def test_the_case_page_lists_the_childs_episodes_recorded_on_their_record(
        case, child, triage):
    closed_case_episode = services.record_missing_episode(
        actor=triage, child_pk=child.pk, went_missing_at=ago(hours=100),
        returned_at=ago(hours=90))
    MissingEpisode.objects.filter(pk=closed_case_episode.pk).update(case=None)
    services.record_missing_episode(actor=triage, case_pk=case.pk,
                                    went_missing_at=ago(hours=20), returned_at=ago(hours=10))
    page = client_for(triage).get(reverse("cases:missing", args=[case.pk])).content.decode()
    assert "The child's record (no case)" in page and "This case" in page
    assert "Interview offer overdue" in page and "Interview offer due" in page
    # ...and the case's own update page opens the child's episode.
    edit = reverse("cases:edit_missing_episode", args=[case.pk, closed_case_episode.pk])
    assert client_for(triage).get(edit).status_code == 200


def test_whoever_may_not_know_the_child_gets_404_and_who_may_not_record_403(
        child, triage, outsider, analyst):
    episode = services.record_missing_episode(
        actor=triage, child_pk=child.pk, went_missing_at=ago(hours=10))
    add = reverse("cases:child_add_missing_episode", args=[child.pk])
    edit = reverse("cases:child_edit_missing_episode", args=[child.pk, episode.pk])
    for url in (add, edit):
        assert client_for(outsider).get(url).status_code == 404
        assert client_for(outsider).post(url, _form(ago(hours=5))).status_code == 404
        assert client_for(analyst).get(url).status_code == 403
        assert client_for(analyst).post(url, _form(ago(hours=5))).status_code == 403
    assert MissingEpisode.objects.count() == 1
    with pytest.raises(Exception, match="No such record"):
        services.record_missing_episode(actor=outsider, child_pk=child.pk,
                                        went_missing_at=ago(hours=5))
    # An episode of another child is not found through this child's page.
    other = services.record_missing_episode(
        actor=triage, child_pk=_another_child(child).pk, went_missing_at=ago(hours=3))
    wrong = reverse("cases:child_edit_missing_episode", args=[child.pk, other.pk])
    assert client_for(triage).get(wrong).status_code == 404


def _another_child(child):
    from macehub.testing.factories import make_person

    return make_person(child.owning_agency, given_name="Other", family_name="Child")


def test_the_interview_offer_must_say_who_and_a_declined_one_cannot_be_held(child, triage):
    back = ago(hours=40)
    with pytest.raises(Exception) as excinfo:
        services.record_missing_episode(
            actor=triage, child_pk=child.pk, went_missing_at=ago(hours=50), returned_at=back,
            interview=services.ReturnInterview(
                offered_at=ago(hours=30), response=InterviewResponse.DECLINED,
                held_at=ago(hours=20)))
    errors = excinfo.value.message_dict  # type: ignore[attr-defined]
    assert errors["interview_offered_by"] == ["Enter the name of the person who offered it"]
    assert errors["interview_offerer"] == ["Select whether they were independent"]
    assert errors["return_interview_at"] == [
        "The child declined the interview: it cannot be recorded as held"]
    assert not MissingEpisode.objects.exists()


def test_return_interviews_due_are_those_the_user_may_see(child, triage, outsider):
    now = timezone.now()
    overdue = services.record_missing_episode(
        actor=triage, child_pk=child.pk, went_missing_at=now - dt.timedelta(hours=100),
        returned_at=now - dt.timedelta(hours=80))
    waiting = services.record_missing_episode(
        actor=triage, child_pk=child.pk, went_missing_at=now - dt.timedelta(hours=20),
        returned_at=now - dt.timedelta(hours=10))
    due = selectors.return_interviews_due(triage, now)
    assert [(v.episode, v.state) for v in due] == [
        (overdue, MissingEpisodeState.OFFER_OVERDUE), (waiting, MissingEpisodeState.OFFER_DUE)]
    assert selectors.return_interviews_due(outsider, now) == []
    services.update_missing_episode(
        actor=triage, episode_pk=overdue.pk, went_missing_at=overdue.went_missing_at,
        returned_at=overdue.returned_at, interview=services.ReturnInterview(
            offered_at=now - dt.timedelta(hours=1), offered_by="Sam Reed",
            offerer=InterviewOfferer.NOT_INDEPENDENT, response=InterviewResponse.DECLINED))
    assert [v.episode for v in selectors.return_interviews_due(triage, now)] == [waiting]
