"""The referral question pages' draft, kept in the session until the referral is sent.

Each page stores exactly what was typed (so it is shown again, errors and all, when the
referrer comes back), and nothing is written to the database until the check-your-
answers page is submitted. The pages come in a fixed order; a page whose earlier
answers are missing sends the referrer back to the first one that is.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

from macehub.referrals.forms import (
    NEW_CHILD,
    ConcernForm,
    FamilyAndConsentForm,
    FindChildForm,
    HomeAndSchoolForm,
    IndicatorsForm,
    NewChildForm,
)
from macehub.referrals.selectors import indicators_by_domain
from macehub.referrals.services import ChildAddress, ParentCarer, ReferralSubmission

SESSION_KEY = "referrals.draft"
SUBMITTED_KEY = "referrals.submitted"


class Step(StrEnum):
    CHILD = "child"
    MATCH = "match"
    NEW_CHILD = "new_child"
    HOME_AND_SCHOOL = "home_and_school"
    FAMILY = "family"
    CONCERN = "concern"
    INDICATORS = "indicators"


STEP_URL_NAMES = {
    Step.CHILD: "referrals:start",
    Step.MATCH: "referrals:choose_child",
    Step.NEW_CHILD: "referrals:new_child",
    Step.HOME_AND_SCHOOL: "referrals:home_and_school",
    Step.FAMILY: "referrals:family",
    Step.CONCERN: "referrals:concern",
    Step.INDICATORS: "referrals:indicators",
}


class Draft:
    """The answers so far, by step, as the browser posted them."""

    def __init__(self, session: SessionBase) -> None:
        self.session = session
        stored = session.get(SESSION_KEY)
        self.answers: dict[str, dict[str, list[str]]] = stored if isinstance(stored, dict) else {}

    def data(self, step: Step) -> MultiValueDict[str, str] | None:
        answers = self.answers.get(step.value)
        return MultiValueDict(answers) if answers is not None else None

    def has(self, step: Step) -> bool:
        return step.value in self.answers

    def save(self, step: Step, posted: QueryDict) -> None:
        self.answers[step.value] = {
            key: posted.getlist(key) for key in posted if key != "csrfmiddlewaretoken"
        }
        self._store()

    def forget(self, *steps: Step) -> None:
        for step in steps:
            self.answers.pop(step.value, None)
        self._store()

    def clear(self) -> None:
        self.answers = {}
        self.session.pop(SESSION_KEY, None)

    def _store(self) -> None:
        self.session[SESSION_KEY] = self.answers
        self.session.modified = True

    @property
    def is_empty(self) -> bool:
        return not self.answers

    @property
    def child_choice(self) -> str | None:
        """The chosen child's record id, ``"new"``, or None if not chosen yet."""
        data = self.data(Step.MATCH)
        return data.get("child") if data is not None else None

    @property
    def is_new_child(self) -> bool:
        return self.child_choice == NEW_CHILD

    def steps(self) -> list[Step]:
        """The pages this referral goes through, in order."""
        steps = [Step.CHILD, Step.MATCH]
        if self.is_new_child:
            steps.append(Step.NEW_CHILD)
        return [*steps, Step.HOME_AND_SCHOOL, Step.FAMILY, Step.CONCERN, Step.INDICATORS]

    def first_missing(self) -> Step | None:
        for step in self.steps():
            if not self.has(step):
                return step
        return None

    def may_open(self, step: Step) -> bool:
        """Every page before this one has been answered (and this one is on the way)."""
        steps = self.steps()
        if step not in steps:
            return False
        return all(self.has(earlier) for earlier in steps[: steps.index(step)])

    def previous(self, step: Step) -> Step | None:
        steps = self.steps()
        if step not in steps or steps.index(step) == 0:
            return None
        return steps[steps.index(step) - 1]

    @property
    def immediate_risk(self) -> bool:
        """Said yes: the pages show the call-999 banner from here on."""
        data = self.data(Step.CONCERN)
        return data is not None and data.get("immediate_risk") == "yes"


@dataclass
class CheckedDraft:
    """Every page's form, bound to its stored answers and validated again."""

    find: FindChildForm
    new_child: NewChildForm | None
    home: HomeAndSchoolForm
    family: FamilyAndConsentForm
    concern: ConcernForm
    indicators: IndicatorsForm
    child_choice: str

    @property
    def forms(self) -> dict[Step, Any]:
        forms: dict[Step, Any] = {Step.CHILD: self.find}
        if self.new_child is not None:
            forms[Step.NEW_CHILD] = self.new_child
        return {**forms, Step.HOME_AND_SCHOOL: self.home, Step.FAMILY: self.family,
                Step.CONCERN: self.concern, Step.INDICATORS: self.indicators}

    def invalid_step(self) -> Step | None:
        for step, form in self.forms.items():
            if not form.is_valid():
                return step
        return None

    def submission(self) -> ReferralSubmission:
        concern = self.concern.cleaned_data
        home = self.home.cleaned_data
        family = self.family.cleaned_data
        return ReferralSubmission(
            concerns=concern["concerns"],
            exploitation_model=concern["exploitation_model"],
            exploitation_types=tuple(concern["exploitation_types"]),
            immediate_risk=concern["immediate_risk"],
            disclosure=concern["disclosure"],
            sexual_activity=concern["sexual_activity"],
            indicator_codes=self.indicators.indicator_codes(),
            missing_episodes=self.indicators.missing_count(),
            online_platforms=tuple(self.indicators.cleaned_data.get("online_platforms", ())),
            child_address=ChildAddress(
                line_1=home["address_line_1"].strip(), line_2=home["address_line_2"].strip(),
                town=home["town"].strip(), postcode=home["postcode"],
            ),
            school=home["school"].strip(),
            year_group=home["year_group"],
            parent_carer=ParentCarer(
                name=family["parent_carer_name"].strip(),
                relationship=family["parent_carer_relationship"].strip(),
                contact=family["parent_carer_contact"].strip(),
                aware=family["parent_carer_aware"],
            ),
            consent=family["consent"],
            consent_not_sought_reason=family["consent_not_sought_reason"].strip(),
            referrer_phone=family["referrer_phone"],
            child_pk=None if self.new_child is not None else int(self.child_choice),
            new_child=self.new_child.details() if self.new_child is not None else None,
            child_identifiers=self.find.identifiers() if self.new_child is not None else (),
        )


def checked(draft: Draft) -> CheckedDraft | None:
    """The whole draft bound and validated, or None if a page has not been answered."""
    choice = draft.child_choice
    if draft.first_missing() is not None or choice is None:
        return None
    if not draft.is_new_child and not choice.isdigit():
        return None
    return CheckedDraft(
        find=FindChildForm(draft.data(Step.CHILD)),
        new_child=NewChildForm(draft.data(Step.NEW_CHILD)) if draft.is_new_child else None,
        home=HomeAndSchoolForm(draft.data(Step.HOME_AND_SCHOOL)),
        family=FamilyAndConsentForm(draft.data(Step.FAMILY)),
        concern=ConcernForm(draft.data(Step.CONCERN)),
        indicators=IndicatorsForm(draft.data(Step.INDICATORS), catalogue=indicators_by_domain()),
        child_choice=choice,
    )
