"""Changing referrals: submitting one, and recording the triage decision. One transaction
each, audited with what changed.

A submission creates the child's record (only if no existing record was chosen), the
referral with its reference, its indicators, the screening as it was shown and the
decision clock, all or nothing. A triage decision carries the version the officer
started from; if someone else decided in between, it is refused
(``core.versioning.EditConflict``) and nothing is overwritten. A decision to open a MACE
case opens it in the same transaction, and the referrer is e-mailed once the decision
has been committed.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.audit.history import saves_after
from macehub.audit.services import changed_values, record_event
from macehub.cases.codes import (
    Brag,
    ExploitationType,
    RiskTier,
    exploitation_type_labels,
    short_label,
)
from macehub.cases.models import Case, Indicator
from macehub.cases.services import CaseAlreadyOpen, open_case, record_referral_joined
from macehub.core.references import save_with_reference
from macehub.core.service_errors import ServiceRefused
from macehub.core.versioning import BLANK, Versioning, plain_words
from macehub.people.identifiers import normalise_identifier
from macehub.people.models import Person, PersonAddress, PersonIdentifier
from macehub.people.services import PersonDetails
from macehub.referrals import selectors
from macehub.referrals.clocks import decision_clock, partner_check_clock
from macehub.referrals.codes import (
    CHILDRENS_SOCIAL_CARE_OUTCOMES,
    ConsentStatus,
    ExploitationModel,
    ImmediateStepKind,
    OnlinePlatform,
    PartnerCheckResult,
    ReferralStatus,
    TriageOutcome,
    YearGroup,
    source_for_agency_kind,
)
from macehub.referrals.models import (
    ImmediateStep,
    PartnerCheck,
    Referral,
    ReferralAddition,
    ReferralIndicator,
)
from macehub.referrals.rules import consent_problem, missing_episodes_problem, not_a_child
from macehub.referrals.screening import ScreenedIndicator, Screening, screen_referral

logger = logging.getLogger(__name__)



@dataclass(frozen=True)
class ChildAddress:
    """The child's address as far as the referrer knows it (any part may be blank)."""

    line_1: str = ""
    line_2: str = ""
    town: str = ""
    postcode: str = ""

    @property
    def is_complete(self) -> bool:
        """Enough for an address on the child's record."""
        return bool(self.line_1 and self.town and self.postcode)


@dataclass(frozen=True)
class ParentCarer:
    name: str = ""
    relationship: str = ""
    contact: str = ""
    aware: bool | None = None  # None: the referrer does not know


@dataclass(frozen=True)
class ReferralSubmission:
    """Everything a referrer tells the hub. The child is either an existing record the
    referrer chose (``child_pk``) or a new one (``new_child``)."""

    concerns: str
    exploitation_model: str
    # None wherever the referrer answered "I do not know".
    immediate_risk: bool | None
    disclosure: bool | None
    indicator_codes: tuple[str, ...] = ()
    exploitation_types: tuple[str, ...] = (ExploitationType.CSE.value,)
    sexual_activity: bool | None = False
    missing_episodes: int | None = 0
    online_platforms: tuple[str, ...] = ()
    child_pk: int | None = None
    new_child: PersonDetails | None = None
    # (kind, value) identifiers typed when looking for the child; kept on a new record.
    child_identifiers: tuple[tuple[str, str], ...] = ()
    child_address: ChildAddress = ChildAddress()
    school: str = ""
    year_group: str = ""
    parent_carer: ParentCarer = ParentCarer()
    # Blank only from callers that do not ask (the demo's older referrals).
    consent: str = ""
    consent_not_sought_reason: str = ""
    referrer_phone: str = ""


# --- Screening ----------------------------------------------------------------------------


def screening_for(
    *,
    child: Person,
    indicators: Sequence[Indicator],
    disclosure: bool | None,
    immediate_risk: bool | None,
    on: dt.date,
    missing_episodes: int | None = 0,
    sexual_activity: bool | None = False,
) -> Screening:
    """Screen a referral about this child. Of the child's record only the age on the day
    of the referral is read: ethnicity, nationality and religion cannot count. The
    missing episodes are the number the referrer gave. An answer the referrer did not
    know (None) adds nothing to the score: screening counts only what is known, and
    triage sees the answer as "Not known"."""
    return screen_referral(
        sexual_activity=bool(sexual_activity),
        indicators=[
            ScreenedIndicator(code=i.code, label=i.label, weight=i.weight) for i in indicators
        ],
        child_age=child.age_on(on),
        disclosure=bool(disclosure),
        immediate_risk=bool(immediate_risk),
        thresholds=settings.SCREENING_THRESHOLDS,
        missing_episodes=missing_episodes or 0,
    )


# --- Submitting ---------------------------------------------------------------------------


def _save_with_reference(referral: Referral) -> None:
    """Give the referral the year's next reference (REF-2026-000001)."""
    save_with_reference(referral, kind="REF",
                        year=timezone.localtime(referral.received_at).year)


def _indicators(codes: Sequence[str]) -> list[Indicator]:
    wanted = list(dict.fromkeys(code.strip() for code in codes))
    found = {i.code: i for i in Indicator.objects.filter(code__in=wanted, is_active=True)}
    unknown = [code for code in wanted if code not in found]
    if unknown:
        listed = ", ".join(repr(code) for code in unknown)
        raise ServiceRefused(
            f"{listed} {'is not an indicator' if len(unknown) == 1 else 'are not indicators'} "
            "in the hub's catalogue. Choose the indicators from the list.",
            field="indicators",
        )
    return [found[code] for code in wanted]


def _check_answers(submission: ReferralSubmission) -> None:
    if not submission.concerns.strip():
        raise ServiceRefused("Enter what happened and why you are worried", field="concern")
    check_exploitation_types(submission.exploitation_types, field="concern")
    if submission.exploitation_model not in ExploitationModel.values:
        raise ServiceRefused("Select the kind of exploitation, or 'Not known yet'",
                             field="concern")
    unknown_platforms = [p for p in submission.online_platforms if p not in OnlinePlatform.values]
    if unknown_platforms:
        raise ServiceRefused(
            f"{', '.join(map(repr, unknown_platforms))}: choose online platforms from the list",
            field="indicators",
        )
    problem = missing_episodes_problem(submission.missing_episodes)
    if problem:
        raise ServiceRefused(problem, field="indicators")
    if (submission.child_pk is None) == (submission.new_child is None):
        raise ServiceRefused("Choose the child, or tell us about a new child", field="child")
    if submission.year_group and submission.year_group not in YearGroup.values:
        raise ServiceRefused("Select the child's year group from the list",
                             field="home_and_school")
    if submission.consent and submission.consent not in ConsentStatus.values:
        raise ServiceRefused("Select whether you asked for consent", field="family")
    problem = consent_problem(submission.consent, submission.consent_not_sought_reason)
    if problem:
        raise ServiceRefused(problem, field="family")


def check_exploitation_types(types: Sequence[str], *, field: str = "") -> list[str]:
    """The types as stored: at least one, each from the code list, in its order."""
    unknown = [value for value in types if value not in ExploitationType.values]
    if unknown:
        raise ServiceRefused(
            f"{', '.join(map(repr, unknown))}: choose the type of exploitation from the list",
            field=field,
        )
    if not types:
        raise ServiceRefused("Select the type of exploitation", field=field)
    return [value for value in ExploitationType.values if value in set(types)]


def _new_child(actor: User, agency_id: int, details: PersonDetails, today: dt.date) -> Person:
    if details.date_of_birth and details.date_of_birth > today:
        raise ServiceRefused("The child's date of birth must be today or in the past",
                             field="new_child")
    child = Person(
        owning_agency_id=agency_id,
        created_by=actor,
        given_name=details.given_name,
        middle_names=details.middle_names,
        family_name=details.family_name,
        date_of_birth=details.date_of_birth,
        estimated_age=details.estimated_age,
        age_estimated_on=today if details.estimated_age is not None else None,
        sex=details.sex,
        self_defined_ethnicity=details.self_defined_ethnicity,
        officer_defined_ethnicity=details.officer_defined_ethnicity,
        nationality=details.nationality,
    )
    problem = not_a_child(child.age_on(today))
    if problem:
        raise ServiceRefused(problem, field="new_child")
    return child


@transaction.atomic
def submit_referral(
    *,
    actor: User,
    submission: ReferralSubmission,
    received_at: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    """Accept a referral: the child (new if no record was chosen), the referral, its
    indicators, the screening and the decision clock. All or nothing."""
    policy.require(actor, Action.REFERRAL_SUBMIT)
    if actor.agency_id is None or actor.agency is None:
        raise ServiceRefused("Only staff of a partner agency can refer a child")
    now = timezone.now()
    received_at = received_at or now
    if received_at > now:
        raise ServiceRefused("A referral cannot be received in the future")
    today = timezone.localdate(received_at)
    _check_answers(submission)
    indicators = _indicators(submission.indicator_codes)

    is_new_child = submission.new_child is not None
    if submission.new_child is not None:
        child = _new_child(actor, actor.agency_id, submission.new_child, today)
    elif submission.child_pk is not None:
        if not selectors.child_is_findable(actor, submission.child_pk):
            raise ServiceRefused("Find the child again: the record you chose is not available",
                                 field="child")
        child = Person.objects.get(pk=submission.child_pk)
    else:  # _check_answers has refused this already
        raise ServiceRefused("Choose the child, or tell us about a new child", field="child")

    screening = screening_for(child=child, indicators=indicators,
                              disclosure=submission.disclosure,
                              immediate_risk=submission.immediate_risk, on=today,
                              missing_episodes=submission.missing_episodes,
                              sexual_activity=submission.sexual_activity)
    check_clock = partner_check_clock(screening.brag)

    if is_new_child:
        try:
            identifiers = [
                PersonIdentifier(kind=kind, value=normalise_identifier(kind, value))
                for kind, value in dict(submission.child_identifiers).items()
            ]
        except ValidationError as error:
            raise ServiceRefused(" ".join(error.messages), field="child") from error
        child.save()
        for identifier in identifiers:
            identifier.person = child
        PersonIdentifier.objects.bulk_create(identifiers)
        address = submission.child_address
        new_address = None
        if address.is_complete:
            # A new child's record starts from what the referrer knows; an existing
            # child's address is the hub's to check, so it is kept on the referral only.
            new_address = PersonAddress.objects.create(
                person=child, line_1=address.line_1, line_2=address.line_2,
                town=address.town, postcode=address.postcode, is_current=True,
            )
        record_event(
            event_type=EventType.CREATE,
            actor=actor,
            record=child,
            purpose="Referral to the MACE hub",
            detail={
                "changes": changed_values({}, _person_values(child)),
                "identifiers": [[i.kind, i.value] for i in identifiers],
                "address": new_address.pk if new_address else None,
            },
            request=request,
        )

    referral = Referral(
        child=child,
        referrer=actor,
        referrer_agency_id=actor.agency_id,
        source=source_for_agency_kind(actor.agency.kind),
        received_at=received_at,
        concerns=submission.concerns.strip(),
        exploitation_types=check_exploitation_types(submission.exploitation_types),
        exploitation_model=submission.exploitation_model,
        immediate_risk=submission.immediate_risk,
        disclosure=submission.disclosure,
        sexual_activity=submission.sexual_activity,
        missing_episodes=submission.missing_episodes,
        online_platforms=list(dict.fromkeys(submission.online_platforms)),
        child_address_line_1=submission.child_address.line_1,
        child_address_line_2=submission.child_address.line_2,
        child_town=submission.child_address.town,
        child_postcode=submission.child_address.postcode,
        school=submission.school,
        year_group=submission.year_group,
        parent_carer_name=submission.parent_carer.name,
        parent_carer_relationship=submission.parent_carer.relationship,
        parent_carer_contact=submission.parent_carer.contact,
        parent_carer_aware=submission.parent_carer.aware,
        consent=submission.consent,
        consent_not_sought_reason=(submission.consent_not_sought_reason.strip()
                                   if submission.consent == ConsentStatus.NOT_SOUGHT else ""),
        referrer_phone=submission.referrer_phone,
        screening_score=screening.score,
        suggested_brag=screening.brag,
        suggested_tier=screening.tier_value,
        screening_reasons=screening.reasons_json(),
        decision_due_at=decision_clock().due_at(received_at),
        partner_check_brag=screening.brag,
        partner_checks_due_at=check_clock.due_at(received_at),
    )
    _save_with_reference(referral)
    ReferralIndicator.objects.bulk_create(
        ReferralIndicator(referral=referral, indicator=indicator) for indicator in indicators
    )
    record_event(
        event_type=EventType.CREATE,
        actor=actor,
        record=referral,
        detail={
            "reference": referral.reference,
            "child": child.pk,
            "new_child": is_new_child,
            "source": referral.source,
            "exploitation_types": referral.exploitation_types,
            "indicators": [i.code for i in indicators],
            "consent": referral.consent,
            "screening": {
                "score": screening.score,
                "brag": screening.brag.value,
                "tier": screening.tier_value,
            },
            "decision_clock": decision_clock().label,
            "decision_due_at": referral.decision_due_at,
            "partner_check_clock": check_clock.label,
            "partner_checks_due_at": referral.partner_checks_due_at,
        },
        request=request,
    )
    return referral


def _person_values(person: Person) -> dict[str, Any]:
    values: dict[str, Any] = {
        "given_name": person.given_name,
        "middle_names": person.middle_names,
        "family_name": person.family_name,
        "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else None,
        "estimated_age": person.estimated_age,
        "sex": person.sex,
        "self_defined_ethnicity": person.self_defined_ethnicity_id,
        "nationality": person.nationality,
    }
    return {name: value for name, value in values.items() if value not in (None, "")}


# --- Information added after sending -----------------------------------------------------

MAX_ADDITION_LENGTH = 10_000


@transaction.atomic
def add_referral_information(
    *,
    actor: User,
    referral_pk: int,
    text: str,
    request: HttpRequest | None = None,
) -> ReferralAddition:
    """Append what the referrer has learnt since sending their referral. Only the
    referrer, on their own referral; what was sent is never edited. Triage sees it on
    the referral, marked when it came after the decision."""
    referral = policy.get_or_404(
        actor, Action.REFERRAL_ADD_INFORMATION,
        Referral.objects.select_for_update(of=("self",)), pk=referral_pk,
    )
    text = text.strip()
    if not text:
        raise ServiceRefused("Enter the information you want to add", field="text")
    if len(text) > MAX_ADDITION_LENGTH:
        raise ServiceRefused("The information must be 10,000 characters or fewer",
                             field="text")
    addition = ReferralAddition.objects.create(
        referral=referral, text=text, added_by=actor, added_at=timezone.now(),
    )
    record_event(
        event_type=EventType.CHANGE,
        actor=actor,
        record=referral,
        purpose="Information added by the referrer",
        detail={
            "reference": referral.reference,
            "addition": addition.pk,
            "added_at": addition.added_at.isoformat(),
            "characters": len(text),
            "after_decision": referral.decided_at is not None,
        },
        request=request,
    )
    return addition


# --- Triage -------------------------------------------------------------------------------

DECISION_FIELDS = ("brag", "risk_tier", "override_reason", "outcome", "outcome_reason",
                   "decided_at", "decided_by", "status", "exploitation_types")


@dataclass(frozen=True)
class TriageDecision:
    brag: Brag | str
    risk_tier: RiskTier | str  # "" for no tier
    outcome: TriageOutcome | str
    outcome_reason: str
    decided_at: dt.datetime
    override_reason: str = ""
    # Triage may correct the types the referrer gave; None keeps them.
    exploitation_types: tuple[str, ...] | None = None


@dataclass(frozen=True)
class TriageResult:
    referral: Referral
    case: Case | None = None
    case_opened: bool = False
    case_was_already_open: bool = False


# What a versioned save of a referral records, as the triage page names it; the
# decider, the status and the pick-up time go with the fields they belong to.
REFERRAL_FIELD_LABELS = {
    "brag": "BRAG rating", "risk_tier": "Risk tier", "override_reason": "Reason for change",
    "outcome": "Outcome", "outcome_reason": "Reason for the outcome",
    "decided_at": "Decided at", "exploitation_types": "Type of exploitation",
    "picked_up_by": "Picked up by",
}


def _referral_words(name: str, value: Any) -> str:
    if value in (None, "", []):
        return BLANK
    if name == "brag" and value in Brag.values:
        return str(Brag(value).label)
    if name == "risk_tier" and value in RiskTier.values:
        return str(RiskTier(value).label)
    if name == "outcome" and value in TriageOutcome.values:
        return str(TriageOutcome(value).label)
    if name == "exploitation_types" and isinstance(value, list):
        return ", ".join(exploitation_type_labels(value)) or BLANK
    if name in ("decided_at", "due_at") and isinstance(value, str):
        moment = timezone.localtime(dt.datetime.fromisoformat(value))
        return f"{moment.day} {moment:%B %Y at %H:%M}"
    return plain_words(value)


REFERRAL_VERSIONING = Versioning(history=saves_after, labels=REFERRAL_FIELD_LABELS,
                                 words=_referral_words)
PARTNER_CHECK_VERSIONING = Versioning(
    history=saves_after, words=_referral_words,
    labels={"due_at": "Due", "brag": "Rating", "result": "Result", "summary": "Summary"},
)


def is_override(referral: Referral, brag: str, risk_tier: str) -> bool:
    return brag != referral.suggested_brag or risk_tier != referral.suggested_tier


def check_decision(referral: Referral, decision: TriageDecision, now: dt.datetime) -> dt.datetime:
    """Refuse a decision that breaks a rule (every broken rule at once, each keyed by the
    argument at fault); returns the decision time to store. The triage rules live here
    only: the decision form parses what was typed, and these decide.

    Times are entered to the minute, so a decision in the same minute as the referral
    arrived counts as at its arrival, not before it.
    """
    errors: dict[str, str] = {}
    brag, tier = str(decision.brag), str(decision.risk_tier)
    if brag not in Brag.values:
        errors["brag"] = "Select a BRAG rating"
    if tier and tier not in RiskTier.values:
        errors["risk_tier"] = "Select a risk tier, or 'No risk tier'"
    if str(decision.outcome) not in TriageOutcome.values:
        errors["outcome"] = "Select the outcome of triage"
    if not decision.outcome_reason.strip():
        errors["outcome_reason"] = "Enter the reason for the outcome"
    if ("brag" not in errors and "risk_tier" not in errors
            and is_override(referral, brag, tier) and not decision.override_reason.strip()):
        errors["override_reason"] = (
            f"Enter why you changed the suggestion ({_suggestion_words(referral)})")
    if decision.outcome == TriageOutcome.OPEN_MACE_CASE and not tier:
        errors.setdefault("risk_tier", "Select the risk tier the MACE case opens with")
    if decision.exploitation_types is not None:
        try:
            check_exploitation_types(decision.exploitation_types, field="exploitation_types")
        except ServiceRefused as refused:
            errors["exploitation_types"] = str(refused.message)
    decided_at = decision.decided_at
    if timezone.is_naive(decided_at):
        errors["decided_at"] = "Enter the date and time of the decision"
    elif decided_at > now:
        errors["decided_at"] = "The decision time must be now or in the past"
    elif decided_at < referral.received_at:
        if decided_at < referral.received_at.replace(second=0, microsecond=0):
            received = timezone.localtime(referral.received_at)
            errors["decided_at"] = (
                "The decision must be after the referral was received, on "
                f"{received.day} {received:%B %Y} at {received:%H:%M}")
        decided_at = referral.received_at
    if errors:
        raise ServiceRefused(errors)
    return decided_at


def _suggestion_words(referral: Referral) -> str:
    """The screening's suggestion as the override refusal names it: "rating Green, tier
    Low" (or "no tier")."""
    brag = (short_label(Brag(referral.suggested_brag)) if referral.suggested_brag in Brag.values
            else "none")
    tier = referral.suggested_tier
    return f"rating {brag}, " + (
        f"tier {short_label(RiskTier(tier))}" if tier in RiskTier.values else "no tier")


def _decision_values(referral: Referral) -> dict[str, Any]:
    return {
        "brag": referral.brag,
        "risk_tier": referral.risk_tier,
        "override_reason": referral.override_reason,
        "outcome": referral.outcome,
        "outcome_reason": referral.outcome_reason,
        "decided_at": referral.decided_at.isoformat() if referral.decided_at else None,
        "decided_by": referral.decided_by_id,
        "status": referral.status,
        "exploitation_types": list(referral.exploitation_types),
    }


@transaction.atomic
def record_triage_decision(
    *,
    actor: User,
    referral_pk: int,
    expected_version: int,
    decision: TriageDecision,
    request: HttpRequest | None = None,
) -> TriageResult:
    """Record (or change) the triage decision, unless someone else decided first."""
    referral = policy.get_or_404(
        actor, Action.REFERRAL_TRIAGE,
        Referral.objects.select_for_update(of=("self",)).select_related(
            "child", "case", "referrer_agency", "picked_up_by"),
        pk=referral_pk,
    )
    REFERRAL_VERSIONING.check(referral, expected_version)
    decided_at = check_decision(referral, decision, timezone.now())
    if actor.agency is None:
        raise ServiceRefused("Only staff of an agency can record a decision")
    if (decision.outcome in CHILDRENS_SOCIAL_CARE_OUTCOMES
            and not policy.can(actor, Action.REFERRAL_STATUTORY_OUTCOME, referral)):
        raise ServiceRefused(
            f"Only children's social care can record "
            f"'{TriageOutcome(decision.outcome).label}': it is the local authority's "
            "decision. Record the outcome your agency can, or ask a social care colleague "
            "in the hub.",
            field="outcome",
        )

    before = _decision_values(referral)
    referral.brag = Brag(decision.brag)
    referral.risk_tier = RiskTier(decision.risk_tier) if decision.risk_tier else ""
    referral.override_reason = (
        decision.override_reason.strip()
        if is_override(referral, referral.brag, referral.risk_tier) else ""
    )
    referral.outcome = TriageOutcome(decision.outcome)
    referral.outcome_reason = decision.outcome_reason.strip()
    referral.decided_at = decided_at
    referral.decided_by = actor
    referral.status = ReferralStatus.DECIDED
    if decision.exploitation_types is not None:
        referral.exploitation_types = check_exploitation_types(decision.exploitation_types)
    changes = changed_values(before, _decision_values(referral))
    if not changes:
        return TriageResult(referral=referral, case=referral.case)
    # A decided referral is nobody's to work on any more.
    pick_up_cleared = _pick_up_values(referral) if referral.picked_up_by_id else None
    referral.picked_up_by, referral.picked_up_at = None, None

    case, case_opened, already_open = referral.case, False, False
    if referral.outcome == TriageOutcome.OPEN_MACE_CASE and (
        case is None or case.status != "open"
    ):
        try:
            case = open_case(
                actor=actor,
                child=referral.child,
                risk_tier=referral.risk_tier,
                lead_agency=actor.agency,
                reason=referral.outcome_reason,
                referral_reference=referral.reference,
                exploitation_types=referral.exploitation_types,
            )
            case_opened = True
        except CaseAlreadyOpen as error:
            # One open case per child: the referral joins the case the hub already has,
            # and the case's key worker is asked to review its tier against triage's.
            case, already_open = error.case, True
            record_referral_joined(
                actor=actor, case=case, referral_reference=referral.reference,
                referring_agency=referral.referrer_agency, joined_at=decided_at,
                brag=referral.brag, risk_tier=referral.risk_tier,
            )
        referral.case = case

    check_clock = _partner_check_clock_follows_rating(actor, referral, request)
    REFERRAL_VERSIONING.save(referral, expected_version=expected_version, update_fields=[
        *DECISION_FIELDS, "case", *CHECK_CLOCK_FIELDS, *PICK_UP_FIELDS])
    if pick_up_cleared is not None:
        changes.update(changed_values(pick_up_cleared, _pick_up_values(referral)))
    record_event(
        event_type=EventType.CHANGE,
        actor=actor,
        record=referral,
        detail={
            "changes": changes,
            **({"partner_check_clock": check_clock} if check_clock else {}),
            "version": referral.version,
            "case": case.reference if case else None,
            "case_opened": case_opened,
            "case_already_open": already_open,
        },
        request=request,
    )
    if "outcome" in changes:
        referral_pk = referral.pk
        transaction.on_commit(lambda: notify_referrer_of_decision(referral_pk=referral_pk))
    return TriageResult(referral=referral, case=case, case_opened=case_opened,
                        case_was_already_open=already_open)


CHECK_CLOCK_FIELDS = ("partner_check_brag", "partner_checks_due_at")


# --- Picking a referral up ----------------------------------------------------------------

PICK_UP_FIELDS = ("picked_up_by", "picked_up_at")


class PickedUpByOther(ServiceRefused):
    """Someone else has the referral: taking it over needs an explicit confirmation. A
    refusal of its own because the pick-up page answers it with the confirmation page,
    not an error."""

    def __init__(self, referral: Referral) -> None:
        holder = referral.picked_up_by
        super().__init__(f"{holder.display_name if holder else 'Someone else'} has already "
                         "picked up this referral")
        self.referral = referral


def _pick_up_values(referral: Referral) -> dict[str, Any]:
    holder = referral.picked_up_by
    return {"picked_up_by": holder.display_name if holder else None,
            "picked_up_at": referral.picked_up_at.isoformat() if referral.picked_up_at
            else None}


def _referral_to_pick_up(actor: User, referral_pk: int, expected_version: int) -> Referral:
    """The referral, locked, for one who may triage it: 404 if they may not know it
    exists, 403 if they may read but not triage it; refused once decided, or if it
    changed since the user saw it."""
    referral = policy.get_or_404(
        actor, Action.REFERRAL_TRIAGE,
        Referral.objects.select_for_update(of=("self",)).select_related("picked_up_by"),
        pk=referral_pk,
    )
    if referral.is_decided:
        raise ServiceRefused(f"{referral.reference} has been decided: there is nothing left "
                             "to pick up")
    REFERRAL_VERSIONING.check(referral, expected_version, message=(
        f"{referral.reference} has changed since you opened it"
        + (f": {referral.picked_up_by.display_name} has picked it up"
           if referral.picked_up_by else "")
        + ". Nothing has been saved: check it, then try again."
    ))
    return referral


def _save_pick_up(actor: User, referral: Referral, before: dict[str, Any],
                  detail: dict[str, Any], request: HttpRequest | None) -> Referral:
    # Checked against the version the user saw when the referral was fetched, locked.
    REFERRAL_VERSIONING.save(referral, expected_version=referral.version,
                             update_fields=PICK_UP_FIELDS)
    record_event(
        event_type=EventType.CHANGE,
        actor=actor,
        record=referral,
        detail={"changes": changed_values(before, _pick_up_values(referral)),
                "version": referral.version, **detail},
        request=request,
    )
    return referral


@transaction.atomic
def pick_up_referral(
    *,
    actor: User,
    referral_pk: int,
    expected_version: int,
    take_over: bool = False,
    request: HttpRequest | None = None,
) -> Referral:
    """Pick up a referral awaiting triage, so others see it is being worked on. If
    someone else has it, it is refused (``PickedUpByOther``) unless the user confirmed
    they are taking it over: then the earlier picker is named in the audit entry."""
    referral = _referral_to_pick_up(actor, referral_pk, expected_version)
    holder = referral.picked_up_by
    if holder is not None and holder.pk == actor.pk:
        return referral
    if holder is not None and not take_over:
        raise PickedUpByOther(referral)
    before = _pick_up_values(referral)
    referral.picked_up_by, referral.picked_up_at = actor, timezone.now()
    detail: dict[str, Any] = {"picked_up": "taken over" if holder is not None else "picked up"}
    if holder is not None:
        detail["taken_over_from"] = holder.display_name
    return _save_pick_up(actor, referral, before, detail, request)


@transaction.atomic
def release_referral(
    *,
    actor: User,
    referral_pk: int,
    expected_version: int,
    request: HttpRequest | None = None,
) -> Referral:
    """Put a referral the user picked up back for anyone to pick up."""
    referral = _referral_to_pick_up(actor, referral_pk, expected_version)
    if referral.picked_up_by_id != actor.pk:
        raise ServiceRefused("Only the person who picked up a referral can release it")
    before = _pick_up_values(referral)
    referral.picked_up_by, referral.picked_up_at = None, None
    return _save_pick_up(actor, referral, before, {"picked_up": "released"}, request)


def _partner_check_clock_follows_rating(
    actor: User, referral: Referral, request: HttpRequest | None
) -> dict[str, dict[str, Any]]:
    """When triage gives a rating other than the one the partner-check clock runs on, the
    clock follows it: the referral's partner-information due time, and the due time of
    every check still outstanding (each audited). The decision clock does not move: every
    referral is decided within one working day whatever its rating. Returns what changed
    on the referral, for its audit entry."""
    if not referral.brag or referral.brag == referral.partner_check_brag:
        return {}
    clock = partner_check_clock(referral.brag)
    before = {"partner_check_brag": referral.partner_check_brag,
              "partner_checks_due_at": referral.partner_checks_due_at.isoformat()}
    referral.partner_check_brag = referral.brag
    referral.partner_checks_due_at = clock.due_at(referral.received_at)
    outstanding = PartnerCheck.objects.select_for_update().filter(
        referral=referral, returned_at__isnull=True).order_by("pk")
    for check in outstanding:
        old_due = check.due_at
        check.due_at = clock.due_at(check.requested_at)
        check.brag = referral.brag
        PARTNER_CHECK_VERSIONING.save(check, expected_version=check.version,
                                      update_fields=["due_at", "brag"])
        record_event(
            event_type=EventType.CHANGE,
            actor=actor,
            record=check,
            detail={
                "changes": {
                    "due_at": {"old": old_due.isoformat(), "new": check.due_at.isoformat()},
                    "brag": {"old": before["partner_check_brag"], "new": check.brag},
                },
                "reason": f"The referral's rating changed from {before['partner_check_brag']} "
                          f"to {referral.brag}: the check is due {clock.label} of its request",
                "referral": referral.reference,
                "version": check.version,
            },
            request=request,
        )
    return changed_values(before, {
        "partner_check_brag": referral.partner_check_brag,
        "partner_checks_due_at": referral.partner_checks_due_at.isoformat(),
    })


# --- Telling the referrer -----------------------------------------------------------------


def notify_referrer_of_decision(*, referral_pk: int) -> bool:
    """E-mail the referrer that their referral has been decided, and note when.

    Runs after the decision is committed. The message gives the reference, that a
    decision was made and the outcome in plain words; nothing else about the child.
    """
    referral = Referral.objects.select_related("referrer").get(pk=referral_pk)
    address = referral.referrer.email
    if not address or not referral.outcome:
        return False
    context = {
        "reference": referral.reference,
        "received_at": referral.received_at,
        "outcome": TriageOutcome(referral.outcome).label,
        "outcome_in_plain_words": referral.outcome_in_plain_words,
        "referrer_name": referral.referrer.display_name,
        "hub_name": settings.HUB_TEAM_LABEL,
    }
    try:
        send_mail(
            subject=f"Referral {referral.reference}: the MACE hub has made a decision",
            message=render_to_string("referrals/email/decision_made.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[address],
        )
    except Exception:  # the decision stands; the referrer can still see it on screen
        logger.exception("Could not e-mail the referrer of %s", referral.reference)
        return False
    notified_at = timezone.now()
    with transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(referrer_notified_at=notified_at)
        record_event(
            event_type=EventType.CHANGE,
            actor=None,
            actor_username="system",
            record=referral,
            detail={
                "changes": {"referrer_notified_at": {
                    "old": referral.referrer_notified_at, "new": notified_at}},
                "notified": "referrer by e-mail",
            },
        )
    return True


# --- Partner checks -----------------------------------------------------------------------


@transaction.atomic
def request_partner_checks(
    *,
    actor: User,
    referral_pk: int,
    agency_ids: Sequence[int],
    question: str = "",
    request: HttpRequest | None = None,
) -> list[PartnerCheck]:
    """Ask each agency to check what it holds about the referral's child. Each check is
    due by the referral's partner-check clock (its rating), counted from now."""
    referral = policy.get_or_404(
        actor, Action.PARTNER_CHECK_REQUEST,
        Referral.objects.select_for_update(of=("self",)), pk=referral_pk,
    )
    wanted = list(dict.fromkeys(agency_ids))
    if not wanted:
        raise ServiceRefused("Select the agencies to ask", field="agencies")
    agencies = {a.pk: a for a in selectors.partner_check_agencies().filter(pk__in=wanted)}
    if len(agencies) != len(wanted):
        raise ServiceRefused(
            "Choose agencies from the list: only agencies with hub members can return checks",
            field="agencies",
        )
    waiting = set(PartnerCheck.objects.filter(
        referral=referral, agency_id__in=wanted, returned_at__isnull=True,
    ).values_list("agency_id", flat=True))
    if waiting:
        names = ", ".join(sorted(agencies[pk].name for pk in waiting))
        raise ServiceRefused(
            f"{names} {'has' if len(waiting) == 1 else 'have'} already been asked and "
            "not yet replied", field="agencies",
        )
    now = timezone.now()
    clock = partner_check_clock(referral.partner_check_brag)
    checks = []
    for pk in wanted:
        check = PartnerCheck.objects.create(
            referral=referral, agency=agencies[pk], question=question.strip(),
            requested_by=actor, requested_at=now, brag=referral.partner_check_brag,
            due_at=clock.due_at(now),
        )
        record_event(
            event_type=EventType.CREATE,
            actor=actor,
            record=check,
            detail={
                "referral": referral.reference,
                "agency": agencies[pk].name,
                "question": check.question,
                "rating": referral.partner_check_brag,
                "clock": clock.label,
                "due_at": check.due_at.isoformat(),
            },
            request=request,
        )
        checks.append(check)
    return checks


@transaction.atomic
def return_partner_check(
    *,
    actor: User,
    check_pk: int,
    expected_version: int,
    result: PartnerCheckResult | str,
    summary: str = "",
    request: HttpRequest | None = None,
) -> PartnerCheck:
    """Record what the agency holds about the child (a summary), or that it holds
    nothing. Only the named agency's hub members may; once only."""
    check = policy.get_or_404(
        actor, Action.PARTNER_CHECK_RETURN,
        PartnerCheck.objects.select_for_update(of=("self",)).select_related("referral"),
        pk=check_pk,
    )
    if check.is_returned:
        raise ServiceRefused(
            "This check has already been returned by someone else. Your reply has not been "
            "saved: read what they returned."
        )
    # Not returned, yet changed: triage's rating moved its due time meanwhile.
    PARTNER_CHECK_VERSIONING.check(check, expected_version)
    if str(result) not in PartnerCheckResult.values:
        raise ServiceRefused("Select whether your agency holds information",
                             field="result")
    summary = summary.strip()
    if result == PartnerCheckResult.INFORMATION_HELD and not summary:
        raise ServiceRefused("Enter a summary of the information your agency holds",
                             field="summary")
    if result == PartnerCheckResult.NOTHING_HELD:
        summary = ""
    check.returned_at = timezone.now()
    check.returned_by = actor
    check.result = PartnerCheckResult(result)
    check.summary = summary
    PARTNER_CHECK_VERSIONING.save(check, expected_version=expected_version, update_fields=[
        "returned_at", "returned_by", "result", "summary"])
    record_event(
        event_type=EventType.CHANGE,
        actor=actor,
        record=check,
        detail={
            "changes": {
                "result": {"old": "", "new": check.result},
                "summary": {"old": "", "new": check.summary},
                "returned_at": {"old": None, "new": check.returned_at.isoformat()},
            },
            "referral": check.referral.reference,
            "due_at": check.due_at.isoformat(),
            "in_time": check.returned_in_time,
            "version": check.version,
        },
        request=request,
    )
    return check


# --- Steps a referral prompts at once -----------------------------------------------------


@transaction.atomic
def record_immediate_step(
    *,
    actor: User,
    referral_pk: int,
    kind: ImmediateStepKind | str,
    done: bool,
    done_at: dt.datetime | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> ImmediateStep:
    """Record whether a step the referral prompted was taken (telling the police, a
    strategy discussion): done, and when; or not done, and why. Recorded again, it
    replaces the earlier answer; both are in the audit log."""
    referral = policy.get_or_404(
        actor, Action.REFERRAL_TRIAGE,
        Referral.objects.select_for_update(of=("self",)), pk=referral_pk,
    )
    if str(kind) not in ImmediateStepKind.values:
        raise ServiceRefused("Choose the step from the list")
    if not referral.prompts_immediate_steps:
        raise ServiceRefused("This referral does not prompt that step")
    note = note.strip()
    now = timezone.now()
    if done:
        if done_at is None or timezone.is_naive(done_at):
            raise ServiceRefused("Enter when it was done", field="done_on")
        if done_at > now:
            raise ServiceRefused("When it was done must be now or in the past", field="done_on")
        if done_at < referral.received_at.replace(second=0, microsecond=0):
            raise ServiceRefused("When it was done must be after the referral was received",
                                 field="done_on")
    else:
        done_at = None
        if not note:
            raise ServiceRefused("Enter why it has not been done", field="note")
    step = ImmediateStep.objects.select_for_update().filter(
        referral=referral, kind=kind).first()
    before = _step_values(step) if step else {}
    if step is None:
        step = ImmediateStep(referral=referral, kind=ImmediateStepKind(kind))
    else:
        step.version += 1
    step.done, step.done_at, step.note = done, done_at, note
    step.recorded_by, step.recorded_at = actor, now
    step.save()
    record_event(
        event_type=EventType.CHANGE if before else EventType.CREATE,
        actor=actor,
        record=step,
        detail={"referral": referral.reference, "kind": step.kind,
                "changes": changed_values(before, _step_values(step))},
        request=request,
    )
    return step


def _step_values(step: ImmediateStep) -> dict[str, Any]:
    return {"done": step.done,
            "done_at": step.done_at.isoformat() if step.done_at else None,
            "note": step.note}
