"""The referral question pages, end to end with the test client: finding the child
among only the children the referrer may see, each page validating and keeping what was
typed, check your answers, and one all-or-nothing submission."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.cases.codes import Brag, RiskTier
from macehub.core.service_errors import ServiceRefused
from macehub.people.models import Person
from macehub.referrals.clocks import add_working_days
from macehub.referrals.codes import ReferralSource
from macehub.referrals.intake import SESSION_KEY
from macehub.referrals.models import Referral
from macehub.referrals.services import (
    ReferralSubmission,
    submit_referral,
)
from macehub.referrals.tests.factories import make_referral
from macehub.testing.factories import make_person

pytestmark = pytest.mark.django_db

FIND = {"given_name": "Amelia", "family_name": "Stone", "date_of_birth_day": "9",
        "date_of_birth_month": "2", "date_of_birth_year": "2013"}
NEW_CHILD = {"given_name": "Amelia", "family_name": "Stone", "date_of_birth_day": "9",
             "date_of_birth_month": "2", "date_of_birth_year": "2013", "sex": "female",
             "self_defined_ethnicity": "", "nationality": ""}
CONCERN = {"concerns": "Seen being collected from school by older men in different cars.",
           "exploitation_types": ["cse", "cce"],
           "exploitation_model": "group_based", "immediate_risk": "no", "disclosure": "no",
           "sexual_activity": "no"}
INDICATORS = {"indicators_grooming": ["GROOMING_VEHICLES", "GROOMING_GIFTS"],
              "indicators_behaviour": ["BEHAVIOUR_TRUANCY"], "missing": "yes",
              "missing_episodes": "2", "online_platforms": ["snapchat"]}
HOME = {"address_line_1": "12 Synthetic Row", "address_line_2": "", "town": "Northtown",
        "postcode": "nt1 1aa", "school": "Northtown Academy", "year_group": "year_9"}
FAMILY = {"parent_carer_name": "Jo Stone", "parent_carer_relationship": "Mother",
          "parent_carer_contact": "07700 900123", "parent_carer_aware": "yes",
          "consent": "given", "consent_not_sought_reason": "", "referrer_phone": "01632 960001"}


@pytest.fixture
def as_referrer(referrer, client_for):
    return client_for(referrer)


def walk_to_check(client, *, child: str = "new", concern=None, indicators=None, home=None,
                  family=None):
    """Answer every page as a referrer would; returns the last response."""
    assert client.post(reverse("referrals:start"), FIND).status_code == 302
    response = client.post(reverse("referrals:choose_child"), {"child": child})
    assert response.status_code == 302, response.content.decode()[:2000]
    if child == "new":
        assert client.post(reverse("referrals:new_child"), NEW_CHILD).status_code == 302
    response = client.post(reverse("referrals:home_and_school"), home or HOME)
    assert response.status_code == 302, response.content.decode()[:2000]
    response = client.post(reverse("referrals:family"), family or FAMILY)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.post(reverse("referrals:concern"), concern or CONCERN).status_code == 302
    return client.post(reverse("referrals:indicators"), indicators or INDICATORS)


def test_a_referral_about_a_new_child_from_start_to_finish(as_referrer, referrer) -> None:
    client = as_referrer
    response = client.get(reverse("referrals:start"))
    assert response.status_code == 200
    assert "Which child are you referring?" in response.content.decode()

    response = client.post(reverse("referrals:start"), FIND)
    assert response["Location"] == reverse("referrals:choose_child")
    page = client.get(reverse("referrals:choose_child")).content.decode()
    assert "No matching child found" in page

    assert client.post(reverse("referrals:choose_child"), {"child": "new"})[
        "Location"] == reverse("referrals:new_child")
    page = client.get(reverse("referrals:new_child")).content.decode()
    assert 'value="Amelia"' in page and 'value="2013"' in page  # carried from the search

    assert client.post(reverse("referrals:new_child"), NEW_CHILD)["Location"] == reverse(
        "referrals:home_and_school")
    assert client.post(reverse("referrals:home_and_school"), HOME)["Location"] == reverse(
        "referrals:family")
    assert client.post(reverse("referrals:family"), FAMILY)["Location"] == reverse(
        "referrals:concern")
    assert client.post(reverse("referrals:concern"), CONCERN)["Location"] == reverse(
        "referrals:indicators")
    response = client.post(reverse("referrals:indicators"), INDICATORS)
    assert response["Location"] == reverse("referrals:check")

    page = client.get(reverse("referrals:check")).content.decode()
    for shown in ("Amelia Stone", "Seen being collected",
                  "A group of adults acting together",
                  "Child sexual exploitation",
                  "Child criminal exploitation (including county lines)",
                  "Seen in vehicles driven by unknown adults", "Snapchat"):
        assert shown in page
    for step in ("start", "new_child", "home_and_school", "family", "concern", "indicators"):
        assert f'href="{reverse(f"referrals:{step}")}?change=1"' in page
    assert not Referral.objects.exists() and not Person.objects.exists()

    response = client.post(reverse("referrals:check"))
    assert response["Location"] == reverse("referrals:confirmation")
    referral = Referral.objects.get()
    year = timezone.localdate().year
    assert referral.reference == f"REF-{year}-000001"
    page = client.get(reverse("referrals:confirmation")).content.decode()
    assert "Referral sent" in page and referral.reference in page
    assert SESSION_KEY not in client.session

    child = referral.child
    assert (child.given_name, child.family_name, child.date_of_birth) == (
        "Amelia", "Stone", dt.date(2013, 2, 9))
    assert child.owning_agency == referrer.agency and child.created_by == referrer
    assert child.self_defined_ethnicity is None and child.nationality == ""  # not recorded
    assert referral.referrer == referrer and referral.source == ReferralSource.SCHOOL
    assert sorted(referral.indicators.values_list("code", flat=True)) == [
        "BEHAVIOUR_TRUANCY", "GROOMING_GIFTS", "GROOMING_VEHICLES"]
    assert referral.missing_episodes == 2 and referral.online_platforms == ["snapchat"]
    assert referral.exploitation_types == ["cse", "cce"]
    assert referral.exploitation_model == "group_based"
    # 3 + 2 + 1 + 2 missing episodes = 8 (Medium), but the child is 13 with a High
    # indicator: High and Red.
    assert referral.screening_score == 8
    assert any(r["code"] == "missing_episodes" for r in referral.screening_reasons)
    assert (referral.suggested_tier, referral.suggested_brag) == (RiskTier.HIGH, Brag.RED)
    assert any(r["code"] == "young_child" for r in referral.screening_reasons)
    # Red: partner information within 2 hours; the decision within one working day.
    assert referral.partner_check_brag == Brag.RED
    assert referral.partner_checks_due_at == referral.received_at + dt.timedelta(hours=2)
    assert referral.decision_due_at == add_working_days(referral.received_at, 1)
    creates = AuditEvent.objects.filter(event_type=EventType.CREATE)
    assert set(creates.values_list("record_type", flat=True)) == {
        "people.person", "referrals.referral"}
    assert creates.get(record_type="referrals.referral").detail["reference"] == referral.reference


def test_only_children_the_referrer_may_see_are_offered(
    as_referrer, referrer, school, hub_agency, partner_agency
) -> None:
    held = make_person(school, given_name="Amelia", family_name="Stone",
                       date_of_birth=dt.date(2013, 2, 9))
    make_person(hub_agency, given_name="Amelia", family_name="Stone",
                date_of_birth=dt.date(2013, 2, 9), middle_names="Hubheld")
    make_person(school, given_name="Amelia", family_name="Stone", is_restricted=True,
                date_of_birth=dt.date(2013, 2, 9), middle_names="Restricted")
    make_person(school, given_name="Amelia", family_name="Stone",
                date_of_birth=dt.date(1990, 2, 9), middle_names="Grownup")
    referred = make_person(partner_agency, given_name="Amelia", family_name="Stones",
                           date_of_birth=dt.date(2013, 2, 9), middle_names="Referred")
    make_referral(referred, referrer)

    as_referrer.post(reverse("referrals:start"), FIND)
    page = as_referrer.get(reverse("referrals:choose_child")).content.decode()
    assert "Is this the child you are referring?" in page
    assert f'value="{held.pk}"' in page and f'value="{referred.pk}"' in page
    for hidden in ("Hubheld", "Restricted", "Grownup"):
        assert hidden not in page
    search = AuditEvent.objects.filter(event_type=EventType.SEARCH).last()
    assert search is not None and set(search.detail["results"]) == {held.pk, referred.pk}

    # Choosing an existing child skips the new-child page and creates no one.
    as_referrer.post(reverse("referrals:choose_child"), {"child": str(held.pk)})
    assert as_referrer.get(reverse("referrals:new_child"))["Location"] == reverse(
        "referrals:home_and_school")
    as_referrer.post(reverse("referrals:home_and_school"), HOME)
    as_referrer.post(reverse("referrals:family"), FAMILY)
    as_referrer.post(reverse("referrals:concern"), CONCERN)
    as_referrer.post(reverse("referrals:indicators"), INDICATORS)
    people_before = Person.objects.count()
    as_referrer.post(reverse("referrals:check"))
    assert Referral.objects.filter(referrer=referrer).latest("received_at").child == held
    assert Person.objects.count() == people_before


def test_a_child_the_referrer_may_not_see_cannot_be_chosen_by_hand(
    as_referrer, hub_agency
) -> None:
    hidden = make_person(hub_agency, given_name="Amelia", family_name="Stone",
                         date_of_birth=dt.date(2013, 2, 9))
    as_referrer.post(reverse("referrals:start"), FIND)
    response = as_referrer.post(reverse("referrals:choose_child"), {"child": str(hidden.pk)})
    assert response.status_code == 200
    assert "Select the child, or" in response.content.decode()


def test_each_page_validates_and_keeps_what_was_typed(as_referrer) -> None:
    response = as_referrer.post(reverse("referrals:start"), {
        **FIND, "family_name": "", "date_of_birth_year": str(timezone.localdate().year + 1),
        "nhs_number": "943 476 5918"})
    page = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in page
    assert "Enter the child&#x27;s last name" in page
    assert "Date of birth must be today or in the past" in page
    assert "check digit is wrong" in page
    assert 'value="Amelia"' in page and 'value="943 476 5918"' in page
    assert SESSION_KEY not in as_referrer.session

    walk_to_check(as_referrer)
    response = as_referrer.post(reverse("referrals:concern"), {"concerns": "  "})
    page = response.content.decode()
    assert "Enter what happened and why you are worried" in page
    assert "Select the kind of exploitation" in page
    assert "Select whether the child is at immediate risk of harm, or" in page
    assert not Referral.objects.exists()


def test_a_new_child_needs_an_age_and_must_be_under_18(as_referrer) -> None:
    as_referrer.post(reverse("referrals:start"), FIND)
    as_referrer.post(reverse("referrals:choose_child"), {"child": "new"})
    no_age = {**NEW_CHILD, "date_of_birth_day": "", "date_of_birth_month": "",
              "date_of_birth_year": ""}
    page = as_referrer.post(reverse("referrals:new_child"), no_age).content.decode()
    assert "Enter the child&#x27;s date of birth or, if you do not know it" in page
    adult = {**no_age, "estimated_age": "19"}
    page = as_referrer.post(reverse("referrals:new_child"), adult).content.decode()
    assert "referrals about children under 18" in page
    estimated = {**no_age, "estimated_age": "15"}
    assert as_referrer.post(reverse("referrals:new_child"), estimated).status_code == 302


def test_an_unknown_indicator_code_posted_by_hand_is_an_error_and_nothing_is_saved(
    as_referrer,
) -> None:
    response = walk_to_check(as_referrer, indicators={
        **INDICATORS, "indicators_grooming": ["GROOMING_VEHICLES", "GROOMING_BOGUS"]})
    page = response.content.decode()
    assert response.status_code == 200
    assert "GROOMING_BOGUS is not an indicator in the hub&#x27;s catalogue" in page
    assert as_referrer.get(reverse("referrals:check"))["Location"] == reverse(
        "referrals:indicators")
    assert not Referral.objects.exists() and not Person.objects.exists()


def test_the_service_refuses_an_unknown_indicator_and_saves_nothing(referrer) -> None:
    submission = ReferralSubmission(
        concerns="Synthetic", exploitation_model="online", immediate_risk=False,
        disclosure=False, indicator_codes=("ONLINE_IMAGE_SHARING", "NOT_A_CODE"),
        new_child=new_child_details(),
    )
    with pytest.raises(ServiceRefused, match="'NOT_A_CODE' is not an indicator"):
        submit_referral(actor=referrer, submission=submission)
    assert not Referral.objects.exists() and not Person.objects.exists()
    assert not AuditEvent.objects.filter(event_type=EventType.CREATE).exists()


def new_child_details():
    from macehub.people.services import PersonDetails

    return PersonDetails(given_name="Leo", family_name="Marsh", date_of_birth=dt.date(2012, 5, 1))


def test_the_service_refuses_a_future_date_of_birth_and_a_future_receipt(referrer) -> None:
    from macehub.people.services import PersonDetails

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    future_child = ReferralSubmission(
        concerns="Synthetic", exploitation_model="online", immediate_risk=False,
        disclosure=False,
        new_child=PersonDetails(given_name="Leo", family_name="Marsh", date_of_birth=tomorrow),
    )
    with pytest.raises(ServiceRefused, match="date of birth must be today or in the past"):
        submit_referral(actor=referrer, submission=future_child)
    with pytest.raises(ServiceRefused, match="future"):
        submit_referral(
            actor=referrer,
            submission=ReferralSubmission(
                concerns="Synthetic", exploitation_model="online", immediate_risk=False,
                disclosure=False, new_child=new_child_details()),
            received_at=timezone.now() + dt.timedelta(hours=1),
        )
    assert not Referral.objects.exists() and not Person.objects.exists()


def test_pages_answered_out_of_order_send_the_referrer_back(as_referrer) -> None:
    for name in ("choose_child", "new_child", "home_and_school", "family", "concern",
                 "indicators", "check"):
        response = as_referrer.get(reverse(f"referrals:{name}"))
        assert response.status_code == 302
        assert response["Location"] == reverse("referrals:start"), name
    assert as_referrer.get(reverse("referrals:confirmation"))["Location"] == reverse(
        "referrals:mine")


def test_back_links_follow_the_pages_and_change_links_return_to_check(as_referrer) -> None:
    walk_to_check(as_referrer)
    page = as_referrer.get(reverse("referrals:concern")).content.decode()
    assert f'href="{reverse("referrals:family")}" class="govuk-back-link"' in page
    page = as_referrer.get(reverse("referrals:concern") + "?change=1").content.decode()
    assert f'href="{reverse("referrals:check")}" class="govuk-back-link"' in page
    response = as_referrer.post(reverse("referrals:concern") + "?change=1",
                                {**CONCERN, "concerns": "Changed: seen at a takeaway late."})
    assert response["Location"] == reverse("referrals:check")
    assert "Changed: seen at a takeaway late." in as_referrer.get(
        reverse("referrals:check")).content.decode()


def test_immediate_risk_tells_the_referrer_to_call_999(as_referrer) -> None:
    assert "call 999 now" in as_referrer.get(reverse("referrals:start")).content.decode()
    walk_to_check(as_referrer, concern={**CONCERN, "immediate_risk": "yes"})
    for name in ("indicators", "check"):
        page = as_referrer.get(reverse(f"referrals:{name}")).content.decode()
        assert "call 999 or the police now" in page
    as_referrer.post(reverse("referrals:check"))
    page = as_referrer.get(reverse("referrals:confirmation")).content.decode()
    assert "call 999 or the police now" in page
    assert Referral.objects.get().suggested_brag == Brag.RED


def test_deleting_an_unsent_referral_starts_again(as_referrer) -> None:
    walk_to_check(as_referrer)
    response = as_referrer.post(reverse("referrals:cancel"))
    assert response["Location"] == reverse("referrals:start")
    assert SESSION_KEY not in as_referrer.session
    # With nothing left to delete, the confirmation page is not shown.
    assert as_referrer.get(reverse("referrals:cancel"))["Location"] == reverse(
        "referrals:start")


def test_references_count_up_within_the_year(referrer) -> None:
    child = new_child_details()
    references = [
        submit_referral(actor=referrer, submission=ReferralSubmission(
            concerns="Synthetic", exploitation_model="online", immediate_risk=False,
            disclosure=False, new_child=child)).reference
        for _ in range(3)
    ]
    year = timezone.localdate().year
    assert references == [f"REF-{year}-00000{n}" for n in (1, 2, 3)]
    assert all(re.fullmatch(r"REF-\d{4}-\d{6}", ref) for ref in references)


def test_ethnicity_and_nationality_change_nothing_in_the_screening(referrer, school) -> None:
    from macehub.cases.models import Indicator
    from macehub.people.models import EthnicGroup
    from macehub.referrals.services import screening_for

    indicators = list(Indicator.objects.filter(
        code__in=["HEALTH_STI", "GROOMING_GIFTS", "ONLINE_UNKNOWN_CONTACTS"]))
    on = timezone.localdate()
    results = []
    stored = []
    for ethnicity, nationality in (("W1", "GB"), ("A2", "PK"), ("B2", "NG"), ("NS", "not_stated"),
                                   (None, "")):
        child = make_person(
            school, date_of_birth=dt.date(2012, 1, 1), nationality=nationality,
            self_defined_ethnicity=EthnicGroup.objects.get(code=ethnicity) if ethnicity else None,
        )
        results.append(screening_for(child=child, indicators=indicators, disclosure=False,
                                     immediate_risk=False, on=on))
        referral = submit_referral(actor=referrer, submission=ReferralSubmission(
            concerns="Synthetic", exploitation_model="online", immediate_risk=False,
            disclosure=False, child_pk=child.pk,
            indicator_codes=tuple(i.code for i in indicators)))
        stored.append((referral.screening_score, referral.suggested_brag,
                       referral.suggested_tier, referral.screening_reasons,
                       referral.partner_checks_due_at - referral.received_at))
    assert all(result == results[0] for result in results)
    assert all(row == stored[0] for row in stored)
