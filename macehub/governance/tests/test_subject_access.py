"""Subject access requests: the statutory clock, gathering from every registered app
for one person (and nobody else), the redactions applied in the disclosure bundle (read
with poppler's ``pdftotext``), what the services refuse, and the audit trail from logging
to download. All people and agencies are made up."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.cases.codes import CaseStatus, ContactKind, RiskTier
from macehub.cases.models import (
    AdvocateAllocation,
    Case,
    CaseAllocation,
    CaseDecisionRequest,
    CaseShare,
    Contact,
)
from macehub.conftest import StandardUsers
from macehub.disruption.models import Disruption, DisruptionChild, Tactic
from macehub.governance import subject_access_services as services
from macehub.governance.codes import RequestedJobStatus
from macehub.governance.subject_access import SUBJECT_SOURCES, add_calendar_months, due_on
from macehub.governance.subject_access_codes import RedactionReason, RequestStatus
from macehub.governance.subject_access_models import SubjectAccessRequest
from macehub.governance.tests.requested_jobs import job_asked_for
from macehub.governance.work_queue import subject_access_requests
from macehub.intelligence.codes import EntityRole
from macehub.intelligence.models import Dissemination, ReportLink
from macehub.intelligence.tests.factories import link, make_report
from macehub.investigations.models import (
    ChargingDecisionRecord,
    Investigation,
    InvestigationVictim,
    LineOfEnquiry,
    SupervisoryReview,
)
from macehub.networks.models import Group, GroupMember
from macehub.people.models import (
    MatchCandidate,
    MatchRun,
    Person,
    PersonAllocation,
    PersonMerge,
    PersonShare,
)
from macehub.referrals.tests.factories import make_referral
from macehub.testing.factories import make_person, make_user, verified_login
from macehub.testing.pdf import pdf_text


@pytest.mark.parametrize(("received", "extension", "due"), [
    (dt.date(2025, 1, 31), 0, dt.date(2025, 2, 28)),   # February has no 31st
    (dt.date(2024, 1, 31), 0, dt.date(2024, 2, 29)),   # a leap year
    (dt.date(2025, 1, 30), 0, dt.date(2025, 2, 28)),
    (dt.date(2025, 3, 15), 0, dt.date(2025, 4, 15)),   # the same day number
    (dt.date(2025, 12, 31), 0, dt.date(2026, 1, 31)),  # into the next year
    (dt.date(2025, 3, 31), 0, dt.date(2025, 4, 30)),
    (dt.date(2025, 3, 31), 2, dt.date(2025, 6, 30)),   # extended: three months from receipt
    (dt.date(2025, 11, 30), 2, dt.date(2026, 2, 28)),
    (dt.date(2023, 11, 29), 2, dt.date(2024, 2, 29)),
])
def test_the_statutory_clock(received: dt.date, extension: int, due: dt.date) -> None:
    assert due_on(received, extension) == due


def test_calendar_months_backwards_and_overdue() -> None:
    assert add_calendar_months(dt.date(2025, 3, 31), -1) == dt.date(2025, 2, 28)
    request = SubjectAccessRequest(received_on=dt.date(2025, 1, 31),
                                   status=RequestStatus.REVIEWING)
    assert not request.is_overdue(dt.date(2025, 2, 28))
    assert request.is_overdue(dt.date(2025, 3, 1))
    request.extension_months = 1
    assert not request.is_overdue(dt.date(2025, 3, 1))
    request.status = RequestStatus.DISCLOSED
    assert not request.is_overdue(dt.date(2026, 1, 1))


@dataclass
class Held:
    officer: User
    child: Person
    other: Person
    request: SubjectAccessRequest


SOURCE_SECRET = "Told by informant Zebedee Quill at the bus station"
HANDLED_TEXT = "Seen with older males near the Madeup Takeaway"
CONTACT_SECRET = "Her aunt Marigold Pennywhistle said the family is struggling"
OPEN_SUMMARY = "Suspected grooming by Dean Madeup; arrests planned"


@pytest.fixture
def held(hub_agency: Agency, hub_team: Team, users: StandardUsers) -> Held:
    """A child the hub holds in every app, another person beside them, and a request
    about the child logged by an information governance officer."""
    officer = users[Role.INFORMATION_GOVERNANCE]
    worker = users[Role.INVESTIGATOR]
    now = timezone.now()
    child = make_person(hub_agency, given_name="Poppy", family_name="Testcase",
                        date_of_birth=dt.date(2011, 5, 6))
    other = make_person(hub_agency, given_name="Dean", family_name="Madeup",
                        date_of_birth=dt.date(1985, 7, 8))
    referrer = make_user("rae.referrer", Role.REFERRER, agency=hub_agency, team=hub_team)
    make_referral(child, referrer, parent_carer_name="Anne Testcase",
                  parent_carer_contact="07700 900123", school="Northshire Academy")
    make_referral(other, referrer, concerns="About someone else entirely")
    case = Case.objects.create(reference="CASE-2026-000001", child=child, opened_at=now,
                               opened_by=worker, lead_agency=hub_agency,
                               risk_tier=RiskTier.HIGH, status=CaseStatus.OPEN)
    Contact.objects.create(case=case, occurred_at=now, kind=ContactKind.HOME_VISIT,
                           with_whom="Marigold Pennywhistle (aunt)", summary=CONTACT_SECRET,
                           recorded_by=worker)
    report = make_report(hub_team, worker, handling_code="C", conditions="Police only",
                         source_text=SOURCE_SECRET, sanitised_text=HANDLED_TEXT)
    link(report, child, EntityRole.VICTIM)
    link(report, other, EntityRole.SUSPECT)
    make_report(hub_team, worker, source_text="Only about Dean", sanitised_text="Dean only")
    investigation = Investigation.objects.create(
        reference="INV-2026-000001", title="Operation Lantern", summary=OPEN_SUMMARY,
        owning_agency=hub_agency, reported_on=timezone.localdate(), created_by=worker,
        created_at=now)
    InvestigationVictim.objects.create(investigation=investigation, person=child)
    disruption = Disruption.objects.create(
        reference="DIS-2026-000001", tactic=Tactic.objects.get(code="cawn"),
        target_kind="person", target_person=other, details="Notice served at his flat",
        lead_officer=worker, lead_agency=hub_agency, created_by=worker, created_at=now)
    DisruptionChild.objects.create(disruption=disruption, person=child)
    group = Group.objects.create(reference="GRP-2026-000001", name="Group one",
                                 status="confirmed", proposed_by=worker, proposed_at=now,
                                 reason="Three reports link them")
    GroupMember.objects.create(group=group, person=child, part="victim")
    GroupMember.objects.create(group=group, person=other, part="suspect")
    request = services.log_request(actor=officer, details=services.NewRequest(
        requester_name="Anne Testcase", requester_relationship="Mother",
        requester_contact="", person_pk=child.pk,
        received_on=timezone.localdate() - dt.timedelta(days=3)))
    return Held(officer, child, other, request)


@pytest.mark.django_db
def test_gathering_finds_what_each_app_holds_about_the_person_only(held: Held) -> None:
    services.gather(actor=held.officer, request_pk=held.request.pk)
    items = list(held.request.items.prefetch_related("redactions"))
    by_source: dict[str, list[str]] = {}
    for item in items:
        by_source.setdefault(item.source, []).append(item.reference)
    assert set(by_source) == {"people", "referrals", "cases", "intelligence",
                              "investigations", "disruption", "networks"}
    assert set(by_source) <= set(SUBJECT_SOURCES.keys())
    assert by_source["people"] == [f"Person {held.child.pk}"]
    assert len(by_source["referrals"]) == 1  # not the other person's referral
    assert len(by_source["intelligence"]) == 1  # not the report naming Dean alone
    assert by_source["investigations"] == ["INV-2026-000001"]
    assert by_source["disruption"] == ["DIS-2026-000001"]
    assert by_source["networks"] == ["GRP-2026-000001"]
    assert len(by_source["cases"]) == 2  # the case and its contact
    every_text = " ".join(entry["text"] for item in items for entry in item.fields)
    assert "About someone else entirely" not in every_text
    assert "Only about Dean" not in every_text

    withheld = {(item.source, redaction.field_name): redaction.reason
                for item in items for redaction in item.redactions.all()}
    assert withheld == {
        ("intelligence", "source_text"): RedactionReason.SOURCE,
        ("intelligence", "sanitised_text"): RedactionReason.HANDLING,
        ("referrals", "parent_carer"): RedactionReason.THIRD_PARTY,
        ("referrals", "parent_carer_contact"): RedactionReason.THIRD_PARTY,
        ("investigations", "summary"): RedactionReason.CRIME,
        ("networks", "reason"): RedactionReason.CRIME,
    }
    report = next(item for item in items if item.source == "intelligence")
    assert report.others_named == ["Dean Madeup"]

    held.request.refresh_from_db()
    assert held.request.status == RequestStatus.REVIEWING
    gathered = AuditEvent.objects.filter(event_type=EventType.VIEW,
                                         detail__action="gathered")
    assert {(event.record_type, event.record_id) for event in gathered} == {
        ("governance.subjectaccessrequest", str(held.request.pk)),
        ("people.person", str(held.child.pk))}


# One record of each kind the apps hand over about who worked on, saw or was sent the
# person's records and how their investigation went, and how the bundle heads each.
WHO_SAW_IT = ("Line of enquiry in an investigation naming the person",
              "Supervisory review of an investigation naming the person",
              "Charging decision in an investigation naming the person",
              "Approval asked to close the case", "Worker allocated to the case",
              "Case shared with a partner agency", "Victim advocate",
              "Worker allocated to the record", "Record shared with a partner agency",
              "Record compared with another record", "Records merged",
              "Intelligence report shared with a partner agency")
ENQUIRY = "Trace the older males near the takeaway"


def _who_saw_it(held: Held, users: StandardUsers, partner: Agency) -> None:
    """Adds one record of each kind in ``WHO_SAW_IT`` about the child; the line of
    enquiry (the investigation is open) and the text shared under code C are withheld
    by default."""
    worker, now = users[Role.INVESTIGATOR], timezone.now()
    investigation = Investigation.objects.get(reference="INV-2026-000001")
    LineOfEnquiry.objects.create(investigation=investigation, description=ENQUIRY,
                                 recorded_by=worker, recorded_at=now)
    SupervisoryReview.objects.create(investigation=investigation, point="allocation",
                                     due_at=now)
    ChargingDecisionRecord.objects.create(investigation=investigation, decision="charge",
                                          decided_by="cps", decided_on=timezone.localdate(),
                                          recorded_by=worker, recorded_at=now)
    case = Case.objects.get(reference="CASE-2026-000001")
    CaseDecisionRequest.objects.create(case=case, kind="close", closure_reason="risk_reduced",
                                       case_version=1, requested_by=worker, requested_at=now)
    CaseAllocation.objects.create(case=case, user=worker)
    CaseShare.objects.create(case=case, agency=partner, shared_by=worker)
    AdvocateAllocation.objects.create(case=case, advocate=users[Role.VICTIM_ADVOCATE],
                                      started_on=timezone.localdate())
    PersonAllocation.objects.create(person=held.child, user=worker)
    PersonShare.objects.create(person=held.child, agency=partner, shared_by=worker)
    duplicate = make_person(held.child.owning_agency, given_name="Popy",
                            family_name="Testcase", merged_into=held.child)
    match = MatchCandidate.objects.create(
        first=held.child, second=duplicate, probability=0.99, match_weight=9.0, evidence=[],
        decision="same", run=MatchRun.objects.create(
            started_at=now, finished_at=now, engine="duckdb", records=3, threshold=0.5,
            recommended_threshold=0.5, pairs_found=1, pairs_proposed=1, model={}))
    PersonMerge.objects.create(match=match, kept=held.child, merged=duplicate,
                               merged_by=worker, merged_at=now, reason="One child")
    Dissemination.objects.create(
        report=ReportLink.objects.get(person=held.child).report, to_agency=partner,
        shared_text=HANDLED_TEXT,
        handling_code="C", handling_conditions="Police only", lawful_basis="dpa_s35_8",
        shared_by=worker, shared_at=now)


@pytest.mark.django_db
def test_the_bundle_applies_the_redactions_and_lists_what_was_withheld(
    held: Held, users: StandardUsers, partner_agency: Agency
) -> None:
    officer, request = held.officer, held.request
    _who_saw_it(held, users, partner_agency)
    services.gather(actor=officer, request_pk=request.pk)
    contact = request.items.get(record_type="cases.contact")
    services.decide_redactions(
        actor=officer, request_pk=request.pk, item_pk=contact.pk, expected_version=1,
        decisions={"summary": (RedactionReason.THIRD_PARTY, "The aunt's account"),
                   "with_whom": (RedactionReason.THIRD_PARTY, "")})
    investigation = request.items.get(record_type="investigations.investigation")
    services.decide_redactions(  # the officer releases the open investigation's summary
        actor=officer, request_pk=request.pk, item_pk=investigation.pk, expected_version=1,
        decisions={"summary": ("", "")})
    with pytest.raises(ValidationError, match="identity"):
        services.produce_bundle(actor=officer, request_pk=request.pk)
    services.record_progress(actor=officer, request_pk=request.pk, expected_version=1,
                             progress=services.RequestProgress(
                                 identity_verified_on=timezone.localdate(),
                                 identity_check="parental", identity_note="",
                                 extension_months=0, extension_reason="",
                                 status=RequestStatus.REVIEWING, status_reason=""))
    services.produce_bundle(actor=officer, request_pk=request.pk)
    request.refresh_from_db()
    assert request.bundle_pdf is not None
    text = " ".join(pdf_text(bytes(request.bundle_pdf)).split())

    for secret in (SOURCE_SECRET, HANDLED_TEXT, CONTACT_SECRET, "Marigold", "07700 900123",
                   ENQUIRY):
        assert secret not in text
    for disclosed in ("Poppy Testcase", OPEN_SUMMARY, "Northshire Academy",
                      "Operation Lantern", "Notice served at his flat", *WHO_SAW_IT):
        assert disclosed in text
    assert "Schedule of information withheld" in text
    assert "Intelligence source details (never disclosed)" in text
    assert text.count("[Withheld]") == 7 + 2
    assert "Three reports link them" not in text
    schedule = {(entry["field"], entry["reason"]) for entry in request.withheld_schedule}
    assert schedule == {("Report as received", "source"), ("Report", "handling"),
                        ("Parent or carer", "third_party"),
                        ("Parent or carer's contact", "third_party"),
                        ("Summary", "third_party"), ("With whom", "third_party"),
                        ("Why it was confirmed or rejected", "crime"),
                        ("Line of enquiry", "crime"), ("What was shared", "handling")}

    decided = AuditEvent.objects.filter(event_type=EventType.CHANGE,
                                        record_type="governance.disclosureitem")
    assert {event.record_id for event in decided} == {str(contact.pk), str(investigation.pk)}
    assert decided.get(record_id=str(contact.pk)).detail["changes"]["summary"] == {
        "old": "disclosed", "new": "third_party: The aunt's account"}
    assert AuditEvent.objects.filter(event_type=EventType.EXPORT,
                                     record_id=str(request.pk),
                                     detail__action="bundle produced").count() == 1
    with pytest.raises(ValidationError, match="final"):
        services.decide_redactions(actor=officer, request_pk=request.pk,
                                   item_pk=contact.pk, expected_version=2,
                                   decisions={"summary": ("", "")})


@pytest.mark.django_db
def test_pages_log_a_request_and_download_the_bundle_audited(
    held: Held, users: StandardUsers, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    verified_login(client, held.officer)
    refused = client.post(reverse("audit:subject_access_new"), {"person_pk": "1"})
    assert refused.status_code == 400
    assert b"Enter the requester&#x27;s name" in refused.content
    answers = {"requester_name": "Sam Solicitor", "requester_relationship": "Solicitor",
               "person_pk": "999999", "received_on_day": "31", "received_on_month": "1",
               "received_on_year": "2026"}
    unknown = client.post(reverse("audit:subject_access_new"), answers)
    assert unknown.status_code == 400
    assert b"Enter the record number of a person the hub holds" in unknown.content
    assert b'value="Sam Solicitor"' in unknown.content  # what was typed is kept
    made = client.post(reverse("audit:subject_access_new"),
                       {**answers, "person_pk": str(held.child.pk)})
    logged = SubjectAccessRequest.objects.get(requester_name="Sam Solicitor")
    assert made.status_code == 302
    assert logged.due_on == dt.date(2026, 2, 28)
    register = client.get(reverse("audit:subject_access"))
    assert "Poppy Testcase, born 6 May 2011" in register.content.decode()
    assert "Overdue" in register.content.decode()  # due 28 February 2026, long passed

    client.post(reverse("audit:subject_access_gather", args=[held.request.pk]))
    # Produced in the background: before the identity check the job says why it cannot.
    with django_capture_on_commit_callbacks(execute=True):
        early = job_asked_for(client.post(reverse("audit:subject_access_produce",
                                                  args=[held.request.pk])))
    early.refresh_from_db()
    assert early.status == RequestedJobStatus.FAILED
    assert early.problem == "Record the requester's identity check before disclosing"
    services.record_progress(actor=held.officer, request_pk=held.request.pk,
                             expected_version=1, progress=services.RequestProgress(
                                 identity_verified_on=timezone.localdate(),
                                 identity_check="photo_id", identity_note="",
                                 extension_months=0, extension_reason="",
                                 status=RequestStatus.REVIEWING, status_reason=""))
    with django_capture_on_commit_callbacks(execute=True):
        job = job_asked_for(client.post(reverse("audit:subject_access_produce",
                                                args=[held.request.pk])))
    job_page = client.get(reverse("audit:requested_job", args=[job.pk])).content.decode()
    request_url = reverse("audit:subject_access_request", args=[held.request.pk])
    assert f'href="{request_url}"' in job_page, "the job leads back to the request"
    download = client.get(reverse("audit:subject_access_bundle", args=[held.request.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(event_type=EventType.EXPORT,
                                     record_id=str(held.request.pk),
                                     detail__action="bundle downloaded").count() == 1
    # Nobody else may know a request exists.
    other = Client()
    verified_login(other, users[Role.SUPERVISOR])
    assert other.get(reverse("audit:subject_access_request",
                             args=[held.request.pk])).status_code == 404
    assert other.get(reverse("audit:subject_access_bundle",
                             args=[held.request.pk])).status_code == 404


@pytest.mark.django_db
def test_what_the_services_refuse(held: Held, users: StandardUsers) -> None:
    officer, request = held.officer, held.request

    def progress(**changes: object) -> None:
        values: dict[str, object] = {
            "identity_verified_on": None, "identity_check": "", "identity_note": "",
            "extension_months": 0, "extension_reason": "",
            "status": RequestStatus.RECEIVED, "status_reason": ""}
        values.update(changes)
        services.record_progress(actor=officer, request_pk=request.pk,
                                 expected_version=1,
                                 progress=services.RequestProgress(**values))  # type: ignore[arg-type]

    for changes, message in (
        ({"extension_months": 3, "extension_reason": "Complex"}, "one or two further"),
        ({"extension_months": 1}, "why the request is complex"),
        ({"status": RequestStatus.REFUSED}, "why the request was withdrawn or refused"),
        ({"status": RequestStatus.DISCLOSED}, "Produce the disclosure bundle"),
        ({"identity_check": "photo_id"}, "date the identity was verified"),
    ):
        with pytest.raises(ValidationError, match=message):
            progress(**changes)
    progress(extension_months=2, extension_reason="Records held by six agencies")
    request.refresh_from_db()
    assert request.due_on == add_calendar_months(request.received_on, 3)
    with pytest.raises(PermissionDenied):
        services.log_request(actor=users[Role.ANALYST], details=services.NewRequest(
            requester_name="X", requester_relationship="Self", requester_contact="",
            person_pk=held.child.pk, received_on=timezone.localdate()))
    assert AuditEvent.objects.filter(event_type=EventType.CREATE,
                                     record_id=str(request.pk)).count() == 1


@pytest.mark.django_db
def test_open_requests_are_in_information_governance_work_queue(
    held: Held, users: StandardUsers
) -> None:
    now = timezone.now()
    [item] = subject_access_requests(held.officer, now)
    assert item.title == held.request.reference
    assert item.due_on == held.request.due_on
    assert subject_access_requests(users[Role.ANALYST], now) == []
