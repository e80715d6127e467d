"""Person search results show where each person lives and an "Open case" marker (from
``cases.person_sections``), only for a case the searcher may see, never for a restricted
case they do not work on, with a query count that does not grow with the results."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from macehub.cases import services
from macehub.cases.models import Case
from macehub.cases.selectors import cases_for
from macehub.cases.tests.conftest import client_for, close_with_approval
from macehub.people.codes import AreaKind
from macehub.people.models import Area, Person, PersonAddress
from macehub.testing.factories import make_person

pytestmark = pytest.mark.django_db


def _rows(html: str) -> dict[str, str]:
    """Each result row's text, by the person's name."""
    rows = {}
    for row in re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', html, re.S):
        name = re.search(r'href="/people/\d+/">([^<]+)</a>', row)
        if name:
            rows[name.group(1)] = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
    return rows


def _search(user, text: str = "Rivers") -> str:
    response = client_for(user).get(reverse("people:search"), {"q": text})
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def harbour(db) -> Area:
    return Area.objects.create(code="E05999811", name="Harbour Ward", kind=AreaKind.WARD)


def _child(hub_agency, given: str, area: Area | None = None) -> Person:
    person = make_person(hub_agency, given_name=given, family_name="Rivers")
    if area is not None:
        PersonAddress.objects.create(person=person, line_1="1 Test Row", town="Town",
                                     postcode="XA1 1AA", area=area, is_current=True)
    return person


def test_results_show_the_area_and_an_open_case(make_case, triage, supervisor, analyst,
                                                hub_agency, harbour):
    open_case = make_case("Amy", "Rivers")
    PersonAddress.objects.create(person=open_case.child, line_1="1 Test Row", town="Town",
                                 postcode="XA1 1AA", area=harbour, is_current=True)
    closed = make_case("Bea", "Rivers")
    close_with_approval(closed, requested_by=triage, approved_by=supervisor)
    _child(hub_agency, "Cal")

    rows = _rows(_search(analyst))
    assert set(rows) == {"Amy Rivers", "Bea Rivers", "Cal Rivers"}
    assert "Open case" in rows["Amy Rivers"] and "Harbour Ward" in rows["Amy Rivers"]
    assert "Open case" not in rows["Bea Rivers"]  # closed
    assert "Open case" not in rows["Cal Rivers"] and "Not recorded" in rows["Cal Rivers"]


def test_a_restricted_case_is_marked_only_for_those_who_work_on_it(
        make_case, supervisor, analyst, triage):
    case = make_case("Dee", "Rivers", key_worker=triage)
    services.set_restricted(actor=supervisor, case_pk=case.pk, expected_version=case.version,
                            restricted=True, reason="Family member works in the hub")
    assert Case.objects.get(pk=case.pk).is_restricted
    # The analyst may find the child, but not learn that a restricted case is open.
    assert "Open case" not in _rows(_search(analyst))["Dee Rivers"]
    # Her key worker works on it.
    assert "Open case" in _rows(_search(triage))["Dee Rivers"]


def test_no_marker_for_a_case_the_searcher_may_not_see(make_case, partner_worker):
    """A partner agency's worker who may know the child (she is recorded by their
    agency) but not the hub's case about her."""
    case = make_case("Eve", "Rivers")
    Person.objects.filter(pk=case.child_id).update(owning_agency=partner_worker.agency)
    assert not cases_for(partner_worker).exists()
    rows = _rows(_search(partner_worker))
    assert "Open case" not in rows["Eve Rivers"]


def _queries_for_search(user) -> int:
    client = client_for(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("people:search"), {"q": "Rivers"})
    assert response.status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_the_results(make_case, analyst, hub_agency,
                                                        harbour):
    for number in range(3):
        make_case(f"Few{number}", "Rivers")
        _child(hub_agency, f"Fewer{number}", harbour)
    few = _queries_for_search(analyst)
    for number in range(15):
        make_case(f"Many{number}", "Rivers")
        _child(hub_agency, f"More{number}", harbour)
    many = _queries_for_search(analyst)
    assert len(_rows(_search(analyst))) == 36
    assert few == many, f"{few} queries for 6 results, {many} for 36"
