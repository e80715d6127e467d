"""The child at the centre of the case record: whether the child was seen (and alone)
and their own words at each contact; the police reference and risk grade of a missing
episode; and plan actions owned by a partner agency's named person, which give that
person no access and which the key worker chases when overdue."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import AgencyKind, Role
from macehub.cases import services
from macehub.cases.codes import ContactKind, PoliceRiskGrade, RiskTier, SeenAnswer
from macehub.cases.models import Case, Contact, MissingEpisode, PlanItem
from macehub.cases.selectors import case_overview
from macehub.cases.services import PartnerOwner, PoliceReport
from macehub.cases.tests.conftest import ago, client_for, days_from_today
from macehub.cases.tests.test_pages import check_page
from macehub.cases.work_queue import plan_items_due
from macehub.testing.clock import on_demo_day
from macehub.testing.factories import make_agency, make_person, make_team, make_user

pytestmark = pytest.mark.django_db

WORDS = "I don't want to go back to that flat. I want to see my nan more."
DSL = PartnerOwner(name="Hannah Okafor", role="Designated safeguarding lead",
                   agency="Riverside Academy", contact="01632 960 118")


def errors_of(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return {name: [str(m) for m in messages]
            for name, messages in excinfo.value.message_dict.items()}


def contact(actor: User, case: Case, **kwargs: object) -> Contact:
    fields: dict[str, object] = {
        "occurred_at": ago(hours=3), "kind": ContactKind.HOME_VISIT, "with_whom": "the child",
        "summary": "Talked about the weekend", **kwargs}
    return services.record_contact(actor=actor, case_pk=case.pk, **fields)  # type: ignore[arg-type]


# --- Contacts: seen, seen alone, the child's words ------------------------------------


def test_seen_alone_is_asked_only_when_the_child_was_seen(case: Case, triage: User) -> None:
    with pytest.raises(ValidationError) as excinfo:
        contact(triage, case)
    assert errors_of(excinfo) == {"child_seen": ["Select whether the child was seen"]}
    with pytest.raises(ValidationError) as excinfo:
        contact(triage, case, child_seen=SeenAnswer.YES)
    assert errors_of(excinfo) == {"child_seen_alone": ["Select whether the child was seen alone"]}
    seen = contact(triage, case, child_seen=SeenAnswer.YES, child_seen_alone=SeenAnswer.YES,
                   child_words=f"  {WORDS}  ")
    assert (seen.child_seen, seen.child_seen_alone, seen.child_words) == ("yes", "yes", WORDS)
    # Not seen (or a phone call): seen alone is not applicable, whatever was sent.
    call = contact(triage, case, kind=ContactKind.PHONE, child_seen=SeenAnswer.NOT_APPLICABLE,
                   child_seen_alone=SeenAnswer.YES)
    assert call.child_seen_alone == SeenAnswer.NOT_APPLICABLE
    assert call.child_seen_alone_text == "Not applicable"


def test_the_database_refuses_seen_alone_without_seen(case: Case, triage: User) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.create(case=case, occurred_at=ago(hours=1), kind="phone",
                               with_whom="mother", summary="Call", recorded_by=triage,
                               child_seen="no", child_seen_alone="yes")


def test_contacts_recorded_before_the_questions_say_not_recorded(case: Case,
                                                                 triage: User) -> None:
    old = Contact.objects.create(case=case, occurred_at=ago(days=40), kind="home_visit",
                                 with_whom="mother", summary="Before", recorded_by=triage)
    assert (old.child_seen_text, old.child_seen_alone_text) == ("Not recorded", "Not recorded")


def test_the_contacts_page_shows_the_childs_words_and_when_last_seen_alone(
    case: Case, triage: User
) -> None:
    contact(triage, case, occurred_at=ago(days=9), child_seen=SeenAnswer.YES,
            child_seen_alone=SeenAnswer.YES, child_words=WORDS)
    contact(triage, case, occurred_at=ago(days=2), child_seen=SeenAnswer.YES,
            child_seen_alone=SeenAnswer.NO)
    contact(triage, case, occurred_at=ago(days=1), kind=ContactKind.PHONE,
            child_seen=SeenAnswer.NOT_APPLICABLE)
    overview = case_overview(triage, Case.objects.get(pk=case.pk))
    assert overview.last_seen is not None and overview.last_seen_alone is not None
    assert overview.last_seen.occurred_at > overview.last_seen_alone.occurred_at
    html = client_for(triage).get(reverse("cases:contacts", args=[case.pk])).content.decode()
    check_page(html)
    assert "In the child's words:" in html and "I want to see my nan more." in html
    assert "Last seen alone" in html and "Seen alone: Yes" in html


def test_an_advocates_record_of_the_childs_words_stays_with_the_service(
    case: Case, triage: User
) -> None:
    charity = make_agency("lantern-project", AgencyKind.VOLUNTARY_SECTOR, name="Lantern Project")
    team: Team = make_team(charity, "Advocacy service", is_hub_team=False)
    advocate = make_user("lan.advocate", Role.VICTIM_ADVOCATE, agency=charity, team=team)
    services.change_advocate(actor=triage, case_pk=case.pk, advocate=advocate,
                             starts_on=days_from_today(0))
    contact(advocate, case, kind=ContactKind.MEETING, child_seen=SeenAnswer.YES,
            child_seen_alone=SeenAnswer.YES, child_words=WORDS)
    theirs = client_for(advocate).get(reverse("cases:contacts", args=[case.pk])).content.decode()
    assert "I want to see my nan more." in theirs
    html = client_for(triage).get(reverse("cases:contacts", args=[case.pk])).content.decode()
    assert "I want to see my nan more." not in html and "Seen alone: Yes" not in html
    assert "Not seen alone at any contact recorded here" in html
    chronology = client_for(triage).get(
        reverse("cases:chronology", args=[case.pk])).content.decode()
    assert "I want to see my nan more." not in chronology


def test_the_contact_form_reveals_seen_alone_and_keeps_what_was_typed(
    case: Case, triage: User
) -> None:
    client = client_for(triage)
    url = reverse("cases:add_contact", args=[case.pk])
    html = client.get(url).content.decode()
    check_page(html)
    assert 'data-aria-controls="conditional-id_child_seen_0"' in html
    assert 'class="govuk-radios__conditional govuk-radios__conditional--hidden" ' \
        'id="conditional-id_child_seen_0"' in html
    yesterday = days_from_today(-1)
    data = {"occurred_on_day": yesterday.day, "occurred_on_month": yesterday.month,
            "occurred_on_year": yesterday.year, "occurred_time": "16:00",
            "kind": "school_visit", "with_whom": "the child", "summary": "At school",
            "child_seen": "yes", "child_words": WORDS}
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200
    check_page(html)
    assert 'href="#id_child_seen_alone_0"' in html
    assert "Select whether the child was seen alone" in html
    # The reveal is open (the answer was yes) and the words are kept.
    assert 'class="govuk-radios__conditional" id="conditional-id_child_seen_0"' in html
    assert "I want to see my nan more." in html
    assert client.post(url, {**data, "child_seen_alone": "no"}).status_code == 302
    saved = Contact.objects.get()
    assert (saved.child_seen, saved.child_seen_alone, saved.child_words) == ("yes", "no", WORDS)


# --- Missing episodes: the police report ------------------------------------------------


def test_an_episode_records_the_police_reference_and_grade(case: Case, triage: User) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.record_missing_episode(
            actor=triage, case_pk=case.pk, went_missing_at=ago(hours=30),
            police=PoliceReport(reference="MP/260301/0042", risk_grade="severe"))
    assert errors_of(excinfo) == {
        "police_risk_grade": ["Select the police risk grade, or not known"]}
    episode = services.record_missing_episode(
        actor=triage, case_pk=case.pk, went_missing_at=ago(hours=30),
        police=PoliceReport(reference=" MP/260301/0042 ", risk_grade=PoliceRiskGrade.HIGH))
    assert (episode.police_reference, episode.police_risk_grade) == ("MP/260301/0042", "high")
    # A caller that does not ask about the police report leaves it as recorded.
    services.update_missing_episode(actor=triage, episode_pk=episode.pk,
                                    went_missing_at=episode.went_missing_at,
                                    returned_at=ago(hours=2), via_case_pk=case.pk)
    episode.refresh_from_db()
    assert (episode.police_reference, episode.police_risk_grade_text) == (
        "MP/260301/0042", "High risk")
    html = client_for(triage).get(reverse("cases:missing", args=[case.pk])).content.decode()
    check_page(html)
    assert "Police ref MP/260301/0042" in html and "Police risk: high risk" in html
    form = client_for(triage).get(
        reverse("cases:edit_missing_episode", args=[case.pk, episode.pk])).content.decode()
    check_page(form)
    assert 'value="MP/260301/0042"' in form
    assert 'value="high" checked' in form


def test_an_episode_without_a_police_grade_says_not_known(case: Case, triage: User) -> None:
    episode = services.record_missing_episode(actor=triage, case_pk=case.pk,
                                              went_missing_at=ago(hours=30))
    assert episode.police_risk_grade_text == "Not known"
    assert MissingEpisode.objects.get().police_reference == ""


# --- Plan actions owned by a partner agency's named person --------------------------------


def test_a_partner_owns_an_action_without_getting_access(case: Case, triage: User) -> None:
    item = services.add_plan_item(actor=triage, case_pk=case.pk, action="Daily check-in",
                                  due_on=days_from_today(7), partner_owner=DSL)
    assert item.owner is None and item.owner_agency is None and item.owned_by_partner
    assert (item.owner_name, item.owner_agency_name) == ("Hannah Okafor", "Riverside Academy")
    # A school's worker who uses the hub does not see the case through the action.
    school = make_agency("riverside", AgencyKind.EDUCATION, name="Riverside Academy")
    dsl_user = make_user("h.okafor", Role.REFERRER, agency=school)
    assert not policy.can(dsl_user, Action.CASE_VIEW, case)
    html = client_for(triage).get(reverse("cases:plan", args=[case.pk])).content.decode()
    check_page(html)
    assert "Hannah Okafor" in html and "Designated safeguarding lead, Riverside Academy" in html


def test_an_action_has_exactly_one_kind_of_owner(case: Case, triage: User) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.add_plan_item(actor=triage, case_pk=case.pk, action="Visit",
                               due_on=days_from_today(7), owner=triage, partner_owner=DSL)
    assert set(errors_of(excinfo)) == {"owner_kind"}
    with pytest.raises(ValidationError) as excinfo:
        services.add_plan_item(actor=triage, case_pk=case.pk, action="Visit",
                               due_on=days_from_today(7), partner_owner=PartnerOwner())
    assert set(errors_of(excinfo)) == {"partner_owner_name", "partner_owner_role",
                                       "partner_owner_agency", "partner_owner_contact"}
    assert not PlanItem.objects.exists()
    hub_agency = Agency.objects.get(pk=triage.agency_id)
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanItem.objects.create(case=case, action="Both", owner=triage, owner_agency=hub_agency,
                                partner_owner_name="Hannah Okafor",
                                partner_owner_agency="Riverside Academy",
                                due_on=days_from_today(7), created_at=ago(hours=1),
                                created_by=triage)
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanItem.objects.create(case=case, action="Neither", due_on=days_from_today(7),
                                created_at=ago(hours=1), created_by=triage)


def test_changing_the_owner_to_a_partner_clears_the_hub_owner(case: Case, triage: User) -> None:
    item = services.add_plan_item(actor=triage, case_pk=case.pk, action="Visit",
                                  due_on=days_from_today(7), owner=triage)
    services.update_plan_item(actor=triage, plan_item_pk=item.pk, action="Visit",
                              due_on=item.due_on, partner_owner=DSL)
    item.refresh_from_db()
    assert item.owner_id is None and item.owner_agency_id is None
    assert item.partner_owner_contact == "01632 960 118"
    services.update_plan_item(actor=triage, plan_item_pk=item.pk, action="Visit",
                              due_on=item.due_on, owner=triage)
    item.refresh_from_db()
    assert item.owner == triage and item.partner_owner_name == ""


def test_the_plan_form_asks_for_the_partner_under_its_choice(case: Case, triage: User) -> None:
    client = client_for(triage)
    url = reverse("cases:add_plan_item", args=[case.pk])
    html = client.get(url).content.decode()
    check_page(html)
    assert 'id="conditional-id_owner_kind_1"' in html
    due = days_from_today(10)
    data = {"action": "Safe adult at the gate", "owner_kind": "partner",
            "owner": str(triage.pk),  # typed under the other choice: not saved
            "due_on_day": due.day, "due_on_month": due.month, "due_on_year": due.year,
            "partner_owner_name": "Hannah Okafor", "partner_owner_role": "",
            "partner_owner_agency": "Riverside Academy", "partner_owner_contact": ""}
    response = client.post(url, data)
    html = response.content.decode()
    check_page(html)
    assert "Enter their role, for example designated safeguarding lead" in html
    assert 'href="#id_partner_owner_contact"' in html
    assert 'value="Hannah Okafor"' in html
    response = client.post(url, {**data, "partner_owner_role": "Designated safeguarding lead",
                                 "partner_owner_contact": "dsl@riverside.example.org"})
    assert response.status_code == 302
    item = PlanItem.objects.get()
    assert item.owner_id is None and item.partner_owner_contact == "dsl@riverside.example.org"


def test_the_key_worker_chases_a_partners_overdue_action(case: Case, triage: User,
                                                         supervisor: User) -> None:
    services.set_key_worker(actor=triage, case_pk=case.pk, key_worker=supervisor,
                            expected_version=case.version)
    overdue = services.add_plan_item(actor=triage, case_pk=case.pk, action="Attendance plan",
                                     due_on=days_from_today(1), partner_owner=DSL)
    services.add_plan_item(actor=triage, case_pk=case.pk, action="Safe adult",
                           due_on=days_from_today(3), partner_owner=DSL)
    PlanItem.objects.filter(pk=overdue.pk).update(due_on=days_from_today(-2))
    now = ago(seconds=0)
    items = plan_items_due(supervisor, now).drawn()
    assert [item.detail for item in items] == [
        "Action: Attendance plan. Owned by Hannah Okafor, Designated safeguarding lead "
        "(Riverside Academy): chase them on 01632 960 118"]
    assert items[0].due_on == days_from_today(-2)
    # Not the case's other workers: the key worker chases.
    assert plan_items_due(triage, now).drawn() == []
    # The due date passes for the second one: it joins the key worker's queue.
    assert len(plan_items_due(supervisor, now + dt.timedelta(days=4)).drawn()) == 2


# --- The demo shows them -------------------------------------------------------------------


def test_the_demo_shows_the_child_seen_the_police_report_and_partner_owners(
    settings: Any,
) -> None:
    as_of = dt.date(2026, 6, 1)
    settings.DEMO_MODE = True
    with on_demo_day(as_of):
        call_command("demo_data", "--scale=small", "--seed=7", f"--as-of={as_of}",
                     stdout=io.StringIO())
        contacts = Contact.objects.all()
        assert contacts.filter(child_seen="yes", child_seen_alone="yes").exists()
        assert contacts.filter(child_seen="yes", child_seen_alone="no").exists()
        assert contacts.filter(kind="phone").exclude(child_seen="not_applicable").count() == 0
        assert contacts.exclude(child_words="").exists()
        assert not contacts.filter(child_seen="").exists()
        episodes = MissingEpisode.objects.all()
        assert episodes.exclude(police_reference="").exists()
        assert set(episodes.values_list("police_risk_grade", flat=True)) >= {
            PoliceRiskGrade.HIGH, PoliceRiskGrade.MEDIUM}
        partner_items = PlanItem.objects.filter(owner__isnull=True)
        assert partner_items.filter(partner_owner_role__icontains="safeguarding lead").exists()
        # One overdue on an open case with a key worker: on their work queue to chase.
        overdue = partner_items.filter(status="open", due_on__lt=as_of,
                                       case__status="open", case__key_worker__isnull=False)
        item = overdue.select_related("case__key_worker").first()
        assert item is not None
        key_worker = item.case.key_worker
        assert key_worker is not None
        queue = plan_items_due(key_worker, timezone.now()).drawn()
        assert any("chase them on" in work.detail for work in queue)


# --- Existing records migrate as not recorded ---------------------------------------------


@pytest.mark.migration_history
@pytest.mark.django_db(transaction=True)
def test_existing_records_migrate_as_not_recorded_and_the_migration_reverses(
    hub_agency: Agency, hub_team: Team
) -> None:
    opener = make_user("mig.opener", Role.TRIAGE, agency=hub_agency, team=hub_team)
    case = services.open_case(actor=opener, child=make_person(hub_agency),
                              risk_tier=RiskTier.MEDIUM, lead_agency=hub_agency,
                              reason="Migration test")
    graph = MigrationExecutor(connection).loader.graph
    node = next(key for key in graph.nodes
                if key[0] == "cases" and key[1].endswith("child_seen_police_grade_partner_owners"))
    parent = next(key for key in graph.node_map[node].parents if key[0] == "cases")
    latest = graph.leaf_nodes()  # every app's: other apps' migrations depend on cases
    moment = dt.datetime(2026, 3, 27, 12, tzinfo=dt.UTC)
    try:
        MigrationExecutor(connection).migrate([parent])
        before = MigrationExecutor(connection).loader.project_state(parent).apps
        before.get_model("cases", "Contact").objects.create(
            case_id=case.pk, occurred_at=moment, kind="home_visit", with_whom="the child",
            summary="Before the questions", recorded_by_id=opener.pk)
        before.get_model("cases", "MissingEpisode").objects.create(
            case_id=case.pk, child_id=case.child_id, went_missing_at=moment,
            recorded_by_id=opener.pk)
        before.get_model("cases", "PlanItem").objects.create(
            case_id=case.pk, action="Visit", owner_id=opener.pk, owner_agency_id=hub_agency.pk,
            due_on=moment.date(), created_at=moment, created_by_id=opener.pk)
        MigrationExecutor(connection).migrate([node])
        after = MigrationExecutor(connection).loader.project_state(node).apps
        contact = after.get_model("cases", "Contact").objects.get()
        assert (contact.child_seen, contact.child_seen_alone, contact.child_words) == ("", "", "")
        episode = after.get_model("cases", "MissingEpisode").objects.get()
        assert (episode.police_reference, episode.police_risk_grade) == ("", "")
        item = after.get_model("cases", "PlanItem").objects.get()
        assert (item.owner_id, item.partner_owner_name) == (opener.pk, "")
        MigrationExecutor(connection).migrate([parent])
    finally:
        MigrationExecutor(connection).migrate(latest)
