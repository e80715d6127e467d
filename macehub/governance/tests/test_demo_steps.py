"""The demo's sharing agreements, as of the tests' fixed demo day: one in force, one due
for review (in information governance's work queue), one ended; disseminations to the
charity name none and say why; every other dissemination names the agreement covering
its two agencies, and so do the shares between partners of an agreement."""

from __future__ import annotations

import pytest
from django.utils import timezone

from macehub.accounts.models import User
from macehub.governance.codes import AgreementStatus
from macehub.governance.demo_steps import NO_AGREEMENT_REASON
from macehub.governance.reliance import relying_on
from macehub.governance.sharing import SharingAgreement
from macehub.governance.sharing_selectors import agreements_to_review
from macehub.intelligence.models import Dissemination
from macehub.people.models import PersonShare

pytestmark = pytest.mark.django_db


def test_the_demo_agreements_and_what_relies_on_them(small_demo: None) -> None:
    today = timezone.localdate()
    agreements = list(SharingAgreement.objects.order_by("reference"))
    statuses = [agreement.status_on(today) for agreement in agreements]
    assert sorted(statuses) == sorted([AgreementStatus.IN_FORCE,
                                       AgreementStatus.DUE_FOR_REVIEW, AgreementStatus.ENDED])
    governance = User.objects.get(username="ig.police")
    assert [a.title for a in agreements_to_review(governance, today)] == [
        "Police and Brackenford District Council: licensing and housing disruption"]
    disseminations = list(Dissemination.objects.select_related(
        "to_agency", "report__owning_team"))
    assert disseminations
    for dissemination in disseminations:
        if dissemination.to_agency.code == "lantern-project":
            assert dissemination.agreement is None
            assert dissemination.reason_without_agreement == NO_AGREEMENT_REASON
        else:
            agreement = dissemination.agreement
            assert agreement is not None, dissemination.to_agency.code
            parties = set(agreement.parties.values_list("pk", flat=True))
            assert {dissemination.to_agency_id,
                    dissemination.report.owning_team.agency_id} <= parties
            assert agreement.in_force_on(today)
    assert any(d.agreement is None for d in disseminations)
    assert PersonShare.objects.exclude(agreement=None).exists()
    counted = relying_on([agreement.pk for agreement in agreements])
    assert sum(count for counts in counted.values() for _, count in counts) == (
        Dissemination.objects.exclude(agreement=None).count()
        + PersonShare.objects.exclude(agreement=None).count())
