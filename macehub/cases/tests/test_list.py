"""The case list: filters, sortable columns, pages, and a query count that does not grow
with the number of rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.cases import selectors, services
from macehub.cases.codes import ClosureReason, ContactKind, RiskTier
from macehub.cases.models import Case, Contact, MissingEpisode, PlanItem
from macehub.cases.selectors import CaseFilters, CaseSort
from macehub.cases.tests.conftest import ago, client_for, close_with_approval, days_from_today
from macehub.people.codes import AreaKind
from macehub.people.models import Area, Person, PersonAddress

pytestmark = pytest.mark.django_db


@pytest.fixture
def areas(db):
    north = Area.objects.create(code="E07999801", name="Northdale", kind=AreaKind.DISTRICT)
    south = Area.objects.create(code="E07999802", name="Southmoor", kind=AreaKind.DISTRICT)
    return {
        "north": north,
        "south": south,
        "harbour": Area.objects.create(code="E05999801", name="Harbour", kind=AreaKind.WARD,
                                       parent=north),
        "hill": Area.objects.create(code="E05999802", name="Hill", kind=AreaKind.WARD,
                                    parent=north),
        "marsh": Area.objects.create(code="E05999803", name="Marsh", kind=AreaKind.WARD,
                                     parent=south),
    }


def live_at(case: Case, area: Area) -> None:
    PersonAddress.objects.create(person=case.child, line_1="1 Test Row", town="Town",
                                 postcode="XA1 1AA", area=area, is_current=True)


def names(user, **filters) -> list[str]:
    return [case.child.given_name for case in selectors.case_list(user, CaseFilters(**filters))]


@pytest.fixture
def four_cases(make_case, triage, supervisor, advocate, partner_agency, areas):
    anna = make_case("Anna", "Zed", risk_tier=RiskTier.HIGH)
    ben = make_case("Ben", "Young", risk_tier=RiskTier.LOW, lead_agency=partner_agency)
    cara = make_case("Cara", "Xu", risk_tier=RiskTier.MEDIUM)
    dev = make_case("Dev", "Ward", risk_tier=RiskTier.MEDIUM)
    services.set_key_worker(actor=triage, case_pk=cara.pk, expected_version=1,
                            key_worker=advocate)
    live_at(anna, areas["harbour"])
    live_at(ben, areas["hill"])
    live_at(cara, areas["marsh"])
    now = timezone.now()
    # Anna: an overdue plan item. Ben: an overdue return home interview. Cara: on time.
    PlanItem.objects.create(case=anna, action="Late", owner=triage, owner_agency=triage.agency,
                            due_on=days_from_today(-2), created_at=ago(days=10),
                            created_by=triage)
    PlanItem.objects.create(case=cara, action="Soon", owner=triage, owner_agency=triage.agency,
                            due_on=days_from_today(5), created_at=now, created_by=triage)
    MissingEpisode.objects.create(case=ben, went_missing_at=ago(hours=100),
                                  returned_at=ago(hours=80), recorded_by=triage)
    MissingEpisode.objects.create(case=cara, went_missing_at=ago(hours=30),
                                  returned_at=ago(hours=20), recorded_by=triage)
    for case, days in ((anna, 1), (ben, 9), (dev, 4)):
        Contact.objects.create(case=case, occurred_at=ago(days=days), kind=ContactKind.PHONE,
                               with_whom="mother", summary="Call", recorded_by=triage)
    opened = ago(days=40)
    for offset, case in enumerate((anna, ben, cara, dev)):
        Case.objects.filter(pk=case.pk).update(opened_at=opened + dt.timedelta(days=offset))
    close_with_approval(dev, requested_by=triage, approved_by=supervisor)
    return {"anna": anna, "ben": ben, "cara": cara, "dev": dev}


def test_filters(four_cases, analyst, advocate, partner_agency, areas):
    assert names(analyst) == ["Anna", "Cara", "Ben"]  # open cases, highest tier first
    # Equal tiers: the most recently opened first.
    assert names(analyst, status="") == ["Anna", "Dev", "Cara", "Ben"]
    assert names(analyst, status="closed") == ["Dev"]
    assert names(analyst, risk_tier=RiskTier.MEDIUM) == ["Cara"]
    assert names(analyst, lead_agency_id=partner_agency.pk) == ["Ben"]
    assert names(analyst, key_worker_id=advocate.pk) == ["Cara"]
    assert names(analyst, overdue_only=True) == ["Anna", "Ben"]
    assert names(analyst, area_code="E05999803") == ["Cara"]  # a ward
    assert names(analyst, area_code="E07999801") == ["Anna", "Ben"]  # its district's wards


@pytest.mark.parametrize(
    ("sort", "descending", "expected"),
    [
        (CaseSort.CHILD, False, ["Dev", "Cara", "Ben", "Anna"]),  # by family name
        (CaseSort.TIER, True, ["Anna", "Dev", "Cara", "Ben"]),
        (CaseSort.OPENED, False, ["Anna", "Ben", "Cara", "Dev"]),
        (CaseSort.OPENED, True, ["Dev", "Cara", "Ben", "Anna"]),
        (CaseSort.LAST_CONTACT, True, ["Anna", "Dev", "Ben", "Cara"]),  # never contacted last
        (CaseSort.NEXT_DUE, False, ["Anna", "Cara", "Dev", "Ben"]),  # nothing due last
    ],
)
def test_sorting(four_cases, analyst, sort, descending, expected):
    assert names(analyst, status="", sort=sort, descending=descending) == expected


def test_each_row_of_a_page_is_marked_after_the_page_is_cut(four_cases, analyst,
                                                            advocate):
    """What each row shows besides the case is read for the page's cases only, in one
    query: the list query itself computes none of it."""
    cases = selectors.case_list(analyst, CaseFilters(status=""))
    sql = str(cases.query)
    assert "cases_contact" not in sql and "people_personaddress" not in sql
    page = list(cases[:3])  # Anna, Dev, Cara
    with CaptureQueriesContext(connection) as marks:
        selectors.mark_case_rows(analyst, page)
    assert len(marks.captured_queries) == 1
    rows = {case.child.given_name: {name: getattr(case, name)
                                    for name in selectors.CASE_ROW_MARKS} for case in page}
    assert rows["Anna"]["has_overdue_items"] and not rows["Anna"]["has_overdue_interviews"]
    assert rows["Anna"]["area_name"] == "Harbour"
    assert rows["Anna"]["last_contact_at"] is not None
    assert rows["Anna"]["next_due_on"] == days_from_today(-2)
    assert rows["Cara"] == {
        "last_contact_at": None, "next_due_on": days_from_today(5),
        "has_overdue_items": False, "has_overdue_interviews": False,
        "area_name": "Marsh", "user_works_on": False}
    assert rows["Dev"]["area_name"] is None and rows["Dev"]["next_due_on"] is None
    # The key worker works on Cara's case; the analyst works on none.
    mine = [four_cases["cara"]]
    selectors.mark_case_rows(advocate, mine)
    assert mine[0].user_works_on is True
    assert not any(row["user_works_on"] for row in rows.values())


def test_the_page_filters_sorts_and_marks_overdue_work(four_cases, analyst):
    client = client_for(analyst)
    html = client.get(reverse("cases:list"), {"overdue": "true", "sort": "child",
                                              "order": "asc"}).content.decode()
    assert "2 cases" in html
    assert html.index("Ben Young") < html.index("Anna Zed")
    assert "Plan overdue" in html and "Interview overdue" in html
    assert 'aria-sort="ascending"' in html
    assert "Cara Xu" not in html
    event = AuditEvent.objects.filter(event_type=EventType.SEARCH,
                                      record_type="cases.case").get()
    assert event.detail["filters"]["overdue_only"] is True
    assert sorted(event.detail["results"]) == sorted(
        [four_cases["anna"].pk, four_cases["ben"].pk])


def test_roles_without_cases_cannot_list_them(client, hub_agency, hub_team):
    from macehub.accounts.roles import Role
    from macehub.testing.factories import make_user

    scrutiny = make_user("scru.tiny", Role.SCRUTINY, agency=hub_agency, team=hub_team)
    assert client_for(scrutiny).get(reverse("cases:list")).status_code == 403


def _populate(make_case, triage, areas, count: int) -> None:
    for number in range(count):
        case = make_case(f"Child{number}", f"Family{number}",
                         risk_tier=(RiskTier.HIGH, RiskTier.MEDIUM, RiskTier.LOW)[number % 3])
        live_at(case, areas["harbour"])
        services.set_key_worker(actor=triage, case_pk=case.pk, expected_version=1,
                                key_worker=triage)
        Contact.objects.create(case=case, occurred_at=ago(days=number % 7 + 1),
                               kind=ContactKind.PHONE, with_whom="mother", summary="Call",
                               recorded_by=triage)
        PlanItem.objects.create(case=case, action="Visit", owner=triage,
                                owner_agency=triage.agency, due_on=days_from_today(number % 5 - 2),
                                created_at=ago(days=20), created_by=triage)
        MissingEpisode.objects.create(case=case, went_missing_at=ago(hours=100),
                                      returned_at=ago(hours=90), recorded_by=triage)


def _queries_for_list(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("cases:list"), {"sort": "last_contact"})
    assert response.status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_the_rows(make_case, triage, analyst, areas):
    client = client_for(analyst)
    _populate(make_case, triage, areas, 5)
    few = _queries_for_list(client)
    _populate(make_case, triage, areas, 35)
    many = _queries_for_list(client)
    assert Case.objects.count() == 40
    assert few == many, f"{few} queries for 5 cases, {many} for 40"


def test_the_list_is_paginated(make_case, triage, analyst, areas):
    _populate(make_case, triage, areas, selectors.CASES_PER_PAGE + 2)
    client = client_for(analyst)
    first = client.get(reverse("cases:list")).content.decode()
    assert f"{selectors.CASES_PER_PAGE + 2} cases" in first
    assert 'class="govuk-pagination"' in first
    second = client.get(reverse("cases:list"), {"page": 2}).content.decode()
    assert second.count('class="govuk-table__row"') == 1 + 2  # header and two cases


# --- Open on a day, missing dates, areas at any depth ----------------------------------


def at(*parts: int) -> dt.datetime:
    """A London time (the clocks went forward on 29 March 2026)."""
    return timezone.make_aware(dt.datetime(*parts))  # noqa: DTZ001


def _dates(name: str, day: dt.date) -> dict[str, str]:
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month),
            f"{name}_year": str(day.year)}


def _set_dates(case: Case, opened: dt.datetime, closed: dt.datetime | None = None) -> None:
    Case.objects.filter(pk=case.pk).update(
        opened_at=opened, closed_at=closed, status="closed" if closed else "open",
        closure_reason=ClosureReason.RISK_REDUCED if closed else "")


@pytest.fixture
def march_cases(make_case, triage):
    """Cases around the end of March 2026, each with one missing episode."""
    made = {name: make_case(name, "Test") for name in (
        "Open", "Closed", "Late", "April", "Since")}
    _set_dates(made["Open"], at(2026, 2, 1, 9))
    _set_dates(made["Closed"], at(2026, 1, 5, 9), closed=at(2026, 3, 15, 9))
    _set_dates(made["Late"], at(2026, 3, 31, 23, 0))  # opened in the last hour of March
    _set_dates(made["April"], at(2026, 4, 1, 0, 30))
    _set_dates(made["Since"], at(2026, 3, 10, 9), closed=at(2026, 4, 1, 0, 30))
    for name, went, back in (
        ("Open", at(2026, 3, 5, 9), at(2026, 3, 6, 9)),
        ("Closed", at(2026, 3, 10, 9), at(2026, 3, 11, 9)),
        ("Late", at(2026, 3, 31, 23, 15), at(2026, 4, 1, 2, 0)),
        ("April", at(2026, 4, 1, 1, 0), at(2026, 4, 2, 1, 0)),
        ("Since", at(2026, 2, 28, 9), at(2026, 3, 2, 9)),
    ):
        MissingEpisode.objects.create(case=made[name], went_missing_at=went, returned_at=back,
                                      recorded_by=triage)
    return made


def test_open_on_a_day_lists_the_cases_open_at_its_end(march_cases, analyst):
    end_of_march = dt.date(2026, 3, 31)
    assert sorted(names(analyst, status="", open_on=end_of_march)) == ["Late", "Open", "Since"]
    # "Open cases" means open now as well: the case closed since is left out.
    assert sorted(names(analyst, open_on=end_of_march)) == ["Late", "Open"]
    assert names(analyst, status="", open_on=dt.date(2026, 1, 4)) == []


def test_missing_dates_list_cases_whose_child_went_missing_or_came_back_then(
    march_cases, analyst
):
    march = {"missing_from": dt.date(2026, 3, 1), "missing_to": dt.date(2026, 3, 31)}
    assert sorted(names(analyst, status="", missing="went_missing", **march)) == [
        "Closed", "Late", "Open"]
    assert sorted(names(analyst, status="", missing="came_back", **march)) == [
        "Closed", "Open", "Since"]
    assert sorted(names(analyst, status="", missing="came_back",
                        missing_from=dt.date(2026, 4, 1))) == ["April", "Late"]


def test_an_area_includes_every_area_inside_it(make_case, analyst, areas):
    county = Area.objects.create(code="E10999801", name="Testshire", kind=AreaKind.COUNTY)
    Area.objects.filter(pk__in=[areas["north"].pk, areas["south"].pk]).update(parent=county)
    quay = Area.objects.create(code="E99999801", name="Quay", kind=AreaKind.NEIGHBOURHOOD,
                               parent=areas["harbour"])
    live_at(make_case("Quinn", "Quay"), quay)
    live_at(make_case("Hana", "Hill"), areas["hill"])
    live_at(make_case("Mo", "Marsh"), areas["marsh"])
    assert sorted(names(analyst, area_code="E07999801")) == ["Hana", "Quinn"]
    assert sorted(names(analyst, area_code="E10999801")) == ["Hana", "Mo", "Quinn"]
    assert names(analyst, area_code="E99999801") == ["Quinn"]


def test_the_page_filters_by_open_on_and_missing_dates(march_cases, analyst):
    client = client_for(analyst)
    html = client.get(reverse("cases:list"), {
        "status": "all", "missing": "went_missing", **_dates("missing_from", dt.date(2026, 3, 1)),
        **_dates("missing_to", dt.date(2026, 3, 31))}).content.decode()
    assert "3 cases" in html
    assert all(march_cases[name].reference in html for name in ("Open", "Closed", "Late"))
    open_then = client.get(reverse("cases:list"), {
        "status": "all", **_dates("open_on", dt.date(2026, 3, 31))}).content.decode()
    assert "3 cases" in open_then and march_cases["April"].reference not in open_then
    event = AuditEvent.objects.filter(event_type=EventType.SEARCH,
                                      record_type="cases.case").latest("pk")
    assert event.detail["filters"]["open_on"] == "2026-03-31"


@pytest.mark.parametrize(("typed", "field", "message"), [
    ({"open_on_day": "30", "open_on_month": "2", "open_on_year": "2026"},
     "open_on", "Open on must be a real date"),
    ({"missing": "came_back", **_dates("missing_from", dt.date(2026, 3, 31)),
      **_dates("missing_to", dt.date(2026, 3, 1))},
     "missing_to", "Missing dates to must be the same as or after missing dates from"),
    ({"missing": "went_missing"}, "missing_from",
     "Enter missing dates from, missing dates to, or both"),
    (_dates("missing_from", dt.date(2026, 3, 1)), "missing",
     "Select whether the child went missing or came back in the missing dates"),
    ({"missing": "went_missing", "missing_from_day": "1", "missing_from_month": "3",
      "missing_from_year": "26"}, "missing_from", "Year must include 4 numbers"),
])
def test_bad_filters_show_govuk_errors_and_keep_what_was_typed(
    march_cases, analyst, typed, field, message
):
    html = client_for(analyst).get(reverse("cases:list"), typed).content.decode()
    assert "<title>Error: Cases" in html
    assert 'class="govuk-error-summary"' in html and message in html
    assert f'href="#id_{field}' in html
    for name, value in typed.items():
        if name.endswith(("_day", "_month", "_year")):
            assert f'name="{name}" type="text" value="{value}"' in html


def test_the_filtered_query_count_does_not_grow_with_the_rows(make_case, triage, analyst,
                                                              areas):
    client = client_for(analyst)
    today = timezone.localdate()
    params = {"status": "all", "area": "E07999801", "missing": "came_back",
              **_dates("missing_from", today - dt.timedelta(days=30)),
              **_dates("open_on", today)}

    def count(cases: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("cases:list"), params)
        assert f"{cases} cases" in response.content.decode()
        return len(queries)

    _populate(make_case, triage, areas, 5)
    few = count(5)
    _populate(make_case, triage, areas, 35)
    many = count(40)
    assert few == many, f"{few} queries for 5 cases, {many} for 40"


def test_any_agency_can_be_chosen_even_one_leading_no_case_the_user_sees(
    four_cases, triage, outsider_agency
):
    """A performance figure for an agency links here with that agency: the list shows
    none of its cases rather than refusing the choice."""
    response = client_for(triage).get(
        reverse("cases:list"), {"status": "all", "lead_agency": outsider_agency.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" not in html
    assert f'value="{outsider_agency.pk}" selected' in html
    assert "Anna" not in html and "Ben" not in html


# --- My cases ------------------------------------------------------------------------


def _advocate_for(case: Case, advocate, *, actor) -> None:
    services.change_advocate(actor=actor, case_pk=case.pk, advocate=advocate,
                             starts_on=days_from_today(-1))


def test_my_cases_are_those_i_hold_as_key_worker_or_current_advocate(
        four_cases, triage, advocate, supervisor):
    # Cara: the advocate user is her key worker. Anna: they are her advocate. Ben: they
    # were his advocate, but that has ended. Dev: closed (listed under every status).
    _advocate_for(four_cases["anna"], advocate, actor=triage)
    _advocate_for(four_cases["ben"], advocate, actor=triage)
    services.end_advocacy(actor=triage, case_pk=four_cases["ben"].pk,
                          ended_on=days_from_today(0), reason="Moved away")
    assert names(advocate, mine=True) == ["Anna", "Cara"]
    # Allocated alongside or supervising is not holding: a supervisor has no cases of
    # their own, only all they may see.
    assert names(supervisor, mine=True) == []
    assert selectors.holds_open_cases(advocate)
    assert not selectors.holds_open_cases(supervisor)
    # Each way alone is holding: the current advocate of Anna, once Cara has another key
    # worker; with that advocacy ended too, nothing is held.
    Case.objects.filter(pk=four_cases["cara"].pk).update(key_worker=triage)
    assert selectors.holds_open_cases(advocate)
    services.end_advocacy(actor=triage, case_pk=four_cases["anna"].pk,
                          ended_on=days_from_today(0), reason="Moved away")
    assert not selectors.holds_open_cases(advocate)
    assert selectors.holds_open_cases(triage)


def test_a_case_holder_lands_on_my_cases_and_can_switch_to_all_keeping_filters(
        four_cases, triage, advocate):
    services.set_key_worker(actor=triage, case_pk=four_cases["anna"].pk, expected_version=1,
                            key_worker=advocate)
    client = client_for(advocate)
    html = client.get(reverse("cases:list")).content.decode()
    assert "2 cases" in html and "Anna Zed" in html and "Cara Xu" in html
    assert "Ben Young" not in html
    assert '<a class="moj-sub-navigation__link" href="?whose=mine" aria-current="page">' \
        "My cases</a>" in html
    assert 'href="?whose=all">All cases</a>' in html
    # The filter form carries the choice, so applying a filter keeps it.
    assert '<input type="hidden" name="whose" value="mine"' in html

    html = client.get(reverse("cases:list"),
                      {"whose": "all", "risk_tier": RiskTier.MEDIUM}).content.decode()
    assert "1 case" in html and "Cara Xu" in html and "Anna Zed" not in html
    # Switching back keeps the tier filter.
    assert 'href="?whose=mine&amp;risk_tier=medium">My cases</a>' in html
    assert 'href="?whose=all&amp;risk_tier=medium" aria-current="page">All cases</a>' in html

    html = client.get(reverse("cases:list"),
                      {"whose": "mine", "risk_tier": RiskTier.LOW}).content.decode()
    assert "None of your cases match these filters." in html
    assert 'href="?whose=all&amp;risk_tier=low">See all the cases you may see</a>' in html


def test_someone_holding_no_open_case_lands_on_all_they_may_see(four_cases, triage, analyst,
                                                                 supervisor):
    # Dev's case is closed: having held it does not make the supervisor a case-holder.
    Case.objects.filter(pk=four_cases["dev"].pk).update(key_worker=supervisor)
    for user in (analyst, supervisor):
        html = client_for(user).get(reverse("cases:list")).content.decode()
        assert "3 cases" in html
        assert 'href="?whose=all" aria-current="page">All cases</a>' in html


def test_my_cases_is_audited_as_a_filter(four_cases, advocate):
    client_for(advocate).get(reverse("cases:list"))
    event = AuditEvent.objects.filter(event_type=EventType.SEARCH,
                                      record_type="cases.case").latest("id")
    assert event.detail["filters"]["mine"] is True
    assert event.detail["results"] == [four_cases["cara"].pk]


def test_key_worker_choices_name_only_key_workers_of_cases_the_user_may_see(
        make_case, triage, supervisor, advocate, analyst, partner_worker, partner_agency):
    """The key worker filter offers the key workers of cases the user may see: not the
    key worker of a restricted child the user may not know, nor (to a partner) of a case
    their agency has no part in."""
    seen = make_case("Seen", "Child", lead_agency=partner_agency)
    hidden = make_case("Hidden", "Child")
    services.set_key_worker(actor=triage, case_pk=seen.pk, expected_version=1,
                            key_worker=advocate)
    services.set_key_worker(actor=triage, case_pk=hidden.pk, expected_version=1,
                            key_worker=supervisor)

    def offered(user) -> set[str]:
        return {value for value, _label in selectors.case_list_choices(user)["key_worker"]}

    assert offered(analyst) == {str(advocate.pk), str(supervisor.pk)}
    assert offered(partner_worker) == {str(advocate.pk)}
    # The hidden child's record restricted: a hub member who does not work on their
    # case may not know the child, so the case's key worker is not offered either.
    Person.objects.filter(pk=hidden.child_id).update(is_restricted=True)
    assert offered(analyst) == {str(advocate.pk)}
    assert offered(supervisor) == {str(advocate.pk), str(supervisor.pk)}  # their own case
