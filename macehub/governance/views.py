"""Information governance pages: the audit log and a check of its hash chain against
its last checkpoint. Their templates keep their ``audit/`` names; the entries table
(``audit/_event_table.html``) stays in the audit app, since the case and person access-log
pages below this layer draw it too."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from macehub.access.actions import Action
from macehub.access.typing import HubRequest
from macehub.access.views import requires
from macehub.audit.chain import latest_checkpoint, verify_chain
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.governance.forms import AuditFilterForm
from macehub.governance.jobs import background_jobs
from macehub.governance.selectors import audit_events_for
from macehub.ui.formatting import govuk_datetime


@requires(Action.AUDIT_LOG_VIEW)
def log(request: HubRequest) -> HttpResponse:
    user = request.user
    filtering = any(name != "page" for name in request.GET)
    form = AuditFilterForm(request.GET if filtering else None)
    filters = form.cleaned_data if filtering and form.is_valid() else {}
    if filtering and form.errors:
        events = audit_events_for(user, {}).none()
    else:
        events = audit_events_for(user, filters)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "audit/log.html", {"form": form, "page_obj": page})


@requires(Action.AUDIT_LOG_VIEW)
@require_POST
def verify(request: HubRequest) -> HttpResponse:
    checkpoint = latest_checkpoint()
    report = verify_chain([checkpoint] if checkpoint else [])
    return render(
        request,
        "audit/verify.html",
        {"report": report, "checkpoint": report.checkpoints[0] if report.checkpoints else None},
    )


@requires(Action.BACKGROUND_JOBS_VIEW)
def jobs(request: HubRequest) -> HttpResponse:
    rows = background_jobs()
    # No job's data is shown, but which jobs ran when is the hub's processing: the
    # reading is audited as every governance page is.
    record_event(event_type=EventType.VIEW, actor=request.user,
                 record_type="django_tasks_db.dbtaskresult",
                 detail={"list": "background jobs", "shown": len(rows)}, request=request)
    head = ["Job", "State", "Queued", "Started", "Finished", "Progress", "Outcome"]
    table = [[row.kind, row.state, govuk_datetime(row.enqueued_at),
              govuk_datetime(row.started_at) if row.started_at else "Not yet",
              govuk_datetime(row.finished_at) if row.finished_at else "Not yet",
              f"{row.progress.per_cent}%: {row.progress.stage}" if row.progress and
              row.progress.stage else (f"{row.progress.per_cent}%" if row.progress else
                                       "Not recorded"),
              row.outcome or "Not yet"] for row in rows]
    return render(request, "governance/jobs.html", {"head": head, "rows": table,
                                                    "shown": len(rows)})
