"""Referral pages: the referrer's question pages and their own referrals; the hub's
triage queue, referral record and decision form. Thin: each validates input, asks a
selector or service (which ask ``access``), and renders."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.defaultfilters import linebreaksbr
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from macehub.access import opening
from macehub.access.actions import Action
from macehub.access.policy import allows, can
from macehub.access.typing import HubRequest
from macehub.access.views import requires
from macehub.cases.codes import (
    BRAG_TAG_COLOURS,
    RISK_TIER_TAG_COLOURS,
    Brag,
    IndicatorDomain,
    RiskTier,
    exploitation_type_labels,
    short_label,
)
from macehub.cases.models import Case, Indicator
from macehub.core.service_errors import add_service_errors, refusal_text
from macehub.core.versioning import EditConflict, form_after_conflict
from macehub.people.models import Person
from macehub.referrals import selectors, services
from macehub.referrals.clocks import TimeLeft, decision_clock, partner_check_clock
from macehub.referrals.codes import (
    NOT_KNOWN_TEXT,
    ConsentStatus,
    ImmediateStepKind,
    OnlinePlatform,
    YearGroup,
    yes_no_not_known,
)
from macehub.referrals.forms import (
    DOMAIN_LEGENDS,
    NEW_CHILD,
    AddInformationForm,
    ChooseChildForm,
    ConcernForm,
    FamilyAndConsentForm,
    FindChildForm,
    HomeAndSchoolForm,
    ImmediateStepForm,
    IndicatorsForm,
    NewChildForm,
    PartnerCheckRequestForm,
    PartnerCheckReturnForm,
    PickUpForm,
    ReferralFilterForm,
    TriageDecisionForm,
)
from macehub.referrals.intake import (
    STEP_URL_NAMES,
    SUBMITTED_KEY,
    CheckedDraft,
    Draft,
    Step,
    checked,
)
from macehub.referrals.models import ImmediateStep, PartnerCheck, Referral

PAGE_SIZE = 25
CHANGE_PARAM = "change"


# --- Helpers for the question pages -------------------------------------------------------


def _is_change(request: HubRequest) -> bool:
    """The referrer came from the check-your-answers page to change one answer."""
    return request.GET.get(CHANGE_PARAM) == "1"


def _step_url(step: Step, *, change: bool = False) -> str:
    url = reverse(STEP_URL_NAMES[step])
    return f"{url}?{CHANGE_PARAM}=1" if change else url


def _back_url(draft: Draft, step: Step, change: bool) -> str:
    if change:
        return reverse("referrals:check")
    previous = draft.previous(step)
    return _step_url(previous) if previous else reverse("referrals:mine")


def _next_url(step: Step, change: bool) -> str:
    return reverse("referrals:check") if change else _step_url(step)


def _first_missing_redirect(draft: Draft) -> HttpResponse:
    missing = draft.first_missing()
    return redirect(_step_url(missing) if missing else reverse("referrals:check"))


def _question_page(request: HubRequest, template: str, draft: Draft, step: Step,
                   form: forms.Form, **context: Any) -> HttpResponse:
    change = _is_change(request)
    return render(request, template, {
        "form": form,
        "back_url": _back_url(draft, step, change),
        "action_url": _step_url(step, change=change),
        "change": change,
        "immediate_risk": draft.immediate_risk,
        "has_draft": not draft.is_empty,
        **context,
    })


def _question_step(request: HubRequest, step: Step, form_class: type[forms.Form],
                   template: str, next_step: Step, **context: Any) -> HttpResponse:
    """One question page of the journey: asked only once the pages before it are
    answered; a valid answer is kept in the draft and leads to the next page (or back to
    check your answers, when changing)."""
    draft = Draft(request.session)
    if not draft.may_open(step):
        return _first_missing_redirect(draft)
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            draft.save(step, request.POST)
            return redirect(_next_url(next_step, _is_change(request)))
    else:
        form = form_class(draft.data(step))
    return _question_page(request, template, draft, step, form, **context)


# --- (a) Which child ----------------------------------------------------------------------


@requires(Action.REFERRAL_SUBMIT)
def start(request: HubRequest) -> HttpResponse:
    draft = Draft(request.session)
    change = _is_change(request)
    if request.method == "POST":
        form = FindChildForm(request.POST)
        if form.is_valid():
            before = draft.answers.get(Step.CHILD.value)
            draft.save(Step.CHILD, request.POST)
            if before != draft.answers[Step.CHILD.value]:
                # Different details find different children: ask again who it is.
                draft.forget(Step.MATCH, Step.NEW_CHILD)
                return redirect(_step_url(Step.MATCH, change=change))
            return redirect(_next_url(Step.MATCH, change))
    else:
        form = FindChildForm(draft.data(Step.CHILD))
    return _question_page(request, "referrals/intake_find_child.html", draft, Step.CHILD, form)


@requires(Action.REFERRAL_SUBMIT)
def choose_child(request: HubRequest) -> HttpResponse:
    draft = Draft(request.session)
    find = FindChildForm(draft.data(Step.CHILD))
    if not draft.may_open(Step.MATCH) or not find.is_valid():
        return redirect("referrals:start")
    change = _is_change(request)
    matches = selectors.find_child(
        user=request.user,
        given_name=find.cleaned_data["given_name"],
        family_name=find.cleaned_data["family_name"],
        date_of_birth=find.cleaned_data["date_of_birth"],
        identifiers=tuple(value for _kind, value in find.identifiers()),
        request=request,
    )
    if request.method == "POST":
        form = ChooseChildForm(request.POST, matches=matches)
        if form.is_valid():
            draft.save(Step.MATCH, request.POST)
            if form.cleaned_data["child"] == NEW_CHILD:
                if change and draft.has(Step.NEW_CHILD):
                    return redirect("referrals:check")
                return redirect(_step_url(Step.NEW_CHILD, change=change))
            draft.forget(Step.NEW_CHILD)
            return redirect(_next_url(Step.HOME_AND_SCHOOL, change))
    else:
        form = ChooseChildForm(draft.data(Step.MATCH), matches=matches)
    identities = selectors.child_identities(request.user, [m.person for m in matches])
    chosen = form["child"].value() if form.is_bound else None
    return _question_page(
        request, "referrals/intake_choose_child.html", draft, Step.MATCH, form,
        matches=matches, searched=find.cleaned_data,
        options=[{"value": str(m.person.pk), "label": m.person.full_name,
                  "hint": _identity_hint(m.person, identities[m.person.pk]),
                  "checked": chosen == str(m.person.pk)} for m in matches],
        new_checked=chosen == NEW_CHILD,
    )


def _identity_hint(person: Person, identity: selectors.ChildIdentity) -> list[str]:
    """The lines under a possible match's name: birth date and age, where they live,
    their school."""
    if person.date_of_birth:
        born = f"Born {_date(person.date_of_birth)}"
        lines = [f"{born}, aged {identity.age}" if identity.age is not None else born]
    elif identity.age is not None:
        lines = [f"Date of birth not known, about {identity.age} years old"]
    else:
        lines = ["Date of birth and age not known"]
    lines.append(f"Lives in {identity.area}" if identity.area else "Where they live: not known")
    if identity.school:
        school = identity.school
        lines.append(f"School: {school}, {identity.year_group}" if identity.year_group
                     else f"School: {school}")
    else:
        lines.append("School: not known")
    return lines


@requires(Action.REFERRAL_SUBMIT)
def new_child(request: HubRequest) -> HttpResponse:
    draft = Draft(request.session)
    if not draft.may_open(Step.NEW_CHILD):
        return _first_missing_redirect(draft)
    change = _is_change(request)
    if request.method == "POST":
        form = NewChildForm(request.POST)
        if form.is_valid():
            draft.save(Step.NEW_CHILD, request.POST)
            return redirect(_next_url(Step.HOME_AND_SCHOOL, change))
    elif draft.has(Step.NEW_CHILD):
        form = NewChildForm(draft.data(Step.NEW_CHILD))
    else:
        find = FindChildForm(draft.data(Step.CHILD))
        find.is_valid()
        form = NewChildForm(initial={
            name: find.cleaned_data.get(name)
            for name in ("given_name", "family_name", "date_of_birth")
        })
    return _question_page(request, "referrals/intake_new_child.html", draft, Step.NEW_CHILD,
                          form)


# --- Home and school; family and consent --------------------------------------------------


@requires(Action.REFERRAL_SUBMIT)
def home_and_school(request: HubRequest) -> HttpResponse:
    return _question_step(request, Step.HOME_AND_SCHOOL, HomeAndSchoolForm,
                          "referrals/intake_home_and_school.html", Step.FAMILY)


@requires(Action.REFERRAL_SUBMIT)
def family(request: HubRequest) -> HttpResponse:
    return _question_step(request, Step.FAMILY, FamilyAndConsentForm,
                          "referrals/intake_family.html", Step.CONCERN)


# --- (b) The concern ----------------------------------------------------------------------


@requires(Action.REFERRAL_SUBMIT)
def concern(request: HubRequest) -> HttpResponse:
    return _question_step(request, Step.CONCERN, ConcernForm, "referrals/intake_concern.html",
                          Step.INDICATORS)


# --- (c) Indicators -----------------------------------------------------------------------


@requires(Action.REFERRAL_SUBMIT)
def indicators(request: HubRequest) -> HttpResponse:
    draft = Draft(request.session)
    if not draft.may_open(Step.INDICATORS):
        return _first_missing_redirect(draft)
    catalogue = selectors.indicators_by_domain()
    if request.method == "POST":
        form = IndicatorsForm(request.POST, catalogue=catalogue)
        if form.is_valid():
            draft.save(Step.INDICATORS, request.POST)
            return redirect("referrals:check")
    else:
        form = IndicatorsForm(draft.data(Step.INDICATORS), catalogue=catalogue)
    return _question_page(request, "referrals/intake_indicators.html", draft, Step.INDICATORS,
                          form)


# --- (d) Check your answers and send ------------------------------------------------------


class SendReferralForm(forms.Form):
    """Nothing to fill in: carries the reason a referral could not be sent."""


def _date(day: dt.date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else ""


def _born(person: Person) -> str:
    return f"born {_date(person.date_of_birth)}" if person.date_of_birth else (
        "date of birth not known")


def _count_text(count: int | None) -> str:
    return NOT_KNOWN_TEXT if count is None else str(count)


def _answer_sections(answers: CheckedDraft, chosen_child: Person | None) -> list[dict[str, Any]]:
    """The check-your-answers summary lists, each row with its Change link."""

    def row(key: str, value: Any, step: Step, empty: str = "Not given") -> dict[str, Any]:
        if isinstance(value, list) and value:
            value = format_html('<ul class="govuk-list">{}</ul>',
                                format_html_join("", "<li>{}</li>", ((item,) for item in value)))
        elif isinstance(value, str) and "\n" in value:
            value = linebreaksbr(value, autoescape=True)
        return {"key": key, "value": value if value not in (None, "", []) else empty,
                "href": _step_url(step, change=True)}

    find = answers.find.cleaned_data
    child_rows = [
        row("Name searched for", f"{find['given_name']} {find['family_name']}", Step.CHILD),
        row("Date of birth searched for", _date(find["date_of_birth"]), Step.CHILD),
        row("NHS number", find["nhs_number"], Step.CHILD),
        row("Unique Pupil Number", find["upn"], Step.CHILD),
    ]
    if answers.new_child is not None:
        new = answers.new_child
        data = new.cleaned_data
        choices = {name: dict(new.fields[name].choices)  # type: ignore[attr-defined]
                   for name in ("sex", "self_defined_ethnicity", "nationality")}
        name = " ".join(p for p in (data["given_name"], data.get("middle_names", ""),
                                    data["family_name"]) if p)
        child_rows += [
            row("The child", "A new child: the hub has no record you can see", Step.MATCH),
            row("Child's name", name, Step.NEW_CHILD),
            row("Date of birth" if data.get("date_of_birth") else "Estimated age",
                _date(data["date_of_birth"]) if data.get("date_of_birth")
                else f"{data.get('estimated_age')} years", Step.NEW_CHILD),
            row("Sex", choices["sex"].get(data.get("sex", "")), Step.NEW_CHILD),
            row("Ethnicity", choices["self_defined_ethnicity"].get(
                data.get("self_defined_ethnicity", "")), Step.NEW_CHILD),
            row("Nationality", choices["nationality"].get(data.get("nationality", "")),
                Step.NEW_CHILD),
        ]
    elif chosen_child is not None:
        child_rows.append(row("The child", f"{chosen_child.full_name}, {_born(chosen_child)}",
                              Step.MATCH))
    home = answers.home.cleaned_data
    address = ", ".join(p for p in (home["address_line_1"], home["address_line_2"],
                                    home["town"], home["postcode"]) if p)
    home_rows = [
        row("Address", address, Step.HOME_AND_SCHOOL, empty=NOT_KNOWN_TEXT),
        row("School or college", home["school"], Step.HOME_AND_SCHOOL, empty=NOT_KNOWN_TEXT),
        row("Year group", YearGroup(home["year_group"]).label, Step.HOME_AND_SCHOOL),
    ]
    family = answers.family.cleaned_data
    consent = str(ConsentStatus(family["consent"]).label)
    family_rows = [
        row("Parent or carer", family["parent_carer_name"], Step.FAMILY, empty=NOT_KNOWN_TEXT),
        row("Relationship to the child", family["parent_carer_relationship"], Step.FAMILY,
            empty=NOT_KNOWN_TEXT),
        row("How to contact them", family["parent_carer_contact"], Step.FAMILY,
            empty=NOT_KNOWN_TEXT),
        row("They know about the referral", yes_no_not_known(family["parent_carer_aware"]),
            Step.FAMILY),
        row("Consent", consent, Step.FAMILY),
    ]
    if family["consent"] == ConsentStatus.NOT_SOUGHT:
        family_rows.append(row("Why consent was not asked for",
                               family["consent_not_sought_reason"], Step.FAMILY))
    concern = answers.concern
    concern_rows = [
        row("What happened", concern.cleaned_data["concerns"], Step.CONCERN),
        row("Type of exploitation",
            exploitation_type_labels(concern.cleaned_data["exploitation_types"]), Step.CONCERN),
        row("Kind of exploitation",
            dict(concern.fields["exploitation_model"].choices)[  # type: ignore[attr-defined]
                concern.cleaned_data["exploitation_model"]], Step.CONCERN),
        row("At immediate risk", yes_no_not_known(concern.cleaned_data["immediate_risk"]),
            Step.CONCERN),
        row("Child has disclosed abuse or harm",
            yes_no_not_known(concern.cleaned_data["disclosure"]), Step.CONCERN),
        row("Sexual activity", yes_no_not_known(concern.cleaned_data["sexual_activity"]),
            Step.CONCERN),
    ]
    indicator_form = answers.indicators
    indicator_rows = []
    for bound in indicator_form.indicator_fields:
        labels = dict(bound.field.choices)  # type: ignore[attr-defined]
        chosen_labels = [labels[code] for code in indicator_form.cleaned_data[bound.name]]
        indicator_rows.append(row(str(bound.label), chosen_labels, Step.INDICATORS,
                                  empty="None"))
    indicator_rows += [
        row("Times missing in the last 30 days",
            _count_text(indicator_form.missing_count()), Step.INDICATORS),
        row("Apps or online platforms",
            [OnlinePlatform(p).label for p in indicator_form.cleaned_data["online_platforms"]],
            Step.INDICATORS, empty="None"),
    ]
    return [
        {"heading": "The child", "rows": child_rows},
        {"heading": "Home and school", "rows": home_rows},
        {"heading": "Family and consent", "rows": family_rows},
        {"heading": "The concern", "rows": concern_rows},
        {"heading": "Signs of exploitation", "rows": indicator_rows},
    ]


@requires(Action.REFERRAL_SUBMIT)
def check(request: HubRequest) -> HttpResponse:
    draft = Draft(request.session)
    answers = checked(draft)
    if answers is None:
        return _first_missing_redirect(draft)
    invalid = answers.invalid_step()
    if invalid is not None:
        return redirect(_step_url(invalid, change=True))
    chosen_child = None
    if answers.new_child is None:
        # Only ever a child the referrer may be shown; if the record has since become
        # one they may not, they are asked to find the child again.
        chosen_child = selectors.findable_children(request.user).filter(
            pk=int(answers.child_choice)).first()
        if chosen_child is None:
            draft.forget(Step.MATCH)
            return redirect("referrals:choose_child")
    form = SendReferralForm(request.POST or None)
    if request.method == "POST":
        try:
            referral = services.submit_referral(
                actor=request.user, submission=answers.submission(), request=request
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            draft.clear()
            request.session[SUBMITTED_KEY] = referral.pk
            return redirect("referrals:confirmation")
    return render(request, "referrals/intake_check.html", {
        "form": form,
        "sections": _answer_sections(answers, chosen_child),
        "referrer_phone": answers.family.cleaned_data["referrer_phone"],
        "referrer_phone_href": _step_url(Step.FAMILY, change=True),
        "back_url": _step_url(Step.INDICATORS),
        "immediate_risk": draft.immediate_risk,
    })


@requires(Action.REFERRAL_SUBMIT)
def cancel(request: HubRequest) -> HttpResponse:
    """Asks first (the link to here sits away from Send), then deletes on POST."""
    if request.method == "POST":
        Draft(request.session).clear()
        messages.info(request, "Your unsent referral has been deleted.")
        return redirect("referrals:start")
    draft = Draft(request.session)
    if draft.is_empty:
        return redirect("referrals:start")
    return render(request, "referrals/intake_cancel.html", {
        "back_url": reverse("referrals:check") if draft.first_missing() is None
        else _step_url(draft.first_missing() or Step.CHILD),
    })


@requires(Action.REFERRAL_SUBMIT)
def confirmation(request: HubRequest) -> HttpResponse:
    pk = request.session.get(SUBMITTED_KEY)
    if not isinstance(pk, int):
        return redirect("referrals:mine")
    referral = selectors.own_referral(request.user, pk)
    return render(request, "referrals/intake_confirmation.html", {
        "referral": referral, "clock": decision_clock(),
    })


# --- The referrer's own referrals ---------------------------------------------------------


@requires(Action.REFERRAL_VIEW_OWN)
def mine(request: HubRequest) -> HttpResponse:
    referrals = selectors.own_referrals(request.user)
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.record_referrals_listed(
        user=request.user, listing="my referrals",
        referral_ids=[referral.pk for referral in page], request=request,
    )
    return render(request, "referrals/mine_list.html", {
        "page_obj": page,
        "can_refer": allows(request.user, Action.REFERRAL_SUBMIT),
    })


def _own_referral_context(referral: Referral) -> dict[str, Any]:
    return {
        "referral": referral,
        "indicator_groups": _indicator_groups(list(referral.indicators.all())),
        "platforms": [OnlinePlatform(p).label for p in referral.online_platforms
                      if p in OnlinePlatform.values],
        "additions": list(referral.additions.select_related("added_by")),
    }


@requires(Action.REFERRAL_VIEW_OWN)
def mine_detail(request: HubRequest, referral_pk: int) -> HttpResponse:
    # The referrer sees what they sent and its outcome, never the child's case: no
    # restricted case lies behind this page, so it asks for no reason.
    referral = selectors.own_referral(request.user, referral_pk)
    opening.record_viewed(request, referral, page="referrer's own view")
    return render(request, "referrals/mine_detail.html", {
        **_own_referral_context(referral),
        "can_add": can(request.user, Action.REFERRAL_ADD_INFORMATION, referral),
    })


@requires(Action.REFERRAL_ADD_INFORMATION)
def add_information(request: HubRequest, referral_pk: int) -> HttpResponse:
    """The referrer adds what they have learnt since sending: appended, never an edit."""
    referral = selectors.own_referral(request.user, referral_pk)
    opening.record_viewed(request, referral, page="add information to own referral")
    form = AddInformationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_referral_information(
                actor=request.user, referral_pk=referral.pk,
                text=form.cleaned_data["text"], request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Your information has been added to referral "
                                      f"{referral.reference}. The hub can see it now.")
            return redirect("referrals:mine_detail", referral_pk=referral.pk)
    return render(request, "referrals/mine_add_information.html", {
        "referral": referral, "form": form,
    })


# --- The hub: triage queue, referral record, decision -------------------------------------


def _tags(referral: Referral, now: Any) -> dict[str, Any]:
    brag = Brag(referral.brag or referral.suggested_brag)
    tier = referral.risk_tier if referral.is_decided else referral.suggested_tier
    return {
        "referral": referral,
        "brag": brag,
        "brag_label": short_label(brag),
        "brag_colour": BRAG_TAG_COLOURS[brag],
        "tier_label": short_label(RiskTier(tier)) if tier else "No tier",
        "tier_colour": RISK_TIER_TAG_COLOURS.get(RiskTier(tier), "grey") if tier else "grey",
        # The two clocks: the decision (one working day) and the partner checks (by
        # the rating).
        "time_left": TimeLeft(due_at=referral.decision_due_at, now=now),
        "clock": decision_clock(),
        "check_time_left": TimeLeft(due_at=referral.partner_checks_due_at, now=now),
        "check_clock": partner_check_clock(referral.partner_check_brag),
        "check_brag_label": short_label(Brag(referral.partner_check_brag)),
    }


# The hub's three lists of referrals, by the ``show`` parameter: (heading, audit name).
REFERRAL_LISTS = {
    "": ("Triage queue", "triage queue"),
    "decided": ("Decided referrals", "decided referrals"),
    "all": ("All referrals", "all referrals"),
}


@requires(Action.REFERRAL_VIEW)
def queue(request: HubRequest) -> HttpResponse:
    """The triage queue (undecided, most urgent first), and the decided and all-referrals
    lists, which can be narrowed by dates, referring agency and the child's area."""
    show = request.GET.get("show", "")
    if show not in REFERRAL_LISTS:
        show = ""
    form = None
    filters = selectors.ReferralFilters()
    if show:
        form = ReferralFilterForm(request.GET, choices=selectors.referral_filter_choices())
        filters = form.filters()
    if show == "decided":
        referrals = selectors.decided_referrals(request.user, filters)
    elif show == "all":
        referrals = selectors.all_referrals(request.user, filters)
    else:
        referrals = selectors.triage_queue(request.user)
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [_tags(referral, now) for referral in page]
    if not show:
        markers = selectors.open_case_markers(request.user, list(page))
        today = timezone.localdate(now)
        for row in rows:
            referral = row["referral"]
            row["age"] = referral.child.age_on(today)
            row["under_13"] = row["age"] is not None and row["age"] < selectors.UNDER_13
            row["open_case"] = markers.get(referral.pk)
    heading, listing = REFERRAL_LISTS[show]
    selectors.record_referrals_listed(
        user=request.user, listing=listing, filters=filters,
        referral_ids=[row["referral"].pk for row in rows], request=request,
    )
    base = reverse("referrals:queue")
    return render(request, "referrals/queue.html", {
        "page_obj": page,
        "rows": rows,
        "show": show,
        "heading": heading,
        "form": form,
        "filtered": bool(filters.as_dict()),
        "tabs": [
            {"text": "Awaiting triage", "href": base, "active": not show},
            {"text": "Decided", "href": f"{base}?show=decided", "active": show == "decided"},
            {"text": "All referrals", "href": f"{base}?show=all", "active": show == "all"},
        ],
        "can_triage": allows(request.user, Action.REFERRAL_TRIAGE),
    })


def _indicator_groups(indicators: list[Indicator]) -> list[dict[str, Any]]:
    groups: dict[str, list[Indicator]] = {}
    for indicator in indicators:
        groups.setdefault(indicator.domain, []).append(indicator)
    return [
        {"legend": DOMAIN_LEGENDS.get(IndicatorDomain(domain), domain), "indicators": items}
        for domain, items in sorted(
            groups.items(), key=lambda item: list(IndicatorDomain.values).index(item[0])
        )
    ]


def case_url(case: Case | None) -> str:
    """The case's page, once the cases app routes one."""
    if case is None:
        return ""
    try:
        return reverse("cases:detail", kwargs={"case_pk": case.pk})
    except NoReverseMatch:
        return ""


def _referral_context(request: HubRequest, referral: Referral) -> dict[str, Any]:
    reasons = referral.screening_reasons or []
    return {
        **_tags(referral, timezone.now()),
        "suggested_brag_label": short_label(Brag(referral.suggested_brag)),
        "suggested_brag_colour": BRAG_TAG_COLOURS[Brag(referral.suggested_brag)],
        "suggested_tier_label": (short_label(RiskTier(referral.suggested_tier))
                                 if referral.suggested_tier else "No tier"),
        "suggested_tier_colour": RISK_TIER_TAG_COLOURS.get(RiskTier(referral.suggested_tier))
        if referral.suggested_tier else "grey",
        "indicator_reasons": [r for r in reasons if r.get("kind") == "indicator"],
        "rule_reasons": [r for r in reasons if r.get("kind") == "rule"],
        "indicator_groups": _indicator_groups(list(referral.indicators.all())),
        "platforms": [OnlinePlatform(p).label for p in referral.online_platforms
                      if p in OnlinePlatform.values],
        "child_age": referral.child.age_on(timezone.localdate(referral.received_at)),
        "can_see_child": can(request.user, Action.PERSON_VIEW, referral.child),
        "case_url": case_url(referral.case),
        "partner_checks": _check_rows(selectors.checks_on_referral(request.user, referral),
                                      timezone.now()),
        "can_request_checks": can(request.user, Action.PARTNER_CHECK_REQUEST, referral),
        "immediate_steps": _immediate_steps(referral),
        "can_record_steps": can(request.user, Action.REFERRAL_TRIAGE, referral),
    }


@requires(Action.REFERRAL_VIEW)
def detail(request: HubRequest, referral_pk: int) -> HttpResponse:
    referral = opening.open_record(request, Action.REFERRAL_VIEW,
                                   selectors.referral_queryset(), page="referral",
                                   pk=referral_pk)
    if isinstance(referral, HttpResponseRedirect):
        return referral
    return render(request, "referrals/detail.html", {
        **_referral_context(request, referral),
        "can_decide": can(request.user, Action.REFERRAL_TRIAGE, referral),
    })


# --- Picking a referral up, so two people do not work the same one ------------------------


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


# --- Partner checks -----------------------------------------------------------------------


def _check_rows(checks: list[PartnerCheck], now: dt.datetime) -> list[dict[str, Any]]:
    """Each check with where it stands: back (in time or late), outstanding, overdue."""
    return [{"check": check, "time_left": TimeLeft(due_at=check.due_at, now=now),
             "is_overdue": check.is_overdue(now)} for check in checks]


@requires(Action.PARTNER_CHECK_REQUEST)
def request_checks(request: HubRequest, referral_pk: int) -> HttpResponse:
    """Triage asks partner agencies to check what they hold about the child."""
    referral = opening.open_record(request, Action.PARTNER_CHECK_REQUEST,
                                   selectors.referral_queryset(),
                                   page="request partner checks", pk=referral_pk)
    if isinstance(referral, HttpResponseRedirect):
        return referral
    waiting = set(referral.partner_checks.filter(returned_at__isnull=True)
                  .values_list("agency_id", flat=True))
    choices = [(str(agency.pk), agency.name) for agency in selectors.partner_check_agencies()
               if agency.pk not in waiting]
    form = PartnerCheckRequestForm(request.POST or None, agencies=choices)
    if request.method == "POST" and form.is_valid():
        try:
            checks = services.request_partner_checks(
                actor=request.user, referral_pk=referral.pk,
                agency_ids=form.agency_ids(), question=form.cleaned_data["question"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            names = ", ".join(check.agency.name for check in checks)
            messages.success(request, f"Partner checks asked of {names}.")
            return redirect("referrals:decide" if not referral.is_decided
                            else "referrals:detail", referral_pk=referral.pk)
    return render(request, "referrals/request_checks.html", {
        **_tags(referral, timezone.now()),
        "form": form,
        "no_agencies_left": not choices,
    })


@requires(Action.PARTNER_CHECK_RETURN)
def partner_checks(request: HubRequest) -> HttpResponse:
    """The checks asked of the user's agency: "Partner checks for <agency>"."""
    found = selectors.agency_partner_checks(request.user)
    now = timezone.now()
    selectors.record_checks_listed(
        user=request.user, listing="partner checks for the agency",
        check_ids=[c.pk for c in [*found.outstanding, *found.returned]], request=request,
    )
    return render(request, "referrals/partner_checks.html", {
        "agency": request.user.agency,
        "outstanding": _check_rows(found.outstanding, now),
        "returned": _check_rows(found.returned, now),
    })


@requires(Action.PARTNER_CHECK_RETURN)
def partner_check(request: HubRequest, check_pk: int) -> HttpResponse:
    """One check asked of the user's agency: what triage needs (the child's name and date
    of birth, and their question), and the agency's return."""
    check = opening.open_record(request, Action.PARTNER_CHECK_RETURN,
                                selectors.partner_check_queryset(), page="partner check",
                                pk=check_pk)
    if isinstance(check, HttpResponseRedirect):
        return check
    form = None
    if not check.is_returned:
        form = PartnerCheckReturnForm(request.POST or None,
                                      initial={"version": check.version})
        if request.method == "POST" and form.is_valid():
            try:
                services.return_partner_check(
                    actor=request.user, check_pk=check.pk,
                    expected_version=form.cleaned_data["version"],
                    result=form.cleaned_data["result"],
                    summary=form.cleaned_data["summary"], request=request,
                )
            except EditConflict as error:
                form = form_after_conflict(
                    PartnerCheckReturnForm, request.POST, error,
                    "Triage changed this check while you were replying: its due time moved "
                    "with the referral's rating. Your reply has not been saved. Check it, "
                    "then send it again.")
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Your check on {check.referral.child.full_name} "
                                          "has been returned to triage.")
                return redirect("referrals:partner_checks")
    now = timezone.now()
    return render(request, "referrals/partner_check.html", {
        "check": check,
        "child": check.referral.child,
        "time_left": TimeLeft(due_at=check.due_at, now=now),
        "is_overdue": check.is_overdue(now),
        "form": form,
        "can_read_referral": can(request.user, Action.REFERRAL_VIEW, check.referral),
    })


# --- Steps a referral prompts at once -----------------------------------------------------


def _immediate_steps(referral: Referral) -> list[dict[str, Any]]:
    """For a referral of sexual activity with a child aged 12 or under: each step it
    prompts, and what has been recorded of it (nothing yet, done, or not done)."""
    if not referral.prompts_immediate_steps:
        return []
    recorded = {step.kind: step for step in
                ImmediateStep.objects.filter(referral=referral).select_related("recorded_by")}
    return [{"kind": kind, "step": recorded.get(kind.value)} for kind in ImmediateStepKind]


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
