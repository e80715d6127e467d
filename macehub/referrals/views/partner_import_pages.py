"""Imports from partner systems: the partners' mappings, uploading a file (refused
with its report, row by row, when any row is wrong) and an import's progress and
report. Thin: ``referrals.partner_imports`` checks, writes and audits."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from macehub.access import opening
from macehub.access.actions import Action
from macehub.access.typing import HubRequest
from macehub.access.views import requires
from macehub.core.csv_import import read_import_file
from macehub.core.service_errors import add_service_errors
from macehub.core.versioning import EditConflict
from macehub.referrals import partner_imports
from macehub.referrals.codes import PartnerImportStatus
from macehub.referrals.forms.partner_imports import MappingForm, PartnerFileForm
from macehub.referrals.partner_files import PartnerFileRefused

IMPORTS_LISTED = 10


@requires(Action.PARTNER_MAPPING_MANAGE)
def partner_mappings(request: HubRequest) -> HttpResponse:
    return render(request, "referrals/partner_mappings.html", {
        "mappings": list(partner_imports.mappings_for(request.user))})


@requires(Action.PARTNER_MAPPING_MANAGE)
def partner_mapping(request: HubRequest, mapping_pk: int | None = None) -> HttpResponse:
    """Record a partner's mapping, or change one."""
    mapping = (partner_imports.mapping_for(request.user, mapping_pk)
               if mapping_pk is not None else None)
    initial = MappingForm.initial_for(mapping) if mapping else {}
    form = MappingForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = partner_imports.save_mapping(
                actor=request.user, mapping_pk=mapping_pk,
                expected_version=int(request.POST.get("version") or 0) or None,
                details=partner_imports.MappingDetails(
                    agency_pk=data["agency"].pk, name=data["name"], kind=data["kind"],
                    columns=form.columns(), translations=form.translations()))
        except EditConflict as error:
            conflict = error
            form.add_error(None, " ".join(error.messages))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The mapping {saved.name} is saved.")
            return redirect("referrals:partner_mappings")
    return render(request, "referrals/partner_mapping.html", {
        "form": form, "mapping": mapping, "conflict": conflict,
        "version": conflict.current_version if conflict else (mapping.version if mapping
                                                                else ""),
    }, status=400 if form.errors else 200)


@requires(Action.PARTNER_IMPORT)
def partner_import(request: HubRequest) -> HttpResponse:
    """Upload a partner's file to import; the user's latest imports below. A file with
    any row wrong is refused with every problem by row and column."""
    user = request.user
    form = PartnerFileForm(request.POST or None, request.FILES or None,
                           mappings=partner_imports.importable_mappings(user))
    refused = None
    if request.method == "POST" and form.is_valid():
        data, name = read_import_file(form.cleaned_data["file"])
        try:
            job = partner_imports.start_import(
                actor=user, mapping_pk=form.cleaned_data["mapping"].pk, file_name=name,
                data=data)
        except PartnerFileRefused as error:
            refused = error
            form.add_error("file", f"{name} was not imported: {len(error.problems)}"
                                   f"{' or more' if error.truncated else ''} problem"
                                   f"{'' if len(error.problems) == 1 else 's'} found, "
                                   "listed below")
        else:
            messages.success(request, f"{job.file_name}: all {job.rows_total} rows are "
                                      "ready and the import has started.")
            return redirect("referrals:partner_import_job", import_pk=job.pk)
    return render(request, "referrals/partner_import.html", {
        "form": form, "refused": refused,
        "imports": list(partner_imports.imports_for(user)[:IMPORTS_LISTED]),
    }, status=400 if form.errors else 200)


@requires(Action.PARTNER_IMPORT)
def partner_import_job(request: HubRequest, import_pk: int) -> HttpResponse:
    """An import's progress (``?progress``: as JSON, for the page to follow it), and its
    report once done (audited: it names the children recorded and who they may be)."""
    job = partner_imports.import_for(request.user, import_pk)
    if "progress" in request.GET:
        return JsonResponse({"status": job.status, "stage": job.stage,
                             "progress": job.per_cent, "finished": job.is_finished})
    done = job.status == PartnerImportStatus.DONE
    if done:
        opening.record_viewed(request, job, page="partner import report",
                              detail={"people": job.report.get("people", [])[:1000]})
    return render(request, "referrals/partner_import_job.html", {
        "job": job, "done": done, "failed": job.status == PartnerImportStatus.FAILED,
        "report": job.report,
    })
