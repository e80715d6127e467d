"""What the busiest pages cost in queries: the case overview, the child's record, the
case list and the triage queue, each on data with several rows of everything it shows.
The counts are pinned, and a page with many more rows costs exactly the same, so a
query per row (N+1) cannot creep back in."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from macehub.accounts.models import Agency, User
from macehub.cases import services
from macehub.cases.models import Case
from macehub.cases.tests.conftest import client_for
from macehub.cases.tests.test_paging import add_contacts, add_outcomes, add_plan_items
from macehub.cases.tests.test_risk_assessments import assess
from macehub.people.models import PersonAlias
from macehub.referrals.tests.factories import make_referral
from macehub.testing.factories import make_person

pytestmark = pytest.mark.django_db

# Signed in (session, the user with their agency and team, device, roles): every page.
# The session is not saved: its idle clock was started less than a minute before.
# The pinned counts below include them.
CASE_OVERVIEW_QUERIES = 18  # its buttons and the child's link answered by the case's fetch;
# one for the confirmed groups the child is in (the identity bar's flags)
CHILD_RECORD_QUERIES = 19  # the missing episodes' one answered by the fetch; one for
# the actions its buttons offer (changing, the access log, sharing) asked of the record;
# one for the merges into or out of the record, one for the agencies it is shared with,
# one for the groups the child is in (the section and the identity bar's flags both read
# it), one for the meetings that discussed them (one more per kind of record their items
# link to, when there are any), one for the disruptions aimed at them or protecting them
CASE_LIST_QUERIES = 13  # the page's children and its rows' marks are read after the page is cut
TRIAGE_QUEUE_QUERIES = 7  # the page and its total in one query


def worked_case(make_case: Any, triage: User, advocate: User, partner_worker: User,
                name: str, rows: int) -> Case:
    """A case with a key worker, an advocate, a partner worker and ``rows`` contacts,
    outcomes, plan items, risk assessments, missing episodes and aliases of the child."""
    case: Case = make_case(name, "Worked")
    services.set_key_worker(actor=triage, case_pk=case.pk, expected_version=1,
                            key_worker=triage)
    services.change_advocate(actor=triage, case_pk=case.pk, advocate=advocate,
                             starts_on=timezone.localdate())
    services.allocate_worker(actor=triage, case_pk=case.pk, user=partner_worker)
    add_contacts(case, triage, rows)
    add_outcomes(case, triage, rows)
    add_plan_items(case, triage, rows)
    for _ in range(rows):
        assess(case, triage)
    now = timezone.now()
    for number in range(rows):
        services.record_missing_episode(
            actor=advocate, case_pk=case.pk,
            went_missing_at=now - dt.timedelta(hours=100 + number * 30),
            returned_at=now - dt.timedelta(hours=90 + number * 30))
    PersonAlias.objects.bulk_create(
        PersonAlias(person=case.child, given_name=f"Alias{number}", family_name=name)
        for number in range(rows))
    return case


def count_queries(django_assert_num_queries: Any, user: User, url: str, expected: int) -> None:
    client = client_for(user)
    assert client.get(url).status_code == 200  # the session and per-process caches
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200


@pytest.fixture
def cases(make_case, triage, advocate, partner_worker) -> tuple[Case, Case]:
    """A case with a few rows of everything, and one with many more."""
    return (worked_case(make_case, triage, advocate, partner_worker, "Few", 3),
            worked_case(make_case, triage, advocate, partner_worker, "Many", 12))


@pytest.mark.parametrize("which", [0, 1], ids=["few rows", "many rows"])
def test_the_case_overview(django_assert_num_queries, cases, triage, which):
    count_queries(django_assert_num_queries, triage,
                  reverse("cases:detail", args=[cases[which].pk]), CASE_OVERVIEW_QUERIES)


@pytest.mark.parametrize("which", [0, 1], ids=["few rows", "many rows"])
def test_the_childs_record(django_assert_num_queries, cases, triage, which):
    count_queries(django_assert_num_queries, triage,
                  reverse("people:detail", args=[cases[which].child_id]),
                  CHILD_RECORD_QUERIES)


@pytest.mark.parametrize("extra", [0, 20], ids=["few cases", "many cases"])
def test_the_case_list(django_assert_num_queries, cases, make_case, triage, extra):
    for number in range(extra):
        make_case(f"Listed{number}", "Child")
    count_queries(django_assert_num_queries, triage, reverse("cases:list") + "?whose=all",
                  CASE_LIST_QUERIES)


@pytest.mark.parametrize("waiting", [3, 20], ids=["few referrals", "many referrals"])
def test_the_triage_queue(django_assert_num_queries, triage, partner_worker,
                          hub_agency: Agency, waiting):
    for number in range(waiting):
        child = make_person(hub_agency, given_name=f"Referred{number}", family_name="Child")
        make_referral(child, partner_worker)
        if number % 3 == 0:  # an open case: the queue marks it
            services.open_case(actor=triage, child=child, risk_tier="low",
                               lead_agency=hub_agency, reason="Known to the hub")
    count_queries(django_assert_num_queries, triage, reverse("referrals:queue"),
                  TRIAGE_QUEUE_QUERIES)
