"""Group pages: the groups proposed from the link graph and those confirmed, one group
with its members and evidence, the decision on it, and running group detection. Thin:
``networks.groups`` reads (through ``access``), proposes and decides."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from macehub.access import opening, policy
from macehub.access.actions import Action
from macehub.access.typing import HubRequest
from macehub.access.views import requires
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.core.service_errors import add_service_errors
from macehub.core.versioning import EditConflict, form_after_conflict
from macehub.intelligence.codes import EntityRole
from macehub.intelligence.models import IntelligenceReport
from macehub.networks import groups
from macehub.networks.codes import GroupStatus, MemberPart
from macehub.networks.group_forms import GroupDecisionForm, GroupModelForm
from macehub.networks.models import Group
from macehub.networks.sections import sections_for as group_sections_for
from macehub.ui.form_pages import answer_form

GROUPS_PER_PAGE = 25
STATUS_TABS = ((GroupStatus.PROPOSED, "Proposed"), (GroupStatus.CONFIRMED, "Confirmed"),
               (GroupStatus.REJECTED, "Rejected"))
STATUS_COLOURS = {GroupStatus.PROPOSED: "yellow", GroupStatus.CONFIRMED: "red",
                  GroupStatus.REJECTED: "grey"}
CONFLICT_MESSAGE = (
    "Someone else decided this group, or group detection renewed it, while you were "
    "reading it. Your decision has not been saved. Check the group, then decide again."
)


@requires(Action.GROUP_VIEW)
def group_list(request: HubRequest) -> HttpResponse:
    """The groups the user may see, by status, the newest first."""
    user = request.user
    show = request.GET.get("status", GroupStatus.PROPOSED)
    if show not in GroupStatus.values:
        show = GroupStatus.PROPOSED
    listed = groups.groups_for(user).filter(status=show).order_by("-proposed_at", "-pk")
    page = Paginator(listed, GROUPS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    counts = groups.member_counts([group.pk for group in page.object_list])
    record_event(event_type=EventType.VIEW, actor=user, record_type="networks.group",
                 detail={"list": f"groups ({show})",
                         "shown": [group.pk for group in page.object_list]},
                 request=request)
    base = reverse("networks:group_list")
    return render(request, "networks/group_list.html", {
        "page_obj": page, "status": show, "status_label": dict(STATUS_TABS)[GroupStatus(show)],
        "tabs": [{"text": text, "href": f"{base}?status={key}", "active": key == show}
                 for key, text in STATUS_TABS],
        "rows": [(group, counts.get(group.pk, {})) for group in page.object_list],
        "can_propose": policy.allows(user, Action.GROUP_PROPOSE),
    })


@requires(Action.GROUP_PROPOSE)
def propose(request: HubRequest) -> HttpResponse:
    """Run group detection on the graph the user may see."""
    if request.method != "POST":
        return redirect("networks:group_list")
    found = groups.propose_groups(actor=request.user)
    if found:
        messages.success(request, (
            f"Group detection proposed or renewed {len(found)} "
            f"group{'s' if len(found) != 1 else ''}. Each waits for a supervisor's decision."))
    else:
        messages.success(request, "Group detection found no new group.")
    return redirect("networks:group_list")


def _evidence_rows(group: Group) -> list[dict[str, object]]:
    names = {member.person_id: member.person.full_name for member in group.members.all()}
    reports = {report.pk: report for report in IntelligenceReport.objects.filter(
        pk__in=[item.report_id for item in group.evidence.all()]).order_by("received_at")}
    roles = dict(EntityRole.choices)
    rows = []
    for item in group.evidence.all():
        report = reports[item.report_id]
        named: dict[str, list[str]] = defaultdict(list)
        for mention in item.members_named:
            named[names.get(int(mention["person"]), "")].append(
                str(roles.get(str(mention["role"]), mention["role"])).lower())
        rows.append({"report": report, "named": sorted(
            f"{name} ({', '.join(sorted(set(parts)))})" for name, parts in named.items()
            if name)})
    rows.sort(key=lambda row: row["report"].received_at)  # type: ignore[attr-defined]
    return rows


@requires(Action.GROUP_VIEW)
def group_detail(request: HubRequest, group_pk: int) -> HttpResponse:
    """A group: its members by part, the reports that link them, and the decision."""
    user = request.user
    group = groups.group_for(user, group_pk)
    if request.method == "GET":
        opening.record_viewed(request, group, page="group")
    may_decide = group.is_open and policy.can(user, Action.GROUP_DECIDE, group)
    form = None
    conflict = None
    if may_decide:
        form = GroupDecisionForm(request.POST if request.method == "POST" else None,
                                 initial={"version": group.version})
        if request.method == "POST" and form.is_valid():
            try:
                decided = groups.decide_group(
                    actor=user, group_pk=group.pk, expected_version=form.cleaned_data["version"],
                    decision=form.cleaned_data["decision"], reason=form.cleaned_data["reason"],
                    exploitation_model=form.cleaned_data["exploitation_model"])
            except EditConflict as error:
                conflict = error
                form = form_after_conflict(GroupDecisionForm, request.POST, error,
                                           CONFLICT_MESSAGE)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"{decided.reference}: {decided.get_status_display()}.")
                return redirect("networks:group_detail", group_pk=decided.pk)
    members = list(group.members.select_related("person").all())
    by_part = [(label, [member for member in members if member.part == part])
               for part, label in MemberPart.choices]
    return render(request, "networks/group_detail.html", {
        "group": group, "status_colour": STATUS_COLOURS[GroupStatus(group.status)],
        "by_part": [(label, people) for label, people in by_part if people],
        "evidence": _evidence_rows(group), "form": form, "conflict": conflict,
        "proposer_cannot_decide": group.is_open and group.proposed_by_id == user.pk,
        "may_change_model": policy.can(user, Action.GROUP_MODEL_CHANGE, group),
        "sections": group_sections_for(user, group),
    }, status=400 if form is not None and form.errors else 200)


MODEL_CONFLICT_MESSAGE = (
    "Someone else changed this group while you were reading it. Your choice has not been "
    "saved: check what they changed, then save again.")


@requires(Action.GROUP_MODEL_CHANGE)
def change_exploitation_model(request: HubRequest, group_pk: int) -> HttpResponse:
    """Record or correct how the group exploits children (its exploitation model)."""
    group = groups.group_for(request.user, group_pk, Action.GROUP_MODEL_CHANGE)
    if request.method == "GET":
        opening.record_viewed(request, group, page="group exploitation model")

    def save(cleaned: dict[str, object]) -> str:
        groups.change_group_exploitation_model(
            actor=request.user, group_pk=group.pk, expected_version=int(str(cleaned["version"])),
            exploitation_model=str(cleaned["exploitation_model"]))
        return f"{group.reference}: exploitation model saved."

    answered = answer_form(
        request, lambda data: GroupModelForm(data, initial={
            "version": group.version, "exploitation_model": group.exploitation_model}),
        save, conflict_message=MODEL_CONFLICT_MESSAGE)
    if answered.saved:
        return redirect("networks:group_detail", group_pk=group.pk)
    return render(request, "networks/group_exploitation_model.html", {
        "group": group, "form": answered.form, "conflict": answered.conflict,
    }, status=answered.status)
