"""Duplicate submissions (``macehub.core.submissions``): a creating form sent twice with
the same one-time token (a double click, a retried POST) creates one record, and the
second answer takes the user where the first did, saying "This was already submitted";
a different token creates a second; another user's token is not honoured and points at
nothing; the duplicate writes nothing to the audit log (no second "created" entry, no
change). The API's
``Idempotency-Key`` gives the same guarantee.

The creating forms are found by discovery (every routed page whose name says it adds,
records, submits or creates something); each one is driven here by a recipe (the
records it needs, built by factory, the form's page, what a user types, the model it
creates), or, if it writes nothing, named in ``WRITES_NOTHING`` and shown to write
nothing; so a new creating form cannot go unnoticed."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from macehub.access.tests.routes import ROUTES
from macehub.accountability.models import ImprovementAction, Inspection, Recommendation
from macehub.accountability.tests.factories import make_inspection, make_recommendation
from macehub.accounts.models import Agency, ApiClient, IdentityProvider, Team, User
from macehub.accounts.roles import AgencyKind, Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.cases.codes import RiskTier
from macehub.cases.models import (
    Case,
    CaseOutcome,
    Contact,
    MissingEpisode,
    NrmReferral,
    PlanItem,
    RiskAssessment,
)
from macehub.cases.services.opening import open_case
from macehub.conftest import StandardUsers
from macehub.core.models import Submission
from macehub.core.submissions import ALREADY_SUBMITTED, FIELD, purge_submissions
from macehub.disruption import services as disruption_services
from macehub.disruption.models import Breach, Disruption, Tactic
from macehub.forensics import services as forensics_services
from macehub.forensics.models import Exhibit
from macehub.forensics.tests.factories import make_force, make_investigation, seize
from macehub.governance.sharing import SharingAgreement
from macehub.governance.subject_access_models import SubjectAccessRequest
from macehub.intelligence.models import IntelligenceReport, ReportLink
from macehub.intelligence.models import Submission as InformationSubmission
from macehub.intelligence.tests.factories import make_report
from macehub.investigations import services as investigation_services
from macehub.investigations.codes import ReviewPoint
from macehub.investigations.models import (
    ChargingDecisionRecord,
    Crime,
    Investigation,
    InvestigationSuspect,
    InvestigationVictim,
    JourneyStep,
    LineOfEnquiry,
    SuspectRelease,
    VictimEntitlement,
)
from macehub.meetings import services as meeting_services
from macehub.meetings.models import AgendaItem, Meeting, MeetingAction, MeetingSeries
from macehub.meetings.tests.factories import make_meeting, make_series
from macehub.people.models import Person
from macehub.profile.models import ProblemProfile
from macehub.referrals.codes import TriageOutcome
from macehub.referrals.models import PartnerMapping, Referral, ReferralAddition
from macehub.referrals.tests.factories import make_referral
from macehub.referrals.tests.test_intake import FIND, NEW_CHILD, walk_to_check
from macehub.referrals.tests.test_triage import decision_data
from macehub.testing.factories import make_agency, make_person, signed_in_client
from macehub.training.models import Course, CourseRequirement, TrainingRecord
from macehub.workforce.models import TeamMonth

pytestmark = pytest.mark.django_db

TOKEN_INPUT = re.compile(rf'<input type="hidden" name="{FIELD}" value="([^"]+)">')
# A page's URL name that says the page creates a record.
CREATING = re.compile(r"(^|:|_)(add|new|create|record|submit)(_|$)")


def _date(prefix: str, day: dt.date) -> dict[str, str]:
    return {f"{prefix}_day": str(day.day), f"{prefix}_month": str(day.month),
            f"{prefix}_year": str(day.year)}


@dataclass(frozen=True)
class Recipe:
    """A creating form driven by the test: who fills it in, where, with what (given the
    records and the form's page, for the choices it offers), and the model one of whose
    rows it creates. ``before`` answers the pages that lead to the form (a referral's
    questions); a form that creates once only (a referral's decision) is not sent a
    third time. ``actor`` names a user in the records, instead of the role's. A form
    that records a change of a record rather than a new row counts what it adds to
    with ``counted`` (the record's audited changes). A form whose answer is a page
    shown once (an API client's token) names where a duplicate is taken instead,
    ``duplicate_lands``."""

    role: Role
    url: Callable[[Records], str]
    data: Callable[[Records, str], dict[str, Any]]
    creates: type[Model]
    before: Callable[[Client], None] | None = None
    repeatable: bool = True
    actor: str | None = None
    counted: Callable[[], int] | None = None
    duplicate_lands: Callable[[], str] | None = None

    def count(self) -> int:
        return self.counted() if self.counted else self.creates._default_manager.count()


def _choice(html: str, name: str) -> str:
    """The first choice the page offers for the box ``name`` (an option of a select, or
    a radio or checkbox), not the empty "Select..." one."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    if select:
        values = re.findall(r'<option value="([^"]+)"', select.group(1))
    else:
        values = re.findall(rf'<input[^>]*name="{name}"[^>]*value="([^"]+)"', html)
    assert values, f"the page offers no choice for {name}"
    return values[0]


def _episode(_records: Records) -> dict[str, Any]:
    went = timezone.localdate() - dt.timedelta(days=3)
    return {**_date("went_missing_on", went), "went_missing_time": "9:30pm",
            **_date("returned_on", went + dt.timedelta(days=1)), "returned_time": "5pm",
            "notes": "Found at a friend's address"}


def _answer_the_referral_questions(client: Client) -> None:
    walk_to_check(client)


def _today() -> dt.date:
    return timezone.localdate()


def _value(html: str, name: str) -> str:
    """The value the page's form carries in the box ``name`` (a record's version)."""
    found = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html)
    assert found, f"the page carries no {name}"
    return found.group(1)


def _changes(record_type: str) -> Callable[[], int]:
    """The audited changes of records of ``record_type``: what a form that changes a
    record (rather than adding a row) writes once per sending."""
    return lambda: AuditEvent.objects.filter(event_type=EventType.CHANGE,
                                             record_type=record_type).count()


RECIPES: dict[str, Recipe] = {
    # Most important first: a referral sent, a case opened by triage.
    "referrals:check": Recipe(
        Role.REFERRER, lambda _r: reverse("referrals:check"), lambda _r, _page: {}, Referral,
        before=_answer_the_referral_questions, repeatable=False),
    "referrals:decide": Recipe(
        Role.TRIAGE, lambda r: reverse("referrals:decide", args=[r["referral"].pk]),
        lambda r, _page: decision_data(r["referral"], outcome=TriageOutcome.OPEN_MACE_CASE,
                                       outcome_reason="Two high indicators; older males."),
        Case, repeatable=False),
    "cases:add_missing_episode": Recipe(
        Role.TRIAGE, lambda r: reverse("cases:add_missing_episode", args=[r["case"].pk]),
        lambda r, _page: _episode(r), MissingEpisode),
    "cases:child_add_missing_episode": Recipe(
        Role.TRIAGE,
        lambda r: reverse("cases:child_add_missing_episode", args=[r["case"].child_id]),
        lambda r, _page: _episode(r), MissingEpisode),
    "accountability:action_new": Recipe(
        Role.SENIOR_LEADER,
        lambda r: reverse("accountability:action_new", args=[r["recommendation"].pk]),
        lambda _r, page: {"description": "Dip-sample supervision monthly",
                          "owner": _choice(page, "owner"), **_date("due_on", _today())},
        ImprovementAction),
    "disruption:record": Recipe(
        Role.INVESTIGATOR,
        lambda r: f'{reverse("disruption:record")}?kind=person&target={r["suspect"].pk}',
        lambda _r, page: {"tactic": _choice(page, "tactic"), "status": "applied",
                          **_date("applied_on", _today()), "details": "Applied at court"},
        Disruption),
    "investigations:create": Recipe(
        Role.INVESTIGATOR, lambda _r: reverse("investigations:create"),
        lambda _r, page: {"title": "Operation Rowan", **_date("reported_on", _today()),
                          "offence_code": _choice(page, "offence_code")},
        Investigation),
    "forensics:record_device": Recipe(
        Role.INVESTIGATOR,
        lambda r: reverse("forensics:record_device", args=[r["investigation"].pk]),
        lambda _r, page: {"device_type": "mobile_phone", "description": "Black phone",
                          **_date("seized_on", _today() - dt.timedelta(days=1)),
                          "seized_time": "10:30",
                          "owner": "victim", "priority": _choice(page, "priority"),
                          "legal_authority": _choice(page, "legal_authority")},
        Exhibit, actor="investigator"),
    "meetings:new_meeting": Recipe(
        Role.MEETING_CHAIR, lambda _r: reverse("meetings:new_meeting"),
        lambda r, page: {"series": r["series"].pk,
                         **_date("held_on", _today() + dt.timedelta(days=7)),
                         "chair": _choice(page, "chair")},
        Meeting, repeatable=False),  # one meeting a day per series
    "cases:add_outcome": Recipe(
        Role.TRIAGE, lambda r: reverse("cases:add_outcome", args=[r["case"].pk]),
        lambda _r, _page: {"kind": "engaged", "note": "Plan agreed",
                           **_date("recorded_on", _today())}, CaseOutcome),
    "intelligence:record": Recipe(
        Role.INVESTIGATOR, lambda _r: reverse("intelligence:record"),
        lambda _r, _page: {"source_text": "A grey van seen outside the school",
                           "source_evaluation": "2", "intelligence_assessment": "B",
                           "handling_code": "P", "security_marking": "official_sensitive",
                           "priority": "high", **_date("occurred_on", _today())},
        IntelligenceReport),
    "meetings:add_action": Recipe(
        Role.MEETING_CHAIR, lambda r: reverse("meetings:add_action", args=[r["item"].pk]),
        lambda r, _page: {"description": "Arrange the strategy meeting",
                          "owner": r["owner"].pk, "agency": r["agency"].pk,
                          **_date("due_on", _today())},
        MeetingAction),
    "cases:add_plan_item": Recipe(
        Role.TRIAGE, lambda r: reverse("cases:add_plan_item", args=[r["case"].pk]),
        lambda _r, page: {"action": "Safety plan with the school", "owner_kind": "hub_staff",
                          "owner": _choice(page, "owner"),
                          **_date("due_on", _today() + dt.timedelta(days=14))},
        PlanItem),
    "cases:add_contact": Recipe(
        Role.TRIAGE, lambda r: reverse("cases:add_contact", args=[r["case"].pk]),
        lambda _r, page: {**_date("occurred_on", _today() - dt.timedelta(days=1)),
                          "occurred_time": "10:00", "kind": _choice(page, "kind"),
                          "with_whom": "The child and her mother", "child_seen": "yes",
                          "child_seen_alone": "yes", "summary": "Home visit"},
        Contact),
    "people:create": Recipe(
        Role.TRIAGE, lambda _r: reverse("people:create"),
        lambda _r, _page: {"given_name": "Nadia", "family_name": "Testperson",
                           **_date("date_of_birth", dt.date(2012, 4, 5)), "sex": "female"},
        Person, repeatable=False),  # the same person again is a possible duplicate
    "meetings:new_series": Recipe(
        Role.MEETING_CHAIR, lambda _r: reverse("meetings:new_series"),
        lambda r, page: {"name": "North locality MACE", "kind": _choice(page, "kind"),
                          "agencies": [r["agency"].pk]},
        MeetingSeries, repeatable=False),  # series names are unique
    "meetings:add_item": Recipe(
        Role.MEETING_CHAIR, lambda r: reverse("meetings:add_item", args=[r["meeting"].pk]),
        lambda _r, _page: {"title": "Hotspot: the retail park", "link_kind": ""},
        AgendaItem),
    "accountability:inspection_new": Recipe(
        Role.SENIOR_LEADER, lambda _r: reverse("accountability:inspection_new"),
        lambda _r, page: {"body": _choice(page, "body"), "title": "Joint targeted inspection",
                          **_date("published_on", _today() - dt.timedelta(days=30))},
        Inspection),
    "accountability:recommendation_new": Recipe(
        Role.SENIOR_LEADER,
        lambda r: reverse("accountability:recommendation_new",
                          args=[r["recommendation"].inspection_id]),
        lambda _r, page: {"kind": _choice(page, "kind"), "number": "7",
                          "text": "Supervise investigations", "theme": _choice(page, "theme")},
        Recommendation, repeatable=False),  # one finding per number
    "referrals:add_information": Recipe(
        Role.REFERRER, lambda r: reverse("referrals:add_information",
                                         args=[r["referral"].pk]),
        lambda _r, _page: {"text": "She was seen again at the retail park on Friday."},
        ReferralAddition),
    "investigations:add_enquiry": Recipe(
        Role.INVESTIGATOR,
        lambda r: reverse("investigations:add_enquiry", args=[r["investigation"].pk]),
        lambda _r, _page: {"description": "Trace the grey van's keeper"},
        LineOfEnquiry, actor="investigator"),
    "investigations:add_crime": Recipe(
        Role.INVESTIGATOR,
        lambda r: reverse("investigations:add_crime", args=[r["investigation"].pk]),
        lambda _r, page: {"offence_code": _choice(page, "offence_code"),
                          "location": "The retail park"},
        Crime, actor="investigator"),
    "investigations:add_person": Recipe(
        Role.INVESTIGATOR,
        lambda r: reverse("investigations:add_person", args=[r["investigation"].pk]),
        lambda r, _page: {"person": r["another_suspect"].pk, "part": "suspect"},
        InvestigationSuspect, actor="investigator", repeatable=False),  # once each
    "training:add_course": Recipe(
        Role.TRAINING_LEAD, lambda _r: reverse("training:add_course"),
        lambda _r, page: {"title": "Exploitation awareness refresher",
                          "tier": _choice(page, "tier"), "validity_months": "24"},
        Course, repeatable=False),  # course titles are unique
    "accounts:agency_create": Recipe(
        Role.ADMINISTRATOR, lambda _r: reverse("accounts:agency_create"),
        lambda _r, page: {"name": "Northshire Youth Service", "code": "northshire-youth",
                          "kind": _choice(page, "kind"), "is_active": "on"},
        Agency, repeatable=False),  # agency codes are unique
    "accounts:team_create": Recipe(
        Role.ADMINISTRATOR, lambda _r: reverse("accounts:team_create"),
        lambda r, _page: {"agency": r["agency"].pk, "name": "Missing children team",
                          "is_active": "on"},
        Team, repeatable=False),  # team names are unique in an agency
    "disruption:add_tactic": Recipe(
        Role.ADMINISTRATOR, lambda _r: reverse("disruption:add_tactic"),
        lambda _r, _page: {"name": "Community protection warning",
                           "legal_basis": "Anti-social Behaviour, Crime and Policing Act 2014",
                           "target_kinds": ["person"], "lead_agency_kind": "police",
                           "expires": "no"},
        Tactic, repeatable=False),  # tactic names are unique
    "accounts:user_create": Recipe(
        Role.ADMINISTRATOR, lambda _r: reverse("accounts:user_create"),
        lambda r, _page: {"username": "new.worker", "first_name": "New", "last_name": "Worker",
                          "email": "new.worker@example.invalid", "agency": r.agency.pk,
                          "team": r.team.pk, "is_active": "on",
                          "roles": [Role.REFERRER, Role.TRAINING_LEAD],
                          "password": "a-long-synthetic-passphrase",
                          "reason": "Refers children from the youth service"},
        User, repeatable=False),  # usernames are unique
    "accounts:api_client_create": Recipe(
        Role.ADMINISTRATOR, lambda _r: reverse("accounts:api_client_create"),
        lambda r, _page: {"name": "Northtown Academy MIS", "agency": r.agency.pk,
                          "roles": [Role.REFERRER], "valid_days": "90"},
        ApiClient, repeatable=False,  # client names are unique
        # Its token is shown once, on the answer to the form: a duplicate is taken to
        # the client's own page instead.
        duplicate_lands=lambda: reverse("accounts:api_client_detail",
                                        args=[ApiClient.objects.get().pk])),
    "accounts:identity_provider_create": Recipe(
        Role.ADMINISTRATOR, lambda _r: reverse("accounts:identity_provider_create"),
        lambda r, _page: {
            "agency": r.agency.pk, "name": "Northshire Police accounts", "slug": "northshire",
            "issuer": "https://login.northshire.example",
            "authorization_endpoint": "https://login.northshire.example/authorize",
            "token_endpoint": "https://login.northshire.example/token",
            "userinfo_endpoint": "https://login.northshire.example/userinfo",
            "jwks_endpoint": "https://login.northshire.example/jwks",
            "client_id": "mace-hub", "client_secret_variable": "NORTHSHIRE_OIDC_SECRET",
            "groups_claim": "groups", "mfa_methods": "", "is_active": "on"},
        IdentityProvider, repeatable=False),  # names and slugs are unique
    "referrals:partner_mapping_new": Recipe(
        Role.TRIAGE, lambda _r: reverse("referrals:partner_mapping_new"),
        lambda r, _page: {"agency": r["partner"].pk, "name": "CarePoint", "kind": "children",
                          "column_given_name": "Forename", "column_family_name": "Surname",
                          "column_date_of_birth": "DOB", "column_sex": "Gender",
                          "translate_sex": "F = female\nM = male", "translate_ethnicity": "",
                          "version": ""},
        PartnerMapping, repeatable=False),  # mapping names are unique for a partner
    "cases:add_nrm_referral": Recipe(
        Role.TRIAGE, lambda r: reverse("cases:add_nrm_referral", args=[r["case"].pk]),
        lambda _r, _page: {**_date("referred_on", _today() - dt.timedelta(days=10)),
                           "first_responder_organisation": "Shire Police",
                           "referred_by": "DC Example", "reasonable_grounds": "",
                           "conclusive_grounds": ""},
        NrmReferral),
    "cases:add_risk_assessment": Recipe(
        Role.TRIAGE, lambda r: reverse("cases:add_risk_assessment", args=[r["case"].pk]),
        lambda _r, page: {**_date("assessed_on", _today()), "judgement": "high",
                          "summary": "Missing often; older associates",
                          **{name: _choice(page, name)
                             for name in dict.fromkeys(re.findall(r'name="(rating_\w+)"', page))}},
        RiskAssessment),
    "intelligence:add_link": Recipe(
        Role.ANALYST,
        lambda r: f'{reverse("intelligence:add_link", args=[r["report"].pk])}?kind=vehicle',
        lambda _r, _page: {"q": "", "registration": "XB01 VAN", "described_as": "grey van",
                           "role": "vehicle_used"},
        ReportLink, repeatable=False),  # a vehicle is linked once
    "intelligence:submit": Recipe(
        Role.REFERRER, lambda _r: reverse("intelligence:submit"),
        lambda _r, _page: {"what": "A grey van waits outside the school at home time",
                           "how_known": "Seen it myself"},
        InformationSubmission),
    "investigations:record_charging_decision": Recipe(
        Role.INVESTIGATOR,
        lambda r: reverse("investigations:record_charging_decision",
                          args=[r["sent_for_charging"].pk]),
        lambda _r, page: {"decision": "charge", "decided_by": "cps",
                          **_date("decided_on", _today()), "note": "",
                          "version": _value(page, "version")},
        ChargingDecisionRecord, actor="investigator", repeatable=False),  # once per sending
    "investigations:record_outcome": Recipe(
        Role.INVESTIGATOR,
        lambda r: reverse("investigations:record_outcome", args=[r["reviewed_for_closure"].pk]),
        lambda _r, page: {"outcome": "10", **_date("outcome_on", _today()),
                          "version": _value(page, "version")},
        Investigation, actor="investigator", repeatable=False,  # it closes the investigation
        counted=lambda: Investigation.objects.filter(outcome="10").count()),
    "investigations:record_release": Recipe(
        Role.INVESTIGATOR,
        lambda r: reverse("investigations:record_release", args=[r["investigation"].pk]),
        lambda _r, page: {"suspect": _choice(page, "suspect"), "kind": "bail",
                          "conditions": "Not to contact the victims",
                          **_date("starts_on", _today()),
                          **_date("expires_on", _today() + dt.timedelta(days=28))},
        SuspectRelease, actor="investigator"),
    "investigations:record_entitlement": Recipe(
        Role.INVESTIGATOR,
        lambda r: reverse("investigations:record_entitlement", args=[r["victim"].pk]),
        lambda _r, page: {"right": _choice(page, "right"), **_date("offered_on", _today()),
                          "response": "taken_up"},
        VictimEntitlement, actor="investigator", repeatable=False),  # a right offered
        # again replaces what was recorded of it
    "investigations:record_needs": Recipe(
        Role.INVESTIGATOR,
        lambda r: reverse("investigations:record_needs", args=[r["victim"].pk]),
        lambda _r, page: {**_date("needs_assessed_on", _today()),
                          "needs_assessment": "Breaks every twenty minutes",
                          "pre_trial_therapy": "offered", "version": _value(page, "version")},
        Investigation, actor="investigator", repeatable=False,
        counted=_changes("investigations.investigation")),
    "investigations:record_step": Recipe(
        Role.INVESTIGATOR,
        lambda r: reverse("investigations:record_step", args=[r["victim"].pk, "court_hearing"]),
        lambda _r, page: {**_date("on", _today() + dt.timedelta(days=30)),
                          "what": _choice(page, "what"), "status": "planned",
                          "place": "Crown Court",
                          "arrangements": "Live link from the witness suite"},
        JourneyStep, actor="investigator"),
    "investigations:record_withdrawal": Recipe(
        Role.INVESTIGATOR,
        lambda r: reverse("investigations:record_withdrawal", args=[r["victim"].pk]),
        lambda _r, page: {**_date("withdrew_on", _today()), "reason": "fear", "note": "",
                          "version": _value(page, "version")},
        Investigation, actor="investigator", repeatable=False,  # a child withdraws once
        counted=lambda: InvestigationVictim.objects.filter(withdrew_on__isnull=False).count()),
    "forensics:record_triage": Recipe(
        Role.FORENSICS, lambda r: reverse("forensics:record_triage", args=[r["exhibit"].pk]),
        lambda _r, page: {"findings": "Chat with an unknown adult",
                          "full_examination_needed": "yes", "version": _value(page, "version")},
        Exhibit, actor="examiner", repeatable=False,  # a device is triaged once
        counted=_changes("forensics.exhibit")),
    "forensics:record_full_examination": Recipe(
        Role.FORENSICS,
        lambda r: reverse("forensics:record_full_examination",
                          args=[r["exhibit_for_full_examination"].pk]),
        lambda _r, page: {**_date("report_on", _today()), "summary": "Images recovered",
                          "version": _value(page, "version")},
        Exhibit, actor="examiner", repeatable=False,  # and examined once
        counted=_changes("forensics.exhibit")),
    "disruption:record_breach": Recipe(
        Role.INVESTIGATOR,
        lambda r: reverse("disruption:record_breach", args=[r["disruption"].pk]),
        lambda _r, page: {**_date("occurred_on", _today()),
                          "what_happened": "Seen with the child at the retail park",
                          "action_taken": "Arrested", "version": _value(page, "version")},
        Breach),
    "profile:new": Recipe(
        Role.ANALYST, lambda _r: reverse("profile:new"),
        lambda _r, _page: {"title": "Child exploitation problem profile",
                           **_date("start", _today() - dt.timedelta(days=90)),
                           **_date("end", _today()), "area": ""},
        ProblemProfile),
    "training:record_training": Recipe(
        Role.TRAINING_LEAD,
        lambda r: reverse("training:record_training", args=[r["trainee"].pk]),
        lambda _r, page: {"course": _choice(page, "course"),
                          **_date("completed_on", _today() - dt.timedelta(days=7)),
                          "evidence": "CERT-99"},
        TrainingRecord, repeatable=False),  # a course completed on a day is kept once
    "training:add_requirement": Recipe(
        Role.TRAINING_LEAD, lambda r: reverse("training:add_requirement", args=[r["course"].pk]),
        lambda _r, page: {"role": "referrer", "agency_kind": "", "team": "",
                          "version": _value(page, "version")},
        CourseRequirement, repeatable=False),  # a rule is kept once
    "workforce:record_month": Recipe(
        Role.SENIOR_LEADER, lambda _r: reverse("workforce:record_month"),
        lambda _r, page: {"team": _choice(page, "team"), "month": _choice(page, "month"),
                          "establishment": "12", "filled": "9", "version": "0"},
        TeamMonth, repeatable=False),  # a team's month is recorded once, then corrected
    "audit:agreement_new": Recipe(
        Role.INFORMATION_GOVERNANCE, lambda _r: reverse("audit:agreement_new"),
        lambda r, _page: {"title": "Hub agreement", "parties": [r.agency.pk, r["partner"].pk],
                          "purpose": "Safeguarding", "lawful_basis": "children_act",
                          "data_categories": ["identity"],
                          **_date("signed_on", _today() - dt.timedelta(days=30)),
                          **_date("review_on", _today() + dt.timedelta(days=335))},
        SharingAgreement),
    "audit:subject_access_new": Recipe(
        Role.INFORMATION_GOVERNANCE, lambda _r: reverse("audit:subject_access_new"),
        lambda r, _page: {"requester_name": "Sam Solicitor",
                          "requester_relationship": "Solicitor",
                          "person_pk": str(r["case"].child_id),
                          **_date("received_on", _today() - dt.timedelta(days=2))},
        SubjectAccessRequest),
}
# Creating forms whose URL name does not say so (found by reading them, not by their
# name): each is driven here.
ALSO_CREATING = frozenset({"referrals:check", "referrals:decide"})

# Pages whose URL name says they create but which write nothing: a step of the referral
# questions keeps its answers in the user's session until the referral is sent (and
# sending it is driven above). Each is sent twice here to show it writes nothing.
WRITES_NOTHING = frozenset({"referrals:new_child"})


def discovered_creating_forms() -> set[str]:
    return {route.name for route in ROUTES
            if (CREATING.search(route.name) or route.name in ALSO_CREATING)
            and not route.is_api}


def test_every_creating_form_found_is_driven_or_named() -> None:
    found = discovered_creating_forms()
    assert len(found) >= 20, f"discovery found too few creating forms: {sorted(found)}"
    driven = set(RECIPES) | WRITES_NOTHING
    assert driven <= found, sorted(driven - found)
    assert not found - driven, f"a creating form not driven: {sorted(found - driven)}"


class Records:
    """The records the forms are about, each built by factory the first time a recipe
    asks for it (so a test pays only for what its form needs)."""

    def __init__(self, users: StandardUsers, agency: Agency, team: Team) -> None:
        self.users, self.agency, self.team = users, agency, team
        self._built: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            self._built[name] = BUILDERS[name](self)
        return self._built[name]


def _case(r: Records) -> Case:
    child = make_person(r.agency, given_name="Alexa", family_name="Testchild")
    return open_case(actor=r.users[Role.TRIAGE], child=child, risk_tier=RiskTier.HIGH,
                     lead_agency=r.agency, reason="High risk")


def _item(r: Records) -> AgendaItem:
    return meeting_services.add_item(actor=r.users[Role.MEETING_CHAIR],
                                     meeting_pk=r["meeting"].pk, title="Any other business")


def _referral(r: Records) -> Referral:
    return make_referral(make_person(r.agency, given_name="Maya", family_name="Brook"),
                         r.users[Role.REFERRER],
                         indicator_codes=("HEALTH_STI", "GROOMING_VEHICLES"))


def _signed(r: Records, point: str) -> Investigation:
    """The investigation with the supervisor's review at ``point`` signed."""
    force, investigation = r["force"], r["investigation"]
    review = investigation_services.ask_for_review(
        actor=force.investigator, investigation_pk=investigation.pk, point=point)
    investigation_services.sign_review(
        actor=force.supervisor, investigation_pk=investigation.pk, review_pk=review.pk,
        findings=investigation_services.ReviewFindings(
            "Safety plans in place", "All followed", "On bail", "Disclosed", None))
    return Investigation.objects.get(pk=investigation.pk)


def _sent_for_charging(r: Records) -> Investigation:
    investigation = _signed(r, ReviewPoint.BEFORE_CHARGE)
    return investigation_services.send_for_charging_decision(
        actor=r["force"].investigator, investigation_pk=investigation.pk,
        expected_version=investigation.version)


def _disruption(r: Records) -> Disruption:
    started = _today() - dt.timedelta(days=10)
    return disruption_services.record_disruption(
        actor=r.users[Role.INVESTIGATOR], disruption=disruption_services.NewDisruption(
            tactic_pk=Tactic.objects.get(code="cawn").pk, target_kind="person",
            target_pk=r["suspect"].pk, status="served", child_pks=[],
            started_on=started, expires_on=started + dt.timedelta(days=365)))


def _course(_r: Records) -> Course:
    return Course.objects.order_by("pk").first()  # type: ignore[return-value]


BUILDERS: dict[str, Callable[[Records], Any]] = {
    "case": _case,
    "series": lambda r: make_series(r.users[Role.MEETING_CHAIR], [r.agency]),
    "meeting": lambda r: make_meeting(r.users[Role.MEETING_CHAIR], r["series"]),
    "item": _item,
    "owner": lambda r: r.users[Role.SOCIAL_WORKER],
    "agency": lambda r: r.agency,
    "referral": _referral,
    "recommendation": lambda r: make_recommendation(
        make_inspection(r.users[Role.SENIOR_LEADER])),
    "force": lambda r: make_force(r.agency, r.team),
    "investigation": lambda r: make_investigation(r["force"]),
    "investigator": lambda r: r["force"].investigator,
    "examiner": lambda r: r["force"].examiner,
    "suspect": lambda r: r["investigation"].suspects.get().person,
    "another_suspect": lambda r: make_person(r.agency, given_name="Lee", family_name="Madeup",
                                             date_of_birth=dt.date(1990, 1, 2), sex="male"),
    "victim": lambda r: r["investigation"].victims.order_by("pk").first(),
    "sent_for_charging": _sent_for_charging,
    "reviewed_for_closure": lambda r: _signed(r, ReviewPoint.BEFORE_CLOSURE),
    "exhibit": lambda r: seize(r["force"], r["investigation"]),
    "exhibit_for_full_examination": lambda r: forensics_services.record_triage(
        actor=r["examiner"], exhibit_pk=r["exhibit"].pk, expected_version=r["exhibit"].version,
        findings="Chat with an unknown adult", full_examination_needed=True),
    "disruption": _disruption,
    "report": lambda r: make_report(r.team, r.users[Role.ANALYST]),
    "course": _course,
    "trainee": lambda r: r.users[Role.INVESTIGATOR],
    "partner": lambda r: make_agency("county-childrens-services",
                                     AgencyKind.CHILDRENS_SOCIAL_CARE,
                                     name="County Children's Services"),
}


@pytest.fixture
def records(users: StandardUsers, hub_agency: Agency, hub_team: Team) -> Records:
    return Records(users, hub_agency, hub_team)


def _errors(html: str) -> str:
    found = re.search(r'govuk-error-summary.*?</div>\s*</div>', html, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0))) if found else html[:500]


def _token(client: Client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, url
    html = page.content.decode()
    found = TOKEN_INPUT.findall(html[html.index('id="main-content"'):])  # the page's own form
    assert found, f"no submission token in the form at {url}"
    return found[0]


def _writes() -> int:
    return AuditEvent.objects.filter(event_type__in=(EventType.CREATE, EventType.CHANGE)).count()


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_a_form_sent_twice_creates_one_record(name: str, users: StandardUsers,
                                              records: Records) -> None:
    recipe = RECIPES[name]
    client = signed_in_client(records[recipe.actor] if recipe.actor else users[recipe.role])
    if recipe.before is not None:
        recipe.before(client)
    url = recipe.url(records)
    page = client.get(url).content.decode()
    data = recipe.data(records, page)
    token = _token(client, url)
    before = recipe.count()
    first = client.post(url, {**data, FIELD: token})
    if recipe.duplicate_lands is None:
        assert first.status_code == 302, _errors(first.content.decode())
        lands = first["Location"]
    else:
        assert first.status_code == 200 and recipe.creates._default_manager.exists(), _errors(
            first.content.decode())
        lands = recipe.duplicate_lands()
    writes = _writes()
    second = client.post(url, {**data, FIELD: token})
    assert recipe.count() == before + 1
    assert second.status_code == 302, _errors(second.content.decode())
    assert second["Location"] == lands
    landing = client.get(second["Location"]).content.decode()
    assert ALREADY_SUBMITTED in landing
    # The duplicate wrote nothing: no second "created" entry, no change audited.
    assert _writes() == writes
    if not recipe.repeatable:
        return
    # A fresh drawing of the form is a new submission.
    page = client.get(url).content.decode()
    third = client.post(url, {**recipe.data(records, page), FIELD: _token(client, url)})
    assert third.status_code == 302, _errors(third.content.decode())
    assert recipe.count() == before + 2


def test_a_step_of_the_referral_questions_sent_twice_writes_nothing(
        users: StandardUsers) -> None:
    # The child's details are kept in the session until the referral is sent: sent
    # twice, the step writes no record and claims no token.
    client = signed_in_client(users[Role.REFERRER])
    assert client.post(reverse("referrals:start"), FIND).status_code == 302
    assert client.post(reverse("referrals:choose_child"), {"child": "new"}).status_code == 302
    url = reverse("referrals:new_child")
    assert sorted(WRITES_NOTHING) == ["referrals:new_child"]  # the step sent here
    token = _token(client, url)
    people, writes = Person.objects.count(), _writes()
    for _ in range(2):
        response = client.post(url, {**NEW_CHILD, FIELD: token})
        assert response["Location"] == reverse("referrals:home_and_school")
    assert (Person.objects.count(), _writes()) == (people, writes)
    assert not Submission.objects.exists() and not Referral.objects.exists()


def test_another_users_token_is_not_honoured(users: StandardUsers,
                                             records: Records) -> None:
    url = reverse("cases:add_missing_episode", args=[records["case"].pk])
    mine = signed_in_client(users[Role.TRIAGE])
    token = _token(mine, url)
    assert mine.post(url, {**_episode(records), FIELD: token}).status_code == 302
    # A colleague who sends the same token gets their own record, and is not taken to
    # (or told of) the first user's.
    theirs = signed_in_client(users[Role.SUPERVISOR])
    response = theirs.post(url, {**_episode(records), FIELD: token})
    assert response.status_code == 302
    assert MissingEpisode.objects.count() == 2
    assert ALREADY_SUBMITTED not in theirs.get(response["Location"]).content.decode()
    assert Submission.objects.filter(token=token).count() == 2


def test_a_refused_form_leaves_its_token_unused(users: StandardUsers,
                                                records: Records) -> None:
    url = reverse("cases:add_missing_episode", args=[records["case"].pk])
    client = signed_in_client(users[Role.TRIAGE])
    token = _token(client, url)
    refused = client.post(url, {**_episode(records), "returned_time": "", "went_missing_time": "",
                                "went_missing_on_day": "", FIELD: token})
    assert refused.status_code == 200 and not MissingEpisode.objects.exists()
    assert client.post(url, {**_episode(records), FIELD: token}).status_code == 302
    assert MissingEpisode.objects.count() == 1


def test_old_tokens_are_purged(users: StandardUsers) -> None:
    user = users[Role.TRIAGE]
    now = timezone.now()
    for days in (0, 1, 3):
        Submission.objects.create(token=f"t{days}", user=user, record_type="cases.case",
                                  record_id="1", created_at=now - dt.timedelta(days=days))
    assert purge_submissions(now=now) == 1
    assert sorted(Submission.objects.values_list("token", flat=True)) == ["t0", "t1"]


def test_every_post_form_carries_a_fresh_token(users: StandardUsers,
                                               records: Records) -> None:
    client = signed_in_client(users[Role.TRIAGE])
    url = reverse("cases:add_missing_episode", args=[records["case"].pk])
    assert _token(client, url) != _token(client, url)
    assert isinstance(records["case"], Case) and isinstance(users[Role.TRIAGE], User)


# --- The API: Idempotency-Key ----------------------------------------------------------

API_REFERRAL = {
    "concerns": "Seen getting into cars with older men after school.",
    "exploitation_types": ["cse"], "exploitation_model": "group_based",
    "immediate_risk": None, "disclosure": False, "missing_episodes": 0,
    "indicator_codes": ["GROOMING_GIFTS"],
    "new_child": {"given_name": "Keira", "family_name": "Holloway", "estimated_age": 14,
                  "sex": "female"},
    "consent": "not_sought", "consent_not_sought_reason": "Asking could put her at risk.",
}


def _api_post(token: str, key: str | None) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return Client().post("/api/referrals/", API_REFERRAL, content_type="application/json",
                         **headers)


def test_an_api_call_retried_with_its_key_creates_one_record(hub_agency: Agency) -> None:
    from macehub.referrals.models import Referral
    from macehub.testing.factories import make_api_client, make_team

    team = make_team(hub_agency, "Safeguarding", is_hub_team=False)
    _client, token = make_api_client("school-mis", Role.REFERRER, agency=hub_agency, team=team)
    _other, other_token = make_api_client("other-mis", Role.REFERRER, agency=hub_agency,
                                          team=team)
    first = _api_post(token, "7d3c0a4e-order-1")
    assert first.status_code == 201, first.content
    retried = _api_post(token, "7d3c0a4e-order-1")
    assert retried.status_code == 409
    referral = Referral.objects.get()
    assert retried.json()["detail"] == f"{ALREADY_SUBMITTED} with this Idempotency-Key."
    assert first.json()["reference"] == referral.reference
    assert AuditEvent.objects.filter(event_type=EventType.CREATE,
                                     record_type="referrals.referral").count() == 1
    # A new key, or none, is a new referral; another system's use of the same key is its
    # own, and tells it nothing of the first.
    assert _api_post(token, "7d3c0a4e-order-2").status_code == 201
    assert _api_post(token, None).status_code == 201
    assert _api_post(other_token, "7d3c0a4e-order-1").status_code == 201
    assert Referral.objects.count() == 4
    bad = _api_post(token, "has spaces in it")
    assert bad.status_code == 400 and "Idempotency-Key" in bad.json()["detail"]
    assert Referral.objects.count() == 4


def test_a_save_sent_twice_is_already_submitted_not_a_conflict(
        users: StandardUsers, hub_agency: Agency) -> None:
    # A double-clicked save of a versioned record: the second finds the record at the
    # version its own first click made, which is not someone else's change.
    person = make_person(hub_agency, given_name="Ella", family_name="Stone",
                         date_of_birth=None)
    url = reverse("people:edit", args=[person.pk])
    client = signed_in_client(users[Role.TRIAGE])
    data = {"version": "1", "given_name": "Ella", "family_name": "Stone-Hill",
            "date_of_birth_day": "", "date_of_birth_month": "", "date_of_birth_year": "",
            "sex": person.sex, FIELD: _token(client, url)}
    first = client.post(url, data)
    assert first.status_code == 302
    second = client.post(url, data)
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert ALREADY_SUBMITTED in client.get(second["Location"]).content.decode()
    person.refresh_from_db()
    assert (person.family_name, person.version) == ("Stone-Hill", 2)
    # Sent again from a fresh drawing of the stale form, it is the conflict it always was.
    stale = client.post(url, {**data, FIELD: _token(client, url)})
    assert stale.status_code == 200 and "Someone else changed this record" in stale.content.decode()
