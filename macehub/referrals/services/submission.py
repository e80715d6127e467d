"""Submitting a referral: what the referrer tells the hub, the child's record (made only
when no existing record was chosen), the screening as it was shown, and the referral
with its reference and decision clock, all or nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import Agency, User
from macehub.audit.events import EventType
from macehub.audit.services import changed_values, record_event
from macehub.cases.codes import ExploitationType
from macehub.cases.models import Indicator
from macehub.core.references import save_with_reference
from macehub.core.service_errors import ServiceRefused
from macehub.people.identifiers import normalise_identifier
from macehub.people.models import Person, PersonAddress, PersonIdentifier
from macehub.people.postcodes import fill_coordinates
from macehub.people.services import PersonDetails
from macehub.referrals import selectors
from macehub.referrals.clocks import decision_clock, partner_check_clock
from macehub.referrals.codes import (
    ConsentStatus,
    ExploitationModel,
    OnlinePlatform,
    YearGroup,
    source_for_agency_kind,
)
from macehub.referrals.models import Referral, ReferralIndicator
from macehub.referrals.rules import consent_problem, missing_episodes_problem, not_a_child
from macehub.referrals.screening import ScreenedIndicator, Screening, screen_referral


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
    referrer_agency: Agency | None = None,
) -> Referral:
    """Accept a referral: the child (new if no record was chosen), the referral, its
    indicators, the screening and the decision clock. All or nothing.
    ``referrer_agency``: the partner whose referral the actor enters from the partner's
    own system (an import); the actor's agency by default."""
    policy.require(actor, Action.REFERRAL_SUBMIT)
    if actor.agency_id is None or actor.agency is None:
        raise ServiceRefused("Only staff of a partner agency can refer a child")
    referred_by = referrer_agency or actor.agency
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
            new_address = PersonAddress(
                person=child, line_1=address.line_1, line_2=address.line_2,
                town=address.town, postcode=address.postcode, is_current=True,
            )
            fill_coordinates(new_address)
            new_address.save()
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
        referrer_agency_id=referred_by.pk,
        source=source_for_agency_kind(referred_by.kind),
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
