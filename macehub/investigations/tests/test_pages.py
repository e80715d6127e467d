"""The investigation pages: what each shows to whom (another force's investigation is not
found), the reads audited, a form refused with what was typed kept, the reviews due
with the overdue ones marked, and a fixed number of queries however many records a
page lists. All names are made up."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import AgencyKind, Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.investigations import services
from macehub.investigations.codes import ReviewPoint
from macehub.investigations.models import Investigation, SupervisoryReview
from macehub.investigations.tests.test_services import FINDINGS
from macehub.networks.codes import GroupStatus, MemberPart
from macehub.networks.models import Group, GroupMember
from macehub.testing.factories import (
    make_agency,
    make_person,
    make_team,
    make_user,
    signed_in_client,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def force(hub_agency: Agency, hub_team: Team) -> dict[str, Any]:
    investigator = make_user("ivy.investigator", Role.INVESTIGATOR, agency=hub_agency,
                             team=hub_team)
    supervisor = make_user("sid.supervisor", Role.SUPERVISOR, agency=hub_agency,
                           team=hub_team)
    return {"investigator": investigator, "supervisor": supervisor, "agency": hub_agency}


def investigations(force: dict[str, Any], count: int, *, crimes: int = 1) -> list[Investigation]:
    made = []
    for number in range(count):
        child = make_person(force["agency"], given_name=f"Child{number}",
                            family_name="Testcase")
        suspect = make_person(force["agency"], given_name=f"Suspect{number}",
                              family_name="Madeup", date_of_birth=dt.date(1980, 1, 1))
        investigation = services.record_investigation(
            actor=force["investigator"], title=f"Operation {number}",
            reported_on=dt.date(2026, 1, 5), crime=services.CrimeDetails("71"),
            victim_pks=[child.pk], suspect_pks=[suspect.pk])
        for _ in range(crimes - 1):
            services.add_crime(actor=force["investigator"], investigation_pk=investigation.pk,
                               crime=services.CrimeDetails("88A"))
        made.append(services.allocate(
            actor=force["supervisor"], investigation_pk=investigation.pk,
            expected_version=investigation.version, officer_pk=force["investigator"].pk,
            supervisor_pk=force["supervisor"].pk))
    return made


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_list_and_the_page_read_a_fixed_number_of_queries(force: dict[str, Any]) -> None:
    client = signed_in_client(force["investigator"])
    first = investigations(force, 2, crimes=1)
    few_list = queries(client, reverse("investigations:list"))
    few_page = queries(client, reverse("investigations:detail", args=[first[0].pk]))
    many = investigations(force, 6, crimes=4)
    assert queries(client, reverse("investigations:list")) == few_list
    assert queries(client, reverse("investigations:detail", args=[many[0].pk])) == few_page


def test_another_forces_investigation_is_not_found_and_each_read_is_audited(
        force: dict[str, Any]) -> None:
    (investigation,) = investigations(force, 1)
    other = make_agency("other-police", AgencyKind.POLICE, name="Other Police")
    outsider = make_user("oscar.other", Role.SUPERVISOR, agency=other,
                         team=make_team(other, "Other team"))
    url = reverse("investigations:detail", args=[investigation.pk])
    assert signed_in_client(outsider).get(url).status_code == 404
    assert signed_in_client(outsider).get(
        reverse("investigations:allocate", args=[investigation.pk])).status_code == 404
    page = signed_in_client(force["investigator"]).get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert investigation.reference in body and "Child0 Testcase" in body
    assert AuditEvent.objects.filter(event_type=EventType.VIEW, record_id=str(investigation.pk),
                                     actor_id=force["investigator"].pk).exists()
    # The investigator may see it but not allocate or review it: forbidden, not hidden.
    client = signed_in_client(force["investigator"])
    assert client.get(reverse("investigations:allocate",
                              args=[investigation.pk])).status_code == 403
    review = investigation.reviews.get()
    assert client.get(reverse("investigations:sign_review",
                              args=[investigation.pk, review.pk])).status_code == 403


def test_a_refused_form_keeps_what_was_typed(force: dict[str, Any]) -> None:
    client = signed_in_client(force["investigator"])
    response = client.post(reverse("investigations:create"), {
        "title": "Operation Larch", "reported_on_day": "31", "reported_on_month": "2",
        "reported_on_year": "2026", "offence_code": "", "victims": "12, x"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-error-summary" in body and "<title>Error:" in body
    assert "Select the offence" in body and "must be a real date" in body
    assert "Enter record numbers only" in body
    assert 'value="Operation Larch"' in body
    assert not Investigation.objects.exists()


def test_the_reviews_due_mark_the_overdue_and_filter_by_supervisor(
        force: dict[str, Any], hub_agency: Agency, hub_team: Team) -> None:
    late, on_time = investigations(force, 2)
    SupervisoryReview.objects.filter(investigation=late).update(
        due_at=timezone.now() - dt.timedelta(hours=5))
    second = make_user("sal.second", Role.SUPERVISOR, agency=hub_agency, team=hub_team)
    services.allocate(actor=second, investigation_pk=on_time.pk,
                      expected_version=on_time.version, officer_pk=force["investigator"].pk,
                      supervisor_pk=second.pk)
    client = signed_in_client(force["supervisor"])
    page = client.get(reverse("investigations:reviews_due")).content.decode()
    assert page.index(late.reference) < page.index(on_time.reference), "most overdue first"
    assert page.count(">Overdue<") == 1
    mine = client.get(reverse("investigations:reviews_due"),
                      {"supervisor": force["supervisor"].pk}).content.decode()
    assert late.reference in mine and on_time.reference not in mine
    # By team: the other investigation is the county's child exploitation team's.
    county = make_team(hub_agency, "County CSE team")
    Investigation.objects.filter(pk=on_time.pk).update(team=county)
    theirs = client.get(reverse("investigations:reviews_due"),
                        {"team": county.pk}).content.decode()
    assert on_time.reference in theirs and late.reference not in theirs
    assert f'<option value="{county.pk}" selected>County CSE team</option>' in theirs
    # Signed, it leaves the list.
    review = late.reviews.get(point=ReviewPoint.ALLOCATION)
    services.sign_review(actor=force["supervisor"], investigation_pk=late.pk,
                         review_pk=review.pk, findings=FINDINGS)
    page = client.get(reverse("investigations:reviews_due"),
                      {"supervisor": force["supervisor"].pk}).content.decode()
    assert "Regular review while open" in page and ">Overdue<" not in page


def test_the_childs_record_and_chronology_show_the_investigation(
        force: dict[str, Any], hub_agency: Agency) -> None:
    from macehub.investigations.chronology import investigations_of_the_child

    (investigation,) = investigations(force, 1)
    child = investigation.victims.get().person
    suspect = investigation.suspects.get().person
    client = signed_in_client(force["investigator"])
    page = client.get(reverse("people:detail", args=[child.pk])).content.decode()
    assert f"{investigation.reference} {investigation.title}</a> – victim" in page
    assert f"?victim={child.pk}" in page, "record another with the child as victim"
    page = client.get(reverse("people:detail", args=[suspect.pk])).content.decode()
    assert f"{investigation.reference} {investigation.title}</a> – suspect" in page
    # A triage officer sees no investigation section at all.
    triage = make_user("tia.triage", Role.TRIAGE, agency=hub_agency)
    page = signed_in_client(triage).get(reverse("people:detail", args=[child.pk]))
    assert page.status_code == 200 and 'id="investigations"' not in page.content.decode()

    entries = investigations_of_the_child(force["investigator"], child)
    assert [entry.title for entry in entries] == [
        f"Investigation {investigation.reference} recorded: {investigation.title}"]
    assert investigations_of_the_child(triage, child) == []
    assert investigations_of_the_child(force["investigator"], suspect) == []


def test_bail_and_release_expiring_soonest_first_and_in_the_officers_queue(
        force: dict[str, Any]) -> None:
    from macehub.core.work_queue import work_queue_for

    first, second = investigations(force, 2)
    today = timezone.localdate()
    for investigation, kind, expires in ((first, "bail", today - dt.timedelta(days=1)),
                                         (second, "rui", today + dt.timedelta(days=30))):
        services.record_release(
            actor=force["investigator"], investigation_pk=investigation.pk,
            suspect_pk=investigation.suspects.get().pk, kind=kind,
            conditions="Not to contact the child" if kind == "bail" else "",
            starts_on=today - dt.timedelta(days=40), expires_on=expires)
    page = signed_in_client(force["supervisor"]).get(
        reverse("investigations:releases_expiring")).content.decode()
    assert page.index(first.reference) < page.index(second.reference)
    assert page.count(">Expired<") == 1 and ">Expiring<" not in page
    detail = signed_in_client(force["investigator"]).get(
        reverse("investigations:detail", args=[first.pk])).content.decode()
    assert "Conditions: Not to contact the child" in detail and ">Expired<" in detail

    lists = {work.source.name: work
             for work in work_queue_for(force["investigator"], timezone.now()).lists}
    work = lists["investigation_releases"]
    (item,) = work.draw([w.key for w in work.waiting])
    assert item.title == f"{first.reference}: Suspect0 Madeup"
    assert item.is_overdue(timezone.now())
    other = make_agency("other-police", AgencyKind.POLICE, name="Other Police")
    outsider = make_user("oscar.other", Role.SUPERVISOR, agency=other,
                         team=make_team(other, "Other team"))
    page = signed_in_client(outsider).get(
        reverse("investigations:releases_expiring")).content.decode()
    assert first.reference not in page and "No suspect is on bail" in page


def test_a_stale_allocation_says_what_changed_and_keeps_the_choice(
        force: dict[str, Any], hub_agency: Agency, hub_team: Team) -> None:
    (investigation,) = investigations(force, 1)
    second = make_user("sal.second", Role.SUPERVISOR, agency=hub_agency, team=hub_team)
    client = signed_in_client(second)
    url = reverse("investigations:allocate", args=[investigation.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"officer": force["investigator"].pk,
                                 "supervisor": second.pk, "version": 1})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Someone else changed this investigation" in body
    assert f'<option value="{second.pk}" selected>' in body
    investigation.refresh_from_db()
    assert investigation.supervisor == force["supervisor"]


def test_a_victims_case_is_named_only_to_those_who_may_open_it(
        force: dict[str, Any], hub_agency: Agency, partner_agency: Agency) -> None:
    from macehub.cases.models import Case

    (investigation,) = investigations(force, 1)
    victim = investigation.victims.get()
    case = Case.objects.create(
        reference="CASE-2026-000777", child=victim.person, opened_at=timezone.now(),
        opened_by=force["supervisor"], lead_agency=partner_agency, risk_tier="high")
    type(victim).objects.filter(pk=victim.pk).update(case=case)
    # A detective of the force outside the hub team: the investigation is theirs to
    # read, the child's MACE case (led by children's social care) is not.
    detective = make_user("dee.detective", Role.INVESTIGATOR, agency=hub_agency,
                          team=make_team(hub_agency, "Major Crime Team", is_hub_team=False))
    for user, shown in ((force["supervisor"], True), (detective, False)):
        client = signed_in_client(user)
        page = client.get(reverse("investigations:detail", args=[investigation.pk]))
        assert page.status_code == 200
        assert (case.reference in page.content.decode()) is shown, user.username
        api = client.get(reverse("api:investigation_detail", args=[investigation.pk])).json()
        assert api["victims"][0]["case_id"] == (case.pk if shown else None)


def test_the_charging_decision_is_recorded_from_the_investigation_page(
        force: dict[str, Any]) -> None:
    (investigation,) = investigations(force, 1)
    services.ask_for_review(actor=force["investigator"], investigation_pk=investigation.pk,
                            point=ReviewPoint.BEFORE_CHARGE)
    review = investigation.reviews.get(point=ReviewPoint.BEFORE_CHARGE)
    services.sign_review(actor=force["supervisor"], investigation_pk=investigation.pk,
                         review_pk=review.pk, findings=FINDINGS)
    investigation.refresh_from_db()
    services.send_for_charging_decision(actor=force["investigator"],
                                        investigation_pk=investigation.pk,
                                        expected_version=investigation.version)
    investigation.refresh_from_db()
    client = signed_in_client(force["investigator"])
    page = reverse("investigations:detail", args=[investigation.pk])
    url = reverse("investigations:record_charging_decision", args=[investigation.pk])
    assert url in client.get(page).content.decode()
    refused = client.post(url, {"decision": "action_plan", "decided_by": "cps",
                                "version": investigation.version})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "govuk-error-summary" in body and "Enter date of the decision" in body
    assert 'value="action_plan" checked' in body
    today = timezone.localdate()
    done = client.post(url, {"decision": "action_plan", "decided_by": "cps",
                             "decided_on_day": today.day, "decided_on_month": today.month,
                             "decided_on_year": today.year,
                             "note": "Statement from the taxi driver.",
                             "version": investigation.version})
    assert done.status_code == 302
    shown = client.get(page).content.decode()
    assert "More evidence needed (action plan)" in shown
    assert "Statement from the taxi driver." in shown
    assert url not in shown, "the file is back with the officer: no decision is waiting"


def test_a_suspect_in_a_confirmed_group_is_linked_to_it(force: dict[str, Any]) -> None:
    (investigation,) = investigations(force, 1)
    suspect = investigation.suspects.get().person
    confirmed = Group.objects.create(
        reference="GRP-TEST-0101", name="Taxi rank group", status=GroupStatus.CONFIRMED,
        proposed_by=force["supervisor"], proposed_at=timezone.now())
    proposed = Group.objects.create(
        reference="GRP-TEST-0102", name="Park group", proposed_by=force["supervisor"],
        proposed_at=timezone.now())
    for group in (confirmed, proposed):
        GroupMember.objects.create(group=group, person=suspect, part=MemberPart.SUSPECT)
    body = signed_in_client(force["investigator"]).get(
        reverse("investigations:detail", args=[investigation.pk])).content.decode()
    assert reverse("networks:group_detail", args=[confirmed.pk]) in body
    assert "Taxi rank group" in body
    assert "Park group" not in body, "a group only proposed is not yet a finding"
