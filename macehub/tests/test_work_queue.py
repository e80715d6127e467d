"""The home page as each person's work queue: what each role sees there, in what order,
with which clock; never a record the user may not see; audited as a view of the
children it names; and a query count that does not grow with the number of items."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from macehub.access import account_services
from macehub.accounts.models import Agency, RoleChangeRequest, Team, User
from macehub.accounts.roles import AgencyKind, Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.cases import services as case_services
from macehub.cases.codes import Brag, RiskTier
from macehub.cases.models import Case, MissingEpisode, PlanItem
from macehub.core.work_queue import WorkItem, work_queue_for
from macehub.forms import last_full_month
from macehub.people.models import Person
from macehub.performance.models import MonthlyReport
from macehub.referrals.codes import ReferralStatus, TriageOutcome
from macehub.referrals.models import Referral
from macehub.referrals.tests.factories import make_referral
from macehub.testing.factories import (
    make_agency,
    make_person,
    make_team,
    make_user,
    signed_in_client,
)

pytestmark = pytest.mark.django_db


def hours(value: float) -> dt.timedelta:
    return dt.timedelta(hours=value)


def titles(user: User, now: dt.datetime | None = None) -> list[str]:
    return [item.title for item in work_queue_for(user, now or timezone.now()).items]


def main_content(response: Any) -> str:
    """The page's own content, without the header (which names the signed-in user)."""
    return str(response.content.decode().split('id="main-content"', 1)[1])


@pytest.fixture
def triage(hub_agency: Agency, hub_team: Team) -> User:
    return make_user("tri.age", Role.TRIAGE, agency=hub_agency, team=hub_team)


@pytest.fixture
def school() -> Agency:
    return make_agency("northtown-academy", AgencyKind.EDUCATION, name="Northtown Academy")


@pytest.fixture
def referrer(school: Agency) -> User:
    return make_user("dsl.school", Role.REFERRER, agency=school,
                     team=make_team(school, "Safeguarding", is_hub_team=False))


def referral_due(child: Person, referrer: User, brag: Brag, due_in: dt.timedelta,
                 **fields: Any) -> Referral:
    now = timezone.now()
    return make_referral(child, referrer, received_at=now - hours(1), partner_check_brag=brag,
                         suggested_brag=brag, decision_due_at=now + due_in, **fields)


def child(agency: Agency, name: str, **fields: Any) -> Person:
    given, family = name.split()
    return make_person(agency, given_name=given, family_name=family, **fields)


def open_case_for(person: Person, actor: User, *, key_worker: User | None = None,
                  tier: RiskTier = RiskTier.MEDIUM) -> Case:
    case = case_services.open_case(actor=actor, child=person, risk_tier=tier,
                                   lead_agency=actor.agency, reason="Screened at triage")
    if key_worker is not None:
        case_services.set_key_worker(actor=actor, case_pk=case.pk, expected_version=case.version,
                                     key_worker=key_worker)
    return case


# --- Triage -------------------------------------------------------------------------------


def test_triage_sees_red_before_amber_and_overdue_first(
    triage: User, referrer: User, school: Agency
) -> None:
    red_in_time = referral_due(child(school, "Rhea Intime"), referrer, Brag.RED, hours(1))
    red_overdue = referral_due(child(school, "Rory Late"), referrer, Brag.RED, -hours(2))
    amber_overdue = referral_due(child(school, "Alma Late"), referrer, Brag.AMBER, -hours(5))
    green = referral_due(child(school, "Gwen Soon"), referrer, Brag.GREEN, hours(20))
    referral_due(child(school, "Dora Decided"), referrer, Brag.RED, -hours(3),
                 status=ReferralStatus.DECIDED, outcome=TriageOutcome.EARLY_HELP,
                 decided_at=timezone.now(), referrer_notified_at=timezone.now())

    queue = work_queue_for(triage, timezone.now())
    assert [item.title for item in queue.items] == [
        f"{red_overdue.reference}: Rory Late",
        f"{red_in_time.reference}: Rhea Intime",
        f"{amber_overdue.reference}: Alma Late",
        f"{green.reference}: Gwen Soon",
    ]
    assert [item.title for item in queue.overdue] == [
        f"{red_overdue.reference}: Rory Late", f"{amber_overdue.reference}: Alma Late",
    ]
    first = queue.items[0]
    assert (first.kind, first.tag, first.tag_colour) == ("Referral to triage", "Red", "red")
    assert first.link == reverse("referrals:decide", args=[red_overdue.pk])

    html = main_content(signed_in_client(triage).get(reverse("home")))
    assert html.index("Rory Late") < html.index("Rhea Intime") < html.index("Alma Late")
    assert "Overdue by 2 hours" in html
    assert "59 minutes left" in html or "1 hour left" in html
    assert "Dora Decided" not in html


def test_the_overdue_and_kind_tabs(triage: User, referrer: User, school: Agency) -> None:
    referral_due(child(school, "Rory Late"), referrer, Brag.RED, -hours(2))
    referral_due(child(school, "Gwen Soon"), referrer, Brag.GREEN, hours(20))
    client = signed_in_client(triage)

    page = main_content(client.get(reverse("home")))
    assert 'class="moj-sub-navigation"' in page
    assert 'Overdue <span class="moj-badge moj-badge--red">1</span>' in page
    assert 'Referrals to triage <span class="moj-badge">2</span>' in page

    overdue = main_content(client.get(reverse("home"), {"show": "overdue"}))
    assert "Rory Late" in overdue and "Gwen Soon" not in overdue
    by_kind = main_content(client.get(reverse("home"), {"show": "triage"}))
    assert "Rory Late" in by_kind and "Gwen Soon" in by_kind
    assert f'href="{reverse("referrals:queue")}">See the full list' in by_kind
    unknown = main_content(client.get(reverse("home"), {"show": "no-such-tab"}))
    assert "Rory Late" in unknown and "Gwen Soon" in unknown


def test_a_restricted_childs_referral_is_never_listed_to_those_who_may_not_know_it(
    triage: User, referrer: User, school: Agency, hub_agency: Agency, hub_team: Team
) -> None:
    hidden = child(school, "Hester Hidden", is_restricted=True)
    referral = referral_due(hidden, referrer, Brag.RED, -hours(1))
    referral_due(child(school, "Vera Visible"), referrer, Brag.AMBER, hours(2))

    page = main_content(signed_in_client(triage).get(reverse("home")))
    assert "Vera Visible" in page
    assert "Hester Hidden" not in page and referral.reference not in page
    assert "Hester Hidden" not in " ".join(titles(triage))
    # Nor is it counted in a badge: one referral to triage, one item in all.
    assert 'Referrals to triage <span class="moj-badge">1</span>' in page

    # A triage officer allocated to the child may know them, and sees it.
    allocated = make_user("ali.located", Role.TRIAGE, agency=hub_agency, team=hub_team)
    hidden.allocations.create(user=allocated)
    assert f"{referral.reference}: Hester Hidden" in titles(allocated)


def test_roles_that_do_not_triage_see_no_referrals_to_triage(
    referrer: User, school: Agency, hub_agency: Agency, hub_team: Team
) -> None:
    referral_due(child(school, "Rory Late"), referrer, Brag.RED, -hours(2))
    analyst = make_user("ana.lyst", Role.ANALYST, agency=hub_agency, team=hub_team)
    assert titles(analyst) == []
    assert titles(referrer) == []  # the referral is waiting, with no outcome yet


# --- Referrers ----------------------------------------------------------------------------


def test_a_referrer_sees_only_their_own_referrals_outcomes_until_they_read_them(
    referrer: User, school: Agency
) -> None:
    other = make_user("other.dsl", Role.REFERRER, agency=school,
                      team=make_team(school, "Pastoral", is_hub_team=False))
    decided = {"status": ReferralStatus.DECIDED, "outcome": TriageOutcome.EARLY_HELP,
               "decided_at": timezone.now() - hours(0.5)}
    mine = referral_due(child(school, "Maya Brook"), referrer, Brag.AMBER, hours(1), **decided)
    theirs = referral_due(child(school, "Theo Other"), other, Brag.AMBER, hours(1), **decided)
    referral_due(child(school, "Wes Waiting"), referrer, Brag.AMBER, hours(1))
    make_referral(child(school, "Olga Old"), referrer,
                  received_at=timezone.now() - dt.timedelta(days=60),
                  status=ReferralStatus.DECIDED, outcome=TriageOutcome.NO_FURTHER_ACTION,
                  decided_at=timezone.now() - dt.timedelta(days=40))

    client = signed_in_client(referrer)
    page = main_content(client.get(reverse("home")))
    assert f"{mine.reference}: Maya Brook" in page
    assert "Early help" in page
    assert reverse("referrals:mine_detail", args=[mine.pk]) in page
    for not_theirs in ("Theo Other", theirs.reference, "Wes Waiting", "Olga Old"):
        assert not_theirs not in page

    # Reading the outcome takes it off the queue.
    assert client.get(reverse("referrals:mine_detail", args=[mine.pk])).status_code == 200
    assert titles(referrer) == []
    assert titles(other) == [f"{theirs.reference}: Theo Other"]


# --- Administrators -----------------------------------------------------------------------


def test_an_administrator_sees_changes_they_may_decide_not_ones_they_asked_for(
    hub_agency: Agency, referrer: User
) -> None:
    team = make_team(hub_agency, "Information Management", is_hub_team=False)
    first = make_user("ada.admin", Role.ADMINISTRATOR, agency=hub_agency, team=team)
    second = make_user("bo.admin", Role.ADMINISTRATOR, agency=hub_agency, team=team)
    governance = make_user("ig.officer", Role.INFORMATION_GOVERNANCE, agency=hub_agency,
                           team=team)
    result = account_services.save_user(
        actor=first, user=User.objects.get(pk=referrer.pk),
        roles=[Role.REFERRER, Role.ANALYST], reason="Joining the intelligence cell")
    request = result.request
    assert isinstance(request, RoleChangeRequest)

    assert titles(first) == []
    assert titles(governance) == []  # reads the requests, decides none
    queue = work_queue_for(second, timezone.now())
    (item,) = queue.items
    assert item.kind == "Change of access"
    assert item.link == reverse("accounts:role_change_decide", args=[request.pk])
    assert "Asked by" in item.detail and "Joining the intelligence cell" in item.detail
    page = main_content(signed_in_client(second).get(reverse("home")))
    assert reverse("accounts:role_change_decide", args=[request.pk]) in page

    # Nor is anyone asked to decide a change to their own access.
    about_second = account_services.save_user(
        actor=first, user=User.objects.get(pk=second.pk),
        roles=[Role.ADMINISTRATOR, Role.INFORMATION_GOVERNANCE], reason="Covering IG").request
    assert about_second is not None
    assert [item.link for item in work_queue_for(second, timezone.now()).items] == [
        reverse("accounts:role_change_decide", args=[request.pk])]
    third = make_user("cy.admin", Role.ADMINISTRATOR, agency=hub_agency, team=team)
    assert len(work_queue_for(third, timezone.now()).items) == 2
    assert "Waiting since " in page


# --- Case work ----------------------------------------------------------------------------


def test_plan_items_the_user_owns_with_their_day_clock(
    triage: User, hub_agency: Agency, hub_team: Team, partner_agency: Agency
) -> None:
    colleague = make_user("col.league", Role.INVESTIGATOR, agency=hub_agency, team=hub_team)
    case = open_case_for(child(hub_agency, "Anna Zed"), triage, tier=RiskTier.HIGH)
    today = timezone.localdate()
    for action, owner, days in (("Visit school", triage, -2), ("Call mother", triage, 0),
                                ("Colleague's", colleague, -1), ("Far off", triage, 30)):
        PlanItem.objects.create(case=case, action=action, owner=owner,
                                owner_agency=owner.agency, due_on=today + dt.timedelta(days=days),
                                created_at=timezone.now(), created_by=triage)
    done = PlanItem.objects.create(case=case, action="Already done", owner=triage,
                                   owner_agency=hub_agency, due_on=today, status="done",
                                   completed_on=today, created_at=timezone.now(),
                                   created_by=triage)

    items = work_queue_for(triage, timezone.now()).items
    assert [item.detail for item in items] == ["Action: Visit school", "Action: Call mother"]
    assert [item.clock(timezone.now()).text for item in items  # type: ignore[union-attr]
            ] == ["Overdue by 2 days", "Due today"]
    assert items[0].title == f"{case.reference}: Anna Zed"
    assert (items[0].tag, items[0].tag_colour) == ("High risk", "red")
    assert done.action not in " ".join(item.detail for item in items)

    # An owner who no longer may see the case (a partner not linked to it) sees nothing.
    partner = make_user("part.ner", Role.INVESTIGATOR, agency=partner_agency,
                        team=make_team(partner_agency, "District", is_hub_team=False))
    PlanItem.objects.create(case=case, action="Partner's action", owner=partner,
                            owner_agency=partner_agency, due_on=today,
                            created_at=timezone.now(), created_by=triage)
    assert titles(partner) == []

    html = main_content(signed_in_client(triage).get(reverse("home")))
    assert "Overdue by 2 days" in html and "Due today" in html
    assert reverse("cases:plan", args=[case.pk]) in html


def test_a_restricted_case_the_owner_does_not_work_on_is_listed_without_the_childs_name(
    triage: User, hub_agency: Agency, hub_team: Team
) -> None:
    supervisor = make_user("super.visor", Role.SUPERVISOR, agency=hub_agency, team=hub_team)
    case = open_case_for(child(hub_agency, "Nell Secret"), supervisor,
                         key_worker=supervisor)
    Case.objects.filter(pk=case.pk).update(is_restricted=True)
    PlanItem.objects.create(case=case, action="Check in", owner=triage,
                            owner_agency=hub_agency, due_on=timezone.localdate(),
                            created_at=timezone.now(), created_by=supervisor)
    page = main_content(signed_in_client(triage).get(reverse("home")))
    assert f"{case.reference}: restricted case" in page
    assert "Nell Secret" not in page
    # Owns no plan item: only the first risk review of the case they are key worker for.
    assert [item.kind for item in work_queue_for(supervisor, timezone.now()).items] == [
        "Risk review"]


def test_return_home_interviews_on_the_cases_the_user_works_on(
    triage: User, hub_agency: Agency, hub_team: Team
) -> None:
    worker = make_user("key.worker", Role.INVESTIGATOR, agency=hub_agency, team=hub_team)
    case = open_case_for(child(hub_agency, "Ben Young"), triage, key_worker=worker)
    now = timezone.now()
    MissingEpisode.objects.create(case=case, went_missing_at=now - hours(100),
                                  returned_at=now - hours(75), recorded_by=triage)
    MissingEpisode.objects.create(case=case, went_missing_at=now - hours(30),
                                  returned_at=now - hours(20), recorded_by=triage)
    MissingEpisode.objects.create(case=case, went_missing_at=now - hours(50),
                                  returned_at=now - hours(40),
                                  interview_offered_at=now - hours(30),
                                  interview_response="declined", recorded_by=triage)
    MissingEpisode.objects.create(case=case, went_missing_at=now - hours(10),
                                  recorded_by=triage)  # still missing: no interview due yet

    items = [item for item in work_queue_for(worker, now).items
             if item.kind == "Return home interview"]
    assert [item.clock(now).text for item in items] == [  # type: ignore[union-attr]
        "Overdue by 3 hours", "2 days 4 hours left",
    ]
    assert items[0].link.startswith(reverse("cases:missing", args=[case.pk]))
    # The triage officer opened the case but does not work on it.
    assert titles(triage, now) == []


# --- Roles with no case work ----------------------------------------------------------------


def test_a_senior_leader_is_asked_to_publish_last_month_and_scrutiny_told_it_was(
    hub_agency: Agency
) -> None:
    leader = make_user("sen.ior", Role.SENIOR_LEADER, agency=hub_agency)
    scrutiny = make_user("scru.tiny", Role.SCRUTINY, agency=hub_agency)
    training = make_user("train.lead", Role.TRAINING_LEAD, agency=hub_agency)
    month = last_full_month()

    (item,) = work_queue_for(leader, timezone.now()).items
    assert item.title == f"{month.label()}: ready to publish"
    assert item.link == reverse("performance:reports")
    assert titles(scrutiny) == []
    leader_page = main_content(signed_in_client(leader).get(reverse("home")))
    assert "ready to publish" in leader_page
    assert reverse("performance:dashboard") in leader_page

    report = MonthlyReport.objects.create(month=month.start, published_at=timezone.now(),
                                          published_by=leader, suppression_threshold=5)
    assert titles(leader) == []
    (news,) = work_queue_for(scrutiny, timezone.now()).items
    assert news.link == reverse("performance:report", args=[report.pk])
    scrutiny_page = main_content(signed_in_client(scrutiny).get(reverse("home")))
    assert f"{report.title}: published" in scrutiny_page
    assert reverse("performance:reports") in scrutiny_page

    training_page = main_content(signed_in_client(training).get(reverse("home")))
    assert "Nothing is waiting for you" in training_page
    assert reverse("intelligence:submit") in training_page


# --- The page as a whole --------------------------------------------------------------------


def test_the_queue_is_audited_as_a_view_of_the_children_it_names(
    triage: User, referrer: User, school: Agency, hub_agency: Agency
) -> None:
    referral = referral_due(child(school, "Rory Late"), referrer, Brag.RED, -hours(2))
    case = open_case_for(child(hub_agency, "Anna Zed"), triage)
    PlanItem.objects.create(case=case, action="Visit", owner=triage, owner_agency=hub_agency,
                            due_on=timezone.localdate(), created_at=timezone.now(),
                            created_by=triage)
    signed_in_client(triage).get(reverse("home"))
    views = AuditEvent.objects.filter(event_type=EventType.VIEW, actor_id=triage.pk)
    shown = {event.record_type: event.detail["shown"] for event in views}
    assert shown == {"referrals.referral": [referral.pk], "cases.case": [case.pk]}


def test_a_user_with_nothing_due_writes_no_view(triage: User) -> None:
    page = main_content(signed_in_client(triage).get(reverse("home")))
    assert "Nothing is waiting for you" in page
    assert not AuditEvent.objects.filter(event_type=EventType.VIEW).exists()


def _add_work(n: int, triage: User, referrer: User, school: Agency, hub_agency: Agency,
              admin: User) -> None:
    now = timezone.now()
    for i in range(n):
        referral_due(child(school, f"Refer Child{i}"), referrer, Brag.AMBER, hours(i - 2))
        referral_due(child(school, f"Own Child{i}"), triage, Brag.GREEN, hours(1),
                     status=ReferralStatus.DECIDED, outcome=TriageOutcome.EARLY_HELP,
                     decided_at=now, referrer_notified_at=now)
        case = open_case_for(child(hub_agency, f"Case Child{i}"), admin, key_worker=triage)
        PlanItem.objects.create(case=case, action="Visit", owner=triage,
                                owner_agency=hub_agency, due_on=timezone.localdate(),
                                created_at=now, created_by=triage)
        MissingEpisode.objects.create(case=case, went_missing_at=now - hours(30),
                                      returned_at=now - hours(20), recorded_by=triage)


def test_the_home_page_query_count_does_not_grow_with_the_items(
    triage: User, referrer: User, school: Agency, hub_agency: Agency, hub_team: Team
) -> None:
    opener = make_user("sup.ervisor", Role.SUPERVISOR, agency=hub_agency, team=hub_team)
    client = signed_in_client(triage)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("home"))
        assert response.status_code == 200
        return len(captured.captured_queries)

    _add_work(1, triage, referrer, school, hub_agency, opener)
    few = queries()
    _add_work(6, triage, referrer, school, hub_agency, opener)
    many = queries()
    # Each of 7 rounds: a referral to triage, a plan item, an interview to offer, the
    # case's first risk review and the referrer's outcome (triage referred one too).
    assert work_queue_for(triage, timezone.now()).count == 7 * 5
    assert many == few


def test_a_source_registered_in_an_app_is_shown(triage: User) -> None:
    from macehub.core import work_queue

    def source(user: User, now: dt.datetime) -> list[WorkItem]:
        return [WorkItem(kind="Partner check", title="Check for RF-1", link="/checks/1/",
                         due_at=now - hours(1))]

    work_queue.registered_sources()  # discover the apps' sources first
    work_queue.work_queue_source("test_checks", label="Partner checks", order=5)(source)
    try:
        page = main_content(signed_in_client(triage).get(reverse("home")))
    finally:
        work_queue.unregister_source("test_checks")
    assert "Check for RF-1" in page and "Overdue by 1 hour" in page
    assert 'Partner checks <span class="moj-badge">1</span>' in page


def test_only_the_items_a_page_shows_are_drawn_and_in_the_order_of_them_all(
    triage: User,
) -> None:
    """A source that may hold thousands gives each item's place; the queue draws only
    those a page shows (and any tied with the last shown, put in order by title once
    drawn), and the page is what putting every item in order would give."""
    from macehub.core import work_queue

    now = timezone.now()
    # Many on the same two clocks, so titles decide among them; some overdue.
    clocks = [now - hours(2), now + hours(5)]
    every = {n: WorkItem(kind="Check", title=f"Item {(n * 7) % 30:02d}", link=f"/w/{n}/",
                         due_at=clocks[n % 2], urgency=work_queue.NORMAL + n % 3 // 2)
             for n in range(30)}
    drawn: list[list[int]] = []

    def draw(keys: list[Any]) -> list[WorkItem]:
        drawn.append(list(keys))
        return [every[key] for key in keys]

    def many(user: User, when: dt.datetime) -> work_queue.WorkSelection:
        return work_queue.WorkSelection(waiting=[
            work_queue.Waiting(place=work_queue.place_in_queue(
                when, urgency=item.urgency, due_at=item.due_at),
                overdue=work_queue.is_overdue(when, due_at=item.due_at), key=n)
            for n, item in every.items()], draw=draw)

    few = [WorkItem(kind="Note", title="A note", link="/note/", due_at=now + hours(1)),
           WorkItem(kind="Note", title="Old note", link="/old/", due_at=now - hours(9))]
    work_queue.work_queue_source("test_many", label="Many", order=1)(many)
    work_queue.work_queue_source("test_few", label="Few", order=2)(lambda user, when: few)
    try:
        queue = work_queue_for(triage, now)
        everything = sorted([*every.values(), *few], key=lambda item: item.sort_key(now))
        assert queue.count == 32
        assert queue.overdue_count == len([i for i in everything if i.is_overdue(now)]) == 16
        for rows in (1, 5, 12, 31, 32, 50):
            drawn.clear()
            assert queue.first(rows) == everything[:rows]
            assert sum(len(keys) for keys in drawn) <= rows + 15  # the ties of one clock
        assert queue.first(6, overdue=True) == [i for i in everything if i.is_overdue(now)][:6]
        many_list = queue.list_named("test_many")
        assert many_list is not None
        drawn.clear()
        assert many_list.first(3) == [i for i in everything if i in every.values()][:3]
        assert max(len(keys) for keys in drawn) < 30
        assert queue.items == everything
    finally:
        work_queue.unregister_source("test_many")
        work_queue.unregister_source("test_few")


def test_a_days_clock_is_worked_out_once_and_reads_as_each_items_would() -> None:
    """``day_clocks`` gives each item due on a day the place and overdue mark that
    ``place_in_queue`` and ``is_overdue`` give it: overdue from the day after, in the
    hub's time zone (a quarter past midnight in London is still the day before in UTC
    in summer)."""
    from macehub.core import work_queue

    now = dt.datetime(2026, 7, 1, 23, 15, tzinfo=dt.UTC)  # 00:15 on 2 July in London
    clock = work_queue.day_clocks(now, urgency=work_queue.NORMAL)
    for due_on in (dt.date(2026, 6, 30), dt.date(2026, 7, 1), dt.date(2026, 7, 2),
                   dt.date(2026, 7, 3)):
        assert clock(due_on) == (
            work_queue.place_in_queue(now, urgency=work_queue.NORMAL, due_on=due_on),
            work_queue.is_overdue(now, due_on=due_on))
    assert [clock(day)[1] for day in (dt.date(2026, 7, 1), dt.date(2026, 7, 2))] == [
        True, False]
    assert clock(dt.date(2026, 7, 1)) is clock(dt.date(2026, 7, 1))
