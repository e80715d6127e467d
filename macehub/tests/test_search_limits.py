"""Every search the hub offers keeps to the one limit in ``macehub.core.search_text``:
200 characters and 10 words. Beyond it a page shows the GOV.UK error summary with what
was typed kept (status 400, as the dashboard's filters), the API answers 400 naming the
parameter, and nothing is searched or audited. Within it, the search runs as before.

The probe from the review, 1,500 words in ``/api/people/?q=``, made a query SQLite
refused ("Expression tree is too large"): a 500. A walk sends it to every URL, so a new
search box that forgets the limit fails here too.
"""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from macehub.access.tests.routes import (
    build_samples,
    signed_in_routes,
    url_for,
)
from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import AgencyKind, Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.core.search_text import SearchTextTooLong
from macehub.intelligence.models import ReportLink
from macehub.intelligence.search import search_entities
from macehub.intelligence.tests.factories import make_report
from macehub.people.selectors import match_people, people_for, search_people
from macehub.referrals.selectors import find_child
from macehub.testing.factories import (
    make_agency,
    make_person,
    make_team,
    make_user,
    signed_in_client,
    verified_login,
)

pytestmark = pytest.mark.django_db

PROBE = " ".join(["word"] * 1500)  # the review's probe: 1,500 words, 7,499 characters
ELEVEN_WORDS = "Jordan Lee Sample Smith Jones Taylor Brown Wilson Evans Thomas Roberts"
TEN_WORDS = "Jordan Lee Sample Smith Jones Taylor Brown Wilson Evans Thomas"
TOO_LONG = {PROBE: "must be 200 characters or fewer", ELEVEN_WORDS: "must be 10 words or fewer"}


@pytest.fixture
def analyst(hub_agency: Agency, hub_team: Team) -> User:
    """May search people and entities, and link records to intelligence reports."""
    return make_user("ana.lyst", Role.ANALYST, agency=hub_agency, team=hub_team)


@pytest.fixture
def jordan(hub_agency: Agency) -> Any:
    """A person every word of ``TEN_WORDS`` names, so a ten-word search finds them."""
    return make_person(hub_agency, given_name="Jordan", family_name="Sample",
                       middle_names="Lee Smith Jones Taylor Brown Wilson Evans Thomas")


def _searches() -> int:
    return AuditEvent.objects.filter(event_type=EventType.SEARCH).count()


def _assert_refused_on_page(response: Any, typed: str, message: str) -> None:
    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-error-summary" in body and "There is a problem" in body
    assert message in body
    assert f'value="{html.escape(typed)}"' in body  # what was typed is kept
    assert "<title>Error:" in body


# --- Pages -------------------------------------------------------------------------------


ENTITY_SEARCH_LABEL = "Search people, places, vehicles, phones, accounts and premises"


@pytest.mark.parametrize(("page", "field", "typed", "message"), [
    ("people:search", "q", PROBE, "Name or alias must be 200 characters or fewer"),
    ("people:search", "q", ELEVEN_WORDS, "Name or alias must be 10 words or fewer"),
    # An identifier keeps its own stricter 40 characters.
    ("people:search", "identifier", PROBE, "Identifier must be 40 characters or fewer"),
    ("people:search", "identifier", "1 2 3 4 5 6 7 8 9 10 11",
     "Identifier must be 10 words or fewer"),
    ("intelligence:search", "q", PROBE, f"{ENTITY_SEARCH_LABEL} must be 200 characters or fewer"),
    ("intelligence:search", "q", ELEVEN_WORDS,
     f"{ENTITY_SEARCH_LABEL} must be 10 words or fewer"),
])
def test_a_search_page_refuses_text_beyond_the_limits(
    analyst: User, jordan: Any, page: str, field: str, typed: str, message: str
) -> None:
    response = signed_in_client(analyst).get(reverse(page), {field: typed})
    _assert_refused_on_page(response, typed, message)
    assert _searches() == 0


@pytest.mark.parametrize("page", ["people:search", "intelligence:search"])
def test_a_search_page_within_the_limits_searches(analyst: User, jordan: Any, page: str
                                                  ) -> None:
    response = signed_in_client(analyst).get(reverse(page), {"q": TEN_WORDS})
    assert response.status_code == 200
    assert reverse("people:detail", kwargs={"person_pk": jordan.pk}) in (
        response.content.decode())
    assert _searches() == 1


# A new record of each kind, as the linking form is filled in.
NEW_RECORD = {
    "person": {"existing": "new", "role": "mentioned", "given_name": "Alex",
               "family_name": "Newman"},
    "location": {"existing": "new", "role": "mentioned", "description": "Bus station"},
}


@pytest.mark.parametrize("kind", ["person", "location"])
@pytest.mark.parametrize("typed", list(TOO_LONG))
def test_the_link_search_refuses_text_beyond_the_limits_and_links_nothing(
    analyst: User, hub_team: Team, jordan: Any, kind: str, typed: str
) -> None:
    report = make_report(hub_team, analyst)
    url = reverse("intelligence:add_link", kwargs={"intel_report_pk": report.pk})
    client = signed_in_client(analyst)
    response = client.get(url, {"kind": kind, "q": typed})
    _assert_refused_on_page(response, typed, f"Find an existing record {TOO_LONG[typed]}")
    # The linking form below does not carry the refused text on to the next request.
    assert '<input type="hidden" name="q" value="">' in response.content.decode()
    posted = client.post(f"{url}?kind={kind}", {"q": typed, **NEW_RECORD[kind]})
    _assert_refused_on_page(posted, typed, f"Find an existing record {TOO_LONG[typed]}")
    assert not ReportLink.objects.filter(report=report).exists()
    assert _searches() == 0


@pytest.mark.parametrize("kind", ["person", "location"])
def test_the_link_search_within_the_limits_searches_and_links(
    analyst: User, hub_team: Team, jordan: Any, kind: str
) -> None:
    report = make_report(hub_team, analyst)
    url = reverse("intelligence:add_link", kwargs={"intel_report_pk": report.pk})
    client = signed_in_client(analyst)
    response = client.get(url, {"kind": kind, "q": TEN_WORDS})
    assert response.status_code == 200
    if kind == "person":
        assert f'value="{jordan.pk}"' in response.content.decode()  # offered to choose
    posted = client.post(f"{url}?kind={kind}", {"q": TEN_WORDS, **NEW_RECORD[kind]})
    assert posted.status_code == 302
    assert ReportLink.objects.filter(report=report).count() == 1


@pytest.fixture
def referrer(db: Any) -> User:
    school = make_agency("northtown-academy", AgencyKind.EDUCATION, name="Northtown Academy")
    team = make_team(school, "Safeguarding", is_hub_team=False)
    return make_user("dsl.school", Role.REFERRER, agency=school, team=team)


@pytest.mark.parametrize(("given", "family", "message"), [
    (" ".join("abcdefghijklmnopqrstuvwxy"), " ".join("abcdefghijklmnopqrstuvwxy"),
     "must be 10 words or fewer"),
    ("Amelia Rose Grace Lily", "Stone Marsh Hill Wood Ford Lee Park",
     "must be 10 words or fewer"),
    ("A" * 100, "B" * 100, "must be 200 characters or fewer"),
])
def test_the_referral_child_search_refuses_names_beyond_the_limits(
    referrer: User, given: str, family: str, message: str
) -> None:
    client = signed_in_client(referrer)
    response = client.post(reverse("referrals:start"), {
        "given_name": given, "family_name": family, "date_of_birth_day": "9",
        "date_of_birth_month": "3", "date_of_birth_year": "2012",
    })
    assert response.status_code == 200  # the intake's question pages answer errors so
    body = response.content.decode()
    assert "There is a problem" in body
    assert f"The child&#x27;s first and last names together {message}" in body
    assert f'value="{given}"' in body
    # Nothing searched: the next step is not open.
    assert client.get(reverse("referrals:choose_child")).status_code == 302
    assert _searches() == 0


def test_the_referral_child_search_within_the_limits_searches(referrer: User) -> None:
    client = signed_in_client(referrer)
    response = client.post(reverse("referrals:start"), {
        "given_name": "Amelia Rose Grace", "family_name": "Stone Marsh Hill Wood Ford Lee Park",
        "date_of_birth_day": "9", "date_of_birth_month": "3", "date_of_birth_year": "2012",
    })
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    assert _searches() == 1


# --- API ---------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", list(TOO_LONG))
@pytest.mark.parametrize(("endpoint", "parameter"), [
    ("/api/people/", "q"),
    ("/api/people/", "identifier"),
    ("/api/intelligence/search/", "q"),
])
def test_the_api_answers_400_naming_the_parameter(
    analyst: User, jordan: Any, endpoint: str, parameter: str, typed: str
) -> None:
    response = signed_in_client(analyst).get(endpoint, {parameter: typed})
    assert response.status_code == 400
    assert response.json() == {parameter: [f"{parameter} {TOO_LONG[typed]}"]}
    assert _searches() == 0


@pytest.mark.parametrize("endpoint", ["/api/people/", "/api/intelligence/search/"])
def test_the_api_within_the_limits_searches(analyst: User, jordan: Any, endpoint: str) -> None:
    response = signed_in_client(analyst).get(endpoint, {"q": TEN_WORDS})
    assert response.status_code == 200
    found = [row["person"]["id"] if "person" in row else row["id"] for row in response.json()]
    assert jordan.pk in found
    assert _searches() == 1


# --- The search functions' own guard -----------------------------------------------------


@pytest.mark.parametrize("typed", list(TOO_LONG))
def test_the_search_functions_refuse_text_beyond_the_limits(
    analyst: User, referrer: User, jordan: Any, typed: str
) -> None:
    with pytest.raises(SearchTextTooLong):
        search_people(user=analyst, text=typed)
    with pytest.raises(SearchTextTooLong):
        search_people(user=analyst, identifier=typed)
    with pytest.raises(SearchTextTooLong):
        match_people(people_for(analyst), text=typed)
    with pytest.raises(SearchTextTooLong):
        search_entities(user=analyst, text=typed)
    with pytest.raises(SearchTextTooLong):
        find_child(user=referrer, given_name=typed, family_name="Sample")
    assert _searches() == 0


# --- Every URL -----------------------------------------------------------------------------


def _sent_to_sign_in(response: Any) -> bool:
    return response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_no_url_fails_on_the_probe(hub_agency: Agency, hub_team: Team) -> None:
    """Every URL, as the first role allowed to open it, with the probe in ``q`` and
    ``identifier``: none answers with a server error. Those that search answer 400."""
    samples = build_samples(hub_agency, hub_team)
    users = [make_user(f"{role.value}.prober", role, agency=hub_agency, team=hub_team)
             for role in Role]
    failures, refused = [], set()
    clients: dict[int, Client] = {}  # signed in once per user
    for route, user in signed_in_routes(users, samples):
        url = url_for(route, samples)
        joiner = "&" if "?" in url else "?"
        for parameter in ("q", "identifier"):
            probe = f"{url}{joiner}{parameter}=" + PROBE.replace(" ", "+")
            for _attempt in range(2):  # once more if an earlier address signed them out
                if user.pk not in clients:
                    clients[user.pk] = Client(raise_request_exception=False)  # 500: a status
                    verified_login(clients[user.pk], user)
                response = clients[user.pk].get(probe)
                if not _sent_to_sign_in(response):
                    break
                del clients[user.pk]
            if response.status_code in (302, 405):
                # A redirect or a form's action may have changed the session (signing out,
                # renewing it): the next address starts from a fresh sign-in.
                del clients[user.pk]
            if response.status_code >= 500:
                failures.append(f"{route.name} ({parameter}): {response.status_code}")
            elif response.status_code == 400:
                refused.add(route.name)
    assert not failures, "\n".join(failures)
    assert {"people:search", "intelligence:search", "api:person_search",
            "api:intelligence_search"} <= refused, refused
