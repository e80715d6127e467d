"""The one way to change the inspection tracker. Each service is keyword-only with the
acting user first; in one transaction it fetches and locks the record through the access
policy, validates, checks the version the user saw (where the page carried one), writes
and records the audit event.

The rule the tracker exists for lives here: **nothing is closed without evidence**. The
force may mark a recommendation *completed* only when every action on it is done or
dropped and at least one is done; *evidenced* only when it could be completed and there
is evidence to show: an action's evidence text, or a live measure linked to it."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accountability.codes import (
    CLOSED_STATUSES,
    ActionStatus,
    Assessment,
    FindingKind,
    ForceStatus,
    InspectingBody,
    Theme,
)
from macehub.accountability.models import (
    AssessmentChange,
    ImprovementAction,
    Inspection,
    Recommendation,
    RecommendationMetric,
    StatusChange,
)
from macehub.accounts.models import Agency, User
from macehub.audit.events import EventType
from macehub.audit.history import saves_after
from macehub.audit.services import changed_values, record_event
from macehub.core.metrics import UnknownMetric, get_metric
from macehub.core.service_errors import ServiceRefused
from macehub.core.submissions import refuse_if_already_submitted
from macehub.core.versioning import Versioning, plain_words

TITLE_LENGTH = Inspection._meta.get_field("title").max_length or 300
REFERENCE_LENGTH = Inspection._meta.get_field("reference").max_length or 100
ADDRESSED_TO_LENGTH = Recommendation._meta.get_field("addressed_to").max_length or 200

RECOMMENDATION_VERSIONING = Versioning(
    history=saves_after,
    labels={"status": "The force's status", "assessment": "The PCC's assessment"},
    words=lambda _name, value: plain_words(value))
ACTION_VERSIONING = Versioning(
    history=saves_after,
    labels={"status": "Status", "done_on": "Done on", "evidence": "Evidence"},
    words=lambda _name, value: plain_words(value))


def _lock_recommendation(actor: User, action: Action, recommendation_pk: int
                         ) -> Recommendation:
    return policy.get_or_404(
        actor, action, Recommendation.objects.select_for_update(of=("self",)),
        pk=recommendation_pk)


# --- inspections and their findings ----------------------------------------------------


@transaction.atomic
def record_inspection(*, actor: User, body: str, title: str, published_on: dt.date | None,
                      reference: str = "") -> Inspection:
    """Record an inspection the force answers to."""
    policy.require(actor, Action.INSPECTION_MANAGE)
    errors: dict[str, str] = {}
    title, reference = title.strip(), reference.strip()
    if body not in InspectingBody.values:
        errors["body"] = "Select the inspecting body"
    if not title:
        errors["title"] = "Enter the inspection's title"
    elif len(title) > TITLE_LENGTH:
        errors["title"] = f"The title must be {TITLE_LENGTH} characters or fewer"
    if published_on is None:
        errors["published_on"] = "Enter the date the report was published"
    elif published_on > timezone.localdate():
        errors["published_on"] = "The date the report was published must be today or in the past"
    if len(reference) > REFERENCE_LENGTH:
        errors["reference"] = f"The reference must be {REFERENCE_LENGTH} characters or fewer"
    if errors or published_on is None:
        raise ValidationError(errors)
    inspection = Inspection.objects.create(
        body=body, title=title, published_on=published_on, reference=reference,
        created_by=actor, created_at=timezone.now())
    record_event(event_type=EventType.CREATE, actor=actor, record=inspection, detail={
        "body": body, "title": title, "published_on": published_on.isoformat(),
        "reference": reference})
    return inspection


def finding_errors(inspection: Inspection, *, kind: str, number: int | None, text: str,
                   addressed_to: str, theme: str) -> dict[str, str]:
    """What is wrong with a recommendation or area for improvement (for a page or a
    file's row): empty when it may be added to the inspection."""
    errors: dict[str, str] = {}
    if kind not in FindingKind.values:
        errors["kind"] = "Select recommendation or area for improvement"
    if number is None or number < 1:
        errors["number"] = "Enter its number in the report, such as 3"
    elif kind in FindingKind.values and Recommendation.objects.filter(
            inspection=inspection, kind=kind, number=number).exists():
        errors["number"] = (f"This inspection already has {FindingKind(kind).label.lower()} "
                            f"{number}")
    if not text.strip():
        errors["text"] = "Enter what the report says"
    if len(addressed_to.strip()) > ADDRESSED_TO_LENGTH:
        errors["addressed_to"] = f"Whom it is addressed to must be {ADDRESSED_TO_LENGTH} " \
                                 f"characters or fewer"
    if theme not in Theme.values:
        errors["theme"] = "Select the theme"
    return errors


def _create_finding(actor: User | None, inspection: Inspection, *, kind: str, number: int,
                    text: str, addressed_to: str, theme: str) -> Recommendation:
    return Recommendation.objects.create(
        inspection=inspection, kind=kind, number=number, text=text.strip(),
        addressed_to=addressed_to.strip(), theme=theme, created_at=timezone.now())


@transaction.atomic
def add_recommendation(*, actor: User, inspection_pk: int, kind: str, number: int | None,
                       text: str, addressed_to: str, theme: str) -> Recommendation:
    """Add a recommendation or an area for improvement to an inspection."""
    inspection = policy.get_or_404(actor, Action.INSPECTION_MANAGE,
                                   Inspection.objects.select_for_update(), pk=inspection_pk)
    refuse_if_already_submitted()  # not refused for the number its first sending took
    errors = finding_errors(inspection, kind=kind, number=number, text=text,
                            addressed_to=addressed_to, theme=theme)
    if errors or number is None:
        raise ValidationError(errors)
    found = _create_finding(actor, inspection, kind=kind, number=number, text=text,
                            addressed_to=addressed_to, theme=theme)
    record_event(event_type=EventType.CREATE, actor=actor, record=found, detail={
        "inspection": inspection.pk, "kind": kind, "number": number, "theme": theme,
        "addressed_to": found.addressed_to})
    return found


# --- actions ---------------------------------------------------------------------------


@transaction.atomic
def add_action(*, actor: User, recommendation_pk: int, description: str,
               owner_pk: int | None, agency_pk: int | None, due_on: dt.date | None
               ) -> ImprovementAction:
    """Give a recommendation an action: what, who owns it (a member of staff who can
    sign in), for which agency (the owner's, unless another is named) and by when."""
    recommendation = _lock_recommendation(actor, Action.INSPECTION_MANAGE, recommendation_pk)
    errors: dict[str, str] = {}
    description = description.strip()
    if not description:
        errors["description"] = "Enter what is to be done"
    owner = User.objects.filter(pk=owner_pk, is_active=True).select_related(
        "agency").first() if owner_pk else None
    if owner is None:
        errors["owner"] = "Select who owns the action"
    agency = Agency.objects.filter(pk=agency_pk).first() if agency_pk else (
        owner.agency if owner else None)
    if agency is None and "owner" not in errors:
        errors["agency"] = "Select the agency that will do it"
    if due_on is None:
        errors["due_on"] = "Enter the date it is due"
    if errors or owner is None or agency is None or due_on is None:
        raise ValidationError(errors)
    action = ImprovementAction.objects.create(
        recommendation=recommendation, description=description, owner=owner,
        agency=agency, due_on=due_on, created_by=actor, created_at=timezone.now())
    record_event(event_type=EventType.CREATE, actor=actor, record=action, detail={
        "recommendation": recommendation.pk, "owner": owner.pk, "agency": agency.pk,
        "due_on": due_on.isoformat()})
    return action


@transaction.atomic
def update_action(*, actor: User, action_pk: int, expected_version: int, status: str,
                  done_on: dt.date | None, evidence: str) -> ImprovementAction:
    """The owner records where their action stands: still open, done (on a day, with the
    evidence that it was) or dropped (on a day, saying why in the evidence)."""
    action = policy.get_or_404(
        actor, Action.IMPROVEMENT_ACTION_UPDATE,
        ImprovementAction.objects.select_for_update(of=("self",)), pk=action_pk)
    ACTION_VERSIONING.check(action, expected_version)
    errors: dict[str, str] = {}
    evidence = evidence.strip()
    if status not in ActionStatus.values:
        errors["status"] = "Select where the action stands"
    elif status == ActionStatus.OPEN:
        done_on = None
    elif done_on is None:
        errors["done_on"] = f"Enter the date it was {ActionStatus(status).label.lower()}"
    elif done_on > timezone.localdate():
        errors["done_on"] = "The date must be today or in the past"
    if status == ActionStatus.DROPPED and not evidence:
        errors["evidence"] = "Say why the action was dropped"
    if errors:
        raise ValidationError(errors)
    before = {"status": action.status, "done_on": plain_words(action.done_on),
              "evidence": action.evidence}
    action.status, action.done_on, action.evidence = status, done_on, evidence
    ACTION_VERSIONING.save(action, expected_version=expected_version)
    record_event(event_type=EventType.CHANGE, actor=actor, record=action, detail={
        "changes": changed_values(before, {"status": status, "done_on": plain_words(done_on),
                                           "evidence": evidence}),
        "version": action.version})
    return action


# --- evidence: live measures -----------------------------------------------------------


@transaction.atomic
def link_metric(*, actor: User, recommendation_pk: int, metric_code: str
                ) -> RecommendationMetric:
    """Link a live measure from the registry to a recommendation as evidence."""
    recommendation = _lock_recommendation(actor, Action.INSPECTION_MANAGE, recommendation_pk)
    try:
        get_metric(metric_code)
    except UnknownMetric as error:
        raise ServiceRefused("Select a measure", field="metric_code") from error
    if recommendation.metric_links.filter(metric_code=metric_code).exists():
        raise ServiceRefused("This measure is linked already", field="metric_code")
    link = RecommendationMetric.objects.create(
        recommendation=recommendation, metric_code=metric_code, linked_by=actor,
        linked_at=timezone.now())
    record_event(event_type=EventType.CHANGE, actor=actor, record=recommendation,
                 detail={"linked_metric": metric_code})
    return link


@transaction.atomic
def unlink_metric(*, actor: User, recommendation_pk: int, metric_code: str) -> None:
    """Take a linked measure off a recommendation. A closed recommendation keeps the
    evidence its status rests on: the last piece of it cannot be taken away."""
    recommendation = _lock_recommendation(actor, Action.INSPECTION_MANAGE, recommendation_pk)
    link = recommendation.metric_links.filter(metric_code=metric_code).first()
    if link is None:
        raise ServiceRefused("This measure is not linked", field="metric_code")
    if (recommendation.status == ForceStatus.EVIDENCED
            and not _action_evidence(recommendation)
            and recommendation.metric_links.count() == 1):
        raise ServiceRefused("This measure is the recommendation's only evidence and it is "
                             "marked evidenced: change its status first", field="metric_code")
    link.delete()
    record_event(event_type=EventType.CHANGE, actor=actor, record=recommendation,
                 detail={"unlinked_metric": metric_code})


# --- the force's status and the PCC's assessment ----------------------------------------


def _action_evidence(recommendation: Recommendation) -> bool:
    return recommendation.actions.exclude(evidence="").exists()


def closure_refusal(recommendation: Recommendation, status: str) -> str | None:
    """Why the recommendation may not be given this status (None: it may). Nothing is
    closed without evidence."""
    if status not in CLOSED_STATUSES:
        return None
    statuses = list(recommendation.actions.values_list("status", flat=True))
    if not statuses:
        return "It has no actions: record the actions taken before marking it completed"
    open_count = statuses.count(ActionStatus.OPEN)
    if open_count:
        return (f"{open_count} of its actions {'is' if open_count == 1 else 'are'} still "
                f"open: every action must be done or dropped before it is completed")
    if ActionStatus.DONE not in statuses:
        return "Every action was dropped: at least one must be done before it is completed"
    if status == ForceStatus.EVIDENCED and not (
            _action_evidence(recommendation) or recommendation.metric_links.exists()):
        return ("There is no evidence: add evidence to an action or link a measure before "
                "marking it evidenced")
    return None


@transaction.atomic
def set_status(*, actor: User, recommendation_pk: int, expected_version: int, status: str,
               commentary: str) -> Recommendation:
    """The force sets where a recommendation stands, with its commentary; kept as
    history. Completed and evidenced are refused without evidence."""
    recommendation = _lock_recommendation(actor, Action.INSPECTION_MANAGE, recommendation_pk)
    RECOMMENDATION_VERSIONING.check(recommendation, expected_version)
    errors: dict[str, str] = {}
    commentary = commentary.strip()
    if status not in ForceStatus.values:
        errors["status"] = "Select the status"
    elif status == recommendation.status:
        errors["status"] = f"It is {ForceStatus(status).label.lower()} already"
    else:
        refusal = closure_refusal(recommendation, status)
        if refusal:
            errors["status"] = refusal
    if not commentary:
        errors["commentary"] = "Enter the force's commentary on where it stands"
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    before = recommendation.status
    StatusChange.objects.create(recommendation=recommendation, changed_by=actor,
                                changed_at=now, from_status=before, to_status=status,
                                commentary=commentary)
    recommendation.status, recommendation.status_changed_at = status, now
    RECOMMENDATION_VERSIONING.save(recommendation, expected_version=expected_version)
    record_event(event_type=EventType.CHANGE, actor=actor, record=recommendation, detail={
        "changes": changed_values({"status": before}, {"status": status}),
        "commentary": commentary, "version": recommendation.version})
    return recommendation


@transaction.atomic
def assess(*, actor: User, recommendation_pk: int, expected_version: int, assessment: str,
           note: str) -> Recommendation:
    """The PCC's scrutiny officer writes a scrutiny note and the independent assessment
    it leaves (unchanged, for a note alone); kept as history."""
    recommendation = _lock_recommendation(actor, Action.RECOMMENDATION_ASSESS,
                                          recommendation_pk)
    RECOMMENDATION_VERSIONING.check(recommendation, expected_version)
    errors: dict[str, str] = {}
    note = note.strip()
    if assessment not in Assessment.values:
        errors["assessment"] = "Select the assessment"
    if not note:
        errors["note"] = "Enter the scrutiny note"
    if errors:
        raise ValidationError(errors)
    before = recommendation.assessment
    AssessmentChange.objects.create(recommendation=recommendation, assessed_by=actor,
                                    assessed_at=timezone.now(), from_assessment=before,
                                    to_assessment=assessment, note=note)
    recommendation.assessment = assessment
    RECOMMENDATION_VERSIONING.save(recommendation, expected_version=expected_version)
    record_event(event_type=EventType.CHANGE, actor=actor, record=recommendation, detail={
        "changes": changed_values({"assessment": before}, {"assessment": assessment}),
        "note": note, "version": recommendation.version})
    return recommendation
