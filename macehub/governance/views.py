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
from macehub.governance.forms import AuditFilterForm
from macehub.governance.selectors import audit_events_for


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
