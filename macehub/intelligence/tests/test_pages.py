"""The intelligence pages: a partner's submission through review, linking and sharing;
GOV.UK error messages for bad input, with nothing saved; valid markup without inline
styles (the CSP forbids them)."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.intelligence.codes import ReportStatus
from macehub.intelligence.models import (
    Dissemination,
    IntelligenceReport,
    Location,
    PhoneNumber,
    Premises,
    ReportLink,
    Submission,
    Vehicle,
)
from macehub.intelligence.tests.conftest import client_for
from macehub.intelligence.tests.factories import link, make_report
from macehub.people.codes import AreaKind
from macehub.people.models import Area, PersonAddress
from macehub.testing.factories import make_person, make_team, make_user

pytestmark = pytest.mark.django_db

# Why a share no agreement covers went ahead.
URGENT = "To safeguard a child at immediate risk"

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr", "path"}


class _Checker(HTMLParser):
    """Balanced tags, unique ids, labels pointing at real controls, no inline styles."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.ids: list[str] = []
        self.label_targets: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if "style" in values:
            self.problems.append(f"inline style on <{tag}>")
        if tag == "script" and "nonce" not in values:
            self.problems.append("script without a nonce")
        if any(name.startswith("on") for name in values):
            self.problems.append(f"inline event handler on <{tag}>")
        if values.get("id"):
            self.ids.append(str(values["id"]))
        if tag == "label" and values.get("for"):
            self.label_targets.append(str(values["for"]))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"unbalanced </{tag}> (open: {self.stack[-3:]})")
            return
        self.stack.pop()


def check_markup(html: str) -> None:
    checker = _Checker()
    checker.feed(html)
    duplicates = {i for i in checker.ids if checker.ids.count(i) > 1}
    missing = [t for t in checker.label_targets if t not in checker.ids]
    assert not checker.problems, checker.problems
    assert not duplicates, duplicates
    assert not missing, missing
    assert not checker.stack, checker.stack


def page(client: Client, url: str, **params: str) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    check_markup(html)
    return html


@pytest.fixture
def referrer(partner_agency: Agency) -> User:
    team = make_team(partner_agency, "School Safeguarding", is_hub_team=False)
    return make_user("school.dsl", Role.REFERRER, agency=partner_agency, team=team)


def test_submission_to_review_to_link_to_dissemination(
    referrer: User, analyst: User, hub_agency: Agency, named_agency: Agency
) -> None:
    partner = client_for(referrer)
    page(partner, reverse("intelligence:submit"))
    response = partner.post(reverse("intelligence:submit"), {
        "what": "Two men in a grey van offer girls lifts after school",
        "when": "Fridays", "where": "Mill Street", "who": "A man called Dean",
        "how_known": "I saw it myself",
    })
    submission = Submission.objects.get()
    assert response.status_code == 302
    mine = page(partner, reverse("intelligence:submission_detail",
                                 kwargs={"intel_submission_pk": submission.pk}))
    assert "A researcher will review it" in mine
    assert submission.reference in page(partner, reverse("intelligence:my_submissions"))
    report = submission.report
    assert report is not None

    hub = client_for(analyst)
    queue = page(hub, reverse("intelligence:review_queue"))
    assert report.reference in queue
    assert "1 report awaiting review" in queue
    detail = page(hub, reverse("intelligence:report_detail",
                               kwargs={"intel_report_pk": report.pk}))
    assert "Intelligence as received" in detail and "Where it came from" in detail
    review_url = reverse("intelligence:review", kwargs={"intel_report_pk": report.pk})
    page(hub, review_url)
    response = hub.post(review_url, {
        "version": "1", "sanitised_text": "Men in a grey van approach girls after school.",
        "source_evaluation": "2", "intelligence_assessment": "B", "handling_code": "C",
        "handling_conditions": "Westmoor may use it for safety planning only",
        "permitted_agencies": [str(named_agency.pk)], "security_marking": "official_sensitive",
        "priority": "medium", "action": "disseminate", "note": "",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    report.refresh_from_db()
    assert report.status == "reviewed" and report.grading == "2BC"
    reviewed = page(hub, reverse("intelligence:review_queue"), show="reviewed")
    assert report.reference in reviewed and "Median time from receipt to review" in reviewed

    # Link a vehicle, found by a differently written registration the second time.
    add_url = reverse("intelligence:add_link", kwargs={"intel_report_pk": report.pk})
    page(hub, add_url)
    page(hub, add_url, kind="vehicle")
    response = hub.post(add_url + "?kind=vehicle", {
        "q": "", "registration": "xb01 van", "described_as": "grey van",
        "role": "vehicle_used"})
    assert response.status_code == 302
    vehicle = Vehicle.objects.get()
    form = page(hub, add_url, kind="vehicle", q="XB01VAN")
    assert "XB01 VAN" in form
    # Link a person found by a misspelt name.
    dean = make_person(hub_agency, given_name="Dean", family_name="Rowntree")
    found = page(hub, add_url, kind="person", q="Dean Rowntre")
    assert "Dean Rowntree" in found
    response = hub.post(add_url + "?kind=person", {
        "q": "Dean Rowntre", "existing": str(dean.pk), "role": "suspect"})
    assert response.status_code == 302
    assert set(report.links.values_list("vehicle_id", "person_id")) == {
        (vehicle.pk, None), (None, dean.pk)}
    vehicle_page = page(hub, reverse("intelligence:vehicle_detail",
                                     kwargs={"intel_vehicle_pk": vehicle.pk}))
    assert report.reference in vehicle_page and "grey van" in vehicle_page

    # Share it with the agency its conditions name.
    share_url = reverse("intelligence:disseminate", kwargs={"intel_report_pk": report.pk})
    assert "Men in a grey van approach girls" in page(hub, share_url)
    response = hub.post(share_url, {"to_agency": str(named_agency.pk),
                                    "lawful_basis": "dpa_sch1_18",
                                    "reason_without_agreement": URGENT})
    assert response.status_code == 302
    shared = Dissemination.objects.get()
    assert shared.shared_text == "Men in a grey van approach girls after school."
    assert named_agency.name in page(hub, reverse("intelligence:report_detail",
                                                  kwargs={"intel_report_pk": report.pk}))
    # The submitter now sees it was reviewed, and nothing of the review itself.
    mine = page(partner, reverse("intelligence:submission_detail",
                                 kwargs={"intel_submission_pk": submission.pk}))
    assert "has reviewed what you sent" in mine
    assert "2BC" not in mine and "grey van approach" not in mine


def test_recording_a_report(investigator: User, named_team: Team) -> None:
    client = client_for(investigator)
    page(client, reverse("intelligence:record"))
    response = client.post(reverse("intelligence:record"), {
        "source_text": "CHIS reports...", "source_evaluation": "1",
        "intelligence_assessment": "A", "handling_code": "C",
        "handling_conditions": "Exploitation team only",
        "permitted_teams": [str(named_team.pk)], "security_marking": "official_sensitive",
        "priority": "high", "occurred_on_day": "3", "occurred_on_month": "1",
        "occurred_on_year": "2026",
    })
    assert response.status_code == 302
    report = IntelligenceReport.objects.get()
    assert report.grading == "1AC" and report.priority == "high"
    listing = page(client, reverse("intelligence:report_list"))
    assert "1 report, newest first" in listing and report.reference in listing


@pytest.mark.parametrize(("changes", "message"), [
    ({"source_evaluation": "7"}, "Select the source evaluation from the list"),
    ({"intelligence_assessment": "Z"}, "Select the intelligence assessment from the list"),
    ({"handling_code": "Q"}, "Select the handling code from the list"),
    ({"handling_conditions": ""}, "Enter the conditions of handling code C"),
    ({"permitted_teams": []}, "Name at least one team or agency"),
    ({"permitted_teams": ["99999"]}, "Choose teams from the list"),
    ({"source_text": ""}, "Enter the intelligence as it was received"),
    ({"occurred_on_day": "31", "occurred_on_month": "2"}, "When it happened must be a real date"),
])
def test_bad_input_shows_govuk_errors_and_saves_nothing(
    investigator: User, named_team: Team, changes: dict[str, object], message: str
) -> None:
    data: dict[str, object] = {
        "source_text": "Text", "source_evaluation": "1", "intelligence_assessment": "A",
        "handling_code": "C", "handling_conditions": "Conditions",
        "permitted_teams": [str(named_team.pk)], "security_marking": "official",
        "priority": "low", "occurred_on_day": "", "occurred_on_month": "",
        "occurred_on_year": "2026",
    }
    data.update(changes)
    if "occurred_on_day" not in changes:
        data["occurred_on_year"] = ""
    response = client_for(investigator).post(reverse("intelligence:record"), data)
    assert response.status_code == 200
    html = response.content.decode()
    check_markup(html)
    assert "govuk-error-summary" in html and "<title>Error:" in html
    assert message in html
    assert not IntelligenceReport.objects.exists()


@pytest.mark.parametrize(("kind", "data", "message"), [
    ("phone", {"number": "12345", "role": "phone_used"}, "Enter a real phone number"),
    ("vehicle", {"registration": "NOT A REG", "role": "vehicle_used"},
     "Enter a UK vehicle registration, like AB12 CDE"),
    ("vehicle", {"registration": "", "role": "vehicle_used"}, "Enter the vehicle's registration"),
    ("account", {"platform": "", "handle": "x y", "role": "account_used"},
     "Select the platform"),
    ("location", {"description": "", "role": "location_of_concern"},
     "Describe the location"),
    ("premises", {"name": "Kebabs", "premises_kind": "", "role": "premises_of_concern"},
     "Select the kind of premises"),
    ("vehicle", {"registration": "AB12CDE"}, "Select the role it plays in the report"),
    ("phone", {"existing": "424242", "role": "phone_used"},
     "The record you chose was not found"),
])
def test_bad_links_show_govuk_errors_and_save_nothing(
    analyst: User, hub_team: Team, kind: str, data: dict[str, str], message: str
) -> None:
    report = make_report(hub_team, analyst)
    url = reverse("intelligence:add_link", kwargs={"intel_report_pk": report.pk})
    response = client_for(analyst).post(f"{url}?kind={kind}", data)
    assert response.status_code == 200
    html = response.content.decode()
    check_markup(html)
    assert "govuk-error-summary" in html
    assert message in unescape(html)
    assert not ReportLink.objects.exists()
    assert not Vehicle.objects.exists() and not PhoneNumber.objects.exists()


def test_sharing_condition_c_with_an_unnamed_agency_is_refused_on_the_page(
    analyst: User, hub_team: Team, partner_agency: Agency, named_agency: Agency
) -> None:
    report = make_report(hub_team, analyst, handling_code="C", agencies=[named_agency])
    url = reverse("intelligence:disseminate", kwargs={"intel_report_pk": report.pk})
    response = client_for(analyst).post(url, {"to_agency": str(partner_agency.pk),
                                              "lawful_basis": "dpa_s35"})
    html = response.content.decode()
    check_markup(html)
    assert "do not name County Children&#x27;s Services" in html
    assert not Dissemination.objects.exists()


def test_a_stale_review_shows_the_conflict(analyst: User, supervisor: User,
                                           investigator: User, hub_team: Team) -> None:
    report = make_report(hub_team, investigator, reviewed=False)
    url = reverse("intelligence:review", kwargs={"intel_report_pk": report.pk})
    data = {"version": "1", "sanitised_text": "Safe", "source_evaluation": "2",
            "intelligence_assessment": "B", "handling_code": "P",
            "security_marking": "official", "priority": "low", "action": "nfa"}
    assert client_for(supervisor).post(url, data).status_code == 302
    response = client_for(analyst).post(url, {**data, "sanitised_text": "Mine"})
    html = response.content.decode()
    assert "Someone else changed this report" in html
    assert 'name="version" value="2"' in html
    assert "Mine</textarea>" in html  # what the analyst typed is kept
    # What they changed, by field and who; free text by its length, never its words.
    start = html.index('id="their-changes"')
    their_changes = html[start:html.index("</dl>", start)]
    assert "Sanitised text" in their_changes and "4 characters" in their_changes
    assert f"by {supervisor.username}" in their_changes and "Safe" not in their_changes
    report.refresh_from_db()
    assert report.sanitised_text == "Safe"


def test_other_teams_may_read_but_not_review(analyst: User, hub_team: Team,
                                             other_hub_member: User) -> None:
    report = make_report(hub_team, analyst, handling_code="P", reviewed=False)
    client = client_for(other_hub_member)
    detail = page(client, reverse("intelligence:report_detail",
                                  kwargs={"intel_report_pk": report.pk}))
    assert "Sanitised intelligence" in detail and "Review this report" not in detail
    response = client.get(reverse("intelligence:review", kwargs={"intel_report_pk": report.pk}))
    assert response.status_code == 403


def test_historic_reports_are_read_only(analyst: User, investigator: User,
                                       hub_team: Team) -> None:
    report = make_report(hub_team, investigator, is_legacy_5x5x5=True, status="historic",
                         legacy_source_evaluation="B", legacy_intelligence_evaluation="2",
                         legacy_handling_code="3", source_evaluation="",
                         intelligence_assessment="")
    client = client_for(analyst)
    html = page(client, reverse("intelligence:report_detail",
                                kwargs={"intel_report_pk": report.pk}))
    assert "B23 (5x5x5)" in html and "Historic 5x5x5 – read-only" in html
    assert "B – Mostly reliable" in html
    assert "Review this report" not in html and "Link a person" not in html
    for name in ("review", "add_link", "disseminate"):
        response = client.get(reverse(f"intelligence:{name}",
                                      kwargs={"intel_report_pk": report.pk}))
        assert response.status_code == 302


def test_entity_pages_and_search_render(analyst: User, hub_team: Team, hub_agency: Agency
                                        ) -> None:
    from macehub.intelligence.models import Location, OnlineAccount, Premises

    report = make_report(hub_team, analyst, reference="INT-2026-000321")
    location = Location.objects.create(description="Bus station", postcode="XB1 1AA")
    entities = {
        "location": location,
        "vehicle": Vehicle.objects.create(registration="XB01ABC"),
        "phone": PhoneNumber.objects.create(number="+447700900123"),
        "account": OnlineAccount.objects.create(platform="snapchat", handle="dj.x"),
        "premises": Premises.objects.create(name="Station Hotel", kind="hotel",
                                            location=location),
    }
    for entity in entities.values():
        link(report, entity)
    client = client_for(analyst)
    for name, entity in entities.items():
        html = page(client, reverse(f"intelligence:{name}_detail",
                                    kwargs={f"intel_{name}_pk": entity.pk}))
        assert "INT-2026-000321" in html
    assert "Station Hotel" in page(client, reverse("intelligence:location_detail",
                                                   kwargs={"intel_location_pk": location.pk}))
    results = page(client, reverse("intelligence:search"), q="xb01abc")
    assert "XB01 ABC" in results and "registration matches" in results
    empty = page(client, reverse("intelligence:search"))
    assert "found" not in empty
    nothing = client.get(reverse("intelligence:search"), {"q": ""})
    assert nothing.status_code == 400  # a search refused is a bad request
    assert "Enter what you are looking for" in nothing.content.decode()
    export = page(client, reverse("intelligence:export"))
    assert re.search(r"1 report\s+will be exported", export)


def test_scrutiny_and_governance_are_refused_the_lists(scrutiny: User, governance: User
                                                       ) -> None:
    for user in (scrutiny, governance):
        client = client_for(user)
        for name in ("report_list", "review_queue", "export", "search", "record"):
            assert client.get(reverse(f"intelligence:{name}")).status_code == 403
    assert client_for(scrutiny).get(reverse("intelligence:submit")).status_code == 403
    assert client_for(governance).get(reverse("intelligence:submit")).status_code == 200


# --- The report list, filtered ------------------------------------------------------------


def _dates(name: str, day: dt.date) -> dict[str, str]:
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month),
            f"{name}_year": str(day.year)}


def _at(*parts: int) -> dt.datetime:
    """A London time (the clocks went forward on 29 March 2026)."""
    return timezone.make_aware(dt.datetime(*parts))  # noqa: DTZ001


def _listed(html: str, reports: list[IntelligenceReport]) -> set[str]:
    return {r.reference for r in reports if re.search(re.escape(r.reference) + r"(?!\d)", html)}


MARCH = _dates("received_from", dt.date(2026, 3, 1)) | _dates("received_to", dt.date(2026, 3, 31))


@pytest.fixture
def march_reports(analyst: User, hub_team: Team, named_team: Team, hub_agency: Agency,
                  partner_agency: Agency) -> dict[str, IntelligenceReport]:
    """Reports around March 2026 about places and people in a district (at any depth)
    and elsewhere; two written from partners' submissions."""
    district = Area.objects.create(code="T11", name="North", kind=AreaKind.DISTRICT)
    ward = Area.objects.create(code="T111", name="Harbour", kind=AreaKind.WARD, parent=district)
    quay = Area.objects.create(code="T1111", name="Quay", kind=AreaKind.NEIGHBOURHOOD,
                               parent=ward)
    south = Area.objects.create(code="T12", name="South", kind=AreaKind.DISTRICT)
    made = {
        "place": make_report(hub_team, analyst, received_at=_at(2026, 3, 3, 10)),
        "person": make_report(named_team, analyst, received_at=_at(2026, 3, 20, 10)),
        "premises": make_report(hub_team, analyst, received_at=_at(2026, 3, 31, 23, 30)),
        "april": make_report(hub_team, analyst, received_at=_at(2026, 4, 1, 0, 30)),
        "historic": make_report(hub_team, analyst, received_at=_at(2026, 3, 10, 10),
                                status=ReportStatus.HISTORIC),
        "submitted": make_report(hub_team, analyst, received_at=_at(2026, 3, 12, 10),
                                 reviewed=False),
        "hub_submitted": make_report(hub_team, analyst, received_at=_at(2026, 3, 25, 10),
                                     reviewed=False),
    }
    link(made["place"], Location.objects.create(description="Bus station", area=ward))
    resident = make_person(hub_agency, given_name="Quinn")
    PersonAddress.objects.create(person=resident, line_1="1 Quay Row", town="Town",
                                 postcode="XA1 1AA", area=quay, is_current=True)
    link(made["person"], resident)
    link(made["premises"], Premises.objects.create(
        name="Station Hotel", kind="hotel",
        location=Location.objects.create(description="Hotel", area=south)))
    link(made["april"], Location.objects.create(description="Park", area=ward))
    for key, agency in (("submitted", partner_agency), ("hub_submitted", hub_agency)):
        Submission.objects.create(
            reference=f"SUB-{key}", submitted_by=analyst, agency=agency,
            received_at=made[key].received_at, what="What", how_known="Seen",
            report=made[key])
    return made


def test_the_report_list_filters_by_received_days_agency_area_and_submitter(
    analyst: User, march_reports: dict[str, IntelligenceReport], partner_agency: Agency
) -> None:
    client = client_for(analyst)
    everything = list(march_reports.values())
    url = reverse("intelligence:report_list")

    def listed(**params: str) -> set[str]:
        return _listed(page(client, url, **params), everything)

    def refs(*keys: str) -> set[str]:
        return {march_reports[key].reference for key in keys}

    assert listed(**MARCH) == refs("place", "person", "premises", "historic", "submitted",
                                   "hub_submitted")
    assert listed(status="current", **MARCH) == refs(
        "place", "person", "premises", "submitted", "hub_submitted")
    # About the district: a place in its ward, a person living in its ward's neighbourhood.
    assert listed(area="T11", **MARCH) == refs("place", "person")
    assert listed(owning_agency=str(partner_agency.pk)) == refs("person")
    assert listed(submitted_by="any") == refs("submitted", "hub_submitted")
    assert listed(submitted_by=str(partner_agency.pk), **MARCH) == refs("submitted")
    # The export offers and applies the same filters.
    export = page(client, reverse("intelligence:export"), area="T11", **MARCH)
    assert re.search(r"2 reports\s+will be exported", export)


@pytest.mark.parametrize(("typed", "field", "message"), [
    ({"received_from_day": "32", "received_from_month": "3", "received_from_year": "2026"},
     "received_from", "Received from must be a real date"),
    ({**_dates("received_from", dt.date(2026, 3, 31)),
      **_dates("received_to", dt.date(2026, 3, 1))},
     "received_to", "Received to must be the same as or after received from"),
    ({"submitted_by": "nobody"}, "submitted_by",
     "Select who submitted the information from the list"),
])
def test_bad_list_filters_show_govuk_errors_and_keep_what_was_typed(
    analyst: User, typed: dict[str, str], field: str, message: str
) -> None:
    html = page(client_for(analyst), reverse("intelligence:report_list"), **typed)
    assert "<title>Error: Intelligence reports" in html
    assert 'class="govuk-error-summary"' in html and message in html
    assert f'href="#id_{field}' in html
    for name, value in typed.items():
        if name.endswith(("_day", "_month", "_year")):
            assert f'name="{name}" type="text" value="{value}"' in html


def test_the_filtered_report_list_s_query_count_does_not_grow_with_the_rows(
    analyst: User, hub_team: Team, hub_agency: Agency
) -> None:
    district = Area.objects.create(code="T11", name="North", kind=AreaKind.DISTRICT)
    place = Location.objects.create(description="Bus station", area=district)
    client = client_for(analyst)
    params = {"area": "T11", "owning_agency": str(hub_agency.pk), "status": "current",
              **_dates("received_from", dt.date(2020, 1, 1))}

    def count(number: int) -> int:
        for _ in range(number):
            link(make_report(hub_team, analyst), place)
        with CaptureQueriesContext(connection) as queries:
            html = page(client, reverse("intelligence:report_list"), **params)
        assert html.count('<tr class="govuk-table__row">') == min(
            IntelligenceReport.objects.count(), 25) + 1
        return len(queries)

    assert count(5) == count(25)
