"""The hub's lists of referrals (the triage queue, decided, all) and a referral's record."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from macehub.access import opening
from macehub.access.actions import Action
from macehub.access.policy import allows, can
from macehub.access.typing import HubRequest
from macehub.access.views import requires
from macehub.core.pagination import page_with_count
from macehub.referrals import selectors, services
from macehub.referrals.forms import ReferralFilterForm
from macehub.referrals.views.display import PAGE_SIZE, _referral_context, _tags

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
    if show:
        page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    else:
        # The queue is put in order of urgency (computed) over every referral waiting,
        # so the page's query reads them all anyway: its total comes with it.
        page = page_with_count(referrals, PAGE_SIZE, request.GET.get("page"))
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
        "referrer_not_told": services.referrer_not_told(referral),
    })
