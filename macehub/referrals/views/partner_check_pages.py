"""Partner checks: triage asks partner agencies what they hold about the child, and each
agency's hub members return what they found."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone

from macehub.access import opening
from macehub.access.actions import Action
from macehub.access.policy import can
from macehub.access.typing import HubRequest
from macehub.access.views import requires
from macehub.core.service_errors import add_service_errors
from macehub.core.versioning import EditConflict, form_after_conflict
from macehub.referrals import selectors, services
from macehub.referrals.clocks import TimeLeft
from macehub.referrals.forms import PartnerCheckRequestForm, PartnerCheckReturnForm
from macehub.referrals.views.display import _check_rows, _tags


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
