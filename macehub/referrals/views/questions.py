"""The referrer's question pages, one step each (which child; home and school; family
and consent; the concern; the signs of exploitation), kept in the session's draft until
the referral is sent. Each can be reached again from check your answers, to change it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from macehub.access.actions import Action
from macehub.access.typing import HubRequest
from macehub.access.views import requires
from macehub.people.models import Person
from macehub.referrals import selectors
from macehub.referrals.forms import (
    NEW_CHILD,
    ChooseChildForm,
    ConcernForm,
    FamilyAndConsentForm,
    FindChildForm,
    HomeAndSchoolForm,
    IndicatorsForm,
    NewChildForm,
)
from macehub.referrals.intake import STEP_URL_NAMES, Draft, Step

CHANGE_PARAM = "change"


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


def _date(day: dt.date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else ""
