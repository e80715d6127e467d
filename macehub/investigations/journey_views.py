"""A child victim's journey pages: the journey itself (the child's rights, needs,
interview, special measures, court, any withdrawal, their advocates, and for the advocacy
service its confidential notes) and the pages that record each part. Thin:
``investigations.journey`` reads through ``access``, decides and audits.

The child's victim advocate reads this page and nothing else of the investigation: it
names the investigation, its officer in the case and where it stands, never its other
victims, suspects, plan or reviews."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from macehub.access import opening, policy
from macehub.access.actions import Action
from macehub.access.typing import HubRequest
from macehub.access.views import requires
from macehub.investigations import journey
from macehub.investigations.codes import JourneyStepKind
from macehub.investigations.journey_forms import (
    AdvocateNoteForm,
    EntitlementForm,
    NeedsForm,
    StepForm,
    WithdrawalForm,
)
from macehub.investigations.models import InvestigationVictim
from macehub.ui.form_pages import answer_form

# Each kind of step's page title, which is also the link to it.
STEP_TITLES = {
    JourneyStepKind.ABE_INTERVIEW: "Record an Achieving Best Evidence interview",
    JourneyStepKind.SPECIAL_MEASURE: "Record a special measure",
    JourneyStepKind.COURT_HEARING: "Record a court hearing",
}
CONFLICT_MESSAGE = ("Someone else changed this child's journey while you were reading it. "
                    "Check what they changed, then save again.")


def _journey(victim: InvestigationVictim) -> HttpResponse:
    return redirect("investigations:victim_journey", victim_pk=victim.pk)


@requires(Action.VICTIM_JOURNEY_VIEW)
def victim_journey(request: HubRequest, victim_pk: int) -> HttpResponse:
    user = request.user
    victim = journey.victim_for(user, victim_pk)
    opening.record_viewed(request, victim, page="victim journey")
    allowed = policy.actions_allowed(user, [
        Action.VICTIM_JOURNEY_RECORD, Action.VICTIM_JOURNEY_NOTES,
        Action.VICTIM_JOURNEY_WRITE_NOTE], victim)
    steps = list(victim.steps.select_related("interviewing_officer"))
    advocates = journey.advocates_of(victim)
    may_notes = Action.VICTIM_JOURNEY_NOTES in allowed
    return render(request, "investigations/victim_journey.html", {
        "victim": victim,
        "investigation": victim.investigation,
        "may_see_investigation": policy.can(user, Action.INVESTIGATION_VIEW,
                                            victim.investigation),
        "entitlements": list(victim.entitlements.all()),
        "steps": [(kind, STEP_TITLES[kind], [(step, journey.step_what(step))
                                              for step in steps if step.kind == kind])
                  for kind in JourneyStepKind],
        "advocates": advocates,
        "current_advocate": next((a for a in advocates if a.ended_on is None), None),
        "may_record": Action.VICTIM_JOURNEY_RECORD in allowed,
        "may_notes": may_notes,
        "may_write_note": Action.VICTIM_JOURNEY_WRITE_NOTE in allowed,
        "notes": list(journey.advocate_notes_readable(user, victim)) if may_notes else [],
    })


def _journey_page(request: HubRequest, victim_pk: int, *, form: Callable[[Any], Any],
                  title: str, save: Callable[[InvestigationVictim, dict[str, Any]], str],
                  action: Action = Action.VICTIM_JOURNEY_RECORD, button: str = "Save",
                  intro: str = "") -> HttpResponse:
    """A page with one form that records part of the child's journey; saved, back to the
    journey with ``save``'s message; a stale version says what changed and keeps what
    was typed."""
    victim = journey.victim_for(request.user, victim_pk, action)
    if request.method == "GET":
        opening.record_viewed(request, victim, page=title)

    def make(data: Any) -> Any:
        made = form(data)
        if "version" in made.fields:
            made.initial.setdefault("version", victim.version)
        return made

    answered = answer_form(request, make, lambda data: save(victim, data),
                           conflict_message=CONFLICT_MESSAGE)
    if answered.saved:
        return _journey(victim)
    return render(request, "investigations/journey_form.html", {
        "victim": victim, "form": answered.form, "conflict": answered.conflict,
        "title": title, "button": button, "intro": intro,
    }, status=answered.status)


@requires(Action.VICTIM_JOURNEY_RECORD)
def record_entitlement(request: HubRequest, victim_pk: int) -> HttpResponse:
    def save(victim: InvestigationVictim, data: dict[str, Any]) -> str:
        entitlement = journey.record_entitlement(
            actor=request.user, victim_pk=victim.pk, right=data["right"],
            offered_on=data["offered_on"], response=data["response"])
        return f"Recorded: {entitlement.get_right_display()}."
    return _journey_page(request, victim_pk, form=EntitlementForm, save=save,
                         title="Record a Victims' Code right offered",
                         intro="A right offered again replaces what was recorded of it.")


@requires(Action.VICTIM_JOURNEY_RECORD)
def record_needs(request: HubRequest, victim_pk: int) -> HttpResponse:
    def save(victim: InvestigationVictim, data: dict[str, Any]) -> str:
        journey.record_needs(actor=request.user, victim_pk=victim.pk,
                             expected_version=data["version"], needs=journey.Needs(
                                 data["needs_assessed_on"], data["needs_assessment"],
                                 data["pre_trial_therapy"]))
        return "Needs assessment and pre-trial therapy saved."

    def form(data: Any) -> NeedsForm:
        victim = journey.victim_for(request.user, victim_pk)
        return NeedsForm(data, initial={
            "needs_assessed_on": victim.needs_assessed_on,
            "needs_assessment": victim.needs_assessment,
            "pre_trial_therapy": victim.pre_trial_therapy})
    return _journey_page(request, victim_pk, form=form, save=save,
                         title="Needs assessment and pre-trial therapy")


@requires(Action.VICTIM_JOURNEY_RECORD)
def record_step(request: HubRequest, victim_pk: int, step_kind: str) -> HttpResponse:
    if step_kind not in JourneyStepKind.values:
        raise Http404("No such part of the journey")
    kind = JourneyStepKind(step_kind)

    def save(victim: InvestigationVictim, data: dict[str, Any]) -> str:
        journey.record_step(
            actor=request.user, victim_pk=victim.pk, step=journey.Step(
                kind=kind, on=data["on"], status=data["status"], what=data.get("what", ""),
                place=data.get("place", ""), who=data.get("who", ""),
                intermediary=data.get("intermediary", ""), arrangements=data["arrangements"],
                interviewing_officer_pk=data.get("interviewing_officer")),
            acknowledged_missing_training=data.get("acknowledged_missing_training", False),
            missing_training_reason=data.get("missing_training_reason", ""))
        return f"{kind.label} recorded."

    def form(data: Any) -> StepForm:
        officers = ([(user.pk, user.display_name) for user in journey.interviewers(
            journey.victim_for(request.user, victim_pk))]
            if kind == JourneyStepKind.ABE_INTERVIEW else [])
        return StepForm(data, kind=kind, interviewers=officers)
    return _journey_page(request, victim_pk, form=form,
                         save=save, title=STEP_TITLES[kind],
                         intro="A planned interview or hearing may be in the future.")


@requires(Action.VICTIM_JOURNEY_RECORD)
def record_withdrawal(request: HubRequest, victim_pk: int) -> HttpResponse:
    def save(victim: InvestigationVictim, data: dict[str, Any]) -> str:
        journey.record_withdrawal(actor=request.user, victim_pk=victim.pk,
                                  expected_version=data["version"],
                                  withdrew_on=data["withdrew_on"], reason=data["reason"],
                                  note=data["note"])
        return "The child's withdrawal is recorded."
    return _journey_page(
        request, victim_pk, form=WithdrawalForm, save=save,
        title="The child withdrew their support", button="Record the withdrawal",
        intro="The advocate stays with the child. The officer in the case and the "
              "supervisor decide what the investigation does next.")


@requires(Action.VICTIM_JOURNEY_WRITE_NOTE)
def write_note(request: HubRequest, victim_pk: int) -> HttpResponse:
    def save(victim: InvestigationVictim, data: dict[str, Any]) -> str:
        journey.write_advocate_note(actor=request.user, victim_pk=victim.pk,
                                    text=data["text"])
        return "Note saved for your advocacy service."
    return _journey_page(request, victim_pk, form=AdvocateNoteForm, save=save,
                         action=Action.VICTIM_JOURNEY_WRITE_NOTE,
                         title="Write an advocate's note")
