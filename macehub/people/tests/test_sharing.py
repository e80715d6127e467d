"""Sharing a person's record with a partner agency from the person's page, and stopping:
the agreement the share relies on (required where one in force covers both agencies,
otherwise the reason it is shared without one), one share per agency, the partner's
staff seeing the record only while it is shared, and each step audited."""

from __future__ import annotations

from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.conftest import StandardUsers
from macehub.governance.tests.factories import make_agreement
from macehub.people import services
from macehub.people.models import Person, PersonShare
from macehub.testing.factories import make_person, make_team, make_user, verified_login

pytestmark = pytest.mark.django_db

URGENT = "A child at immediate risk: the school must know today"


def _changes(person: Person) -> list[dict[str, object]]:
    return [event.detail["changes"] for event in AuditEvent.objects.filter(
        event_type=EventType.CHANGE, record_type="people.person",
        record_id=str(person.pk)).order_by("pk")]


def test_a_share_names_the_agreement_covering_both_agencies_or_why_there_is_none(
    users: StandardUsers, hub_agency: Agency, partner_agency: Agency,
    outsider_agency: Agency
) -> None:
    triage = users[Role.TRIAGE]
    person = make_person(hub_agency)
    agreement = make_agreement(hub_agency, partner_agency, created_by=triage)
    # An agreement covers the hub's agency and the partner: it must be named, a reason
    # does not stand in for it.
    with pytest.raises(ValidationError) as refused:
        services.share_person(actor=triage, person_pk=person.pk, agency_pk=partner_agency.pk,
                              agreement_pk=None, reason=URGENT)
    assert refused.value.message_dict == {"agreement": [
        "Choose the sharing agreement that covers sharing with County Children's Services"]}
    shared = services.share_person(actor=triage, person_pk=person.pk,
                                   agency_pk=partner_agency.pk, agreement_pk=agreement.pk,
                                   reason="")
    assert (shared.agreement, shared.shared_by, shared.reason) == (agreement, triage, "")
    # Once is enough.
    with pytest.raises(ValidationError) as again:
        services.share_person(actor=triage, person_pk=person.pk, agency_pk=partner_agency.pk,
                              agreement_pk=agreement.pk, reason="")
    assert again.value.message_dict == {"agency": [
        "The record is already shared with County Children's Services"]}
    # No agreement covers the health trust: the agreement offered does not cover it, and
    # the reason it is shared anyway is required.
    with pytest.raises(ValidationError) as no_reason:
        services.share_person(actor=triage, person_pk=person.pk,
                              agency_pk=outsider_agency.pk, agreement_pk=agreement.pk,
                              reason=" ")
    assert no_reason.value.message_dict == {"reason": [
        "No agreement in force covers sharing with City Health Trust: say why it is "
        "shared without one"]}
    without = services.share_person(actor=triage, person_pk=person.pk,
                                    agency_pk=outsider_agency.pk, agreement_pk=None,
                                    reason=URGENT)
    assert (without.agreement, without.reason) == (None, URGENT)
    assert PersonShare.objects.filter(person=person).count() == 2
    assert _changes(person) == [
        {"agreement": {"old": None, "new": agreement.reference},
         "shared_with": {"old": None, "new": "County Children's Services"}},
        {"reason": {"old": None, "new": URGENT},
         "shared_with": {"old": None, "new": "City Health Trust"}},
    ]


def test_the_partner_sees_the_record_while_it_is_shared_and_not_after(
    users: StandardUsers, hub_agency: Agency, partner_agency: Agency, hub_team: Team
) -> None:
    person = make_person(hub_agency, given_name="Tamsin", family_name="Rowe")
    agreement = make_agreement(hub_agency, partner_agency, created_by=users[Role.TRIAGE])
    partner = make_user("pat.partner", Role.SOCIAL_WORKER, agency=partner_agency,
                        team=make_team(partner_agency, "Children's services team",
                                      is_hub_team=False))
    partner_client = Client()
    verified_login(partner_client, partner)
    detail = reverse("people:detail", args=[person.pk])
    share_url = reverse("people:share", args=[person.pk])
    assert partner_client.get(detail).status_code == 404
    triage = users.client(Role.TRIAGE)
    page = triage.get(detail).content.decode()
    assert "The record is not shared with any other agency." in page
    assert share_url in page

    # Refused without the agreement that covers the two: the summary shows, the reason
    # typed is kept, and the agreements offered are those covering both.
    refused = triage.post(share_url, {"agency": partner_agency.pk, "reason": URGENT})
    html = refused.content.decode()
    assert refused.status_code == 200 and "govuk-error-summary" in html
    assert "Choose the sharing agreement that covers sharing with" in html
    assert URGENT in html and agreement.reference in html
    assert not PersonShare.objects.exists()
    answer = triage.post(share_url, {"agency": partner_agency.pk,
                                     "agreement": agreement.pk, "reason": ""})
    assert answer.status_code == 302
    share = PersonShare.objects.get(person=person, agency=partner_agency)

    # The partner now opens the record (audited as their view) but may not pass it on.
    assert partner_client.get(detail).status_code == 200
    assert AuditEvent.objects.filter(event_type=EventType.VIEW, actor_id=partner.pk,
                                     record_id=str(person.pk)).exists()
    assert partner_client.get(share_url).status_code == 403
    page = unescape(triage.get(detail).content.decode())
    assert "County Children's Services" in page and agreement.reference in page
    stop_url = reverse("people:stop_sharing", args=[person.pk, share.pk])
    assert stop_url in page
    # A share is stopped by its record's page only.
    other = make_person(hub_agency)
    assert triage.get(reverse("people:stop_sharing",
                              args=[other.pk, share.pk])).status_code == 404

    empty = triage.post(stop_url, {"reason": ""})
    assert "Enter why the record is no longer shared" in empty.content.decode()
    assert triage.post(stop_url, {"reason": "The school has left the hub"}).status_code == 302
    assert not PersonShare.objects.exists()
    assert partner_client.get(detail).status_code == 404
    stopped = _changes(person)[-1]
    assert stopped == {"agreement": {"old": agreement.reference, "new": None},
                       "shared_with": {"old": "County Children's Services", "new": None}}
