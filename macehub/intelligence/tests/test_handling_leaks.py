"""A report with handling code C is seen only by the people its conditions allow, through
every route there is.

In the spirit of the sharing-group leaks MISP and OpenCTI users reported (an object
restricted to a sharing group still turning up in a search, a count, an export, an
event's related objects, or the API), each test here tries one route as each user who
must not see the report:

- a hub member of another team, a partner agency the conditions do not name, an
  outsider, information governance and the scrutiny role.

and proves it never shows: not the report, its reference, its text, its existence (a 404,
never a 403, and a 404 that does not echo what was asked for), nor any entity known only
through it, nor a count that includes it. The named team and the named agency do see it,
with the sanitised text only; only the owning team reads the source text.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from typing import Any
from urllib.parse import quote_plus

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from macehub.accounts.models import User
from macehub.audit.models import AuditEvent
from macehub.cases.codes import RiskTier
from macehub.cases.services import open_case
from macehub.intelligence import selectors
from macehub.intelligence.export import export_reports
from macehub.intelligence.search import search_entities
from macehub.intelligence.tests.conftest import (
    SECRET_SANITISED,
    SECRET_SOURCE,
    SECRET_VEHICLE_DESCRIPTION,
    Scenario,
    client_for,
)
from macehub.people.chronology import chronology_for

pytestmark = pytest.mark.django_db

OUTSIDERS = ["other_hub_member", "partner_worker", "outsider", "governance", "scrutiny"]
ALLOWED = ["named_member", "named_agency_member", "analyst"]


@pytest.fixture(params=OUTSIDERS)
def kept_out(request: pytest.FixtureRequest, scenario: Scenario) -> User:
    user: User = request.getfixturevalue(request.param)
    return user


@pytest.fixture(params=ALLOWED)
def let_in(request: pytest.FixtureRequest, scenario: Scenario) -> User:
    user: User = request.getfixturevalue(request.param)
    return user


def assert_no_trace(body: str | bytes, scenario: Scenario, echoed: str = "") -> None:
    """Nothing of the secret report: reference, id-bearing link, either text, or any
    entity known only through it. ``echoed`` is what the user typed: it may be shown back
    to them in the search box and in "nothing matches ..." (that reveals nothing)."""
    text = body.decode() if isinstance(body, bytes) else body
    if echoed:
        escaped = html.escape(echoed)
        for echo in (f'value="{escaped}"', f"“{escaped}”", f"q={quote_plus(echoed)}"):
            text = text.replace(echo, "")
    secret = scenario.secret
    assert secret.reference not in text
    assert SECRET_SOURCE not in text
    assert SECRET_SANITISED not in text
    assert secret.handling_conditions not in text
    assert SECRET_VEHICLE_DESCRIPTION not in text
    assert f"/intelligence/reports/{secret.pk}/" not in text
    for marker in ("XB01SEC", "XB01 SEC", "+447700900777", "07700 900777", "falcon.seven",
                   "Millstone Kebab House", "Hostel yard, Mill Street", "XB9 9ZZ"):
        assert marker not in text, marker


def report_urls(report_pk: int) -> list[str]:
    kwargs = {"intel_report_pk": report_pk}
    return [reverse(f"intelligence:{name}", kwargs=kwargs)
            for name in ("report_detail", "review", "add_link", "disseminate")]


# --- The report itself --------------------------------------------------------------------


def test_report_pages_are_not_found_and_do_not_echo_the_reference(
    kept_out: User, scenario: Scenario
) -> None:
    client = client_for(kept_out)
    secret = scenario.secret
    urls = [*report_urls(secret.pk),
            reverse("intelligence:add_link", kwargs={"intel_report_pk": secret.pk})
            + "?kind=vehicle&q=XB01SEC"]
    link_pk = secret.links.first().pk  # type: ignore[union-attr]
    urls.append(reverse("intelligence:remove_link",
                        kwargs={"intel_report_pk": secret.pk, "intel_link_pk": link_pk}))
    for url in urls:
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 404, (url, response.status_code)
            assert_no_trace(response.content, scenario)
    # Nothing was changed by the attempts.
    secret.refresh_from_db()
    assert secret.links.count() == 8
    assert not secret.disseminations.exists()


def test_a_guessed_reference_in_the_list_filter_finds_nothing(
    kept_out: User, scenario: Scenario
) -> None:
    client = client_for(kept_out)
    reference = scenario.secret.reference
    response = client.get(reverse("intelligence:report_list"), {"reference": reference})
    assert response.status_code in (200, 403)
    # What the user typed is shown back to them in the search box (and kept in the export
    # link); nothing else may mention it.
    echoed = response.content.decode().replace(f'value="{reference}"', "").replace(
        f"reference={reference}", "")
    assert_no_trace(echoed, scenario)
    if response.status_code == 200:
        assert "No reports you may see match these filters" in response.content.decode()


def test_lists_and_their_counts_leave_it_out(kept_out: User, scenario: Scenario) -> None:
    client = client_for(kept_out)
    expected = 2 if kept_out.is_hub_member else 0
    for url in (reverse("intelligence:report_list"), reverse("intelligence:review_queue"),
                reverse("intelligence:review_queue") + "?show=reviewed"):
        response = client.get(url)
        assert response.status_code in (200, 403), url
        assert_no_trace(response.content, scenario)
    response = client.get(reverse("intelligence:report_list"))
    if response.status_code == 200:
        body = response.content.decode()
        if expected:
            assert f"{expected} reports, newest first" in body
            assert "3 reports" not in body
        else:
            assert "There are no reports you may see" in body
    assert selectors.reports_for(kept_out).count() == expected
    assert scenario.secret.pk not in selectors.reports_for(kept_out).values_list("pk", flat=True)


def test_the_review_queue_and_its_timeliness_leave_it_out(
    other_hub_member: User, scenario: Scenario, hub_team: Any, supervisor: User
) -> None:
    secret = scenario.secret
    secret.status = "awaiting_review"
    secret.reviewed_at = None
    secret.save()
    assert list(selectors.review_queue(other_hub_member)) == []
    timeliness = selectors.review_timeliness(other_hub_member)
    assert timeliness.waiting == 0
    assert timeliness.oldest_waiting is None
    # The owning team's other researchers do see it waiting (not its author: four eyes).
    assert list(selectors.review_queue(supervisor)) == [secret]


# --- People, entities and search ----------------------------------------------------------


def test_person_pages_do_not_list_it(kept_out: User, scenario: Scenario) -> None:
    for person in (scenario.child, scenario.suspect):
        mentions = selectors.reports_about_person(kept_out, person)
        assert scenario.secret.pk not in [m.report.pk for m in mentions]
        request = RequestFactory().get("/")
        request.user = kept_out
        html = Template('{% include "intelligence/_person_reports.html" with person=person %}'
                        ).render(Context({"request": request, "person": person}))
        assert_no_trace(html, scenario)
        if kept_out.is_hub_member:
            assert f"{len(mentions)} report" in html
        # The person's own page, where the section is drawn (intelligence/person_sections).
        response = client_for(kept_out).get(reverse("people:detail", args=[person.pk]))
        assert response.status_code in (200, 403, 404)
        assert_no_trace(response.content, scenario)
        if response.status_code == 200:
            body = response.content.decode()
            if mentions:
                assert f"{len(mentions)} report{'s' if len(mentions) > 1 else ''}, newest" in body
            else:
                assert "Intelligence you may see" not in body


def test_entities_known_only_through_it_are_not_found(
    kept_out: User, scenario: Scenario
) -> None:
    client = client_for(kept_out)
    names = {"Vehicle": "vehicle", "PhoneNumber": "phone", "OnlineAccount": "account",
             "Premises": "premises", "Location": "location"}
    for entity in scenario.secret_entities:
        name = names[type(entity).__name__]
        response = client.get(reverse(f"intelligence:{name}_detail",
                                      kwargs={f"intel_{name}_pk": entity.pk}))
        assert response.status_code == 404
        assert_no_trace(response.content, scenario)
        assert not selectors.entities_for(kept_out, type(entity)).filter(pk=entity.pk).exists()


def test_a_shared_entity_shows_only_the_reports_the_viewer_may_see(
    other_hub_member: User, scenario: Scenario
) -> None:
    response = client_for(other_hub_member).get(reverse(
        "intelligence:vehicle_detail", kwargs={"intel_vehicle_pk": scenario.shared_vehicle.pk}))
    assert response.status_code == 200
    body = response.content.decode()
    assert scenario.open_reports[0].reference in body
    assert "1 report, newest first" in body
    assert_no_trace(body, scenario)


def test_search_leaves_out_its_entities_and_does_not_count_it(
    kept_out: User, scenario: Scenario
) -> None:
    client = client_for(kept_out)
    for query in ("XB01SEC", "07700 900777", "@falcon.seven", "Millstone Kebab",
                  "Hostel yard Mill Street", "XB9 9ZZ", "XB01SHR", "Kayleigh Marsh",
                  "Dean Rowntree", scenario.secret.reference):
        response = client.get(reverse("intelligence:search"), {"q": query})
        assert response.status_code in (200, 403)
        assert_no_trace(response.content, scenario, echoed=query)
        if response.status_code == 200:
            results = search_entities(user=kept_out, text=query)
            for _label, _kind, hits in results.sections():
                for hit in hits:
                    assert hit.entity not in scenario.secret_entities
            # Counts are of the reports the user may see: never the secret one.
            hub = kept_out.is_hub_member
            for hit in results.vehicles:
                assert hub and hit.entity == scenario.shared_vehicle and hit.reports == 1
            expected = {scenario.child.pk: 2 if hub else 0, scenario.suspect.pk: 1 if hub else 0}
            for hit in results.people:
                assert hit.reports == expected.get(hit.entity.pk, 0)


def test_link_form_refuses_a_record_known_only_through_it(
    other_hub_member: User, scenario: Scenario, hub_team: Any, analyst: User
) -> None:
    """A reviewer of an open report tries to link the secret vehicle by its id."""
    from macehub.accounts.roles import Role
    from macehub.intelligence.tests.factories import make_report
    from macehub.testing.factories import make_user

    reviewer = make_user("other.researcher", Role.ANALYST, agency=other_hub_member.agency,
                         team=other_hub_member.team)
    own = make_report(other_hub_member.team, reviewer, handling_code="P",  # type: ignore[arg-type]
                      reference="INT-2026-000555")
    url = reverse("intelligence:add_link", kwargs={"intel_report_pk": own.pk}) + "?kind=vehicle"
    response = client_for(reviewer).post(url, {
        "q": "XB01SEC", "existing": str(scenario.secret_vehicle.pk), "role": "vehicle_used",
    })
    assert response.status_code == 200
    body = response.content.decode()
    assert "The record you chose was not found, or you may not see it" in body
    assert_no_trace(body, scenario, echoed="XB01SEC")
    assert not own.links.exists()


def test_typing_its_registration_reveals_nothing_the_report_said(
    other_hub_member: User, scenario: Scenario
) -> None:
    """Knowing a registration, another team links it to a report of their own: the
    vehicle's record is now theirs to see, but what the secret report said about it, and
    the report itself, stay hidden."""
    from macehub.accounts.roles import Role
    from macehub.intelligence import services
    from macehub.intelligence.tests.factories import make_report
    from macehub.testing.factories import make_user

    researcher = make_user("other.linker", Role.ANALYST, agency=other_hub_member.agency,
                           team=other_hub_member.team)
    own = make_report(other_hub_member.team, researcher,  # type: ignore[arg-type]
                      handling_code="P", reference="INT-2026-000777")
    services.link_entity(actor=researcher, report_pk=own.pk, request=services.LinkRequest(
        kind="vehicle", role="vehicle_used", new=services.NewVehicle("xb01 sec"),
        description="seen outside the school"))
    response = client_for(researcher).get(reverse(
        "intelligence:vehicle_detail", kwargs={"intel_vehicle_pk": scenario.secret_vehicle.pk}))
    assert response.status_code == 200
    body = response.content.decode().replace("XB01 SEC", "").replace("XB01SEC", "")
    assert "INT-2026-000777" in body and "seen outside the school" in body
    assert "1 report, newest first" in body
    assert_no_trace(body, scenario)


# --- Chronology, export, API, audit -------------------------------------------------------


def test_the_childs_chronology_leaves_it_out(
    kept_out: User, scenario: Scenario, triage_opener: User, hub_agency: Any
) -> None:
    entries = chronology_for(kept_out, scenario.child)
    assert not [e for e in entries if scenario.secret.reference in e.title]
    for entry in entries:
        assert_no_trace(f"{entry.title} {entry.text} {entry.url}", scenario)
    case = open_case(actor=triage_opener, child=scenario.child, risk_tier=RiskTier.MEDIUM,
                     lead_agency=hub_agency, reason="Leak test")
    response = client_for(kept_out).get(reverse("cases:chronology", args=[case.pk]))
    assert response.status_code in (200, 403, 404)
    assert_no_trace(response.content, scenario)


@pytest.fixture
def triage_opener(hub_agency: Any, hub_team: Any) -> User:
    from macehub.accounts.roles import Role
    from macehub.testing.factories import make_user

    return make_user("case.opener", Role.TRIAGE, agency=hub_agency, team=hub_team)


def test_the_csv_export_leaves_it_out(kept_out: User, scenario: Scenario) -> None:
    client = client_for(kept_out)
    response = client.get(reverse("intelligence:export"), {"format": "csv"})
    assert response.status_code in (200, 403)
    assert_no_trace(response.content, scenario)
    if response.status_code == 200:
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert len(rows) == (2 if kept_out.is_hub_member else 0)
        # The export page's count agrees.
        page = client.get(reverse("intelligence:export")).content.decode()
        assert f"{len(rows)} report" in page


def test_the_api_leaves_it_out(kept_out: User, scenario: Scenario) -> None:
    client = client_for(kept_out)
    listing = client.get(reverse("api:intelligence_report_list"))
    assert listing.status_code in (200, 403)
    assert_no_trace(listing.content, scenario)
    if listing.status_code == 200:
        data = listing.json()
        assert data["count"] == (2 if kept_out.is_hub_member else 0)
    filtered = client.get(reverse("api:intelligence_report_list"),
                          {"reference": scenario.secret.reference})
    assert_no_trace(filtered.content, scenario)
    detail = client.get(reverse("api:intelligence_report_detail",
                                kwargs={"intel_report_pk": scenario.secret.pk}))
    assert detail.status_code == 404
    assert_no_trace(detail.content, scenario)
    for query in ("XB01SEC", "07700900777", "falcon.seven", "Millstone", "XB9 9ZZ"):
        found = client.get(reverse("api:intelligence_search"), {"q": query})
        assert found.status_code in (200, 403)
        assert_no_trace(found.content, scenario)  # the API does not echo the query


def test_the_audit_log_is_closed_to_them_and_never_holds_the_text(
    kept_out: User, scenario: Scenario, analyst: User
) -> None:
    # The owning team reads, exports and searches it, so the log has entries about it.
    owner = client_for(analyst)
    owner.get(reverse("intelligence:report_detail", kwargs={"intel_report_pk": scenario.secret.pk}))
    owner.get(reverse("intelligence:export"), {"format": "csv"})
    owner.get(reverse("intelligence:search"), {"q": "XB01SEC"})
    response = client_for(kept_out).get(reverse("audit:log"))
    if kept_out.username == "gov.ernance":
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert_no_trace(response.content, scenario)
    for event in AuditEvent.objects.all():
        stored = json.dumps(event.detail) + event.purpose
        assert SECRET_SOURCE not in stored
        assert SECRET_SANITISED not in stored


def test_refusals_never_tell_a_hidden_report_from_a_missing_one(
    kept_out: User, scenario: Scenario
) -> None:
    client = client_for(kept_out)
    missing = scenario.secret.pk + 1000
    for hidden_url, missing_url in zip(report_urls(scenario.secret.pk), report_urls(missing),
                                       strict=True):
        hidden, absent = client.get(hidden_url), client.get(missing_url)
        assert hidden.status_code == absent.status_code == 404
        assert _comparable(hidden.content) == _comparable(absent.content)


def _comparable(body: bytes) -> str:
    """A page with what differs on every request (CSRF and submission tokens, CSP nonce)
    taken out."""
    text = body.decode()
    text = re.sub(r'name="(csrfmiddlewaretoken|submission_token)" value="[^"]+"', "", text)
    return re.sub(r'nonce="[^"]+"', "", text)


# --- Those the conditions name ------------------------------------------------------------


def test_the_named_team_and_agency_see_it_sanitised_and_the_owner_in_full(
    let_in: User, scenario: Scenario, analyst: User
) -> None:
    secret = scenario.secret
    client = client_for(let_in)
    owner = let_in == analyst
    response = client.get(reverse("intelligence:report_detail",
                                  kwargs={"intel_report_pk": secret.pk}))
    assert response.status_code == 200
    body = response.content.decode()
    assert secret.reference in body
    assert (SECRET_SOURCE in body) is owner
    if not owner:
        assert SECRET_SANITISED in body
    # Lists, counts, entity pages, search, chronology and the API include it.
    assert secret in selectors.reports_for(let_in)
    vehicle_page = client.get(reverse("intelligence:vehicle_detail",
                                      kwargs={"intel_vehicle_pk": scenario.secret_vehicle.pk}))
    assert vehicle_page.status_code == 200
    assert secret.reference in vehicle_page.content.decode()
    results = search_entities(user=let_in, text="XB01SEC")
    assert [hit.entity for hit in results.vehicles] == [scenario.secret_vehicle]
    assert results.vehicles[0].reports == 1
    entries = chronology_for(let_in, scenario.child)
    assert any(secret.reference in entry.title for entry in entries)
    assert not any(SECRET_SOURCE in entry.text for entry in entries)
    api = client.get(reverse("api:intelligence_report_detail",
                             kwargs={"intel_report_pk": secret.pk})).json()
    assert api["text_kind"] == ("source" if owner else "sanitised")
    assert api["text"] == (SECRET_SOURCE if owner else SECRET_SANITISED)


def test_the_named_see_its_sanitised_text_in_their_export(
    named_member: User, analyst: User, scenario: Scenario
) -> None:
    named = {row["reference"]: row for row in csv.DictReader(io.StringIO(
        export_reports(actor=named_member).content))}
    assert named[scenario.secret.reference]["text"] == SECRET_SANITISED
    assert named[scenario.secret.reference]["text_kind"] == "sanitised"
    assert SECRET_SOURCE not in export_reports(actor=named_member).content
    owned = {row["reference"]: row for row in csv.DictReader(io.StringIO(
        export_reports(actor=analyst).content))}
    assert owned[scenario.secret.reference]["text"] == SECRET_SOURCE
    assert owned[scenario.secret.reference]["text_kind"] == "source"
