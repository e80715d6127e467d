"""Triage: picking a referral up (so two people do not work the same one), taking it
over or releasing it, the decision, and the steps a referral prompts at once."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from macehub.access import opening
from macehub.access.actions import Action
from macehub.access.policy import can
from macehub.access.typing import HubRequest
from macehub.access.views import requires
from macehub.core.service_errors import add_service_errors, refusal_text
from macehub.core.versioning import EditConflict, form_after_conflict
from macehub.referrals import selectors, services
from macehub.referrals.codes import ImmediateStepKind
from macehub.referrals.forms import ImmediateStepForm, PickUpForm, TriageDecisionForm
from macehub.referrals.models import ImmediateStep, Referral
from macehub.referrals.views.display import _referral_context


def _to_referral(referral_pk: int) -> HttpResponse:
    return redirect("referrals:detail", referral_pk=referral_pk)


def _referral_to_pick_up(request: HubRequest, referral_pk: int, page: str
                         ) -> Referral | HttpResponseRedirect:
    return opening.open_record(request, Action.REFERRAL_TRIAGE, selectors.referral_queryset(),
                               page=page, pk=referral_pk)


@requires(Action.REFERRAL_TRIAGE)
@require_POST
def pick_up(request: HubRequest, referral_pk: int) -> HttpResponse:
    """Pick up a referral; if someone else has it, ask whether to take it over."""
    referral = _referral_to_pick_up(request, referral_pk, "pick up")
    if isinstance(referral, HttpResponseRedirect):
        return referral
    form = PickUpForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The referral could not be picked up: open it again and retry.")
        return _to_referral(referral.pk)
    try:
        services.pick_up_referral(actor=request.user, referral_pk=referral.pk,
                                  expected_version=form.cleaned_data["version"],
                                  request=request)
    except services.PickedUpByOther:
        return redirect("referrals:take_over", referral_pk=referral.pk)
    except ValidationError as refusal:
        messages.error(request, refusal_text(refusal))
    else:
        messages.success(request, f"You have picked up {referral.reference}.")
    return _to_referral(referral.pk)


@requires(Action.REFERRAL_TRIAGE)
def take_over(request: HubRequest, referral_pk: int) -> HttpResponse:
    """Someone else has picked the referral up: take it over only when confirmed."""
    referral = _referral_to_pick_up(request, referral_pk, "take over")
    if isinstance(referral, HttpResponseRedirect):
        return referral
    holder = referral.picked_up_by
    if referral.is_decided or holder is None or holder.pk == request.user.pk:
        return _to_referral(referral.pk)
    form = PickUpForm(request.POST or None, initial={"version": referral.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.pick_up_referral(actor=request.user, referral_pk=referral.pk,
                                      expected_version=form.cleaned_data["version"],
                                      take_over=True, request=request)
        except ValidationError as refusal:
            messages.error(request, refusal_text(refusal))
        else:
            messages.success(request, f"You have taken over {referral.reference} from "
                                      f"{holder.display_name}.")
        return _to_referral(referral.pk)
    return render(request, "referrals/take_over.html", {"referral": referral, "form": form})


@requires(Action.REFERRAL_TRIAGE)
@require_POST
def release(request: HubRequest, referral_pk: int) -> HttpResponse:
    """Put a referral the user picked up back for anyone to pick up."""
    referral = _referral_to_pick_up(request, referral_pk, "release")
    if isinstance(referral, HttpResponseRedirect):
        return referral
    form = PickUpForm(request.POST)
    if form.is_valid():
        try:
            services.release_referral(actor=request.user, referral_pk=referral.pk,
                                      expected_version=form.cleaned_data["version"],
                                      request=request)
        except ValidationError as refusal:
            messages.error(request, refusal_text(refusal))
        else:
            messages.success(request, f"You have released {referral.reference}: anyone in "
                                      "triage can pick it up.")
    else:
        messages.error(request, "The referral could not be released: open it again and retry.")
    return _to_referral(referral.pk)


@requires(Action.REFERRAL_TRIAGE)
@require_POST
def resend_decision(request: HubRequest, referral_pk: int) -> HttpResponse:
    """Send the decision to a referrer the notification did not reach."""
    referral = _referral_to_pick_up(request, referral_pk, "send the decision again")
    if isinstance(referral, HttpResponseRedirect):
        return referral
    try:
        sent = services.resend_decision_to_referrer(actor=request.user,
                                                    referral_pk=referral.pk)
    except ValidationError as refusal:
        messages.error(request, refusal_text(refusal))
    else:
        if sent:
            messages.success(request, f"The decision on {referral.reference} has been sent "
                                      f"to the referrer.")
        else:
            messages.error(request, f"The decision could not be sent to the referrer. "
                                    f"Telephone {referral.referrer.display_name} at "
                                    f"{referral.referrer_agency.name} to tell them.")
    return _to_referral(referral.pk)


@requires(Action.REFERRAL_TRIAGE)
def decide(request: HubRequest, referral_pk: int) -> HttpResponse:
    referral = opening.open_record(request, Action.REFERRAL_TRIAGE,
                                   selectors.referral_queryset(), page="triage decision",
                                   pk=referral_pk)
    if isinstance(referral, HttpResponseRedirect):
        return referral
    conflict = None
    statutory = can(request.user, Action.REFERRAL_STATUTORY_OUTCOME, referral)
    if request.method == "POST":
        form = TriageDecisionForm(request.POST, referral=referral,
                                  may_record_statutory_outcomes=statutory)
        if form.is_valid():
            try:
                result = services.record_triage_decision(
                    actor=request.user,
                    referral_pk=referral.pk,
                    expected_version=form.cleaned_data["version"],
                    decision=form.decision(),
                    request=request,
                )
            except EditConflict as error:
                conflict = error
                # Keep what this officer chose; the next save is checked against the
                # version they have now been shown.
                referral = selectors.referral_for(request.user, referral.pk,
                                                  Action.REFERRAL_TRIAGE)
                decided = referral
                form = form_after_conflict(
                    lambda data: TriageDecisionForm(
                        data, referral=decided, may_record_statutory_outcomes=statutory),
                    request.POST, error,
                    PICKED_UP_MEANWHILE if error.changed_fields <= set(services.PICK_UP_FIELDS)
                    else DECIDED_MEANWHILE,
                )
            except ValidationError as error:
                add_service_errors(form, error, fields={"decided_at": "decided_on"})
            else:
                _decision_messages(request, result)
                return redirect("referrals:detail", referral_pk=referral.pk)
    else:
        form = TriageDecisionForm(initial=TriageDecisionForm.initial_for(referral),
                                  referral=referral, may_record_statutory_outcomes=statutory)
    return render(request, "referrals/decide.html", {
        **_referral_context(request, referral),
        "form": form,
        "conflict": conflict,
        "known": selectors.what_we_already_know(request.user, referral),
    })


PICKED_UP_MEANWHILE = (
    "Someone else picked up this referral while you were deciding. Your decision has not "
    "been saved. Check who has it, then save again if yours should stand."
)
DECIDED_MEANWHILE = (
    "Someone else recorded a decision on this referral while you were deciding. Your "
    "decision has not been saved. Check what they decided, then save again if yours "
    "should replace it."
)


def _decision_messages(request: HubRequest, result: services.TriageResult) -> None:
    referral = result.referral
    messages.success(request, f"The decision on {referral.reference} has been recorded.")
    if result.case_opened and result.case is not None:
        messages.success(request, f"MACE case {result.case.reference} has been opened for "
                                  f"{referral.child.full_name}.")
    elif result.case_was_already_open and result.case is not None:
        messages.info(
            request,
            f"{referral.child.full_name} already has an open MACE case, "
            f"{result.case.reference}. No second case was opened: this referral has been "
            "added to that case.",
        )


@requires(Action.REFERRAL_TRIAGE)
def immediate_step(request: HubRequest, referral_pk: int, kind: str) -> HttpResponse:
    """Record whether the police were told, or a strategy discussion held."""
    referral = opening.open_record(request, Action.REFERRAL_TRIAGE,
                                   selectors.referral_queryset(), page="immediate step",
                                   pk=referral_pk)
    if isinstance(referral, HttpResponseRedirect):
        return referral
    if kind not in ImmediateStepKind.values:
        raise Http404("No such step")
    step_kind = ImmediateStepKind(kind)
    if not referral.prompts_immediate_steps:
        # A stale link: say so rather than ask about a step this referral does not need.
        return render(request, "referrals/immediate_step.html", {
            "referral": referral, "form": None, "kind": step_kind,
        })
    existing = ImmediateStep.objects.filter(referral=referral, kind=kind).first()
    initial: dict[str, Any] = {}
    if existing is not None:
        done_at = timezone.localtime(existing.done_at) if existing.done_at else None
        initial = {"done": "yes" if existing.done else "no", "note": existing.note,
                   "done_on": done_at.date() if done_at else None,
                   "done_time": f"{done_at:%H:%M}" if done_at else ""}
    form = ImmediateStepForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_immediate_step(
                actor=request.user, referral_pk=referral.pk, kind=step_kind,
                done=form.cleaned_data["done"], done_at=form.done_at(),
                note=form.cleaned_data["note"], request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{step_kind.label}: recorded on {referral.reference}.")
            return redirect("referrals:detail", referral_pk=referral.pk)
    return render(request, "referrals/immediate_step.html", {
        "referral": referral, "form": form, "kind": step_kind,
    })
