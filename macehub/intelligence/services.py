"""Changing intelligence: a partner's submission, a graded report, its review, the
entities it links to, and each dissemination. One transaction each, audited with what
changed; keyword-only, taking the acting user.

Every rule about what may be recorded is checked here, so the pages, the API and the
imports cannot disagree: an unknown grading code, handling code C without its conditions
or without the teams and agencies they allow, an invalid phone number or registration,
or a link to a record the user may not see is refused with a message saying what to put
right, and nothing is saved.

Audit entries carry codes, ids and the lengths of free text, never the text itself: the
audit log must not become a way round a handling code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.http import Http404
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.history import saves_after
from macehub.audit.services import changed_values, record_event
from macehub.core.phones import normalise_phone
from macehub.core.references import save_with_reference
from macehub.core.service_errors import ServiceRefused
from macehub.core.versioning import BLANK, Versioning, plain_words
from macehub.intelligence import selectors
from macehub.intelligence.codes import (
    ROLES_BY_KIND,
    AccountPlatform,
    EntityKind,
    HandlingCode,
    IntelligenceAssessment,
    LawfulBasis,
    PremisesKind,
    Priority,
    ReportStatus,
    ReviewAction,
    SecurityMarking,
    SourceEvaluation,
)
from macehub.intelligence.models import (
    Dissemination,
    IntelligenceReport,
    Location,
    OnlineAccount,
    PhoneNumber,
    Premises,
    ReportLink,
    Submission,
    Vehicle,
)
from macehub.intelligence.normalise import normalise_handle, normalise_registration
from macehub.people.codes import AliasKind
from macehub.people.identifiers import normalise_postcode
from macehub.people.models import Area
from macehub.people.selectors import people_for
from macehub.people.services import PersonDetails, create_person

STREET_NAME_LENGTH = 100
UNREVIEWED_CONDITIONS = (
    "Unreviewed partner submission: only the receiving hub team may see it until a hub "
    "researcher has reviewed, graded and sanitised it."
)
RECEIVING_ROLES = (Role.ANALYST, Role.SUPERVISOR)


# --- References ---------------------------------------------------------------------------


def _save_with_reference(record: IntelligenceReport | Submission, kind: str) -> None:
    """Give the record the year's next reference (INT-2026-000001, SUB-2026-000001)."""
    save_with_reference(record, kind=kind, year=timezone.localtime(record.received_at).year)


# --- Submissions from any partner ----------------------------------------------------------


@dataclass(frozen=True)
class SubmittedInformation:
    """What a partner tells the hub, in their own words."""

    what: str
    how_known: str
    when: str = ""
    where: str = ""
    who: str = ""


def receiving_team() -> Team:
    """The hub team that receives partner submissions: the first active hub team with a
    researcher (analyst or supervisor) in it, or else the first active hub team."""
    hub_teams = Team.objects.filter(is_hub_team=True, is_active=True).order_by("pk")
    with_researcher = hub_teams.filter(
        members__is_active=True, members__role_assignments__role__in=RECEIVING_ROLES
    ).first()
    team = with_researcher or hub_teams.first()
    if team is None:
        raise ServiceRefused("The hub has no team to receive submissions yet")
    return team


def _submission_text(info: SubmittedInformation, actor: User, agency: Agency) -> str:
    parts = [
        ("What happened", info.what), ("When", info.when), ("Where", info.where),
        ("Who was involved", info.who), ("How the submitter knows", info.how_known),
        ("Submitted by", f"{actor.display_name}, {agency.name}"),
    ]
    return "\n\n".join(f"{label}: {value.strip()}" for label, value in parts if value.strip())


@transaction.atomic
def submit_information(
    *, actor: User, info: SubmittedInformation, now: dt.datetime | None = None
) -> Submission:
    """A partner's information, received by the hub: kept as they wrote it, and put in
    the review queue as a report only the receiving hub team may see (handling code C)
    until a researcher has graded and sanitised it."""
    policy.require(actor, Action.INTELLIGENCE_SUBMIT)
    if not info.what.strip():
        raise ServiceRefused("Enter what you know", field="what")
    if not info.how_known.strip():
        raise ServiceRefused("Enter how you know it", field="how_known")
    if actor.agency is None:
        raise ServiceRefused("Only staff of a partner agency can submit information")
    received_at = now or timezone.now()
    team = receiving_team()
    report = IntelligenceReport(
        owning_team=team,
        created_by=actor,
        received_at=received_at,
        source_text=_submission_text(info, actor, actor.agency),
        handling_code=HandlingCode.CONDITIONS,
        handling_conditions=UNREVIEWED_CONDITIONS,
        security_marking=SecurityMarking.OFFICIAL_SENSITIVE,
        priority=Priority.LOW,
        status=ReportStatus.AWAITING_REVIEW,
    )
    _save_with_reference(report, "INT")
    report.permitted_teams.set([team])
    submission = Submission(
        submitted_by=actor,
        agency=actor.agency,
        received_at=received_at,
        what=info.what.strip(),
        when=info.when.strip(),
        where=info.where.strip(),
        who=info.who.strip(),
        how_known=info.how_known.strip(),
        report=report,
    )
    _save_with_reference(submission, "SUB")
    record_event(event_type=EventType.CREATE, actor=actor, record=submission,
                 detail={"report": report.reference, "receiving_team": team.pk})
    record_event(event_type=EventType.CREATE, actor=actor, record=report,
                 detail={"from_submission": submission.reference, "handling_code": "C"})
    return submission


# --- Grading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grading:
    """A report's 3x5x2 grading, handling and marking."""

    source_evaluation: str
    intelligence_assessment: str
    handling_code: str
    handling_conditions: str = ""
    permitted_team_ids: tuple[int, ...] = ()
    permitted_agency_ids: tuple[int, ...] = ()
    security_marking: str = SecurityMarking.OFFICIAL_SENSITIVE
    priority: str = Priority.LOW


def _unknown(value: str, what: str, choices: type[Any]) -> str:
    allowed = ", ".join(str(v) for v in choices.values)
    shown = f"'{value}' is not a {what} code. " if value else ""
    return f"{shown}Select the {what}: {allowed}"


def check_grading(grading: Grading) -> Grading:
    """The grading with its codes checked and its handling made consistent: handling code
    C must state its conditions and name who they allow; P has neither."""
    if grading.source_evaluation not in SourceEvaluation.values:
        raise ServiceRefused(
            _unknown(grading.source_evaluation, "source evaluation", SourceEvaluation),
            field="source_evaluation",
        )
    if grading.intelligence_assessment not in IntelligenceAssessment.values:
        raise ServiceRefused(
            _unknown(grading.intelligence_assessment, "intelligence assessment",
                     IntelligenceAssessment),
            field="intelligence_assessment",
        )
    if grading.handling_code not in HandlingCode.values:
        raise ServiceRefused(
            _unknown(grading.handling_code, "handling code", HandlingCode),
            field="handling_code",
        )
    if grading.security_marking not in SecurityMarking.values:
        raise ServiceRefused("Select the security marking", field="security_marking")
    if grading.priority not in Priority.values:
        raise ServiceRefused("Select the priority", field="priority")
    if grading.handling_code == HandlingCode.PERMITTED:
        return Grading(
            source_evaluation=grading.source_evaluation,
            intelligence_assessment=grading.intelligence_assessment,
            handling_code=grading.handling_code,
            security_marking=grading.security_marking,
            priority=grading.priority,
        )
    # Both of handling code C's requirements are given at once: the page reveals them
    # together under C.
    missing: dict[str, str] = {}
    if not grading.handling_conditions.strip():
        missing["handling_conditions"] = (
            "Enter the conditions of handling code C: who may see the report, and what "
            "they may do with it")
    team_ids = tuple(sorted(set(grading.permitted_team_ids)))
    agency_ids = tuple(sorted(set(grading.permitted_agency_ids)))
    if not team_ids and not agency_ids:
        missing["permitted_teams"] = (
            "Name at least one team or agency that handling code C allows to see the report")
    if missing:
        raise ServiceRefused(missing)
    if Team.objects.filter(pk__in=team_ids, is_active=True).count() != len(team_ids):
        raise ServiceRefused("Choose teams from the list", field="permitted_teams")
    if Agency.objects.filter(pk__in=agency_ids, is_active=True).count() != len(agency_ids):
        raise ServiceRefused("Choose agencies from the list", field="permitted_agencies")
    return Grading(
        source_evaluation=grading.source_evaluation,
        intelligence_assessment=grading.intelligence_assessment,
        handling_code=grading.handling_code,
        handling_conditions=grading.handling_conditions.strip(),
        permitted_team_ids=team_ids,
        permitted_agency_ids=agency_ids,
        security_marking=grading.security_marking,
        priority=grading.priority,
    )


def _apply_grading(report: IntelligenceReport, grading: Grading) -> None:
    report.source_evaluation = grading.source_evaluation
    report.intelligence_assessment = grading.intelligence_assessment
    report.handling_code = grading.handling_code
    report.handling_conditions = grading.handling_conditions
    report.security_marking = grading.security_marking
    report.priority = grading.priority


def _text_summary(text: str) -> str:
    """Free text in an audit entry: its length, not its words."""
    return f"<{len(text)} characters>" if text else ""


def _audited_values(report: IntelligenceReport) -> dict[str, Any]:
    return {
        "source_evaluation": report.source_evaluation,
        "intelligence_assessment": report.intelligence_assessment,
        "handling_code": report.handling_code,
        "handling_conditions": _text_summary(report.handling_conditions),
        "permitted_teams": sorted(report.permitted_teams.values_list("pk", flat=True)),
        "permitted_agencies": sorted(report.permitted_agencies.values_list("pk", flat=True)),
        "security_marking": report.security_marking,
        "priority": report.priority,
        "sanitised_text": _text_summary(report.sanitised_text),
        "status": report.status,
        "review_action": report.review_action,
        "review_note": _text_summary(report.review_note),
    }


# What a versioned save of a report records, as the review page names it. Free text is
# audited by its length only, and is described so: never its words.
REPORT_FIELD_LABELS = {
    "source_evaluation": "Source evaluation",
    "intelligence_assessment": "Intelligence assessment",
    "handling_code": "Handling code",
    "handling_conditions": "Handling conditions",
    "permitted_teams": "Teams the conditions allow",
    "permitted_agencies": "Agencies the conditions allow",
    "security_marking": "Security marking",
    "priority": "Priority",
    "sanitised_text": "Sanitised text",
    "status": "Status",
    "review_action": "Action",
    "review_note": "Note",
}
_REPORT_CHOICES: dict[str, dict[str, str]] = {
    "source_evaluation": dict(SourceEvaluation.choices),
    "intelligence_assessment": dict(IntelligenceAssessment.choices),
    "handling_code": dict(HandlingCode.choices),
    "security_marking": dict(SecurityMarking.choices),
    "priority": dict(Priority.choices),
    "status": dict(ReportStatus.choices),
    "review_action": dict(ReviewAction.choices),
}


def _report_words(name: str, value: Any) -> str:
    if value in (None, "", []):
        return BLANK
    if name in _REPORT_CHOICES:
        return str(_REPORT_CHOICES[name].get(value, value))
    if name == "permitted_teams":
        return ", ".join(Team.objects.filter(pk__in=value).values_list("name", flat=True))
    if name == "permitted_agencies":
        return ", ".join(Agency.objects.filter(pk__in=value).values_list("name", flat=True))
    if isinstance(value, str) and value.startswith("<"):  # free text, as _text_summary
        return value.strip("<>")
    return plain_words(value)


REPORT_VERSIONING = Versioning(history=saves_after, labels=REPORT_FIELD_LABELS,
                               words=_report_words)


# --- Recording a graded report -------------------------------------------------------------


@dataclass(frozen=True)
class NewReport:
    source_text: str
    grading: Grading
    sanitised_text: str = ""
    occurred_on: dt.date | None = None


@transaction.atomic
def record_report(
    *, actor: User, report: NewReport, now: dt.datetime | None = None
) -> IntelligenceReport:
    """A graded intelligence report, owned by the recorder's team, awaiting review."""
    policy.require(actor, Action.INTELLIGENCE_RECORD)
    if actor.team_id is None:
        raise ServiceRefused("Only a member of a team can record intelligence: ask an "
                             "administrator to put you in your team")
    if not report.source_text.strip():
        raise ServiceRefused("Enter the intelligence as it was received",
                             field="source_text")
    now = now or timezone.now()
    if report.occurred_on and report.occurred_on > timezone.localdate(now):
        raise ServiceRefused("The date it happened must be today or in the past",
                             field="occurred_on")
    grading = check_grading(report.grading)
    record = IntelligenceReport(
        owning_team_id=actor.team_id,
        created_by=actor,
        received_at=now,
        occurred_on=report.occurred_on,
        source_text=report.source_text.strip(),
        sanitised_text=report.sanitised_text.strip(),
        status=ReportStatus.AWAITING_REVIEW,
    )
    _apply_grading(record, grading)
    _save_with_reference(record, "INT")
    record.permitted_teams.set(grading.permitted_team_ids)
    record.permitted_agencies.set(grading.permitted_agency_ids)
    record_event(event_type=EventType.CREATE, actor=actor, record=record,
                 detail={"changes": changed_values({}, _audited_values(record))})
    return record


# --- Review -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Review:
    grading: Grading
    sanitised_text: str
    action: str
    note: str = ""


def _check_sanitised(report: IntelligenceReport, text: str) -> str:
    text = text.strip()
    if not text:
        raise ServiceRefused(
            "Enter the sanitised text: what may be shared, with nothing that identifies the "
            "source", field="sanitised_text",
        )
    submission = Submission.objects.filter(report=report).select_related(
        "submitted_by").first()
    if submission is not None:
        submitter = submission.submitted_by
        names = [submitter.get_full_name(), submitter.username]
        if any(name and name.lower() in text.lower() for name in names):
            raise ServiceRefused(
                "The sanitised text names the person who submitted the information. "
                "Remove anything that identifies the source", field="sanitised_text",
            )
    return text


def _report_for_change(actor: User, report_pk: int, action: Action) -> IntelligenceReport:
    report = policy.get_or_404(
        actor, action, IntelligenceReport.objects.select_for_update(), pk=report_pk
    )
    if report.is_read_only:
        raise ServiceRefused(
            "Historic 5x5x5 reports are kept as they were recorded and cannot be changed"
        )
    return report


@transaction.atomic
def review_report(
    *,
    actor: User,
    report_pk: int,
    expected_version: int,
    review: Review,
    now: dt.datetime | None = None,
) -> IntelligenceReport:
    """Grade, sanitise and give an action to a report. Only the owning team reviews: the
    source text must be read to grade it and to sanitise it. The first review stops the
    clock that measures the time from receipt to review."""
    report = _report_for_change(actor, report_pk, Action.INTELLIGENCE_REVIEW)
    if not selectors.may_see_source(actor, report):
        raise PermissionDenied("Only the team that owns a report can review it")
    REPORT_VERSIONING.check(report, expected_version)
    grading = check_grading(review.grading)
    sanitised = _check_sanitised(report, review.sanitised_text)
    if review.action not in ReviewAction.values:
        raise ServiceRefused(
            _unknown(review.action, "review action", ReviewAction), field="action"
        )
    if review.action in (ReviewAction.TASK, ReviewAction.DEVELOP) and not review.note.strip():
        raise ServiceRefused("Say who is tasked, or what is to be developed",
                             field="note")
    before = _audited_values(report)
    now = now or timezone.now()
    _apply_grading(report, grading)
    report.sanitised_text = sanitised
    report.review_action = review.action
    report.review_note = review.note.strip()
    first_review = report.status == ReportStatus.AWAITING_REVIEW
    if first_review:
        report.status = ReportStatus.REVIEWED
        report.reviewed_by = actor
        report.reviewed_at = max(now, report.received_at)
    REPORT_VERSIONING.save(report, expected_version=expected_version)
    report.permitted_teams.set(grading.permitted_team_ids)
    report.permitted_agencies.set(grading.permitted_agency_ids)
    detail: dict[str, Any] = {
        "changes": changed_values(before, _audited_values(report)),
        "version": report.version,
    }
    if first_review and report.time_to_review is not None:
        detail["first_review"] = True
        detail["hours_to_review"] = round(report.time_to_review.total_seconds() / 3600, 2)
    record_event(event_type=EventType.CHANGE, actor=actor, record=report, detail=detail)
    return report


# --- Entities and links -------------------------------------------------------------------


@dataclass(frozen=True)
class NewLocation:
    description: str
    address: str = ""
    postcode: str = ""
    area_code: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None


@dataclass(frozen=True)
class NewVehicle:
    registration: str


@dataclass(frozen=True)
class NewPhone:
    number: str


@dataclass(frozen=True)
class NewAccount:
    platform: str
    handle: str


@dataclass(frozen=True)
class NewPremises:
    name: str
    kind: str
    licence_reference: str = ""
    address: str = ""
    postcode: str = ""


NewEntity = NewLocation | NewVehicle | NewPhone | NewAccount | NewPremises
KIND_OF_NEW: dict[type[Any], str] = {
    NewLocation: EntityKind.LOCATION, NewVehicle: EntityKind.VEHICLE,
    NewPhone: EntityKind.PHONE, NewAccount: EntityKind.ACCOUNT,
    NewPremises: EntityKind.PREMISES,
}


@dataclass(frozen=True)
class LinkRequest:
    """Link a report to one entity: an existing record (``existing_pk``), a new or
    natural-keyed one (``new``), or for people a new person record (``new_person``)."""

    kind: str
    role: str
    description: str = ""
    existing_pk: int | None = None
    new: NewEntity | None = None
    new_person: PersonDetails | None = None
    # A new person's nickname or street name: recorded as their alias, and all that
    # names them when their real name is not known.
    new_person_street_name: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _refuse_invalid(error: ValidationError, field_name: str) -> ServiceRefused:
    return ServiceRefused(" ".join(error.messages), field=field_name)


def _postcode(value: str) -> str:
    if not value.strip():
        return ""
    try:
        return normalise_postcode(value)
    except ValidationError as error:
        raise _refuse_invalid(error, "postcode") from error


def _new_location(new: NewLocation) -> tuple[Location, bool]:
    if not new.description.strip():
        raise ServiceRefused("Describe the location, like 'Car park behind the Co-op'",
                             field="description")
    area = None
    if new.area_code.strip():
        area = Area.objects.filter(code=new.area_code.strip().upper()).first()
        if area is None:
            raise ServiceRefused("There is no area with this code", field="area_code")
    for value, name, limit in ((new.latitude, "latitude", 90), (new.longitude, "longitude", 180)):
        if value is not None and not -limit <= value <= limit:
            raise ServiceRefused(f"The {name} must be between -{limit} and {limit}",
                                 field=name)
    location = Location(
        description=new.description.strip(), address=new.address.strip(),
        postcode=_postcode(new.postcode), area=area,
        latitude=new.latitude, longitude=new.longitude,
    )
    location.save()
    return location, True


def _new_vehicle(new: NewVehicle) -> tuple[Vehicle, bool]:
    try:
        registration = normalise_registration(new.registration)
    except ValidationError as error:
        raise _refuse_invalid(error, "registration") from error
    return Vehicle.objects.get_or_create(registration=registration)


def _new_phone(new: NewPhone) -> tuple[PhoneNumber, bool]:
    try:
        number = normalise_phone(new.number)
    except ValidationError as error:
        raise _refuse_invalid(error, "number") from error
    return PhoneNumber.objects.get_or_create(number=number)


def _new_account(new: NewAccount) -> tuple[OnlineAccount, bool]:
    if new.platform not in AccountPlatform.values:
        raise ServiceRefused("Select the platform", field="platform")
    try:
        handle = normalise_handle(new.handle)
    except ValidationError as error:
        raise _refuse_invalid(error, "handle") from error
    return OnlineAccount.objects.get_or_create(platform=new.platform, handle=handle)


def _new_premises(new: NewPremises) -> tuple[Premises, bool]:
    if not new.name.strip():
        raise ServiceRefused("Enter the name of the premises or business", field="name")
    if new.kind not in PremisesKind.values:
        raise ServiceRefused("Select the kind of premises", field="premises_kind")
    location = None
    if new.address.strip() or new.postcode.strip():
        location = Location(description=new.name.strip(), address=new.address.strip(),
                            postcode=_postcode(new.postcode))
        location.save()
    premises = Premises(name=new.name.strip(), kind=new.kind, location=location,
                        licence_reference=new.licence_reference.strip())
    premises.save()
    return premises, True


def _find_or_create(new: NewEntity) -> tuple[Model, bool]:
    if isinstance(new, NewLocation):
        return _new_location(new)
    if isinstance(new, NewVehicle):
        return _new_vehicle(new)
    if isinstance(new, NewPhone):
        return _new_phone(new)
    if isinstance(new, NewAccount):
        return _new_account(new)
    return _new_premises(new)


NOT_FOUND_CHOICE = (
    "The record you chose was not found, or you may not see it. Search again and choose "
    "from the results"
)


def _existing(actor: User, kind: str, pk: int) -> Model:
    """An existing record to link to, if the user may see it: nothing is said about
    records they may not."""
    queryset: Any
    if kind == EntityKind.PERSON:
        queryset = people_for(actor)
    else:
        queryset = selectors.entities_for(actor, selectors.ENTITY_MODELS[kind])
    record = queryset.filter(pk=pk).first()
    if record is None:
        raise ServiceRefused(NOT_FOUND_CHOICE, field="existing")
    return record


def _new_person(actor: User, details: PersonDetails, street_name: str) -> Model:
    """A person the report mentions: by their names, or by the nickname or street name
    they go by when their real name is not known (never "Unknown Unknown")."""
    street_name = street_name.strip()
    if len(street_name) > STREET_NAME_LENGTH:
        raise ServiceRefused(
            f"The nickname or street name must be {STREET_NAME_LENGTH} characters or fewer",
            field="nickname")
    given, family = details.given_name.strip(), details.family_name.strip()
    if not street_name:
        missing: dict[str, str] = {}
        if not given and not family:
            missing["given_name"] = ("Enter the person's name, or the nickname or street "
                                     "name they are known by")
        if given and not family:
            missing["family_name"] = ("Enter the person's last name, or leave both names "
                                      "blank and give their nickname or street name")
        if family and not given:
            missing["given_name"] = ("Enter the person's first name, or leave both names "
                                     "blank and give their nickname or street name")
        if missing:
            raise ServiceRefused(missing)
    return create_person(
        actor=actor, details=details,
        alias=(street_name, "") if street_name else None, alias_kind=AliasKind.NICKNAME,
    )


@transaction.atomic
def link_entity(*, actor: User, report_pk: int, request: LinkRequest) -> ReportLink:
    """Link a report to a person, place, vehicle, phone, account or premises, with the
    role it plays there and how the report describes it. A vehicle, phone or account is
    found by its normalised key, so the same one typed another way is the same record;
    finding one changes nothing on it (what this report says stays on the link)."""
    report = _report_for_change(actor, report_pk, Action.INTELLIGENCE_LINK)
    kind = request.kind
    if kind not in EntityKind.values:
        raise ServiceRefused("Select what the report mentions", field="kind")
    if request.role not in [role.value for role in ROLES_BY_KIND[kind]]:
        raise ServiceRefused("Select the role it plays in the report", field="role")
    created = False
    entity: Model
    if request.existing_pk is not None:
        entity = _existing(actor, kind, request.existing_pk)
    elif kind == EntityKind.PERSON:
        if request.new_person is None:
            raise ServiceRefused("Choose a person, or record a new one", field="existing")
        entity = _new_person(actor, request.new_person, request.new_person_street_name)
        created = True
    else:
        if request.new is None or KIND_OF_NEW[type(request.new)] != kind:
            raise ServiceRefused("Choose a record, or describe a new one",
                                 field="existing")
        entity, created = _find_or_create(request.new)
        if created:
            record_event(event_type=EventType.CREATE, actor=actor, record=entity,
                         detail={"for_report": report.reference})
    if ReportLink.objects.filter(report=report, role=request.role, **{kind: entity}).exists():
        raise ServiceRefused("The report already links this record in this role",
                             field="role")
    link = ReportLink.objects.create(report=report, role=request.role,
                                     description=request.description.strip()[:300],
                                     **{kind: entity})
    record_event(
        event_type=EventType.CREATE, actor=actor, record=link,
        detail={"report": report.reference, "kind": kind, "entity_id": entity.pk,
                "role": request.role, "entity_created": created,
                "description": _text_summary(request.description.strip())},
    )
    return link


@transaction.atomic
def remove_link(*, actor: User, report_pk: int, link_pk: int) -> None:
    report = _report_for_change(actor, report_pk, Action.INTELLIGENCE_LINK)
    link = ReportLink.objects.filter(report=report, pk=link_pk).first()
    if link is None:
        raise Http404("No such record")
    detail = {"report": report.reference, "kind": link.kind,
              "entity_id": getattr(link, f"{link.kind}_id"), "role": link.role}
    link_id = link.pk
    link.delete()
    record_event(event_type=EventType.DELETE, actor=actor,
                 record_type="intelligence.reportlink", record_id=link_id, detail=detail)


# --- Dissemination ------------------------------------------------------------------------


@transaction.atomic
def disseminate_report(
    *,
    actor: User,
    report_pk: int,
    to_agency_pk: int,
    lawful_basis: str,
    now: dt.datetime | None = None,
) -> Dissemination:
    """Share a reviewed report's sanitised text with one partner agency (see
    ``disseminate_to_agencies``)."""
    return disseminate_to_agencies(actor=actor, report_pk=report_pk,
                                   to_agency_pks=(to_agency_pk,), lawful_basis=lawful_basis,
                                   now=now)[0]


@transaction.atomic
def disseminate_to_agencies(
    *,
    actor: User,
    report_pk: int,
    to_agency_pks: tuple[int, ...] | list[int],
    lawful_basis: str,
    now: dt.datetime | None = None,
) -> list[Dissemination]:
    """Share a reviewed report's sanitised text with one or more partner agencies: one
    dissemination each, recording what was shared, under which handling code and
    conditions, and on what lawful basis. A report with handling code C goes only to
    agencies its conditions name. All or nothing: if one agency may not have it, none is
    shared with."""
    report = _report_for_change(actor, report_pk, Action.INTELLIGENCE_DISSEMINATE)
    if report.status != ReportStatus.REVIEWED or not report.sanitised_text.strip():
        raise ServiceRefused(
            "Review and sanitise the report before sharing it", field="to_agency"
        )
    wanted = list(dict.fromkeys(to_agency_pks))
    if not wanted:
        raise ServiceRefused("Choose the agencies to share it with", field="to_agency")
    agencies = {agency.pk: agency for agency in Agency.objects.filter(pk__in=wanted,
                                                                       is_active=True)}
    if len(agencies) != len(wanted):
        raise ServiceRefused("Choose the agencies to share it with from the list",
                             field="to_agency")
    if lawful_basis not in LawfulBasis.values:
        raise ServiceRefused("Select the lawful basis for sharing",
                             field="lawful_basis")
    if report.handling_code == HandlingCode.CONDITIONS:
        named = set(report.permitted_agencies.values_list("pk", flat=True))
        refused = [agencies[pk].name for pk in wanted if pk not in named]
        if refused:
            raise ServiceRefused(
                f"The handling conditions of this report do not name {and_list(refused)}. Share "
                "it only with agencies its conditions name, or change its handling at review",
                field="to_agency",
            )
    shared_at = now or timezone.now()
    shared = []
    for pk in wanted:
        agency = agencies[pk]
        dissemination = Dissemination.objects.create(
            report=report,
            to_agency=agency,
            shared_text=report.sanitised_text,
            handling_code=report.handling_code,
            handling_conditions=report.handling_conditions,
            lawful_basis=lawful_basis,
            shared_by=actor,
            shared_at=shared_at,
        )
        record_event(
            event_type=EventType.CREATE, actor=actor, record=dissemination,
            detail={"report": report.reference, "to_agency": agency.pk,
                    "handling_code": report.handling_code, "lawful_basis": lawful_basis,
                    "shared_text": _text_summary(report.sanitised_text)},
        )
        shared.append(dissemination)
    return shared


def and_list(names: list[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
