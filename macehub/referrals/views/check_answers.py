"""Check your answers and send: every answer of the draft with a link back to change it,
then the referral sent (or the reason it could not be), cancelled, or confirmed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from macehub.access.actions import Action
from macehub.access.typing import HubRequest
from macehub.access.views import requires
from macehub.cases.codes import exploitation_type_labels
from macehub.core.service_errors import add_service_errors
from macehub.core.submissions import refuse_if_already_submitted
from macehub.people.models import Person
from macehub.referrals import selectors, services
from macehub.referrals.clocks import decision_clock
from macehub.referrals.codes import (
    NOT_KNOWN_TEXT,
    ConsentStatus,
    OnlinePlatform,
    YearGroup,
    yes_no_not_known,
)
from macehub.referrals.intake import SUBMITTED_KEY, CheckedDraft, Draft, Step, checked
from macehub.referrals.views.questions import _date, _first_missing_redirect, _step_url


class SendReferralForm(forms.Form):
    """Nothing to fill in: carries the reason a referral could not be sent."""


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
    if request.method == "POST":
        # A "Send referral" sent again (a double click, a retried POST) finds the draft
        # gone with the first: it is told so and taken where the first went, not sent
        # back to the first question.
        refuse_if_already_submitted()
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
