"""The register of information-sharing agreements: recording and changing an agreement
(validated, version-checked, audited), its status worked out from its dates, the rule a
share asks of it (an agreement covering both agencies is required where one exists; a
reason where none does), the pages (everyone reads, information governance changes,
query counts fixed) and information governance's review queue. Agencies are made up."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from macehub.accounts.models import Agency
from macehub.accounts.roles import AgencyKind, Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.conftest import StandardUsers
from macehub.core.service_errors import ServiceRefused
from macehub.core.versioning import EditConflict
from macehub.governance import sharing_services as services
from macehub.governance.codes import AgreementBasis, AgreementStatus, DataCategory
from macehub.governance.sharing import SharingAgreement, agreement_words
from macehub.governance.sharing_selectors import agreements_to_review
from macehub.governance.tests.factories import make_agreement
from macehub.governance.work_queue import sharing_agreement_reviews
from macehub.testing.factories import make_agency

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)
NOON = dt.datetime(2026, 6, 15, 12, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _on_a_fixed_day() -> Any:
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def council() -> Agency:
    return make_agency("county-csc", AgencyKind.CHILDRENS_SOCIAL_CARE,
                       name="County Children's Services")


@pytest.fixture
def health() -> Agency:
    return make_agency("county-health", AgencyKind.HEALTH, name="County Health")


def terms(*parties: Agency, **changes: Any) -> services.AgreementTerms:
    fields: dict[str, Any] = {
        "title": "MACE information-sharing agreement", "party_pks": [p.pk for p in parties],
        "purpose": "Safeguarding children at risk of exploitation",
        "lawful_basis": AgreementBasis.PUBLIC_TASK_SAFEGUARDING,
        "data_categories": [DataCategory.SAFEGUARDING, DataCategory.IDENTITY],
        "signed_on": dt.date(2025, 4, 1), "review_on": dt.date(2027, 4, 1),
        "document_reference": "IG/ISA/2025/01", **changes}
    return services.AgreementTerms(**fields)


def test_information_governance_records_an_agreement_audited(
        users: StandardUsers, hub_agency: Agency, council: Agency) -> None:
    governance = users[Role.INFORMATION_GOVERNANCE]
    agreement = services.record_agreement(actor=governance, terms=terms(hub_agency, council))
    assert agreement.reference.startswith("ISA-2026-")
    assert set(agreement.parties.all()) == {hub_agency, council}
    # Kept in the code list's order, whatever order they were chosen in.
    assert agreement.data_categories == [DataCategory.IDENTITY, DataCategory.SAFEGUARDING]
    event = AuditEvent.objects.get(event_type=EventType.CREATE,
                                   record_type="governance.sharingagreement")
    assert event.detail["parties"] == ["County Children's Services", "County Police"]


@pytest.mark.parametrize(("changes", "field"), [
    ({"title": " "}, "title"),
    ({"purpose": ""}, "purpose"),
    ({"lawful_basis": "made_up"}, "lawful_basis"),
    ({"data_categories": []}, "data_categories"),
    ({"data_categories": ["made_up"]}, "data_categories"),
    ({"signed_on": dt.date(2026, 6, 16)}, "signed_on"),
    ({"review_on": dt.date(2025, 4, 1)}, "review_on"),
    ({"ended_on": dt.date(2025, 3, 31)}, "ended_on"),
])
def test_an_agreement_with_wrong_terms_is_refused(
        users: StandardUsers, hub_agency: Agency, council: Agency, changes: dict[str, Any],
        field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        services.record_agreement(actor=users[Role.INFORMATION_GOVERNANCE],
                                  terms=terms(hub_agency, council, **changes))
    assert field in refused.value.message_dict
    assert not SharingAgreement.objects.exists()


def test_an_agreement_needs_two_parties(users: StandardUsers, hub_agency: Agency) -> None:
    with pytest.raises(ValidationError) as refused:
        services.record_agreement(actor=users[Role.INFORMATION_GOVERNANCE],
                                  terms=terms(hub_agency))
    assert "parties" in refused.value.message_dict


def test_only_information_governance_records_agreements(
        users: StandardUsers, hub_agency: Agency, council: Agency) -> None:
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied
        services.record_agreement(actor=users[Role.ANALYST], terms=terms(hub_agency, council))
    assert not SharingAgreement.objects.exists()


def test_a_change_is_version_checked_and_audited(
        users: StandardUsers, hub_agency: Agency, council: Agency, health: Agency) -> None:
    governance = users[Role.INFORMATION_GOVERNANCE]
    agreement = services.record_agreement(actor=governance, terms=terms(hub_agency, council))
    changed = services.change_agreement(
        actor=governance, agreement_pk=agreement.pk, expected_version=1,
        terms=terms(hub_agency, council, health, review_on=dt.date(2028, 4, 1)))
    assert changed.version == 2
    assert set(changed.parties.all()) == {hub_agency, council, health}
    event = AuditEvent.objects.get(event_type=EventType.CHANGE)
    assert event.detail["changes"]["review_on"] == {"old": "2027-04-01", "new": "2028-04-01"}
    assert "parties" in event.detail["changes"]
    with pytest.raises(EditConflict):
        services.change_agreement(actor=governance, agreement_pk=agreement.pk,
                                  expected_version=1, terms=terms(hub_agency, council))


def test_status_is_worked_out_from_the_dates(users: StandardUsers, hub_agency: Agency,
                                             council: Agency) -> None:
    user = users[Role.INFORMATION_GOVERNANCE]
    in_force = make_agreement(hub_agency, council, created_by=user, reference="ISA-A",
                              review_on=TODAY + dt.timedelta(days=31))
    due = make_agreement(hub_agency, council, created_by=user, reference="ISA-B",
                         review_on=TODAY + dt.timedelta(days=30))
    overdue = make_agreement(hub_agency, council, created_by=user, reference="ISA-C",
                             review_on=TODAY - dt.timedelta(days=1))
    ended = make_agreement(hub_agency, council, created_by=user, reference="ISA-D",
                           ended_on=TODAY)
    assert [a.status_on(TODAY) for a in (in_force, due, overdue, ended)] == [
        AgreementStatus.IN_FORCE, AgreementStatus.DUE_FOR_REVIEW,
        AgreementStatus.DUE_FOR_REVIEW, AgreementStatus.ENDED]
    for status, expected in ((AgreementStatus.IN_FORCE, {in_force}),
                             (AgreementStatus.DUE_FOR_REVIEW, {due, overdue}),
                             (AgreementStatus.ENDED, {ended})):
        assert set(SharingAgreement.objects.with_status_on(TODAY, status)) == expected
    assert list(agreements_to_review(user, TODAY)) == [overdue, due]
    assert not agreements_to_review(users[Role.ANALYST], TODAY).exists()
    items = sharing_agreement_reviews(user, NOON)
    assert [item.title.split()[0] for item in items] == ["ISA-C", "ISA-B"]
    assert items[0].is_overdue(NOON) and not items[1].is_overdue(NOON)


def test_a_share_names_an_agreement_covering_both_agencies_where_one_exists(
        users: StandardUsers, hub_agency: Agency, council: Agency, health: Agency) -> None:
    user = users[Role.INFORMATION_GOVERNANCE]
    covering = make_agreement(hub_agency, council, created_by=user, reference="ISA-A")
    other = make_agreement(hub_agency, health, created_by=user, reference="ISA-B")
    make_agreement(hub_agency, council, created_by=user, reference="ISA-C", ended_on=TODAY)

    def rely(chosen: list[int], reason: str = "", to: Agency = council
             ) -> SharingAgreement | None:
        return services.agreement_relied_on(
            from_agency_pk=hub_agency.pk, to_agency=to, chosen_pks=chosen,
            reason_without=reason)

    assert services.agreements_covering(hub_agency.pk, council.pk) == [covering]
    assert rely([covering.pk]) == covering
    # Sharing with two agencies at once: each share takes the agreement that covers it.
    assert rely([other.pk, covering.pk]) == covering
    assert rely([other.pk, covering.pk], to=health) == other
    for wrong in ([other.pk], []):
        with pytest.raises(ServiceRefused, match="covers sharing with County Children") as no:
            rely(wrong, reason="Urgent")
        assert no.value.field == "agreement"
    # No agreement covers the police and an education partner: shared with a reason.
    school = make_agency("county-school", AgencyKind.EDUCATION)
    assert rely([], reason="Child at immediate risk", to=school) is None
    with pytest.raises(ServiceRefused, match="say why"):
        rely([covering.pk], reason=" ", to=school)
    assert agreement_words(None, "") == "Not recorded"
    assert agreement_words(covering, "").startswith("ISA-A ")


def test_every_member_of_staff_reads_the_register_in_a_fixed_number_of_queries(
        users: StandardUsers, hub_agency: Agency, council: Agency, health: Agency,
        django_assert_max_num_queries: Any) -> None:
    user = users[Role.INFORMATION_GOVERNANCE]
    for number in range(3):
        make_agreement(hub_agency, council, health, created_by=user,
                       reference=f"ISA-T-{number}")
    client = users.client(Role.REFERRER)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("audit:agreements"))
    body = response.content.decode()
    assert body.count("ISA-T-") == 3 and "County Health" in body
    assert "Add an agreement" not in body
    make_agreement(hub_agency, council, created_by=user, reference="ISA-ENDED",
                   ended_on=TODAY)
    ended = client.get(reverse("audit:agreements"), {"status": "ended"}).content.decode()
    assert "ISA-ENDED" in ended and "ISA-T-" not in ended


def test_the_agreement_page_shows_its_terms_and_what_relies_on_it(
        users: StandardUsers, hub_agency: Agency, council: Agency) -> None:
    agreement = make_agreement(hub_agency, council, created_by=users[Role.ANALYST])
    client = users.client(Role.SOCIAL_WORKER)
    body = client.get(reverse("audit:agreement", args=[agreement.pk])).content.decode()
    for shown in ("County Children&#x27;s Services; County Police",
                  "UK GDPR Art. 6(1)(e) public task", "Safeguarding concerns",
                  "Disseminations of intelligence", "Shares of a person"):
        assert shown in body, shown
    assert reverse("audit:agreement_change", args=[agreement.pk]) not in body
    assert client.get(reverse("audit:agreement_change",
                              args=[agreement.pk])).status_code == 403


def _posted(parties: list[Agency], **changes: Any) -> dict[str, Any]:
    return {"title": "Hub agreement", "parties": [p.pk for p in parties],
            "purpose": "Safeguarding", "lawful_basis": AgreementBasis.CHILDREN_ACT,
            "data_categories": [DataCategory.IDENTITY],
            "signed_on_day": "1", "signed_on_month": "4", "signed_on_year": "2026",
            "review_on_day": "1", "review_on_month": "4", "review_on_year": "2027",
            "ended_on_day": "", "ended_on_month": "", "ended_on_year": "",
            "document_reference": "", **changes}


def test_information_governance_adds_and_changes_an_agreement_on_its_pages(
        users: StandardUsers, hub_agency: Agency, council: Agency) -> None:
    client: Client = users.client(Role.INFORMATION_GOVERNANCE)
    refused = client.post(reverse("audit:agreement_new"),
                          _posted([hub_agency], title="Kept as typed"))
    assert refused.status_code == 400
    assert "Choose at least two agencies" in refused.content.decode()
    assert "Kept as typed" in refused.content.decode()
    saved = client.post(reverse("audit:agreement_new"), _posted([hub_agency, council]))
    agreement = SharingAgreement.objects.get()
    assert saved.url == reverse("audit:agreement", args=[agreement.pk])
    change = reverse("audit:agreement_change", args=[agreement.pk])
    assert client.get(change).status_code == 200
    assert client.post(change, _posted([hub_agency, council], title="Renamed",
                                       version="1")).status_code == 302
    conflict = client.post(change, _posted([hub_agency, council], title="Stale",
                                           version="1"))
    assert conflict.status_code == 400
    assert "Someone else changed this agreement" in conflict.content.decode()
    agreement.refresh_from_db()
    assert (agreement.title, agreement.version) == ("Renamed", 2)
    assert timezone.localdate() == TODAY
