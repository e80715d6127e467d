"""The lists on a case's pages and on a child's record come a page at a time (GOV.UK
pagination), keep the rest of the query string, and cost the same number of queries
however long they grow."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from macehub.accounts.models import User
from macehub.cases.codes import CaseStatus, ContactKind, OutcomeKind, RiskTier
from macehub.cases.models import Case, CaseOutcome, Contact, PlanItem, RiskTierChange
from macehub.cases.services import open_case
from macehub.cases.tests.conftest import client_for
from macehub.people.models import PersonAlias
from macehub.ui.templatetags.govuk import ROWS_PER_PAGE

pytestmark = pytest.mark.django_db


def add_contacts(case: Case, by: User, count: int) -> None:
    now = timezone.now()
    Contact.objects.bulk_create(
        Contact(case=case, occurred_at=now - dt.timedelta(hours=number), kind=ContactKind.PHONE,
                with_whom=f"Contact number {number:02d}", summary="Call", recorded_by=by)
        for number in range(1, count + 1)
    )


def add_outcomes(case: Case, by: User, count: int) -> None:
    today = timezone.localdate()
    CaseOutcome.objects.bulk_create(
        CaseOutcome(case=case, kind=OutcomeKind.choices[0][0], note=f"Outcome note {number:02d}",
                    recorded_on=today - dt.timedelta(days=number), recorded_by=by)
        for number in range(1, count + 1)
    )


def add_plan_items(case: Case, by: User, count: int) -> None:
    today = timezone.localdate()
    PlanItem.objects.bulk_create(
        PlanItem(case=case, action=f"Plan action {number:02d}", owner=by, owner_agency=by.agency,
                 due_on=today + dt.timedelta(days=number), created_by=by,
                 created_at=timezone.now())
        for number in range(1, count + 1)
    )


def add_tier_changes(case: Case, by: User, count: int) -> None:
    start = timezone.now() + dt.timedelta(minutes=1)  # after the case's opening
    RiskTierChange.objects.bulk_create(
        RiskTierChange(case=case, from_tier=RiskTier.LOW, to_tier=RiskTier.MEDIUM,
                       changed_by=by, changed_at=start + dt.timedelta(minutes=number),
                       reason=f"Tier reason {number:02d}")
        for number in range(1, count + 1)
    )


def html_of(user: User, url: str) -> str:
    response = client_for(user).get(url)
    assert response.status_code == 200
    return response.content.decode()


def queries_for(user: User, url: str) -> int:
    client = client_for(user)
    client.get(url)  # the session and anything cached once per process
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_contacts_come_a_page_at_a_time_newest_first(case, triage):
    add_contacts(case, triage, ROWS_PER_PAGE + 5)
    url = reverse("cases:contacts", args=[case.pk])
    first = html_of(triage, url)
    assert "Contact number 01" in first and f"Contact number {ROWS_PER_PAGE:02d}" in first
    assert f"Contact number {ROWS_PER_PAGE + 1:02d}" not in first
    assert f"Showing 1 to {ROWS_PER_PAGE} of {ROWS_PER_PAGE + 5} contacts" in first
    assert 'class="govuk-pagination"' in first and "?page=2" in first
    second = html_of(triage, url + "?page=2")
    assert f"Contact number {ROWS_PER_PAGE + 1:02d}" in second
    assert f"Contact number {ROWS_PER_PAGE + 5:02d}" in second
    assert "Contact number 01<" not in second
    assert f"Showing {ROWS_PER_PAGE + 1} to {ROWS_PER_PAGE + 5} of" in second


def test_a_short_list_shows_no_pagination_or_summary(case, triage):
    add_contacts(case, triage, 3)
    html = html_of(triage, reverse("cases:contacts", args=[case.pk]))
    assert "govuk-pagination" not in html and "Showing 1 to" not in html


def test_outcomes_page_two_has_the_older_outcomes(case, triage):
    add_outcomes(case, triage, ROWS_PER_PAGE + 2)
    url = reverse("cases:outcomes", args=[case.pk])
    assert f"Outcome note {ROWS_PER_PAGE + 1:02d}" not in html_of(triage, url)
    second = html_of(triage, url + "?page=2")
    assert f"Outcome note {ROWS_PER_PAGE + 1:02d}" in second
    assert "Outcome note 01<" not in second


def test_the_overview_lists_five_outcomes_and_links_to_the_rest(case, triage):
    add_outcomes(case, triage, 7)
    html = html_of(triage, reverse("cases:detail", args=[case.pk]))
    assert "See all 7 outcomes" in html
    assert reverse("cases:outcomes", args=[case.pk]) in html


def test_each_plan_table_has_its_own_page_and_keeps_the_other(case, triage):
    add_plan_items(case, triage, ROWS_PER_PAGE + 1)
    url = reverse("cases:plan", args=[case.pk])
    first = html_of(triage, url)
    assert f"Plan action {ROWS_PER_PAGE + 1:02d}" not in first
    assert "?open_page=2" in first
    second = html_of(triage, url + "?open_page=2&done_page=1")
    assert f"Plan action {ROWS_PER_PAGE + 1:02d}" in second
    # The pagination links keep the other table's place.
    assert "done_page=1" in second


def test_tier_history_on_the_overview_is_paged_newest_first(case, triage):
    add_tier_changes(case, triage, ROWS_PER_PAGE + 3)
    url = reverse("cases:detail", args=[case.pk])
    first = html_of(triage, url)
    assert f"Tier reason {ROWS_PER_PAGE + 3:02d}" in first
    assert "Tier reason 01<" not in first and "?tier_page=2" in first
    last = html_of(triage, url + "?tier_page=2")
    # The case's opening is the oldest change of all, so it ends the last page.
    assert "Tier reason 01<" in last and "Opened as" in last


def test_a_page_number_past_the_end_shows_the_last_page(case, triage):
    add_contacts(case, triage, ROWS_PER_PAGE + 1)
    html = html_of(triage, reverse("cases:contacts", args=[case.pk]) + "?page=99")
    assert f"Contact number {ROWS_PER_PAGE + 1:02d}" in html


def test_chronology_pages_keep_the_category_filter(case, triage):
    add_contacts(case, triage, 60)
    url = reverse("cases:chronology", args=[case.pk])
    first = html_of(triage, url + "?category=")
    assert "Showing 1 to 50 of" in first
    assert "category=&amp;page=2" in first or "page=2&amp;category=" in first


@pytest.mark.parametrize(("name", "grow"), [
    ("cases:contacts", add_contacts),
    ("cases:outcomes", add_outcomes),
    ("cases:plan", add_plan_items),
    ("cases:detail", add_tier_changes),
    ("cases:chronology", add_contacts),
])
def test_a_case_section_costs_the_same_queries_however_long_its_list(
    make_case, triage, name: str, grow: Callable[[Case, User, int], Any]
):
    short, long = make_case("Short", "List"), make_case("Long", "List")
    grow(short, triage, 2)
    grow(long, triage, ROWS_PER_PAGE * 3)
    assert queries_for(triage, reverse(name, args=[long.pk])) == queries_for(
        triage, reverse(name, args=[short.pk]))


# --- The child's record --------------------------------------------------------------


def test_the_childs_cases_and_aliases_on_their_record_are_paged(make_case, triage, child):
    for _ in range(12):  # a child has one open case at a time
        Case.objects.filter(child=child, status=CaseStatus.OPEN).update(
            status=CaseStatus.CLOSED, closed_at=timezone.now(), closure_reason="risk_reduced")
        open_case(actor=triage, child=child, risk_tier=RiskTier.LOW,
                  lead_agency=triage.agency, reason="Again")
    PersonAlias.objects.bulk_create(
        PersonAlias(person=child, given_name=f"Alias{number:02d}", family_name="Known")
        for number in range(1, 13)
    )
    url = reverse("people:detail", args=[child.pk])
    first = html_of(triage, url)
    assert "?cases_page=2" in first and "?aliases_page=2" in first
    assert "Alias11" not in first
    second = html_of(triage, url + "?aliases_page=2")
    assert "Alias11" in second and "Alias01" not in second


def test_the_childs_record_costs_the_same_queries_however_many_aliases(triage, child,
                                                                      hub_agency):
    from macehub.testing.factories import make_person

    other = make_person(hub_agency, given_name="Other", family_name="Child")
    PersonAlias.objects.bulk_create(
        PersonAlias(person=child, given_name=f"Alias{number:02d}", family_name="Known")
        for number in range(40)
    )
    PersonAlias.objects.create(person=other, given_name="Only", family_name="Alias")
    assert queries_for(triage, reverse("people:detail", args=[child.pk])) == queries_for(
        triage, reverse("people:detail", args=[other.pk]))


# --- Lists across cases ---------------------------------------------------------------


def test_risk_reviews_due_come_a_page_at_a_time_and_each_page_is_audited(make_case, triage):
    from macehub.audit.events import EventType
    from macehub.audit.models import AuditEvent
    from macehub.cases.selectors import CASES_PER_PAGE

    due = [make_case(f"Due{number:02d}", "Review") for number in range(CASES_PER_PAGE + 2)]
    Case.objects.filter(pk__in=[case.pk for case in due]).update(
        opened_at=timezone.now() - dt.timedelta(days=400))
    url = reverse("cases:risk_reviews")
    first = html_of(triage, url)
    assert f"{CASES_PER_PAGE + 2} cases due, most overdue first" in first
    assert "?page=2" in first
    first_page = set(AuditEvent.objects.filter(event_type=EventType.SEARCH)
                     .latest("id").detail["results"])
    assert len(first_page) == CASES_PER_PAGE
    second = html_of(triage, url + "?page=2")
    assert "(page 2 of 2)" in second
    second_page = set(AuditEvent.objects.filter(event_type=EventType.SEARCH)
                      .latest("id").detail["results"])
    assert len(second_page) == 2 and not first_page & second_page
    assert first_page | second_page == {case.pk for case in due}
