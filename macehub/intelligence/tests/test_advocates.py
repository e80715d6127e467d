"""Victim advocates are independent of the police: they read no intelligence, whatever
its handling code, through any route (pages, search, entity pages, export, API, the
person page and the chronology). They may still tell the hub what they know.

The advocate here is in the hub team and the reports are handling code P, which every
other hub member reads: only the role keeps them out.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.cases.codes import RiskTier
from macehub.cases.services import open_case
from macehub.intelligence import selectors
from macehub.intelligence.models import Submission
from macehub.intelligence.tests.conftest import Scenario, client_for
from macehub.people.chronology import chronology_for
from macehub.people.models import PersonAllocation
from macehub.testing.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def advocate(hub_agency: Agency, hub_team: Team, scenario: Scenario) -> User:
    user = make_user("hub.advocate", Role.VICTIM_ADVOCATE, agency=hub_agency, team=hub_team)
    PersonAllocation.objects.create(person=scenario.child, user=user)
    return user


@pytest.fixture
def colleague(hub_agency: Agency, hub_team: Team) -> User:
    """A hub triage officer: reads the same P reports the advocate may not."""
    return make_user("hub.triage", Role.TRIAGE, agency=hub_agency, team=hub_team)


def _open_report(scenario: Scenario) -> int:
    return scenario.open_reports[0].pk


def test_a_hub_colleague_reads_the_reports_the_advocate_may_not(
    colleague: User, scenario: Scenario
) -> None:
    """The guard: the reports are there to be read by the hub, so the refusals below are
    the advocate's role, not an empty hub."""
    client = client_for(colleague)
    assert client.get(reverse("intelligence:report_list")).status_code == 200
    assert client.get(reverse("intelligence:report_detail",
                              kwargs={"intel_report_pk": _open_report(scenario)})).status_code \
        == 200
    seen = {m.report.pk for m in selectors.reports_about_person(colleague, scenario.child)}
    assert {report.pk for report in scenario.open_reports} <= seen


def test_the_advocate_is_refused_every_intelligence_list_and_search(
    advocate: User, scenario: Scenario
) -> None:
    client = client_for(advocate)
    for name, query in (("intelligence:report_list", {}),
                        ("intelligence:search", {"q": "XB01SHR"}),
                        ("intelligence:export", {"format": "csv"}),
                        ("intelligence:review_queue", {}),
                        ("intelligence:record", {}),
                        ("api:intelligence_report_list", {}),
                        ("api:intelligence_search", {"q": "XB01SHR"})):
        response = client.get(reverse(name), query)
        assert response.status_code == 403, name
        assert b"XB01SHR" not in response.content and b"INT-2026-0001" not in response.content


def test_the_advocate_may_not_know_a_report_or_entity_exists(
    advocate: User, scenario: Scenario
) -> None:
    client = client_for(advocate)
    report = _open_report(scenario)
    for url in (
        reverse("intelligence:report_detail", kwargs={"intel_report_pk": report}),
        reverse("api:intelligence_report_detail", kwargs={"intel_report_pk": report}),
        reverse("intelligence:vehicle_detail",
                kwargs={"intel_vehicle_pk": scenario.shared_vehicle.pk}),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"INT-2026-000101" not in response.content
        assert b"XB01SHR" not in response.content


def test_the_person_page_and_chronology_show_the_advocate_no_intelligence(
    advocate: User, colleague: User, scenario: Scenario, hub_agency: Agency
) -> None:
    assert selectors.reports_about_person(advocate, scenario.child) == []
    page = client_for(advocate).get(reverse("people:detail", args=[scenario.child.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Kayleigh" in body  # the advocate sees the child they are allocated to
    assert "Intelligence you may see" not in body
    assert "INT-2026-000101" not in body
    # The hub colleague's page of the same child has the section.
    colleague_page = client_for(colleague).get(reverse("people:detail",
                                                       args=[scenario.child.pk]))
    assert "Intelligence you may see" in colleague_page.content.decode()

    case = open_case(actor=colleague, child=scenario.child, risk_tier=RiskTier.MEDIUM,
                     lead_agency=hub_agency, reason="Advocate test")
    assert not [e for e in chronology_for(advocate, scenario.child)
                if e.category == "Intelligence"]
    assert [e for e in chronology_for(colleague, scenario.child)
            if e.category == "Intelligence"]
    response = client_for(advocate).get(reverse("cases:chronology", args=[case.pk]))
    assert response.status_code == 200
    assert "INT-2026-000101" not in response.content.decode()


def test_the_advocate_may_still_tell_the_hub_what_they_know(advocate: User) -> None:
    client = client_for(advocate)
    assert client.get(reverse("intelligence:submit")).status_code == 200
    response = client.post(reverse("intelligence:submit"), {
        "what": "A man in a grey car waits outside the youth club on Fridays",
        "how_known": "Seen by the advocate",
    })
    assert response.status_code == 302
    submission = Submission.objects.get(submitted_by=advocate)
    own = client.get(reverse("intelligence:submission_detail", args=[submission.pk]))
    assert own.status_code == 200


def test_the_navigation_offers_the_advocate_sharing_not_intelligence(advocate: User) -> None:
    home = client_for(advocate).get(reverse("home")).content.decode()
    assert f'href="{reverse("intelligence:report_list")}"' not in home
    assert f'href="{reverse("intelligence:submit")}"' in home
    assert f'href="{reverse("cases:list")}"' in home
