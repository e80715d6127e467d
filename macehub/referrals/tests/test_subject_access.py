"""What the referrals app hands a subject access request: each referral about the
child with its indicators, the referrer's additions, the steps it prompted and the
partner agencies' checks, for that child and no other, in a fixed number of queries;
the parent or carer, and what the police and health returned, withheld by default. All
names are made up."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import AgencyKind, Role
from macehub.governance.subject_access import SUBJECT_SOURCES
from macehub.governance.subject_access_codes import RedactionReason
from macehub.referrals.codes import ImmediateStepKind, PartnerCheckResult
from macehub.referrals.models import ImmediateStep, PartnerCheck, Referral, ReferralAddition
from macehub.referrals.tests.factories import make_referral
from macehub.testing.factories import make_agency, make_person, make_user

pytestmark = pytest.mark.django_db


def _checked(referral: Referral, agency: Agency, summary: str) -> None:
    now = timezone.now()
    PartnerCheck.objects.create(
        referral=referral, agency=agency, requested_by=referral.referrer,
        requested_at=now, brag="amber", due_at=now, returned_at=now,
        returned_by=referral.referrer, result=PartnerCheckResult.INFORMATION_HELD,
        summary=summary)


def test_the_childs_referrals_only_with_what_partners_returned_withheld(
    hub_agency: Agency, hub_team: Team, outsider_agency: Agency, django_assert_num_queries: Any
) -> None:
    referrer = make_user("rae.referrer", Role.REFERRER, agency=hub_agency, team=hub_team)
    school = make_agency("northshire-academy", AgencyKind.EDUCATION, name="Northshire Academy")
    child = make_person(hub_agency, given_name="Poppy", family_name="Testcase")
    other = make_person(hub_agency, given_name="Rosa", family_name="Otherchild")
    referral = make_referral(child, referrer, indicator_codes=("HEALTH_STI",),
                             parent_carer_name="Anne Testcase",
                             parent_carer_contact="07700 900123")
    make_referral(other, referrer, indicator_codes=("HEALTH_PREGNANCY",),
                  concerns="About Rosa only")
    ReferralAddition.objects.create(referral=referral, text="She has a new phone",
                                    added_by=referrer, added_at=timezone.now())
    ImmediateStep.objects.create(referral=referral, kind=ImmediateStepKind.POLICE_NOTIFICATION,
                                 done=False, note="Already known to the police",
                                 recorded_by=referrer, recorded_at=timezone.now())
    _checked(referral, hub_agency, "Named in two reports")
    _checked(referral, outsider_agency, "Seen at the clinic")
    _checked(referral, school, "Attendance has fallen")

    source = SUBJECT_SOURCES.get("referrals")
    with django_assert_num_queries(6):  # one per kind of record, however many
        [item] = source.items(child.pk)
    fields = {entry.label: entry for entry in item.fields}
    assert fields["Indicators seen"].text == "Sexually transmitted infection"
    assert [entry.text for entry in item.fields if entry.name.startswith("addition_")] == [
        "She has a new phone"]
    assert fields["Police notified"].text == "Not done – Already known to the police"
    assert fields["Partner check: Northshire Academy"].text == (
        "Information held: Attendance has fallen")
    withheld = {entry.label: entry.withhold for entry in item.fields if entry.withhold}
    assert withheld == {
        "Parent or carer": RedactionReason.THIRD_PARTY,
        "Parent or carer's contact": RedactionReason.THIRD_PARTY,
        "Partner check: County Police": RedactionReason.CRIME,
        "Partner check: City Health Trust": RedactionReason.SERIOUS_HARM}
    every_text = " ".join(entry.text for entry in item.fields)
    assert "About Rosa only" not in every_text and "Pregnancy" not in every_text
