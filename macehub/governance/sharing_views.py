"""The register of information-sharing agreements: the list (filtered in force, due for
review, ended), an agreement's page (its terms and how many disseminations and shares
rely on it, counts only), and information governance's pages to record and change one.
Thin: ``sharing_selectors`` reads through ``access``; ``sharing_services`` decides and
audits. The register holds no personal data, so reading it is not audited as a view;
its changes are."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.access.typing import HubRequest
from macehub.access.views import requires
from macehub.core.service_errors import add_service_errors
from macehub.governance import sharing_selectors as selectors
from macehub.governance import sharing_services as services
from macehub.governance.codes import AgreementStatus, DataCategory
from macehub.governance.forms import (
    AgreementChangeForm,
    AgreementFilter,
    AgreementForm,
    agreement_terms,
)
from macehub.governance.reliance import relying_on
from macehub.governance.sharing import SharingAgreement
from macehub.ui.form_pages import answer_form

PER_PAGE = 25
CONFLICT_MESSAGE = ("Someone else changed this agreement while you were reading it. "
                    "Nothing has been saved. Check it, then try again.")


@requires(Action.SHARING_AGREEMENT_VIEW)
def agreements(request: HubRequest) -> HttpResponse:
    filter_form = AgreementFilter(request.GET)
    status = (filter_form.cleaned_data.get("status", "") if filter_form.is_valid() else "")
    today = timezone.localdate()
    page = Paginator(selectors.agreements_for(request.user, status=status, day=today),
                     PER_PAGE).get_page(request.GET.get("page"))
    rows = [{"agreement": agreement, "status": agreement.status_on(today)}
            for agreement in page.object_list]
    return render(request, "governance/agreements.html", {
        "page_obj": page, "rows": rows, "filter_form": filter_form,
        "heading": AgreementStatus(status).label if status else "Every agreement",
        "may_manage": policy.allows(request.user, Action.SHARING_AGREEMENT_MANAGE),
    })


@requires(Action.SHARING_AGREEMENT_VIEW)
def agreement_detail(request: HubRequest, agreement_pk: int) -> HttpResponse:
    agreement = selectors.agreement_for(request.user, agreement_pk)
    return render(request, "governance/agreement_detail.html", {
        "agreement": agreement, "status": agreement.status_on(timezone.localdate()),
        "parties": "; ".join(agency.name for agency in agreement.parties.all()),
        "categories": "; ".join(str(DataCategory(code).label)
                                for code in agreement.data_categories),
        "relying": relying_on([agreement.pk])[agreement.pk],
        "may_manage": policy.can(request.user, Action.SHARING_AGREEMENT_MANAGE, agreement),
    })


@requires(Action.SHARING_AGREEMENT_MANAGE)
def agreement_new(request: HubRequest) -> HttpResponse:
    form = AgreementForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.record_agreement(
                actor=request.user, terms=agreement_terms(form.cleaned_data))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{agreement.reference} added to the register.")
            return redirect("audit:agreement", agreement_pk=agreement.pk)
    return render(request, "governance/agreement_form.html", {
        "form": form, "agreement": None, "back_url": reverse("audit:agreements"),
    }, status=400 if form.errors else 200)


def _initial(agreement: SharingAgreement) -> dict[str, Any]:
    return {"title": agreement.title,
            "parties": [agency.pk for agency in agreement.parties.all()],
            "purpose": agreement.purpose, "lawful_basis": agreement.lawful_basis,
            "data_categories": agreement.data_categories, "signed_on": agreement.signed_on,
            "review_on": agreement.review_on, "ended_on": agreement.ended_on,
            "document_reference": agreement.document_reference,
            "version": agreement.version}


@requires(Action.SHARING_AGREEMENT_MANAGE)
def agreement_change(request: HubRequest, agreement_pk: int) -> HttpResponse:
    agreement = selectors.agreement_for(request.user, agreement_pk,
                                        Action.SHARING_AGREEMENT_MANAGE)

    def make(data: Any) -> AgreementChangeForm:
        return AgreementChangeForm(data, initial=_initial(agreement))

    def save(data: dict[str, Any]) -> str:
        done = services.change_agreement(actor=request.user, agreement_pk=agreement.pk,
                                         expected_version=data["version"],
                                         terms=agreement_terms(data))
        return f"{done.reference} changed."

    answered = answer_form(request, make, save, conflict_message=CONFLICT_MESSAGE)
    if answered.saved:
        return redirect("audit:agreement", agreement_pk=agreement.pk)
    return render(request, "governance/agreement_form.html", {
        "form": answered.form, "agreement": agreement, "conflict": answered.conflict,
        "back_url": reverse("audit:agreement", args=[agreement.pk]),
    }, status=answered.status)
