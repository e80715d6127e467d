"""The workforce pages: teams' establishment by month (seen, recorded, corrected and
imported by the senior leader of the team's agency, or an administrator), the caseload
weighting, named caseloads (audited: personal data about staff) and the resourcing
evidence report. Thin: ``workforce.selectors`` and ``workforce.caseloads`` read;
``workforce.services`` decides and audits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from macehub.access import policy
from macehub.access.actions import Action
from macehub.access.typing import HubRequest
from macehub.access.views import requires
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.core.csv_export import csv_download
from macehub.governance.requested_jobs import start_requested_job
from macehub.ui.form_pages import answer_form
from macehub.workforce import background_jobs, caseloads, report, selectors, services
from macehub.workforce.codes import WorkKind
from macehub.workforce.demand import add_months
from macehub.workforce.forms import ImportForm, MonthForm, ReportForm, SafeLevelForm, WeightingForm

MONTHS_SHOWN = 12
CONFLICT_MESSAGE = ("Someone else recorded this month while you were entering it. Nothing "
                    "has been saved. Check what they recorded, then try again.")
WEIGHTING_CONFLICT = ("Someone else changed the weighting while you were reading it. "
                      "Nothing has been saved. Check it, then try again.")


def _int(text: str | None) -> int | None:
    try:
        return int(text or "")
    except ValueError:
        return None


def _month(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text or "")
    except ValueError:
        return None


@requires(Action.WORKFORCE_ESTABLISHMENT)
def establishment(request: HubRequest) -> HttpResponse:
    """The last 12 months of each team the user records: establishment, posts filled,
    vacancies, new posts; a month not recorded says so."""
    this_month = timezone.localdate().replace(day=1)
    months = [add_months(this_month, -i) for i in range(MONTHS_SHOWN)]
    return render(request, "workforce/establishment.html", {
        "months": months, "rows": selectors.establishment_table(request.user, months),
        "may_change_weighting": policy.allows(request.user, Action.WORKFORCE_WEIGHTING_CHANGE),
        "may_read_report": policy.allows(request.user, Action.WORKFORCE_REPORT_VIEW),
        "may_see_caseloads": policy.allows(request.user, Action.WORKFORCE_CASELOAD_VIEW),
    })


@requires(Action.WORKFORCE_ESTABLISHMENT)
def record_month(request: HubRequest) -> HttpResponse:
    """Record a team's month, or correct it (``?team=&month=`` opens one recorded)."""
    user = request.user
    today = timezone.localdate()
    teams = [(team.pk, f"{team.name} ({team.agency.name})")
             for team in services.teams_recorded_by(user)]
    existing = selectors.team_month(user, _int(request.GET.get("team")),
                                    _month(request.GET.get("month")))

    def make(data: Any) -> MonthForm:
        form = MonthForm(data, teams=teams, today=today)
        if existing is not None:
            form.initial.update({
                "team": existing.team_id, "month": existing.month.isoformat(),
                "establishment": existing.establishment, "filled": existing.filled,
                "posts_added": existing.posts_added or None,
                "posts_added_funded_on": existing.posts_added_funded_on,
                "posts_added_funding": existing.posts_added_funding,
                "version": existing.version})
        else:
            form.initial.update({"team": _int(request.GET.get("team")),
                                 "month": request.GET.get("month", "")})
        return form

    def save(data: dict[str, Any]) -> str:
        record = services.record_month(
            actor=user, team_pk=data["team"], month=data["month"],
            staffing=services.MonthStaffing(
                establishment=data["establishment"], filled=data["filled"],
                posts_added=data["posts_added"],
                posts_added_funded_on=data["posts_added_funded_on"],
                posts_added_funding=data["posts_added_funding"]),
            expected_version=data["version"] or 0)
        return f"{record.team.name}: {record.month:%B %Y} recorded."

    answered = answer_form(request, make, save, conflict_message=CONFLICT_MESSAGE)
    if answered.saved:
        return redirect("workforce:establishment")
    return render(request, "workforce/record_month.html", {
        "form": answered.form, "conflict": answered.conflict, "existing": existing,
    }, status=answered.status)


@requires(Action.WORKFORCE_ESTABLISHMENT)
def import_months(request: HubRequest) -> HttpResponse:
    """Upload a file of months: all imported, or none with the problems row by row."""
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            written = services.import_establishment(actor=request.user, data=upload.read(),
                                                    name=upload.name)
        except services.EstablishmentImportError as refused:
            form.add_error("file", f"{upload.name} was not imported: "
                                   f"{len(refused.problems)} problem(s) found, listed below")
            problems = [str(problem) for problem in refused.problems]
            if refused.truncated:
                problems.append(f"Stopped looking after the first {len(refused.problems)} "
                                f"problems.")
        else:
            messages.success(request, f"{len(written)} team month(s) imported from "
                                      f"{upload.name}.")
            return redirect("workforce:establishment")
    return render(request, "workforce/import.html", {"form": form, "problems": problems},
                  status=400 if form.errors else 200)


@requires(Action.WORKFORCE_WEIGHTING_CHANGE)
def weighting(request: HubRequest) -> HttpResponse:
    current = services.current_weighting()

    def make(data: Any) -> WeightingForm:
        return WeightingForm(data, initial={**current.weights(), "version": current.version})

    def save(data: dict[str, Any]) -> str:
        services.change_weighting(actor=request.user, expected_version=data["version"],
                                  weights={kind: data[kind] for kind in WorkKind.values})
        return "The caseload weighting has been changed."

    answered = answer_form(request, make, save, conflict_message=WEIGHTING_CONFLICT)
    if answered.saved:
        return redirect("workforce:caseloads")
    return render(request, "workforce/weighting.html", {
        "form": answered.form, "conflict": answered.conflict, "weighting": current,
    }, status=answered.status)


@requires(Action.WORKFORCE_CASELOAD_VIEW)
def caseload_list(request: HubRequest) -> HttpResponse:
    """Named workers' live caseloads (a senior leader's agency, a supervisor's team),
    each against the safe level the reader chooses. Audited: personal data about staff."""
    user = request.user
    form = SafeLevelForm(request.GET or None)
    safe = form.safe_level()
    weighting_now = services.current_weighting()
    loads = caseloads.live_caseloads(staff=caseloads.staff_seen_by(user),
                                     weights=weighting_now.weights())
    record_event(event_type=EventType.VIEW, actor=user, record_type="accounts.user",
                 detail={"list": "caseloads", "safe_level": str(safe),
                         "shown": [load.worker.pk for load in loads]}, request=request)
    return render(request, "workforce/caseloads.html", {
        "form": form, "safe": safe, "teams": caseloads.by_team(loads),
        "above": sum(1 for load in loads if load.weighted > safe), "workers": len(loads),
        "kinds": list(WorkKind),
        "weights": [(kind.label, weighting_now.weights()[kind.value]) for kind in WorkKind],
        "may_change_weighting": policy.allows(user, Action.WORKFORCE_WEIGHTING_CHANGE),
        "may_read_report": policy.allows(user, Action.WORKFORCE_REPORT_VIEW),
        "may_see_establishment": policy.allows(user, Action.WORKFORCE_ESTABLISHMENT),
    }, status=400 if form.errors else 200)


def _report_for(request: HubRequest, *, sharing: bool) -> tuple[ReportForm, report.Resourcing]:
    return background_jobs.report_for(
        request.GET, today=timezone.localdate(),
        suppressed=sharing or report.reads_suppressed(request.user))


def _report_query(request: HubRequest) -> str:
    return request.GET.urlencode()


@requires(Action.WORKFORCE_REPORT_VIEW)
def resourcing_report(request: HubRequest) -> HttpResponse:
    """The resourcing evidence report, in the page (suppressed for scrutiny)."""
    form, built = _report_for(request, sharing=False)
    query = _report_query(request)
    return render(request, "workforce/report.html", {
        "form": form, "report": built, "charts": report.charts(built),
        "pdf_url": f"{reverse('workforce:report_pdf')}?{query}",
        "csv_url": f"{reverse('workforce:report_csv')}?{query}",
    }, status=400 if form.errors else 200)


@requires(Action.WORKFORCE_REPORT_VIEW)
def report_csv(request: HubRequest) -> HttpResponse:
    # Exports are for sharing: always suppressed.
    _, built = _report_for(request, sharing=True)
    record_event(event_type=EventType.EXPORT, actor=request.user,
                 record_type=background_jobs.RECORD_TYPE,
                 detail=background_jobs.export_detail(built, "csv"), request=request)
    return csv_download(report.report_csv(built),
                        filename=f"{background_jobs.file_name(built)}.csv")


@requires(Action.WORKFORCE_REPORT_VIEW)
@require_POST
def report_pdf(request: HubRequest) -> HttpResponse:
    """Drawn in the background for the choices in the query string (always suppressed);
    the user follows it on the job's page and downloads it from there (the export)."""
    job = start_requested_job(
        actor=request.user, kind=background_jobs.REPORT_PDF,
        title="PDF of the resourcing evidence report",
        arguments={"query": dict(request.GET.items()),
                   "today": timezone.localdate().isoformat()})
    return redirect("audit:requested_job", requested_job_pk=job.pk)


