"""Case pages: the list, each case's sections, and a form for each change. Thin: each
view fetches the case through a selector (which asks ``access``), asks for a reason
before a restricted case is opened, audits the view, calls one service and renders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from macehub.access import opening, policy
from macehub.access.actions import Action
from macehub.access.policy import can
from macehub.access.typing import HubRequest
from macehub.access.views import requires
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.cases import forms as case_forms
from macehub.cases import selectors, services
from macehub.cases.advocacy_needs import reasons_to_keep_advocacy
from macehub.cases.models import Case, CaseDecisionRequest
from macehub.cases.next_actions import NextActionContext, next_actions
from macehub.cases.reviews import review_weeks
from macehub.cases.selectors import CaseSort
from macehub.core.versioning import EditConflict, form_after_conflict
from macehub.people.chronology import chronology_for
from macehub.people.identity import identity_for
from macehub.people.models import Person

CONFLICT_MESSAGE = (
    "Someone else changed this case while you were editing it. Your changes have not been "
    "saved. Check their changes, then save again."
)

# The sections of a case page (MOJ sub navigation): URL name and text.
SECTIONS = (
    ("cases:detail", "Overview"),
    ("cases:chronology", "Chronology"),
    ("cases:plan", "Plan"),
    ("cases:contacts", "Contacts"),
    ("cases:missing", "Missing episodes"),
    ("cases:outcomes", "Outcomes"),
    ("cases:risk_assessments", "Risk assessments"),
    ("cases:workers", "Workers"),
)


# What a case page offers, depending on what the user may do to the case.
CASE_PAGE_ACTIONS = (
    Action.CASE_CHANGE, Action.CASE_RECORD_WORK, Action.CASE_ASSESS_RISK,
    Action.CASE_RESTRICT, Action.CASE_ADVOCACY_END, Action.CASE_ACCESS_LOG,
)


# --- Helpers every case page uses -------------------------------------------------


def _case_page(
    request: HubRequest, case_pk: int, *, page: str, action: Action = Action.CASE_VIEW,
    full: bool = False, overview: bool = False,
) -> Case | HttpResponseRedirect:
    """The case for this page, or a redirect to the reason page for a restricted case.

    404 if the user may not know the case exists, 403 if they may see it but not take
    the action. A page shown (GET) is audited as a view, with the reason given for a
    restricted case as its purpose (``access.opening``, which every record page uses).
    """
    return opening.open_record(request, action,
                               selectors.case_queryset(full=full, overview=overview),
                               page=page, pk=case_pk)


def _case_context(request: HubRequest, case: Case, section: str, **extra: Any
                  ) -> dict[str, Any]:
    user = request.user
    # What the user may do to the case, asked of the policy in one query.
    allowed = policy.actions_allowed(user, CASE_PAGE_ACTIONS, case)
    return {
        "case": case,
        "sections": [
            {"text": text, "href": reverse(name, args=[case.pk]), "active": name == section}
            for name, text in SECTIONS
        ],
        "can_change": case.is_open and Action.CASE_CHANGE in allowed,
        "can_record": case.is_open and Action.CASE_RECORD_WORK in allowed,
        "can_assess_risk": case.is_open and Action.CASE_ASSESS_RISK in allowed,
        "can_restrict": Action.CASE_RESTRICT in allowed,
        "can_end_advocacy": Action.CASE_ADVOCACY_END in allowed,
        "can_see_access_log": Action.CASE_ACCESS_LOG in allowed,
        "can_see_person": can(user, Action.PERSON_VIEW, case.child),
        "interview_hours": settings.RETURN_INTERVIEW_HOURS,
        **extra,
    }


def _section_context(request: HubRequest, case: Case, section: str, **extra: Any
                     ) -> dict[str, Any]:
    """What every section of a case shows (``cases/_case_layout.html``): the case's
    context and the child's identity bar."""
    return _case_context(
        request, case, section,
        identity=selectors.child_identity(request.user, case.child, case=case,
                                          overview=extra.get("overview")),
        **extra)


@policy.asked_of_few_records()
@policy.reading_only()
def _section(request: HubRequest, case_pk: int, section: str, template: str,
             **extra: Any) -> HttpResponse:
    """A read-only section of a case (overview, plan, contacts...)."""
    case = _case_page(request, case_pk, page=section.removeprefix("cases:"), full=True)
    if isinstance(case, HttpResponseRedirect):
        return case
    overview = selectors.case_overview(request.user, case)
    return render(request, template,
                  _section_context(request, case, section, overview=overview, **extra))


def _form_page(
    request: HubRequest,
    case: Case,
    make_form: Callable[[Any], case_forms.ServiceForm],
    *,
    title: str,
    submit: str,
    back: str,
    call: Callable[[Any], object],
    success: str | Callable[[Any], str],
    template: str = "cases/form_page.html",
    done: Callable[[], str] | None = None,
    **extra: Any,
) -> HttpResponse:
    """Show a form; on a valid POST call the service with it, and on success go back to
    the case with a message. Service errors are shown beside the fields, keeping what was
    typed; a conflicting edit keeps it too and shows what the other person changed.
    ``success`` may be worked out from what the service returned; ``done`` says where to
    go after it, when that is not ``back``."""
    conflict = None
    form = make_form(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            result = call(form.cleaned_data)
        except EditConflict as error:
            conflict = error
            form = form_after_conflict(make_form, request.POST, error, CONFLICT_MESSAGE)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, success(result) if callable(success) else success)
            return redirect(done() if done is not None else back)
    return render(request, template, {
        **_case_context(request, case, ""),
        "form": form, "title": title, "submit": submit, "back": back, "conflict": conflict,
        **extra,
    })


def _interview(data: dict[str, Any]) -> services.ReturnInterview:
    return services.ReturnInterview(
        offered_at=data.get("interview_offered_at"),
        offered_by=data.get("interview_offered_by", ""),
        offered_by_agency=data.get("interview_offered_by_agency", ""),
        offerer=data.get("interview_offerer", ""),
        response=data.get("interview_response", ""),
        held_at=data.get("return_interview_at"),
        outcome=data.get("interview_outcome", ""),
    )


def _police(data: dict[str, Any]) -> services.PoliceReport:
    return services.PoliceReport(reference=data.get("police_reference", ""),
                                 risk_grade=data.get("police_risk_grade", ""))


def _places(data: dict[str, Any]) -> services.EpisodePlaces:
    return services.EpisodePlaces(data.get("missing_from_postcode", ""),
                                  data.get("found_postcode", ""))


def _back(name: str, case: Case) -> str:
    return reverse(name, args=[case.pk])


# --- The list --------------------------------------------------------------------


@requires(Action.CASE_LIST)
def case_list(request: HubRequest) -> HttpResponse:
    user = request.user
    form = case_forms.CaseFilterForm(request.GET or None,
                                     choices=selectors.case_list_choices(user),
                                     mine_by_default=selectors.holds_open_cases(user))
    filters = form.filters()
    now = timezone.now()
    cases = selectors.case_list(user, filters, now)
    # Counted apart from the page (not with ``page_with_count``): the page is read from
    # the list's order index and stops after its rows, where a window would read and
    # join every case the user may see (12 ms against 50 ms at national scale).
    page = Paginator(cases, selectors.CASES_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    selectors.mark_case_rows(user, page.object_list, now)
    record_event(
        event_type=EventType.SEARCH, actor=user, record_type="cases.case",
        detail={"filters": {k: v for k, v in asdict(filters).items() if v not in ("", None)},
                "results": [case.pk for case in page.object_list]},
        request=request,
    )
    return render(request, "cases/case_list.html", {
        "form": form, "filters": filters, "page_obj": page,
        "columns": _sort_columns(request, filters), "mine": filters.mine,
        "whose": _whose_tabs(request, filters),
        "all_cases_href": _with_query(request, whose=case_forms.Whose.ALL),
    })


def _with_query(request: HubRequest, **changes: str) -> str:
    """This list's address with the same filters, changed as asked, from the first page."""
    query = request.GET.copy()
    query.pop("page", None)
    for name, value in changes.items():
        query[name] = value
    return f"?{query.urlencode()}"


def _whose_tabs(request: HubRequest, filters: selectors.CaseFilters) -> list[dict[str, Any]]:
    """My cases or all cases, keeping the other filters."""
    return [
        {"text": text, "href": _with_query(request, whose=value),
         "active": filters.mine == (value == case_forms.Whose.MINE)}
        for value, text in case_forms.Whose.CHOICES
    ]


def _sort_columns(request: HubRequest, filters: selectors.CaseFilters) -> dict[str, Any]:
    """For each sortable column: the link that sorts by it, and its aria-sort state."""
    columns = {}
    for name in CaseSort.ALL:
        current = filters.sort == name
        order = "asc" if current and filters.descending else (
            "desc" if current else ("desc" if name in (CaseSort.TIER, CaseSort.LAST_CONTACT)
                                    else "asc"))
        columns[name] = {
            "href": _with_query(request, sort=name, order=order),
            "aria_sort": ("descending" if filters.descending else "ascending")
            if current else "none",
        }
    return columns


# --- Sections of a case ----------------------------------------------------------------


@requires(Action.CASE_VIEW)
@policy.asked_of_few_records()
@policy.reading_only()
def detail(request: HubRequest, case_pk: int) -> HttpResponse:
    """The overview, with the requests waiting for a decision first."""
    case = _case_page(request, case_pk, page="detail", overview=True)
    if isinstance(case, HttpResponseRedirect):
        return case
    overview = selectors.case_overview(request.user, case, contacts=False)
    pending = selectors.pending_decisions(request.user, case)
    referrals_joined = selectors.referrals_joined_to_review(request.user, case, opened=True)
    context = _section_context(request, case, "cases:detail", overview=overview,
                               pending=pending, referrals_joined=referrals_joined,
                               tier_history=list(reversed(case.tier_history.all())),
                               opened_from=selectors.opening_referral_reference(case))
    context["next_actions"] = next_actions(NextActionContext(
        overview=overview, pending=pending, referrals_joined=referrals_joined,
        can_change=context["can_change"],
        can_record=context["can_record"], can_assess_risk=context["can_assess_risk"],
    ))
    return render(request, "cases/detail.html", context)


@requires(Action.CASE_VIEW)
def plan(request: HubRequest, case_pk: int) -> HttpResponse:
    return _section(request, case_pk, "cases:plan", "cases/plan.html")


@requires(Action.CASE_VIEW)
def contacts(request: HubRequest, case_pk: int) -> HttpResponse:
    return _section(request, case_pk, "cases:contacts", "cases/contacts.html")


@requires(Action.CASE_VIEW)
def missing(request: HubRequest, case_pk: int) -> HttpResponse:
    return _section(request, case_pk, "cases:missing", "cases/missing.html")


@requires(Action.CASE_VIEW)
def outcomes(request: HubRequest, case_pk: int) -> HttpResponse:
    return _section(request, case_pk, "cases:outcomes", "cases/outcomes.html")


@requires(Action.CASE_VIEW)
def workers(request: HubRequest, case_pk: int) -> HttpResponse:
    return _section(request, case_pk, "cases:workers", "cases/workers.html")


@requires(Action.CASE_VIEW)
def chronology(request: HubRequest, case_pk: int) -> HttpResponse:
    """One timeline for the child, from every module: the child's other cases that the
    user may see are part of it, so a restricted one asks for its reason too."""
    user = request.user
    case = _case_page(request, case_pk, page="chronology")
    if isinstance(case, HttpResponseRedirect):
        return case
    others = selectors.other_cases_of_child(user, case)
    purpose = opening.reasons_for(request, [
        found for other in others for found in opening.restricted_records_behind(user, other)
    ])
    if isinstance(purpose, HttpResponseRedirect):
        return purpose
    for other in others:
        opening.record_viewed(request, other, page="chronology", purpose=purpose,
                              detail={"child": other.child_id})
    entries = chronology_for(user, case.child)
    form = case_forms.ChronologyFilterForm(
        request.GET or None, categories=sorted({entry.category for entry in entries}))
    category = form.chosen_category() if form.is_bound else ""
    if category:
        entries = [entry for entry in entries if entry.category == category]
    return render(request, "cases/chronology.html", _section_context(
        request, case, "cases:chronology", entries=entries, form=form,
    ))


# --- Restricted cases and who has seen a case ---------------------------------------


def _asks_for_reasons(url: str) -> bool:
    """A case page or a referral page: the pages that can send someone here."""
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return False
    return match.namespace in ("cases", "referrals") and bool(match.kwargs)


@requires(Action.CASE_VIEW)
def open_restricted(request: HubRequest, case_pk: int) -> HttpResponse:
    """Ask why the user needs to open a restricted case; the answer is the purpose of
    the audit entry of each page of the case they then see."""
    user = request.user
    case = selectors.case_for(user, case_pk)
    # Back to the page that asked (a page of this case, another case's chronology, a
    # referral about the child); never anywhere else.
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not (_asks_for_reasons(next_url) and url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure())):
        next_url = reverse("cases:detail", args=[case.pk])
    if not opening.restricted_records_behind(user, case):
        return redirect(next_url)
    form = case_forms.RestrictedReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        opening.remember_reason(request, case, form.cleaned_data["reason"].strip())
        return redirect(next_url)
    return render(request, "cases/open_restricted.html", {
        "case": case, "form": form, "next": next_url,
        "remembered_minutes": int(opening.REASON_REMEMBERED_FOR.total_seconds() // 60),
    })


@requires(Action.CASE_ACCESS_LOG)
def access_log(request: HubRequest, case_pk: int) -> HttpResponse:
    """Who viewed or changed the case, and why (information governance)."""
    user = request.user
    # The log shows who opened the case and why, not the case itself: information
    # governance reads it without the restricted case's reason step, and is audited.
    case = selectors.case_for(user, case_pk, Action.CASE_ACCESS_LOG)
    opening.record_viewed(request, case, page="access log")
    events = selectors.case_access_history(user, case)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "cases/access_log.html", {"case": case, "page_obj": page})


# --- The case itself (versioned) --------------------------------------------------------


@requires(Action.CASE_CHANGE)
def change_tier(request: HubRequest, case_pk: int) -> HttpResponse:
    case = _case_page(request, case_pk, page="change_tier", action=Action.CASE_CHANGE,
                      full=True)
    if isinstance(case, HttpResponseRedirect):
        return case
    return _form_page(
        request, case,
        lambda data: case_forms.RiskTierForm(data, initial={"version": case.version}),
        title="Change the risk tier", submit="Change risk tier",
        back=_back("cases:detail", case),
        call=lambda d: _raise_or_ask_to_lower(request.user, case, d),
        success=lambda result: APPROVAL_ASKED if isinstance(result, CaseDecisionRequest)
        else "The risk tier has been changed.",
        template="cases/change_tier.html",
        pending=selectors.pending_decisions(request.user, case),
    )


APPROVAL_ASKED = (
    "Your request has been sent for approval by a supervisor or the MACE chair. The case "
    "stays as it is until they approve it."
)


def _raise_or_ask_to_lower(actor: Any, case: Case, data: dict[str, Any]) -> object:
    """Raising the tier applies at once; lowering it is asked for and approved."""
    if services.is_lowering(case.risk_tier, data["risk_tier"] or ""):
        return services.request_risk_tier_lowering(
            actor=actor, case_pk=case.pk, expected_version=data["version"],
            risk_tier=data["risk_tier"], reason=data["reason"])
    return services.change_risk_tier(
        actor=actor, case_pk=case.pk, expected_version=data["version"],
        risk_tier=data["risk_tier"], reason=data["reason"])


@requires(Action.CASE_CHANGE)
def keep_tier(request: HubRequest, case_pk: int, joined_pk: int) -> HttpResponse:
    """"Reviewed – keep the tier" after a new referral joined the case: the reason is
    kept and audited. (Changing the tier, on its own page, reviews it too.)"""
    case = _case_page(request, case_pk, page="keep_tier", action=Action.CASE_CHANGE)
    if isinstance(case, HttpResponseRedirect):
        return case
    joined = get_object_or_404(selectors.referral_joined_queryset(), pk=joined_pk,
                               case_id=case.pk)
    tier = case.get_risk_tier_display().split(" –")[0].lower()
    return _form_page(
        request, case,
        lambda data: case_forms.KeepTierForm(data, initial={"version": joined.version}),
        title=f"Keep the risk tier after referral {joined.referral_reference}",
        submit="Reviewed – keep the tier",
        back=_back("cases:detail", case),
        call=lambda d: services.keep_tier_after_referral(
            actor=request.user, joined_pk=joined.pk, expected_version=d["version"],
            reason=d["reason"]),
        success=f"You reviewed the risk tier after referral {joined.referral_reference}: "
                f"it stays {tier}.",
        intro=f"Triage rated the referral {joined.brag_name or 'without a rating'}"
              f"{', ' + joined.triage_tier_name.lower() + ' risk' if joined.risk_tier else ''}. "
              f"The case is {tier} risk.",
    )


@requires(Action.CASE_CHANGE)
def change_exploitation_types(request: HubRequest, case_pk: int) -> HttpResponse:
    case = _case_page(request, case_pk, page="change_exploitation_types",
                      action=Action.CASE_CHANGE)
    if isinstance(case, HttpResponseRedirect):
        return case
    return _form_page(
        request, case,
        lambda data: case_forms.ExploitationTypesForm(data, initial={
            "version": case.version, "exploitation_types": case.exploitation_types,
            "exploitation_model": case.exploitation_model}),
        title="Change the types and model of exploitation", submit="Save types of exploitation",
        back=_back("cases:detail", case),
        call=lambda d: services.change_exploitation_types(
            actor=request.user, case_pk=case.pk, expected_version=d["version"],
            exploitation_types=d["exploitation_types"], reason=d["reason"],
            exploitation_model=d["exploitation_model"]),
        success="The types of exploitation have been changed.",
    )


@requires(Action.CASE_CHANGE)
def change_key_worker(request: HubRequest, case_pk: int) -> HttpResponse:
    case = _case_page(request, case_pk, page="change_key_worker", action=Action.CASE_CHANGE)
    if isinstance(case, HttpResponseRedirect):
        return case
    return _form_page(
        request, case,
        lambda data: case_forms.KeyWorkerForm(
            data, initial={"version": case.version, "key_worker": case.key_worker_id}),
        title="Change the key worker", submit="Save key worker",
        back=_back("cases:workers", case),
        call=lambda d: services.set_key_worker(
            actor=request.user, case_pk=case.pk, expected_version=d["version"],
            key_worker=d["key_worker"],
            acknowledged_missing_training=d.get("acknowledged_missing_training", False),
            missing_training_reason=d.get("missing_training_reason", "")),
        success="The key worker has been changed.",
    )


@requires(Action.CASE_CHANGE)
def change_lead_agency(request: HubRequest, case_pk: int) -> HttpResponse:
    case = _case_page(request, case_pk, page="change_lead_agency", action=Action.CASE_CHANGE)
    if isinstance(case, HttpResponseRedirect):
        return case
    return _form_page(
        request, case,
        lambda data: case_forms.LeadAgencyForm(
            data, initial={"version": case.version, "lead_agency": case.lead_agency_id}),
        title="Change the lead agency", submit="Save lead agency",
        back=_back("cases:workers", case),
        call=lambda d: services.set_lead_agency(
            actor=request.user, case_pk=case.pk, expected_version=d["version"],
            lead_agency=d["lead_agency"]),
        success="The lead agency has been changed.",
    )


@requires(Action.CASE_RESTRICT)
def restrict(request: HubRequest, case_pk: int) -> HttpResponse:
    """Mark the case restricted, or lift the restriction (whichever it is not)."""
    case = _case_page(request, case_pk, page="restrict", action=Action.CASE_RESTRICT)
    if isinstance(case, HttpResponseRedirect):
        return case
    restricting = not case.is_restricted
    return _form_page(
        request, case,
        lambda data: case_forms.RestrictForm(data, restricting=restricting,
                                             initial={"version": case.version}),
        title="Restrict this case" if restricting else "Ask to lift the restriction",
        submit="Restrict case" if restricting else "Send for approval",
        back=_back("cases:detail", case),
        call=lambda d: services.set_restricted(
            actor=request.user, case_pk=case.pk, expected_version=d["version"],
            restricted=True, reason=d["reason"]) if restricting
        else services.request_restriction_lift(
            actor=request.user, case_pk=case.pk, expected_version=d["version"],
            reason=d["reason"]),
        success="The case is now restricted." if restricting else APPROVAL_ASKED,
        template="cases/restrict.html", restricting=restricting,
    )


@requires(Action.CASE_CHANGE)
def close(request: HubRequest, case_pk: int) -> HttpResponse:
    case = _case_page(request, case_pk, page="close", action=Action.CASE_CHANGE, full=True)
    if isinstance(case, HttpResponseRedirect):
        return case
    overview = selectors.case_overview(request.user, case)
    return _form_page(
        request, case,
        lambda data: case_forms.CloseCaseForm(
            data, has_open_plan_items=bool(overview.open_plan_items),
            initial={"version": case.version}),
        title="Ask to close the case", submit="Send for approval",
        back=_back("cases:detail", case),
        call=lambda d: services.request_case_closure(
            actor=request.user, case_pk=case.pk, expected_version=d["version"],
            closure_reason=d["closure_reason"], note=d["note"],
            cancel_open_plan_items=d.get("cancel_open_plan_items", False)),
        success=APPROVAL_ASKED,
        template="cases/close.html", overview=overview,
    )


@requires(Action.CASE_DECIDE)
def decide(request: HubRequest, decision_pk: int) -> HttpResponse:
    """Approve or reject a request someone else made: what was asked, by whom and when,
    then the decision with a comment. 403 for the person who asked."""
    user = request.user
    asked = opening.open_record(request, Action.CASE_DECIDE,
                                selectors.decision_request_queryset(), page="decision",
                                pk=decision_pk)
    if isinstance(asked, HttpResponseRedirect):
        return asked
    case = selectors.case_for(user, asked.case_id, full=True)
    if request.method == "GET":
        opening.record_viewed(request, case, page="decision", detail={"request": asked.pk})
    if not asked.is_pending:
        messages.info(request, f"This request has already been "
                               f"{asked.get_status_display().lower()}.")
        return redirect(_back("cases:detail", case))
    approving = request.POST.get("decision") == "approve"
    return _form_page(
        request, case,
        lambda data: case_forms.DecisionForm(data, initial={"version": case.version}),
        title=f"Decide: {asked.get_kind_display().lower()}", submit="Save decision",
        back=_back("cases:detail", case),
        call=lambda d: services.decide_case_request(
            actor=user, request_pk=asked.pk, expected_version=d["version"],
            approve=d["decision"] == "approve", comment=d["comment"]),
        success="The request has been approved." if approving
        else "The request has been rejected. The case is unchanged.",
        template="cases/decide.html", asked=asked,
        overview=selectors.case_overview(user, case),
    )


# --- Workers, advocates, sharing ---------------------------------------------------------


@requires(Action.CASE_CHANGE)
def allocate(request: HubRequest, case_pk: int) -> HttpResponse:
    case = _case_page(request, case_pk, page="allocate", action=Action.CASE_CHANGE)
    if isinstance(case, HttpResponseRedirect):
        return case
    return _form_page(
        request, case, case_forms.AllocateWorkerForm,
        title="Allocate a worker", submit="Allocate",
        back=_back("cases:workers", case),
        call=lambda d: services.allocate_worker(
            actor=request.user, case_pk=case.pk, user=d["user"]),
        success="The worker has been allocated to the case.",
        intro="An allocated worker can see and work on the case, even if their agency "
              "cannot.",
    )


@requires(Action.CASE_CHANGE)
def unallocate(request: HubRequest, case_pk: int, allocation_pk: int) -> HttpResponse:
    case = _case_page(request, case_pk, page="unallocate", action=Action.CASE_CHANGE)
    if isinstance(case, HttpResponseRedirect):
        return case
    allocation = selectors.allocation_for(case, allocation_pk)
    name = allocation.user.display_name
    return _form_page(
        request, case, case_forms.ServiceForm,
        title=f"Remove {name} from this case?", submit="Remove from case",
        back=_back("cases:workers", case),
        call=lambda d: services.unallocate_worker(actor=request.user,
                                                  allocation_pk=allocation.pk),
        success=f"{name} is no longer allocated to the case.",
        intro="They will no longer see the case unless their agency leads it or it is shared "
              "with their agency.",
        warning=True,
    )


@requires(Action.CASE_CHANGE)
def share(request: HubRequest, case_pk: int) -> HttpResponse:
    case = _case_page(request, case_pk, page="share", action=Action.CASE_CHANGE)
    if isinstance(case, HttpResponseRedirect):
        return case
    return _form_page(
        request, case, case_forms.ShareCaseForm,
        title="Share the case with an agency", submit="Share case",
        back=_back("cases:workers", case),
        call=lambda d: services.share_case(
            actor=request.user, case_pk=case.pk, agency=d["agency"], reason=d["reason"]),
        success="The case has been shared.",
        intro="Staff of the agency who work on cases will be able to see the whole case, "
              "including its chronology.",
    )


@requires(Action.CASE_CHANGE)
def unshare(request: HubRequest, case_pk: int, share_pk: int) -> HttpResponse:
    case = _case_page(request, case_pk, page="unshare", action=Action.CASE_CHANGE)
    if isinstance(case, HttpResponseRedirect):
        return case
    case_share = selectors.share_for(case, share_pk)
    agency = case_share.agency.name
    return _form_page(
        request, case, case_forms.ServiceForm,
        title=f"Stop sharing this case with {agency}?", submit="Stop sharing",
        back=_back("cases:workers", case),
        call=lambda d: services.stop_sharing_case(actor=request.user, share_pk=case_share.pk),
        success=f"The case is no longer shared with {agency}.",
        intro=f"Staff of {agency} will no longer see the case unless they are allocated to it.",
        warning=True,
    )


@requires(Action.CASE_CHANGE)
def change_advocate(request: HubRequest, case_pk: int) -> HttpResponse:
    case = _case_page(request, case_pk, page="change_advocate", action=Action.CASE_CHANGE,
                      full=True)
    if isinstance(case, HttpResponseRedirect):
        return case
    overview = selectors.case_overview(request.user, case)
    has_current = overview.current_advocate is not None
    return _form_page(
        request, case,
        lambda data: case_forms.AdvocateForm(
            data, has_current=has_current, initial={"starts_on": timezone.localdate()}),
        title="Change the victim advocate" if has_current else "Allocate a victim advocate",
        submit="Save advocate", back=_back("cases:workers", case),
        call=lambda d: services.change_advocate(
            actor=request.user, case_pk=case.pk, advocate=d["advocate"],
            starts_on=d["starts_on"], end_reason=d.get("end_reason", "")),
        success="The victim advocate has been saved.",
        template="cases/change_advocate.html", overview=overview,
    )


@requires(Action.CASE_ADVOCACY_END)
def end_advocacy(request: HubRequest, case_pk: int) -> HttpResponse:
    """End the advocate's allocation, open case or closed: advocacy has its own end."""
    case = _case_page(request, case_pk, page="end_advocacy",
                      action=Action.CASE_ADVOCACY_END, full=True)
    if isinstance(case, HttpResponseRedirect):
        return case
    overview = selectors.case_overview(request.user, case)
    current = overview.current_advocate
    return _form_page(
        request, case,
        lambda data: case_forms.EndAdvocacyForm(
            data, initial={"ended_on": timezone.localdate()}),
        title="End the victim advocacy", submit="End advocacy",
        back=_back("cases:workers", case),
        call=lambda d: services.end_advocacy(
            actor=request.user, case_pk=case.pk, ended_on=d["ended_on"], reason=d["reason"]),
        success="The victim advocacy has ended.",
        # An advocate from outside the hub may no longer see the case once it ends.
        done=lambda: _back("cases:workers", case)
        if can(request.user, Action.CASE_VIEW, case) else reverse("cases:list"),
        intro=(f"{current.advocate.display_name} has been the child's victim advocate since "
               f"{current.started_on.day} {current.started_on:%B %Y}. Advocacy continues "
               "after the case closes: end it when the advocacy service decides, for example "
               "after the trial.") if current else
        "The child has no victim advocate allocated.",
        advocacy_needed=reasons_to_keep_advocacy(request.user, case.child),
    )


# --- Recording work -------------------------------------------------------------------


@requires(Action.CASE_RECORD_WORK)
def add_plan_item(request: HubRequest, case_pk: int) -> HttpResponse:
    case = _case_page(request, case_pk, page="add_plan_item", action=Action.CASE_RECORD_WORK)
    if isinstance(case, HttpResponseRedirect):
        return case
    return _form_page(
        request, case, case_forms.PlanItemForm,
        title="Add a plan item", submit="Add plan item",
        back=_back("cases:plan", case),
        call=lambda d: services.add_plan_item(
            actor=request.user, case_pk=case.pk, action=d["action"], due_on=d["due_on"],
            **case_forms.PlanItemForm.owner_arguments(d)),
        success="The plan item has been added.",
    )


@requires(Action.CASE_RECORD_WORK)
def edit_plan_item(request: HubRequest, case_pk: int, plan_item_pk: int) -> HttpResponse:
    case = _case_page(request, case_pk, page="edit_plan_item", action=Action.CASE_RECORD_WORK)
    if isinstance(case, HttpResponseRedirect):
        return case
    item = selectors.plan_item_for(case, plan_item_pk)
    initial = case_forms.PlanItemForm.initial_for(item)
    return _form_page(
        request, case, lambda data: case_forms.PlanItemForm(data, initial=initial),
        title="Change a plan item", submit="Save plan item",
        back=_back("cases:plan", case),
        call=lambda d: services.update_plan_item(
            actor=request.user, plan_item_pk=item.pk, action=d["action"], due_on=d["due_on"],
            **case_forms.PlanItemForm.owner_arguments(d)),
        success="The plan item has been changed.",
    )


@requires(Action.CASE_RECORD_WORK)
def complete_plan_item(request: HubRequest, case_pk: int, plan_item_pk: int) -> HttpResponse:
    case = _case_page(request, case_pk, page="complete_plan_item",
                      action=Action.CASE_RECORD_WORK)
    if isinstance(case, HttpResponseRedirect):
        return case
    item = selectors.plan_item_for(case, plan_item_pk)
    return _form_page(
        request, case,
        lambda data: case_forms.CompletePlanItemForm(
            data, initial={"status": "done", "completed_on": timezone.localdate()}),
        title="Finish a plan item", submit="Save",
        back=_back("cases:plan", case),
        call=lambda d: services.complete_plan_item(
            actor=request.user, plan_item_pk=item.pk, status=d["status"],
            completed_on=d["completed_on"], note=d["note"]),
        success="The plan item has been updated.",
        intro=f"Action: {item.action}",
    )


@requires(Action.CASE_RECORD_WORK)
def add_contact(request: HubRequest, case_pk: int) -> HttpResponse:
    case = _case_page(request, case_pk, page="add_contact", action=Action.CASE_RECORD_WORK)
    if isinstance(case, HttpResponseRedirect):
        return case
    service = services.advocacy_service_of(request.user)
    return _form_page(
        request, case, case_forms.ContactForm,
        title="Record a contact", submit="Record contact",
        back=_back("cases:contacts", case),
        call=lambda d: services.record_contact(
            actor=request.user, case_pk=case.pk, occurred_at=d["occurred_at"], kind=d["kind"],
            with_whom=d["with_whom"], summary=d["summary"], child_seen=d["child_seen"],
            child_seen_alone=d["child_seen_alone"], child_words=d["child_words"]),
        success="The contact has been recorded.",
        intro=(f"Who the contact was with, whether the child was seen, the child's words and "
               f"your summary are confidential to the advocacy "
               f"service ({service.name}): others working on the case see only that the "
               f"contact happened, when, and who recorded it.") if service else "",
    )


@requires(Action.CASE_RECORD_WORK)
def add_missing_episode(request: HubRequest, case_pk: int) -> HttpResponse:
    case = _case_page(request, case_pk, page="add_missing_episode",
                      action=Action.CASE_RECORD_WORK)
    if isinstance(case, HttpResponseRedirect):
        return case
    return _form_page(
        request, case, case_forms.MissingEpisodeForm,
        title="Record a missing episode", submit="Record missing episode",
        back=_back("cases:missing", case),
        call=lambda d: services.record_missing_episode(
            actor=request.user, case_pk=case.pk, went_missing_at=d["went_missing_at"],
            returned_at=d["returned_at"], interview=_interview(d), notes=d["notes"],
            police=_police(d), places=_places(d)),
        success="The missing episode has been recorded.",
        template="cases/missing_episode_form.html",
    )


@requires(Action.CASE_RECORD_WORK)
def edit_missing_episode(request: HubRequest, case_pk: int, episode_pk: int) -> HttpResponse:
    case = _case_page(request, case_pk, page="edit_missing_episode",
                      action=Action.CASE_RECORD_WORK)
    if isinstance(case, HttpResponseRedirect):
        return case
    episode = selectors.missing_episode_for(request.user, case, episode_pk)
    initial = case_forms.MissingEpisodeForm.initial_for(episode)
    return _form_page(
        request, case, lambda data: case_forms.MissingEpisodeForm(data, initial=initial),
        title="Update a missing episode", submit="Save missing episode",
        back=_back("cases:missing", case),
        call=lambda d: services.update_missing_episode(
            actor=request.user, episode_pk=episode.pk, went_missing_at=d["went_missing_at"],
            returned_at=d["returned_at"], interview=_interview(d), notes=d["notes"],
            police=_police(d), places=_places(d),
            via_case_pk=case.pk),
        success="The missing episode has been updated.",
        template="cases/missing_episode_form.html",
    )


@requires(Action.CASE_RECORD_WORK)
def add_outcome(request: HubRequest, case_pk: int) -> HttpResponse:
    case = _case_page(request, case_pk, page="add_outcome", action=Action.CASE_RECORD_WORK)
    if isinstance(case, HttpResponseRedirect):
        return case
    return _form_page(
        request, case,
        lambda data: case_forms.OutcomeForm(data, initial={"recorded_on": timezone.localdate()}),
        title="Record an outcome", submit="Record outcome",
        back=_back("cases:outcomes", case),
        call=lambda d: services.record_outcome(
            actor=request.user, case_pk=case.pk, kind=d["kind"], recorded_on=d["recorded_on"],
            note=d["note"]),
        success="The outcome has been recorded.",
    )


# --- A child's missing episodes, with or without a case ---------------------------------


EPISODES_PER_PAGE = 25


@requires(Action.MISSING_EPISODE_LIST)
def missing_episode_list(request: HubRequest) -> HttpResponse:
    """Every missing episode of the children the user may see, with or without a case:
    where the missing-episode and return-interview figures lead."""
    user = request.user
    choices = selectors.case_list_choices(user)
    form = case_forms.EpisodeFilterForm(request.GET or None, choices=choices)
    filters = form.filters()
    page = Paginator(selectors.episode_list(user, filters), EPISODES_PER_PAGE).get_page(
        request.GET.get("page"))
    record_event(
        event_type=EventType.SEARCH, actor=user, record_type="cases.missingepisode",
        detail={"filters": {k: v for k, v in asdict(filters).items() if v not in ("", None)},
                "results": [episode.pk for episode in page.object_list]},
        request=request,
    )
    now = timezone.now()
    seen = selectors.cases_for(user).exclude(policy.reason_required(user)).filter(
        pk__in=[episode.case_id for episode in page.object_list if episode.case_id])
    return render(request, "cases/missing_episode_list.html", {
        "form": form, "page_obj": page,
        "rows": [(episode, episode.state(now)) for episode in page.object_list],
        "cases_seen": set(seen.values_list("pk", flat=True)),
        "interview_hours": settings.RETURN_INTERVIEW_HOURS,
    })


def _child_episode_page(
    request: HubRequest, person_pk: int, *, page: str, title: str, submit: str,
    initial: dict[str, Any] | None, call: Callable[[Any], object], success: str,
) -> HttpResponse:
    """Record or update a missing episode from the child's own record: 404 if the user
    may not know the child exists, 403 if they may see the child but not record."""
    child = opening.open_record(request, Action.MISSING_EPISODE_RECORD, Person.objects.all(),
                                page=page, pk=person_pk)
    if isinstance(child, HttpResponseRedirect):
        return child
    back = reverse("people:detail", args=[child.pk]) + "#missing-episodes"
    form = case_forms.MissingEpisodeForm(
        request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, success)
            return redirect(back)
    return render(request, "cases/child_missing_episode_form.html", {
        "child": child, "form": form, "title": title, "submit": submit, "back": back,
        "interview_hours": settings.RETURN_INTERVIEW_HOURS,
        "open_case": child.cases.filter(status="open").first(),
        # The child's identity bar, as on every page of their record.
        "person": child, "identity": identity_for(request.user, child),
    })


@requires(Action.MISSING_EPISODE_RECORD)
def child_add_missing_episode(request: HubRequest, person_pk: int) -> HttpResponse:
    return _child_episode_page(
        request, person_pk, page="add_missing_episode", title="Record a missing episode",
        submit="Record missing episode", initial=None,
        call=lambda d: services.record_missing_episode(
            actor=request.user, child_pk=person_pk, went_missing_at=d["went_missing_at"],
            returned_at=d["returned_at"], interview=_interview(d), notes=d["notes"],
            police=_police(d), places=_places(d)),
        success="The missing episode has been recorded.",
    )


@requires(Action.MISSING_EPISODE_RECORD)
def child_edit_missing_episode(request: HubRequest, person_pk: int, episode_pk: int
                               ) -> HttpResponse:
    # The child is checked first (404 or 403), then the episode must be one of theirs.
    policy.get_or_404(request.user, Action.MISSING_EPISODE_RECORD, Person.objects.all(),
                      pk=person_pk)
    episode = selectors.child_missing_episode(request.user, person_pk, episode_pk)
    return _child_episode_page(
        request, person_pk, page="edit_missing_episode", title="Update a missing episode",
        submit="Save missing episode",
        initial=case_forms.MissingEpisodeForm.initial_for(episode),
        call=lambda d: services.update_missing_episode(
            actor=request.user, episode_pk=episode.pk, went_missing_at=d["went_missing_at"],
            returned_at=d["returned_at"], interview=_interview(d), notes=d["notes"],
            police=_police(d), places=_places(d)),
        success="The missing episode has been updated.",
    )


def _nrm_details(data: dict[str, Any]) -> services.NrmDetails:
    return services.NrmDetails(**{name: data[name] for name in
                                  case_forms.NrmReferralForm.FIELDS})


@requires(Action.CASE_RECORD_WORK)
def add_nrm_referral(request: HubRequest, case_pk: int) -> HttpResponse:
    case = _case_page(request, case_pk, page="add_nrm_referral", action=Action.CASE_RECORD_WORK)
    if isinstance(case, HttpResponseRedirect):
        return case
    return _form_page(
        request, case, case_forms.NrmReferralForm,
        title="Record a National Referral Mechanism referral", submit="Record NRM referral",
        back=_back("cases:detail", case),
        call=lambda d: services.record_nrm_referral(
            actor=request.user, case_pk=case.pk, details=_nrm_details(d)),
        success="The NRM referral has been recorded.",
        template="cases/nrm_referral_form.html",
    )


@requires(Action.CASE_RECORD_WORK)
def edit_nrm_referral(request: HubRequest, case_pk: int, nrm_pk: int) -> HttpResponse:
    case = _case_page(request, case_pk, page="edit_nrm_referral",
                      action=Action.CASE_RECORD_WORK)
    if isinstance(case, HttpResponseRedirect):
        return case
    nrm = selectors.nrm_referral_for(case, nrm_pk)
    initial = case_forms.NrmReferralForm.initial_for(nrm)
    return _form_page(
        request, case, lambda data: case_forms.NrmReferralForm(data, initial=initial),
        title="Update the NRM referral", submit="Save NRM referral",
        back=_back("cases:detail", case),
        call=lambda d: services.update_nrm_referral(
            actor=request.user, nrm_pk=nrm.pk, details=_nrm_details(d)),
        success="The NRM referral has been updated.",
        template="cases/nrm_referral_form.html",
    )


# --- Risk assessments and reviews --------------------------------------------------------


@requires(Action.CASE_VIEW)
def risk_assessments(request: HubRequest, case_pk: int) -> HttpResponse:
    """Every risk assessment of the case, newest first, each domain with its rating."""
    return _section(request, case_pk, "cases:risk_assessments", "cases/risk_assessments.html",
                    review_weeks=review_weeks())


@requires(Action.CASE_ASSESS_RISK)
def add_risk_assessment(request: HubRequest, case_pk: int) -> HttpResponse:
    case = _case_page(request, case_pk, page="add_risk_assessment",
                      action=Action.CASE_ASSESS_RISK)
    if isinstance(case, HttpResponseRedirect):
        return case
    return _form_page(
        request, case,
        lambda data: case_forms.RiskAssessmentForm(
            data, initial={"assessed_on": timezone.localdate()}),
        title="Record a risk assessment", submit="Record risk assessment",
        back=_back("cases:risk_assessments", case),
        call=lambda d: services.record_risk_assessment(
            actor=request.user, case_pk=case.pk, assessed_on=d["assessed_on"],
            ratings=case_forms.RiskAssessmentForm.ratings_from(d), judgement=d["judgement"],
            summary=d["summary"]),
        success="The risk assessment has been recorded.",
        template="cases/risk_assessment_form.html", review_weeks=review_weeks(),
    )


@requires(Action.CASE_LIST)
def risk_reviews(request: HubRequest) -> HttpResponse:
    """Open cases whose risk review is due or overdue, of those the user may see, a page
    at a time. Viewing a page is recorded with the cases on it, as the case list is."""
    user = request.user
    rows = selectors.risk_reviews_due(user)
    page = Paginator(rows, selectors.CASES_PER_PAGE).get_page(request.GET.get("page"))
    record_event(
        event_type=EventType.SEARCH, actor=user, record_type="cases.case",
        detail={"list": "risk reviews due", "results": [row.case.pk for row in page]},
        request=request,
    )
    return render(request, "cases/risk_reviews.html", {
        "rows": rows, "page_obj": page, "review_weeks": review_weeks(),
    })
