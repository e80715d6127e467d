"""What a referrer sees of the referrals they made, and adding information to one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render

from macehub.access import opening
from macehub.access.actions import Action
from macehub.access.policy import allows, can
from macehub.access.typing import HubRequest
from macehub.access.views import requires
from macehub.core.service_errors import add_service_errors
from macehub.referrals import selectors, services
from macehub.referrals.codes import OnlinePlatform
from macehub.referrals.forms import AddInformationForm
from macehub.referrals.models import Referral
from macehub.referrals.views.display import PAGE_SIZE, _indicator_groups


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
