"""Digital forensics examiners see no person, case or intelligence page: they will reach
the exhibits they examine, not the records around them. Their home page still works, and
the navigation offers them nothing they would be refused."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.urls import reverse

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.cases.codes import RiskTier
from macehub.cases.services import open_case
from macehub.intelligence.tests.factories import link, make_report
from macehub.testing.factories import make_person, make_user, signed_in_client

if TYPE_CHECKING:
    from macehub.conftest import StandardUsers

pytestmark = pytest.mark.django_db


@pytest.fixture
def examiner(users: StandardUsers) -> User:
    return users[Role.FORENSICS]


def test_the_examiner_is_refused_people_cases_and_intelligence(
    examiner: User, hub_agency: Agency, hub_team: Team
) -> None:
    triage = make_user("tri.age", Role.TRIAGE, agency=hub_agency, team=hub_team)
    child = make_person(hub_agency, given_name="Rowan", family_name="Ashdown")
    case = open_case(actor=triage, child=child, risk_tier=RiskTier.HIGH,
                     lead_agency=hub_agency, reason="Examiner test")
    report = make_report(hub_team, triage, handling_code="P", reference="INT-2026-000777",
                         sanitised_text="Seen at the bus station")
    link(report, child)
    client = signed_in_client(examiner)
    for url in (reverse("people:search"), reverse("cases:list"),
                reverse("intelligence:report_list"), reverse("intelligence:search"),
                reverse("api:person_search") + "?q=Ashdown",
                reverse("api:intelligence_report_list")):
        response = client.get(url)
        assert response.status_code == 403, url
        assert b"Ashdown" not in response.content
    # A record is not even known to exist.
    for url in (reverse("people:detail", args=[child.pk]),
                reverse("cases:detail", args=[case.pk]),
                reverse("intelligence:report_detail", kwargs={"intel_report_pk": report.pk})):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"Ashdown" not in response.content and b"INT-2026-000777" not in response.content
    # The hub's triage officer opens the same pages.
    colleague = signed_in_client(triage)
    assert colleague.get(reverse("cases:detail", args=[case.pk])).status_code == 200


def test_the_examiners_home_page_works_and_offers_nothing_refused(examiner: User) -> None:
    response = signed_in_client(examiner).get(reverse("home"))
    assert response.status_code == 200
    body = response.content.decode()
    for url in (reverse("people:search"), reverse("cases:list"),
                reverse("intelligence:report_list")):
        assert f'href="{url}"' not in body
    assert f'href="{reverse("intelligence:submit")}"' in body  # they may tell the hub
