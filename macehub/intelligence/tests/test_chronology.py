"""Intelligence on the child's chronology, and on the person page."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from macehub.accounts.models import User
from macehub.intelligence.tests.conftest import SECRET_SOURCE, Scenario
from macehub.people.chronology import chronology_for, registered_sources

pytestmark = pytest.mark.django_db


def test_intelligence_is_a_chronology_source() -> None:
    assert "intelligence" in registered_sources()


def test_the_owning_team_sees_every_report_about_the_child_sanitised(
    analyst: User, scenario: Scenario
) -> None:
    entries = [e for e in chronology_for(analyst, scenario.child) if e.category == "Intelligence"]
    assert [e.title.split()[1] for e in entries] == [
        scenario.secret.reference, *[r.reference for r in scenario.open_reports]]
    assert "(victim or child at risk)" in entries[0].title
    assert entries[0].url.endswith(f"/intelligence/reports/{scenario.secret.pk}/")
    assert all(SECRET_SOURCE not in e.text for e in entries)
    assert entries[0].text.startswith("Graded 2BC.")


def render_person_section(user: User, scenario: Scenario) -> str:
    request = RequestFactory().get("/")
    request.user = user
    template = Template('{% include "intelligence/_person_reports.html" with person=person %}')
    return template.render(Context({"request": request, "person": scenario.suspect}))


def test_the_person_page_shows_the_intelligence_section(
    analyst: User, named_member: User, scenario: Scenario
) -> None:
    from django.urls import reverse

    from macehub.intelligence.tests.conftest import client_for

    html = client_for(analyst).get(reverse("people:detail", args=[scenario.suspect.pk])
                                   ).content.decode()
    assert "Intelligence you may see" in html and "2 reports, newest first" in html
    assert scenario.secret.reference in html
    named = client_for(named_member).get(reverse("people:detail", args=[scenario.suspect.pk])
                                         ).content.decode()
    assert "1 report, newest first" in named and scenario.secret.reference in named


def test_the_person_section_include(analyst: User, governance: User, scenario: Scenario
                                    ) -> None:
    html = render_person_section(analyst, scenario)
    assert "2 reports, newest first" in html
    assert scenario.secret.reference in html and "Suspect" in html
    # Information governance may open the person's record but reads no intelligence.
    assert render_person_section(governance, scenario).strip() == ""
