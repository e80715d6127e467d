"""The referral form asks what a referrer knows and a hub needs (home, school, family,
consent, the referrer's number); "I do not know" is stored as not known, never as "no"
or 0; the kinds of exploitation are named in plain words; a possible match shows enough
to confirm who it is; and the referrer can add information to a sent referral, which
triage reads."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.core.service_errors import ServiceRefused
from macehub.people.models import Person, PersonAddress
from macehub.referrals.codes import ConsentStatus, ExploitationModel, ReferralStatus, TriageOutcome
from macehub.referrals.models import Referral, ReferralAddition
from macehub.referrals.services import (
    ReferralSubmission,
    add_referral_information,
    submit_referral,
)
from macehub.referrals.tests.factories import make_referral
from macehub.referrals.tests.test_intake import (
    CONCERN,
    FAMILY,
    FIND,
    INDICATORS,
    walk_to_check,
)
from macehub.testing.factories import make_person

pytestmark = pytest.mark.django_db

NOT_KNOWN_CONCERN = {**CONCERN, "immediate_risk": "not_known", "disclosure": "not_known",
                     "sexual_activity": "not_known"}
NOT_KNOWN_INDICATORS = {**INDICATORS, "missing": "not_known", "missing_episodes": ""}


@pytest.fixture
def as_referrer(referrer, client_for):
    return client_for(referrer)


def test_not_known_is_its_own_answer_from_the_form_to_triage(
    as_referrer, client_for, triage_officer
) -> None:
    walk_to_check(as_referrer, concern=NOT_KNOWN_CONCERN, indicators=NOT_KNOWN_INDICATORS,
                  family={**FAMILY, "parent_carer_aware": "not_known"})
    page = as_referrer.get(reverse("referrals:check")).content.decode()
    for key in ("At immediate risk", "Child has disclosed abuse or harm", "Sexual activity",
                "Times missing in the last 30 days", "They know about the referral"):
        row = page.split(f'<dt class="govuk-summary-list__key">{key}</dt>', 1)[1][:120]
        assert "Not known" in row, key
    as_referrer.post(reverse("referrals:check"))
    referral = Referral.objects.get()
    assert (referral.immediate_risk, referral.disclosure, referral.sexual_activity,
            referral.missing_episodes, referral.parent_carer_aware) == (
        None, None, None, None, None)
    # Not known adds nothing to the score and is not a reason.
    assert not any(r["code"] in ("missing_episodes", "immediate_risk", "disclosure")
                   for r in referral.screening_reasons)

    detail = client_for(triage_officer).get(
        reverse("referrals:detail", kwargs={"referral_pk": referral.pk})).content.decode()
    for key in ("At immediate risk", "Times missing in the last 30 days",
                "Parent or carer knows about the referral"):
        row = detail.split(f'<dt class="govuk-summary-list__key">{key}</dt>', 1)[1][:120]
        assert "Not known" in row, key
    mine = as_referrer.get(reverse("referrals:mine_detail",
                                   kwargs={"referral_pk": referral.pk})).content.decode()
    assert "Not known" in mine


def test_no_missing_episodes_is_zero_and_a_count_is_needed_for_yes(as_referrer) -> None:
    response = walk_to_check(as_referrer, indicators={**INDICATORS, "missing_episodes": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter how many times the child has been missing" in page
    assert 'value="yes" checked' in page  # kept as chosen; the count is revealed
    assert "govuk-radios__conditional--hidden" not in page.split('id="conditional-id_missing_0"',
                                                                  1)[0][-200:]
    response = as_referrer.post(reverse("referrals:indicators"),
                                {**INDICATORS, "missing": "no", "missing_episodes": "x"})
    assert response["Location"] == reverse("referrals:check")
    as_referrer.post(reverse("referrals:check"))
    assert Referral.objects.get().missing_episodes == 0


def test_home_school_family_and_consent_are_kept_on_the_referral_and_shown(
    as_referrer, client_for, triage_officer
) -> None:
    walk_to_check(as_referrer)
    page = as_referrer.get(reverse("referrals:check")).content.decode()
    for shown in ("12 Synthetic Row, Northtown, NT1 1AA", "Northtown Academy", "Year 9",
                  "Jo Stone", "Mother", "07700 900123", "Sought and given", "01632 960001"):
        assert shown in page, shown
    assert f'href="{reverse("referrals:family")}?change=1"' in page
    as_referrer.post(reverse("referrals:check"))
    referral = Referral.objects.get()
    assert (referral.child_address_line_1, referral.child_town, referral.child_postcode) == (
        "12 Synthetic Row", "Northtown", "NT1 1AA")
    assert (referral.school, referral.year_group) == ("Northtown Academy", "year_9")
    assert (referral.parent_carer_name, referral.parent_carer_relationship,
            referral.parent_carer_aware) == ("Jo Stone", "Mother", True)
    assert referral.consent == ConsentStatus.GIVEN and referral.referrer_phone == "01632 960001"
    # A new child's record starts with the address the referrer gave.
    address = PersonAddress.objects.get(person=referral.child)
    assert (address.line_1, address.postcode, address.is_current) == (
        "12 Synthetic Row", "NT1 1AA", True)
    detail = client_for(triage_officer).get(
        reverse("referrals:detail", kwargs={"referral_pk": referral.pk})).content.decode()
    for shown in ("Northtown Academy", "Jo Stone", "Sought and given", "01632 960001"):
        assert shown in detail, shown


def test_consent_not_asked_for_needs_a_reason_and_keeps_what_was_typed(as_referrer) -> None:
    walk_to_check(as_referrer)
    response = as_referrer.post(reverse("referrals:family"), {
        **FAMILY, "consent": "not_sought", "consent_not_sought_reason": " ",
        "referrer_phone": "not a number", "parent_carer_name": "Jo Typed"})
    page = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in page
    assert "Enter why you did not ask for consent" in page
    assert "Enter a phone number, like" in page
    assert 'value="Jo Typed"' in page and 'value="not a number"' in page
    assert 'value="not_sought" checked data-aria-controls=' in page
    response = as_referrer.post(reverse("referrals:family") + "?change=1", {
        **FAMILY, "consent": "not_sought",
        "consent_not_sought_reason": "Asking the family could put her at risk."})
    assert response["Location"] == reverse("referrals:check")
    page = as_referrer.get(reverse("referrals:check")).content.decode()
    assert "Why consent was not asked for" in page and "could put her at risk" in page
    as_referrer.post(reverse("referrals:check"))
    referral = Referral.objects.get()
    assert referral.consent == ConsentStatus.NOT_SOUGHT
    assert referral.consent_not_sought_reason == "Asking the family could put her at risk."


def test_a_reason_left_behind_by_another_consent_answer_is_not_kept(as_referrer) -> None:
    walk_to_check(as_referrer, family={**FAMILY, "consent": "refused",
                                       "consent_not_sought_reason": "typed then changed"})
    as_referrer.post(reverse("referrals:check"))
    referral = Referral.objects.get()
    assert referral.consent == ConsentStatus.REFUSED and referral.consent_not_sought_reason == ""


def test_the_service_refuses_consent_not_sought_without_a_reason(referrer) -> None:
    from macehub.people.services import PersonDetails

    with pytest.raises(ServiceRefused, match="why you did not ask for consent"):
        submit_referral(actor=referrer, submission=ReferralSubmission(
            concerns="Synthetic", exploitation_model="online", immediate_risk=None,
            disclosure=None, consent=ConsentStatus.NOT_SOUGHT,
            new_child=PersonDetails(given_name="Leo", family_name="Marsh",
                                    date_of_birth=dt.date(2012, 5, 1))))
    assert not Referral.objects.exists() and not Person.objects.exists()


def test_an_existing_child_s_record_is_not_changed_by_what_the_referrer_says(
    as_referrer, referrer, school
) -> None:
    held = make_person(school, given_name="Amelia", family_name="Stone",
                       date_of_birth=dt.date(2013, 2, 9))
    PersonAddress.objects.create(person=held, line_1="1 Old Street", town="Southtown",
                                 postcode="ST1 1AA")
    walk_to_check(as_referrer, child=str(held.pk))
    as_referrer.post(reverse("referrals:check"))
    referral = Referral.objects.get()
    assert referral.child == held and referral.child_postcode == "NT1 1AA"
    assert list(held.addresses.values_list("postcode", flat=True)) == ["ST1 1AA"]


def test_kinds_of_exploitation_are_plain_words_with_the_codes_unchanged() -> None:
    assert ExploitationModel.PEER_ON_PEER.value == "peer_on_peer"
    assert ExploitationModel.BOYFRIEND.value == "boyfriend"
    labels = [str(label).lower() for label in ExploitationModel.labels]
    assert "child-on-child (by other children or young people)" in labels
    assert "an older boyfriend or girlfriend" in labels
    for jargon in ("peer-on-peer", "boyfriend model", "party model", "group-based",
                   "gang-associated", "lone offender"):
        assert not any(jargon in label for label in labels), jargon


def test_a_possible_match_shows_age_area_and_school_the_referrer_may_know(
    as_referrer, referrer, other_referrer, school
) -> None:
    today = timezone.localdate()
    mine = make_person(school, given_name="Amelia", family_name="Stone",
                       date_of_birth=dt.date(2013, 2, 9))
    make_referral(mine, referrer, school="Northtown Academy", year_group="year_8",
                  child_town="Northtown")
    theirs = make_person(school, given_name="Amelia", family_name="Stone",
                         date_of_birth=dt.date(2013, 2, 9), middle_names="Jane")
    make_referral(theirs, other_referrer, school="SECRET-SCHOOL", child_town="SECRET-TOWN",
                  concerns="SECRET-CONCERN")
    PersonAddress.objects.create(person=theirs, line_1="1 Hidden Road", town="HIDDEN-TOWN",
                                 postcode="HT1 1AA")
    as_referrer.post(reverse("referrals:start"), FIND)
    page = as_referrer.get(reverse("referrals:choose_child")).content.decode()
    age = today.year - 2013 - ((today.month, today.day) < (2, 9))
    assert f"Born 9 February 2013, aged {age}" in page
    assert "Lives in Northtown" in page and "School: Northtown Academy, Year 8" in page
    # Another referrer's answers and the record's address are not the referrer's to see.
    for secret in ("SECRET-SCHOOL", "SECRET-TOWN", "SECRET-CONCERN", "HIDDEN-TOWN",
                   "Rating", "Score"):
        assert secret not in page, secret
    assert "Where they live: not known" in page and "School: not known" in page


def test_the_delete_link_is_away_from_send_and_asks_first(as_referrer) -> None:
    walk_to_check(as_referrer)
    page = as_referrer.get(reverse("referrals:check")).content.decode()
    send_form = page.split("Send referral", 1)[0].rsplit("<form", 1)[1]
    assert "cancel" not in send_form
    after_send = page.split("Send referral</button>", 1)[1]
    assert "govuk-section-break--visible" in after_send.split("Delete this referral", 1)[0]
    assert f'<a class="govuk-link" href="{reverse("referrals:cancel")}">' in after_send
    assert "govuk-button--warning" not in page
    confirm = as_referrer.get(reverse("referrals:cancel")).content.decode()
    assert "Are you sure you want to delete your unsent referral?" in confirm
    assert f'href="{reverse("referrals:check")}">No, go back to my referral' in confirm
    assert as_referrer.post(reverse("referrals:cancel"))["Location"] == reverse(
        "referrals:start")


def test_the_confirmation_says_when_to_expect_a_decision_and_how_to_add_more(
    as_referrer,
) -> None:
    walk_to_check(as_referrer)
    as_referrer.post(reverse("referrals:check"))
    referral = Referral.objects.get()
    page = as_referrer.get(reverse("referrals:confirmation")).content.decode()
    due = timezone.localtime(referral.decision_due_at)
    assert "within one working day" in page
    assert f"{due.day} {due:%B %Y}" in page
    assert reverse("referrals:add_information", kwargs={"referral_pk": referral.pk}) in page


def test_the_referrer_adds_information_and_triage_reads_it_marked_after_the_decision(
    referrer, other_referrer, triage_officer, school, client_for
) -> None:
    child = make_person(school, given_name="Maya", family_name="Brook")
    referral = make_referral(child, referrer)
    url = reverse("referrals:add_information", kwargs={"referral_pk": referral.pk})
    client = client_for(referrer)
    page = client.post(url, {"text": "   "}).content.decode()
    assert "Enter the information you want to add" in page
    response = client.post(url, {"text": "She was seen again with the same car on Friday."})
    assert response["Location"] == reverse("referrals:mine_detail",
                                           kwargs={"referral_pk": referral.pk})
    addition = ReferralAddition.objects.get()
    assert (addition.referral, addition.added_by) == (referral, referrer)
    event = AuditEvent.objects.get(event_type=EventType.CHANGE, record_id=str(referral.pk))
    assert event.detail["addition"] == addition.pk and event.detail["after_decision"] is False
    mine = client.get(reverse("referrals:mine_detail",
                              kwargs={"referral_pk": referral.pk})).content.decode()
    assert "seen again with the same car" in mine

    # Triage decides; a later addition is marked as new since the decision.
    Referral.objects.filter(pk=referral.pk).update(
        status=ReferralStatus.DECIDED, outcome=TriageOutcome.EARLY_HELP, outcome_reason="x",
        brag="amber", decided_at=timezone.now(), decided_by=triage_officer)
    add_referral_information(actor=referrer, referral_pk=referral.pk,
                             text="Her phone has a new contact saved as 'Uncle'.")
    detail = client_for(triage_officer).get(
        reverse("referrals:detail", kwargs={"referral_pk": referral.pk})).content.decode()
    assert "Information added by the referrer" in detail
    first, second = detail.split("seen again with the same car", 1)
    assert "New since the decision" not in first.rsplit("govuk-inset-text", 1)[1]
    assert "New since the decision" in second.split("new contact saved", 1)[0]
    referral.refresh_from_db()
    assert referral.concerns.startswith("Synthetic test concern")  # what was sent is kept

    # Only the referrer adds, and only to their own referral.
    assert client_for(other_referrer).post(url, {"text": "Not mine"}).status_code == 404
    assert client_for(triage_officer).post(url, {"text": "Triage"}).status_code == 404
    assert ReferralAddition.objects.count() == 2


def test_the_migration_makes_a_stored_zero_not_known_and_keeps_counts(referrer, school) -> None:
    child = make_person(school, given_name="Maya", family_name="Brook")
    zero = make_referral(child, referrer, missing_episodes=0)
    three = make_referral(child, referrer, missing_episodes=3)
    migration = importlib.import_module(
        "macehub.referrals.migrations.0009_referral_form_answers_and_additions")
    migration.zero_missing_episodes_were_not_known(apps, None)
    zero.refresh_from_db()
    three.refresh_from_db()
    assert (zero.missing_episodes, three.missing_episodes) == (None, 3)
