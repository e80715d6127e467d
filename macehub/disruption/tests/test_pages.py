"""The disruption pages: recording a CAWN from the suspect, the disruption's page,
moving it on and recording a breach (kept input, edit conflict), whether disruptions
work, and who may not see them. All names are made up."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from macehub.accounts.models import Agency, Team
from macehub.cases.models import MissingEpisode
from macehub.disruption.models import Disruption
from macehub.disruption.selectors import BeforeAfter, effectiveness
from macehub.disruption.tests.factories import Hub, cawn, make_hub, tactic
from macehub.intelligence.tests.factories import link, make_report
from macehub.testing.factories import signed_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def hub(hub_agency: Agency, hub_team: Team) -> Hub:
    return make_hub(hub_agency, hub_team)


def _date(prefix: str, day: dt.date) -> dict[str, str]:
    return {f"{prefix}_day": str(day.day), f"{prefix}_month": str(day.month),
            f"{prefix}_year": str(day.year)}


def test_a_cawn_is_recorded_from_the_suspect(hub: Hub) -> None:
    client = signed_in_client(hub.investigator)
    url = reverse("disruption:record") + f"?kind=person&target={hub.suspect.pk}"
    page = client.get(url)
    assert page.status_code == 200
    assert "Child Abduction Warning Notice" in page.content.decode()
    assert "Hotel and B&amp;B" not in page.content.decode()  # premises only
    assert "Poppy Testcase" not in page.content.decode()  # not linked to him yet
    refused = client.post(url, {"tactic": tactic("cawn").pk, "status": "served"})
    assert refused.status_code == 400
    assert "Enter the date it was granted or served" in refused.content.decode()
    saved = client.post(url, {"tactic": tactic("cawn").pk, "status": "served",
                              **_date("started_on", timezone.localdate())})
    disruption = Disruption.objects.get()
    assert saved.status_code == 302
    assert saved["Location"] == reverse("disruption:detail", args=[disruption.pk])
    detail = client.get(saved["Location"]).content.decode()
    assert "Dean Madeup" in detail and "Record a breach" in detail


def test_children_offered_are_the_victims_in_reports_about_the_target(hub: Hub) -> None:
    link(hub.report, hub.child, role="victim")
    client = signed_in_client(hub.investigator)
    page = client.get(reverse("disruption:record") + f"?kind=person&target={hub.suspect.pk}")
    assert "Poppy Testcase" in page.content.decode()


def test_without_a_target_the_record_page_says_where_to_start(hub: Hub) -> None:
    page = signed_in_client(hub.investigator).get(reverse("disruption:record"))
    assert page.status_code == 200
    assert "recorded from the page of what it is aimed at" in page.content.decode()


def test_a_breach_is_recorded_and_an_old_version_is_a_conflict(hub: Hub) -> None:
    disruption = cawn(hub)
    client = signed_in_client(hub.supervisor)
    url = reverse("disruption:record_breach", args=[disruption.pk])
    assert client.get(url).status_code == 200
    answer = {"what_happened": "Seen with Poppy at the takeaway", "action_taken": "Arrested",
              "version": "1", **_date("occurred_on", timezone.localdate())}
    assert client.post(url, answer).status_code == 302
    disruption.refresh_from_db()
    assert disruption.status == "breached"
    conflict = client.post(url, answer)
    assert conflict.status_code == 400
    assert "Someone else changed this disruption" in conflict.content.decode()
    assert "Seen with Poppy at the takeaway" in conflict.content.decode()


def test_the_status_page_offers_the_next_steps(hub: Hub) -> None:
    disruption = cawn(hub, status="planned")
    client = signed_in_client(hub.supervisor)
    url = reverse("disruption:change_status", args=[disruption.pk])
    page = client.get(url).content.decode()
    assert "Applied for" in page and "Expired" not in page
    assert client.post(url, {"status": "served", "version": "1",
                             **_date("on", timezone.localdate())}).status_code == 302
    disruption.refresh_from_db()
    assert disruption.status == "served"


def test_victim_advocates_see_no_disruption(hub: Hub) -> None:
    disruption = cawn(hub)
    client = signed_in_client(hub.advocate)
    assert client.get(reverse("disruption:detail", args=[disruption.pk])).status_code == 404
    assert client.get(reverse("disruption:register")).status_code == 403


def test_the_register_lists_what_the_user_may_see(hub: Hub) -> None:
    cawn(hub)
    page = signed_in_client(hub.analyst).get(reverse("disruption:register")).content.decode()
    assert "Child Abduction Warning Notice" in page and "1 disruption" in page


def test_before_and_after_with_a_fixed_date(hub: Hub) -> None:
    today = dt.date(2026, 6, 30)
    started = dt.date(2026, 3, 1)
    disruption = cawn(hub)
    Disruption.objects.filter(pk=disruption.pk).update(started_on=started)
    for days in (-80, -60, -40, -20, -10, -5, 5, 120):  # six before, one after, one later
        received = timezone.make_aware(dt.datetime.combine(
            started + dt.timedelta(days=days), dt.time(12)))
        link(make_report(hub.team, hub.investigator, received_at=received), hub.suspect)
    MissingEpisode.objects.create(child=hub.child, recorded_by=hub.investigator,
                                  went_missing_at=timezone.make_aware(
        dt.datetime.combine(started - dt.timedelta(days=3), dt.time(22))))
    found = effectiveness(hub.analyst, today)
    # The factory's own report about him was received two days before the real today.
    row = next(row for row in found.rows if row.disruption.pk == disruption.pk)
    assert (row.counts.reports_before, row.counts.reports_after) == (6, 1)
    assert row.counts.reports_change == "-5 (-83%)"
    assert (row.counts.episodes_before, row.counts.episodes_after) == (1, 0)
    assert row.counts.episodes_change == "Too few to say"
    assert found.tactics[0].breach_rate == "0 of 1 (too few for a rate)"


def test_whether_disruptions_work_is_counted_in_the_same_queries_for_any_number(
        hub: Hub, django_assert_max_num_queries: Any) -> None:
    from macehub.disruption import services
    from macehub.networks.models import Group, GroupMember

    today = timezone.localdate()
    started = today - dt.timedelta(days=30)
    group = Group.objects.create(reference="GRP-TEST-1", name="Test group",
                                 status="confirmed", proposed_by=hub.analyst,
                                 proposed_at=timezone.now())
    GroupMember.objects.create(group=group, person=hub.suspect, part="suspect")
    for kind, target, code in (("group", group.pk, "group_disruption_plan"),
                               ("premises", hub.premises.pk, "hotel_notice")):
        services.record_disruption(actor=hub.investigator, disruption=services.NewDisruption(
            tactic_pk=tactic(code).pk, target_kind=kind, target_pk=target,
            status="served", started_on=started))
    for days in (-20, 10):
        report = make_report(hub.team, hub.investigator, received_at=timezone.make_aware(
            dt.datetime.combine(started + dt.timedelta(days=days), dt.time(12))))
        link(report, hub.suspect)
        link(report, hub.premises)
    cawn(hub)  # on the suspect, naming the child
    few = effectiveness(hub.analyst, today)
    with django_assert_max_num_queries(12) as counted:
        effectiveness(hub.analyst, today)
    for _ in range(5):
        cawn(hub, days_ago=40)
    with django_assert_max_num_queries(len(counted.captured_queries)):
        many = effectiveness(hub.analyst, today)
    assert len(many.rows) == len(few.rows) + 5
    by_kind = {row.disruption.target_kind: row.counts for row in few.rows}
    # The group's counts are its member's; the premises' its own. The factory's own report
    # links the suspect and the premises two days before today.
    assert (by_kind["group"].reports_before, by_kind["group"].reports_after) == (1, 2)
    assert (by_kind["premises"].reports_before, by_kind["premises"].reports_after) == (1, 2)


def test_small_numbers_are_said_in_words() -> None:
    assert BeforeAfter.change(4, 4) == "Too few to say"
    assert BeforeAfter.change(5, 0) == "-5 (-100%)"
    assert BeforeAfter.change(0, 6) == "+6"


def test_the_effectiveness_page_shows_charts_and_tables(hub: Hub) -> None:
    cawn(hub)
    page = signed_in_client(hub.analyst).get(reverse("disruption:effectiveness"))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'id="chart-reports"' in body or "chart-reports" in body
    assert "Breach rate by tactic" in body and "counts only" in body


def test_the_person_premises_and_group_pages_show_their_disruptions(hub: Hub) -> None:
    from macehub.disruption import services
    from macehub.networks.models import Group, GroupMember

    disruption = cawn(hub)
    services.record_disruption(actor=hub.investigator, disruption=services.NewDisruption(
        tactic_pk=tactic("hotel_notice").pk, target_kind="premises",
        target_pk=hub.premises.pk))
    group = Group.objects.create(reference="GRP-TEST-1", name="Test group",
                                 status="confirmed", proposed_by=hub.analyst,
                                 proposed_at=timezone.now())
    GroupMember.objects.create(group=group, person=hub.suspect, part="suspect")
    services.record_disruption(actor=hub.investigator, disruption=services.NewDisruption(
        tactic_pk=tactic("group_disruption_plan").pk, target_kind="group",
        target_pk=group.pk))
    client = signed_in_client(hub.analyst)
    person = client.get(reverse("people:detail", args=[hub.suspect.pk])).content.decode()
    assert disruption.reference in person
    child = client.get(reverse("people:detail", args=[hub.child.pk])).content.decode()
    assert disruption.reference in child  # protecting her
    premises = client.get(reverse("intelligence:premises_detail",
                                  args=[hub.premises.pk])).content.decode()
    assert "Hotel and B&amp;B guest-information notice" in premises
    vehicle = client.get(reverse("intelligence:vehicle_detail",
                                 args=[hub.vehicle.pk])).content.decode()
    assert "No disruption on this vehicle" in vehicle
    grouped = client.get(reverse("networks:group_detail", args=[group.pk])).content.decode()
    assert "Group disruption plan" in grouped


def test_the_childs_chronology_shows_the_disruption_and_its_breach(hub: Hub) -> None:
    from macehub.disruption import services
    from macehub.people.chronology import chronology_for

    disruption = cawn(hub)
    services.record_breach(actor=hub.investigator, disruption_pk=disruption.pk,
                           expected_version=1, occurred_on=timezone.localdate(),
                           what_happened="Seen with her", action_taken="Arrested")
    titles = [entry.title for entry in chronology_for(hub.analyst, hub.child)
              if entry.category == "Disruption"]
    assert any(title.startswith("Disruption breached") for title in titles)
    assert any(title.startswith("Disruption recorded") for title in titles)


def test_small_counts_of_reports_the_viewer_may_not_read_are_suppressed(hub: Hub) -> None:
    from macehub.testing.factories import make_team

    disruption = cawn(hub, days_ago=10)
    covert = make_team(hub.agency, "Covert unit", is_hub_team=True)
    hidden = make_report(covert, hub.investigator, handling_code="C", teams=[covert],
                         received_at=timezone.now() - dt.timedelta(days=30))
    link(hidden, hub.suspect)
    row = next(r for r in effectiveness(hub.analyst).rows if r.disruption.pk == disruption.pk)
    # His report from the factory (two days ago, after) and the hidden one (before).
    assert (row.counts.reports_before, row.counts.reports_after) == (1, 1)
    assert not row.counts.reports_exact
    assert row.counts.reports_before_shown == "Fewer than 5"
    page = signed_in_client(hub.analyst).get(reverse("disruption:effectiveness"))
    assert "Fewer than 5" in page.content.decode()
