"""Times the child went missing: the return, the police report and the return home
interview. An episode is the child's, recorded from their record or from a case, and
audited against both."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.audit.services import changed_values, record_event
from macehub.cases.codes import CaseStatus, InterviewOfferer, InterviewResponse, PoliceRiskGrade
from macehub.cases.models import Case, MissingEpisode
from macehub.cases.selectors import visible_episodes
from macehub.cases.services.checks import _audit_case, _case_for_change, _not_in_future, _raise_if
from macehub.people.identifiers import normalise_postcode
from macehub.people.models import Person
from macehub.people.postcodes import fill_coordinates


@dataclass(frozen=True)
class ReturnInterview:
    """What is known of the return home interview: its offer (when, by whom, whether by
    an independent person), the child's answer, and, if held, when and what came of it."""

    offered_at: dt.datetime | None = None
    offered_by: str = ""
    offered_by_agency: str = ""
    offerer: str = ""
    response: str = ""
    held_at: dt.datetime | None = None
    outcome: str = ""


def _check_episode_times(
    errors: dict[str, str],
    went_missing_at: dt.datetime | None,
    returned_at: dt.datetime | None,
    interview: ReturnInterview,
) -> None:
    if went_missing_at is None:
        errors["went_missing_at"] = "Enter the date and time the child went missing"
    _not_in_future(errors, "went_missing_at", went_missing_at,
                   "The date and time the child went missing must be in the past")
    _not_in_future(errors, "returned_at", returned_at,
                   "The date and time the child returned must be in the past")
    _not_in_future(errors, "interview_offered_at", interview.offered_at,
                   "The date and time the interview was offered must be in the past")
    _not_in_future(errors, "return_interview_at", interview.held_at,
                   "The date and time of the return home interview must be in the past")
    if (went_missing_at and returned_at and "returned_at" not in errors
            and returned_at < went_missing_at):
        errors["returned_at"] = (
            "The date and time the child returned must be after they went missing"
        )
    offered_at = interview.offered_at
    if offered_at and "interview_offered_at" not in errors:
        if returned_at is None:
            errors["interview_offered_at"] = (
                "Enter when the child returned before recording the offer of an interview"
            )
        elif offered_at < returned_at:
            errors["interview_offered_at"] = (
                "The interview must be offered after the child returned"
            )
    if offered_at is None:
        said_more = interview.offered_by.strip() or interview.offerer or interview.response
        if said_more and "interview_offered_at" not in errors:
            errors["interview_offered_at"] = (
                "Enter when the interview was offered, to record who offered it and the "
                "child's answer"
            )
    else:
        if not interview.offered_by.strip():
            errors["interview_offered_by"] = "Enter the name of the person who offered it"
        if interview.offerer not in InterviewOfferer.values:
            errors["interview_offerer"] = "Select whether they were independent"
    if interview.response and interview.response not in InterviewResponse.values:
        errors["interview_response"] = "Select whether the child accepted or declined"
    held_at = interview.held_at
    if held_at and "return_interview_at" not in errors:
        if interview.response != InterviewResponse.ACCEPTED:
            errors["return_interview_at"] = (
                "Record that the child accepted the interview before recording it as held"
                if interview.response != InterviewResponse.DECLINED
                else "The child declined the interview: it cannot be recorded as held"
            )
        elif offered_at is not None and held_at < offered_at:
            errors["return_interview_at"] = (
                "The return home interview must be after it was offered"
            )
    if interview.outcome.strip() and held_at is None and "return_interview_at" not in errors:
        errors["return_interview_at"] = "Enter when the interview was held to record its outcome"


def _episode_values(episode: MissingEpisode) -> dict[str, Any]:
    def iso(value: dt.datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "child": episode.child_id,
        "case": episode.case_id,
        "went_missing_at": iso(episode.went_missing_at),
        "returned_at": iso(episode.returned_at),
        "interview_offered_at": iso(episode.interview_offered_at),
        "interview_offered_by": episode.interview_offered_by,
        "interview_offered_by_agency": episode.interview_offered_by_agency,
        "interview_offerer": episode.interview_offerer,
        "interview_response": episode.interview_response,
        "return_interview_at": iso(episode.return_interview_at),
        "interview_outcome": episode.interview_outcome,
        "notes": episode.notes,
        "police_reference": episode.police_reference,
        "police_risk_grade": episode.police_risk_grade,
        "missing_from_postcode": episode.missing_from_postcode,
        "found_postcode": episode.found_postcode,
    }


@dataclass(frozen=True)
class PoliceReport:
    """The police missing person report: its reference and the police risk grade
    (``PoliceRiskGrade``; blank when not known)."""

    reference: str = ""
    risk_grade: str = ""


@dataclass(frozen=True)
class EpisodePlaces:
    """Where the child went missing from and where they were found: a postcode each,
    optional. Each is placed on the grid from the postcode directory."""

    missing_from_postcode: str = ""
    found_postcode: str = ""


def _check_places(errors: dict[str, str], places: EpisodePlaces) -> dict[str, str]:
    """The postcodes in their standard form; a postcode that is not one is an error."""
    checked: dict[str, str] = {}
    for name in ("missing_from_postcode", "found_postcode"):
        value = getattr(places, name).strip()
        if not value:
            checked[name] = ""
            continue
        try:
            checked[name] = normalise_postcode(value)
        except ValidationError as error:
            errors[name] = " ".join(error.messages)
    return checked


def _apply_places(episode: MissingEpisode, postcodes: dict[str, str]) -> None:
    for prefix in ("missing_from_", "found_"):
        postcode = postcodes.get(f"{prefix}postcode", "")
        if postcode != getattr(episode, f"{prefix}postcode"):
            setattr(episode, f"{prefix}postcode", postcode)
            # Its old place belongs to the old postcode.
            setattr(episode, f"{prefix}easting", None)
            setattr(episode, f"{prefix}northing", None)
            setattr(episode, f"{prefix}source", "")
        fill_coordinates(episode, prefix=prefix, postcode_field=f"{prefix}postcode",
                         source_field=f"{prefix}source")


def _check_police_report(errors: dict[str, str], report: PoliceReport) -> None:
    if report.risk_grade and report.risk_grade not in PoliceRiskGrade.values:
        errors["police_risk_grade"] = "Select the police risk grade, or not known"
    if len(report.reference.strip()) > 50:
        errors["police_reference"] = "The police reference must be 50 characters or fewer"


def _apply_episode(episode: MissingEpisode, went_missing_at: dt.datetime,
                   returned_at: dt.datetime | None, interview: ReturnInterview,
                   notes: str, police: PoliceReport) -> None:
    episode.police_reference = police.reference.strip()
    episode.police_risk_grade = police.risk_grade
    episode.went_missing_at = went_missing_at
    episode.returned_at = returned_at
    episode.interview_offered_at = interview.offered_at
    episode.interview_offered_by = interview.offered_by.strip()[:200]
    episode.interview_offered_by_agency = interview.offered_by_agency.strip()[:200]
    episode.interview_offerer = interview.offerer if interview.offered_at else ""
    episode.interview_response = interview.response
    episode.return_interview_at = interview.held_at
    episode.interview_outcome = interview.outcome.strip()
    episode.notes = (notes or "").strip()


def _audit_episode(actor: User, episode: MissingEpisode, detail: dict[str, Any]) -> None:
    """An episode is the child's: the change is audited against the child, and against
    the case it was recorded with, if any (so each record's history shows it)."""
    record_event(event_type=EventType.CHANGE, actor=actor, record=episode.child,
                 detail={"missing_episode": episode.pk, **detail})
    if episode.case is not None:
        _audit_case(actor, episode.case, EventType.CHANGE,
                    {"missing_episode": episode.pk, **detail})


def _child_for_episode(actor: User, child_pk: int) -> Person:
    """The child, locked: 404 if the actor may not know them, 403 if they may see them
    but not record missing episodes."""
    return policy.get_or_404(actor, Action.MISSING_EPISODE_RECORD,
                             Person.objects.select_for_update(), pk=child_pk)


@transaction.atomic
def record_missing_episode(
    *,
    actor: User,
    went_missing_at: dt.datetime | None,
    child_pk: int | None = None,
    case_pk: int | None = None,
    returned_at: dt.datetime | None = None,
    interview: ReturnInterview | None = None,
    notes: str = "",
    police: PoliceReport | None = None,
    places: EpisodePlaces | None = None,
) -> MissingEpisode:
    """Record a time the child went missing (and, if known, their return and the return
    home interview, to be offered within ``RETURN_INTERVIEW_HOURS`` of the return).

    From the child's record (``child_pk``), with or without a case: the episode is linked
    to the child's open case, if they have one, for context. From a case (``case_pk``):
    linked to that case."""
    interview = interview or ReturnInterview()
    if case_pk is not None:
        case: Case | None = _case_for_change(actor, Action.CASE_RECORD_WORK, case_pk)
        child = cast(Case, case).child
    elif child_pk is not None:
        child = _child_for_episode(actor, child_pk)
        case = Case.objects.filter(child=child, status=CaseStatus.OPEN).first()
    else:
        raise ValueError("Name the child or the case")
    errors: dict[str, str] = {}
    _check_episode_times(errors, went_missing_at, returned_at, interview)
    police = police or PoliceReport()
    _check_police_report(errors, police)
    postcodes = _check_places(errors, places or EpisodePlaces())
    still_missing = MissingEpisode.objects.filter(
        child=child, returned_at__isnull=True
    ).first()
    if still_missing is not None and "went_missing_at" not in errors:
        errors["went_missing_at"] = (
            "The child is already recorded as missing since "
            f"{timezone.localtime(still_missing.went_missing_at):%d/%m/%Y %H:%M}: "
            "record their return first"
        )
    _raise_if(errors)
    episode = MissingEpisode(child=child, case=case, recorded_by=actor)
    _apply_episode(episode, cast(dt.datetime, went_missing_at), returned_at, interview, notes,
                   police)
    _apply_places(episode, postcodes)
    episode.save()
    _audit_episode(actor, episode, {
        "added": True, "changes": changed_values({}, _episode_values(episode)),
    })
    return episode


@transaction.atomic
def update_missing_episode(
    *,
    actor: User,
    episode_pk: int,
    went_missing_at: dt.datetime | None,
    returned_at: dt.datetime | None,
    interview: ReturnInterview | None = None,
    notes: str = "",
    via_case_pk: int | None = None,
    police: PoliceReport | None = None,
    places: EpisodePlaces | None = None,
) -> MissingEpisode:
    """Record the child's return and the return home interview (offer, answer, held,
    outcome), or correct the times. Through the child's record, or through a case of the
    child (``via_case_pk``), whose access rule then applies."""
    interview = interview or ReturnInterview()
    found = MissingEpisode.objects.filter(pk=episode_pk).values_list("child_id", flat=True)
    child_id = found.first()
    if child_id is None:
        raise Http404("No such record")
    if via_case_pk is not None:
        via = _case_for_change(actor, Action.CASE_RECORD_WORK, via_case_pk)
        if via.child_id != child_id:
            raise Http404("No such record")
    else:
        _child_for_episode(actor, child_id)
    if not visible_episodes(actor, child_id, opened_case_pk=via_case_pk).filter(
            pk=episode_pk).exists():
        raise Http404("No such record")
    episode = MissingEpisode.objects.select_for_update(of=("self",)).select_related(
        "child", "case").get(pk=episode_pk)
    errors: dict[str, str] = {}
    _check_episode_times(errors, went_missing_at, returned_at, interview)
    # Left out, the police report stays as recorded (callers that do not ask about it).
    police = police or PoliceReport(episode.police_reference, episode.police_risk_grade)
    _check_police_report(errors, police)
    # Left out, the places stay as recorded too.
    places = places or EpisodePlaces(episode.missing_from_postcode, episode.found_postcode)
    postcodes = _check_places(errors, places)
    _raise_if(errors)
    before = _episode_values(episode)
    _apply_episode(episode, cast(dt.datetime, went_missing_at), returned_at, interview, notes,
                   police)
    _apply_places(episode, postcodes)
    changes = changed_values(before, _episode_values(episode))
    if not changes:
        return episode
    episode.save()
    _audit_episode(actor, episode, {"changes": changes})
    return episode
