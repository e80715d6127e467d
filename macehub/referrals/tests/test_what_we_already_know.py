"""What we already know about the child, on the triage decision page: their other
referrals, cases, missing episodes and the intelligence that mentions them, each scoped
by the access policy, with the sanitised text for anyone outside a report's owning team,
in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.cases.codes import RiskTier
from macehub.cases.models import Case, MissingEpisode
from macehub.cases.services import open_case
from macehub.intelligence.codes import EntityRole
from macehub.intelligence.tests.factories import link, make_report
from macehub.people.models import Person
from macehub.referrals.codes import TriageOutcome
from macehub.referrals.models import Referral
from macehub.referrals.selectors import what_we_already_know
from macehub.referrals.tests.factories import make_referral
from macehub.testing.factories import make_person, make_team, make_user, signed_in_client
from macehub.ui.formatting import govuk_datetime

pytestmark = pytest.mark.django_db

VISIBLE_EPISODE = "Found at a bus station in another town"
RESTRICTED_EPISODE = "Found at an address known to the protected-witness team"
OTHER_TEAMS_SOURCE = "Informant RED-7 says the child is collected by the driver"
OTHER_TEAMS_SANITISED = "The child is reported to be collected by a driver"
OWN_SOURCE = "Our officer saw the child at the takeaway on Mill Street"
SECRET_SOURCE = "Covert source BLUE-3 describes the child's phone"
SECRET_SANITISED = "Reporting describes a phone used by the child"


@pytest.fixture
def intelligence_team(hub_agency: Agency) -> Team:
    return make_team(hub_agency, "Intelligence unit", is_hub_team=True)


@pytest.fixture
def analyst(hub_agency: Agency, intelligence_team: Team) -> User:
    return make_user("intel.analyst", Role.ANALYST, agency=hub_agency, team=intelligence_team)


@pytest.fixture
def child(hub_agency: Agency) -> Person:
    return make_person(hub_agency, given_name="Maya", family_name="Holt",
                       date_of_birth=dt.date(2011, 5, 4))


def _episode(case: Case, opener: User, days_ago: int, notes: str) -> MissingEpisode:
    went = timezone.now() - dt.timedelta(days=days_ago)
    return MissingEpisode.objects.create(case=case, went_missing_at=went,
                                         returned_at=went + dt.timedelta(hours=9),
                                         notes=notes, recorded_by=opener)


@pytest.fixture
def history(child: Person, referrer: User, triage_officer: User, analyst: User,
            hub_agency: Agency, hub_team: Team, intelligence_team: Team) -> dict[str, Any]:
    """The child's history: an earlier referral, a closed restricted case and an open
    one, a missing episode on each, and three reports about them (one from another team,
    one from the triage officer's own team, and one handling code C that names neither
    the officer's team nor agency)."""
    earlier = make_referral(child, referrer, received_at=timezone.now() - dt.timedelta(days=90),
                            exploitation_types=["cce"])
    restricted = open_case(actor=triage_officer, child=child, risk_tier=RiskTier.HIGH,
                           lead_agency=hub_agency, reason="Earlier case")
    _episode(restricted, triage_officer, 80, RESTRICTED_EPISODE)
    Case.objects.filter(pk=restricted.pk).update(
        status="closed", closed_at=timezone.now() - dt.timedelta(days=60),
        closure_reason="risk_reduced", is_restricted=True)
    current = open_case(actor=triage_officer, child=child, risk_tier=RiskTier.MEDIUM,
                        lead_agency=hub_agency, reason="Current case")
    _episode(current, triage_officer, 10, VISIBLE_EPISODE)
    others = make_report(intelligence_team, analyst, source_text=OTHER_TEAMS_SOURCE,
                         sanitised_text=OTHER_TEAMS_SANITISED)
    link(others, child, role=EntityRole.VICTIM)
    own = make_report(hub_team, triage_officer, source_text=OWN_SOURCE,
                      sanitised_text="Sanitised version of our own sighting")
    link(own, child, role=EntityRole.VICTIM)
    secret = make_report(intelligence_team, analyst, handling_code="C",
                         source_text=SECRET_SOURCE, sanitised_text=SECRET_SANITISED)
    link(secret, child, role=EntityRole.VICTIM)
    referral = make_referral(child, referrer)
    return {"earlier": earlier, "restricted": restricted, "current": current,
            "others": others, "own": own, "secret": secret, "referral": referral}


def decision_page(user: User, history: dict[str, Any]) -> str:
    """The triage decision page, after giving the reason the child's restricted case asks
    of anyone who does not work on it (it lies behind the referral too)."""
    client = signed_in_client(user)
    url = reverse("referrals:decide", args=[history["referral"].pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(
        reverse("cases:open_restricted", args=[history["restricted"].pk]))
    client.post(reverse("cases:open_restricted", args=[history["restricted"].pk]),
                {"reason": "Triage of a new referral about the child"})
    response = client.get(url)
    assert response.status_code == 200
    return str(response.content.decode())


def test_the_selector_gives_what_the_user_may_see_and_nothing_else(
        history: dict[str, Any], triage_officer: User) -> None:
    known = what_we_already_know(triage_officer, history["referral"])
    assert [r.pk for r in known.referrals] == [history["earlier"].pk]  # not this one
    assert [(k.case.pk, k.contents_withheld) for k in known.cases] == [
        (history["current"].pk, False), (history["restricted"].pk, True)]
    assert [e.notes for e in known.missing_episodes] == [VISIBLE_EPISODE]
    texts = {item.report.pk: item.text for item in known.intelligence}
    assert set(texts) == {history["others"].pk, history["own"].pk}  # never the C report
    assert texts[history["others"].pk].text == OTHER_TEAMS_SANITISED
    assert not texts[history["others"].pk].is_source
    assert texts[history["own"].pk].text == OWN_SOURCE and texts[history["own"].pk].is_source


def test_the_named_team_sees_the_handling_code_c_report_and_its_source(
        history: dict[str, Any], analyst: User) -> None:
    known = what_we_already_know(analyst, history["referral"])
    texts = {item.report.pk: item.text for item in known.intelligence}
    assert texts[history["secret"].pk].text == SECRET_SOURCE  # the owning team
    # The analyst works on no case: the restricted case's contents are withheld.
    assert [e.notes for e in known.missing_episodes] == [VISIBLE_EPISODE]


def test_the_decision_page_shows_the_panel_without_anything_the_user_may_not_see(
        history: dict[str, Any], triage_officer: User) -> None:
    page = decision_page(triage_officer, history)
    assert "What we already know about Maya Holt" in page
    assert history["earlier"].reference in page
    assert "Child criminal exploitation (including county lines)" in page
    assert history["current"].reference in page and history["restricted"].reference in page
    assert "Restricted case: what it holds is not shown here" in page
    assert RESTRICTED_EPISODE not in page
    assert OTHER_TEAMS_SANITISED in page and OTHER_TEAMS_SOURCE not in page
    assert OWN_SOURCE in page
    secret = history["secret"]
    for hidden in (secret.reference, SECRET_SOURCE, SECRET_SANITISED,
                   f"/intelligence/reports/{secret.pk}/"):
        assert hidden not in page, hidden


def test_a_restricted_case_hides_its_missing_episodes_from_the_panel(
        history: dict[str, Any], triage_officer: User) -> None:
    restricted = history["restricted"]
    episode = restricted.missing_episodes.get()
    known = what_we_already_know(triage_officer, history["referral"])
    assert episode.pk not in {e.pk for e in known.missing_episodes}
    page = decision_page(triage_officer, history)
    visible = history["current"].missing_episodes.get()
    assert govuk_datetime(visible.went_missing_at) in page
    assert govuk_datetime(episode.went_missing_at) not in page


def test_a_child_with_no_history_says_so(child: Person, referrer: User,
                                         triage_officer: User) -> None:
    referral = make_referral(child, referrer)
    known = what_we_already_know(triage_officer, referral)
    assert known.is_empty and known.may_see_intelligence
    page = signed_in_client(triage_officer).get(
        reverse("referrals:decide", args=[referral.pk])).content.decode()
    assert "There is nothing else you may see about this child" in page


def test_the_panel_takes_the_same_number_of_queries_however_much_history_there_is(
        history: dict[str, Any], child: Person, referrer: User, triage_officer: User,
        analyst: User, intelligence_team: Team) -> None:
    referral: Referral = history["referral"]

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            known = what_we_already_know(triage_officer, referral)
            # Everything the template reads is already fetched.
            for other in known.referrals:
                _ = (other.referrer_agency.name, other.exploitation_type_labels)
            for item in known.cases:
                _ = item.case.lead_agency.name
            for episode in known.missing_episodes:
                _ = episode.case.reference
            for mention in known.intelligence:
                _ = (mention.report.grading, mention.text.text)
        return len(queries)

    before = count()
    for days in (30, 20):
        decided = make_referral(child, referrer,
                                received_at=timezone.now() - dt.timedelta(days=days))
        Referral.objects.filter(pk=decided.pk).update(
            status="decided", outcome=TriageOutcome.EARLY_HELP,
            decided_at=decided.received_at + dt.timedelta(hours=1))
        _episode(history["current"], triage_officer, days, "Another episode")
        report = make_report(intelligence_team, analyst)
        link(report, child, role=EntityRole.VICTIM)
    known = what_we_already_know(triage_officer, referral)
    assert (len(known.referrals), len(known.missing_episodes), len(known.intelligence)) == (
        3, 3, 4)
    assert count() == before
    assert before <= 10
