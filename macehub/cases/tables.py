"""The tables of a case's pages as the GOV.UK table component takes them
(``components/table.html``): a head and rows of cells, each cell text or the hub's own
markup (``format_html``, which escapes what it is given). What a viewer may read is
decided before a row is built (``selectors``); these only lay it out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat, linebreaksbr, pluralize, truncatewords
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from macehub.cases.codes import CaseStatus
from macehub.cases.models import (
    AdvocateAllocation,
    Case,
    CaseAllocation,
    CaseOutcome,
    CaseShare,
    MissingEpisode,
    PlanItem,
    RiskTierChange,
)
from macehub.cases.selectors import (
    CASE_ROW_MARKS,
    ContactView,
    EpisodeView,
    RiskReviewStatus,
)
from macehub.ui.cells import counted, hidden, joined, small, tag
from macehub.ui.templatetags.govuk import code_short_label, code_tag, draw_table

Cell = str | dict[str, Any]
Table = dict[str, list[Any]]

DAY = "j M Y"
DAY_AND_TIME = "j M Y, H:i"


def when(value: dt.datetime | None, fmt: str = DAY_AND_TIME) -> str:
    """A moment as the hub's tables show it, in the hub's time zone."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    if fmt == DAY_AND_TIME:
        # What the date filter writes for "j M Y, H:i", without parsing the format for
        # each of a table's cells.
        return (f"{_day_text(local.day, local.month, local.year, get_language())}, "
                f"{local.hour:02d}:{local.minute:02d}")
    return date_filter(local, fmt)


def day(value: dt.date | None) -> str:
    if value is None:
        return ""
    return _day_text(value.day, value.month, value.year, get_language())


@lru_cache(maxsize=4096)
def _day_text(day_of_month: int, month: int, year: int, language: str | None) -> str:
    """A day as the date filter writes ``DAY`` ("3 Dec 2026") in this language: the
    same few hundred days fill a hub's tables, so each is written once per process."""
    return str(date_filter(dt.date(year, month, day_of_month), DAY))


# --- A case's sections --------------------------------------------------------------


def outcome_table(outcomes: Iterable[CaseOutcome]) -> Table:
    return {
        "head": ["Date", "Outcome", "Note", "Recorded by"],
        "rows": [
            [day(outcome.recorded_on), outcome.get_kind_display(),
             {"html": linebreaksbr(outcome.note)} if outcome.note else "–",
             outcome.recorded_by.display_name]
            for outcome in outcomes
        ],
    }


def tier_history_table(changes: Iterable[RiskTierChange]) -> Table:
    def change_cell(change: RiskTierChange) -> SafeString:
        before = (format_html("{} to ", code_short_label(change.from_tier, "risk_tier"))
                  if change.from_tier else "Opened as ")
        return format_html("{}{}", before, mark_safe(code_tag("risk_tier", change.to_tier)))  # noqa: S308

    return {
        "head": ["When", "Change", "Who", "Why"],
        "rows": [
            [when(change.changed_at), {"html": change_cell(change)},
             change.changed_by.display_name, {"html": linebreaksbr(change.reason)}]
            for change in changes
        ],
    }


def advocate_table(allocations: Iterable[AdvocateAllocation]) -> Table:
    return {
        "head": ["Advocate", "From", "Until", "Why it ended"],
        "rows": [
            [allocation.advocate.display_name, day(allocation.started_on),
             day(allocation.ended_on) if allocation.ended_on else "Current",
             allocation.end_reason or "–"]
            for allocation in allocations
        ],
    }


def worker_table(case: Case, allocations: Iterable[CaseAllocation], *, with_actions: bool
                 ) -> Table:
    head: list[Cell] = ["Worker", "Agency", "Allocated"]
    if with_actions:
        head.append({"html": hidden("Actions")})
    rows = []
    for allocation in allocations:
        name = allocation.user.display_name
        agency = allocation.user.agency
        row: list[Cell] = [name, agency.name if agency is not None else "–",
                           when(allocation.allocated_at, DAY)]
        if with_actions:
            row.append({"html": format_html(
                '<a class="govuk-link" href="{}">Remove{}</a>',
                reverse("cases:unallocate", args=[case.pk, allocation.pk]),
                hidden(f" {name}"))})
        rows.append(row)
    return {"head": head, "rows": rows}


def share_table(case: Case, shares: Iterable[CaseShare], *, with_actions: bool) -> Table:
    head: list[Cell] = ["Agency", "Why", "Shared"]
    if with_actions:
        head.append({"html": hidden("Actions")})
    rows = []
    for case_share in shares:
        shared = when(case_share.shared_at, DAY)
        if case_share.shared_by is not None:
            shared = f"{shared} by {case_share.shared_by.display_name}"
        row: list[Cell] = [case_share.agency.name, case_share.reason or "–", shared]
        if with_actions:
            row.append({"html": format_html(
                '<a class="govuk-link" href="{}">Stop sharing{}</a>',
                reverse("cases:unshare", args=[case.pk, case_share.pk]),
                hidden(f" with {case_share.agency.name}"))})
        rows.append(row)
    return {"head": head, "rows": rows}


def contact_table(views: Iterable[ContactView]) -> Table:
    rows = []
    for view in views:
        contact = view.contact
        row: list[Cell] = [when(contact.occurred_at), contact.get_kind_display()]
        if view.notes_shown:
            seen_alone = (small(f"Seen alone: {view.child_seen_alone}")
                          if contact.child_seen in ("yes", "") else "")
            row.append({"html": joined(view.with_whom, small(f"Child seen: {view.child_seen}"),
                                       seen_alone)})
            words = format_html(
                '<div class="govuk-inset-text govuk-!-margin-top-0 govuk-!-margin-bottom-2">'
                '<span class="govuk-!-font-weight-bold">In the child\'s words:</span><br>{}</div>',
                linebreaksbr(view.child_words)) if view.child_words else ""
            advocacy = format_html("<br>{}", tag("Confidential to the advocacy service",
                                                 "purple", "govuk-!-margin-top-1")
                                   ) if view.is_advocacy else ""
            row.append({"html": format_html("{}{}{}", words, linebreaksbr(view.summary),
                                            advocacy)})
        else:
            row.append({"text": "Confidential to the advocacy service "
                                f"({view.advocacy_service_name})", "colspan": 2})
        recorded_by = contact.recorded_by.display_name
        if view.is_advocacy:
            recorded_by = f"{recorded_by}, {view.advocacy_service_name}"
        row.append(recorded_by)
        rows.append(row)
    return {
        "head": ["When", "Kind", "With", "The child's words and summary", "Recorded by"],
        "rows": rows,
    }


def plan_table(case: Case, items: Iterable[PlanItem], overdue: Iterable[PlanItem], *,
               with_actions: bool) -> Table:
    overdue_pks = {item.pk for item in overdue}
    head: list[Cell] = ["Action", "Owner", "Due", "Status"]
    if with_actions:
        head.append({"html": hidden("Actions")})
    rows = []
    for item in items:
        note = small(item.completion_note) if item.completion_note else ""
        agency = item.owner_agency_name
        if item.owned_by_partner and item.partner_owner_role:
            agency = f"{item.partner_owner_role}, {agency}"
        partner = joined(small(item.partner_owner_contact),
                         tag("Partner agency", "grey", "govuk-!-margin-top-1")
                         ) if item.owned_by_partner else ""
        status = (tag("Overdue", "red") if item.is_open and item.pk in overdue_pks
                  else mark_safe(code_tag("plan_item_status", item.status, label="full")))  # noqa: S308
        row: list[Cell] = [
            {"html": joined(linebreaksbr(item.action), note)},
            {"html": joined(item.owner_name, small(agency), partner)},
            day(item.due_on),
            {"html": joined(status, small(day(item.completed_on)) if item.completed_on
                            else "")},
        ]
        if with_actions:
            what = truncatewords(item.action, 8)
            row.append({"html": format_html(
                '<ul class="govuk-list"><li><a class="govuk-link" href="{}">Change{}</a></li>'
                '<li><a class="govuk-link" href="{}">Finish{}</a></li></ul>',
                reverse("cases:edit_plan_item", args=[case.pk, item.pk]),
                hidden(f" plan item: {what}"),
                reverse("cases:complete_plan_item", args=[case.pk, item.pk]),
                hidden(f" plan item: {what}"),
            ) if item.is_open else ""})
        rows.append(row)
    return {"head": head, "rows": rows}


def _interview_cell(view: EpisodeView, interview_hours: int) -> SafeString:
    episode = view.episode
    if episode.interview_offered_at:
        offered = f"Offered {when(episode.interview_offered_at)}"
        if episode.interview_offered_by:
            offered += f" by {episode.interview_offered_by}"
            if episode.interview_offered_by_agency:
                offered += f" ({episode.interview_offered_by_agency})"
        if episode.interview_offerer == "independent":
            offered += ", independent"
        elif episode.interview_offerer:
            offered += ", not independent"
        return joined(
            offered,
            episode.get_interview_response_display() if episode.interview_response else "",
            f"Held {when(episode.return_interview_at)}" if episode.return_interview_at else "",
            small(truncatewords(episode.interview_outcome, 30))
            if episode.interview_outcome else "",
        )
    if view.interview_due_at:
        return format_html("Offer due by {}", when(view.interview_due_at))
    return format_html("To be offered within {} hours of the return", interview_hours)


def episode_table(views: Iterable[EpisodeView], *, interview_hours: int,
                  this_case: Case | None = None, cases_seen: Iterable[int] = (),
                  edit_view: str = "", owner_pk: int | str | None = None) -> Table:
    """The child's missing episodes against the return home interview clock; with
    ``edit_view`` (and ``owner_pk``, the case's or the child's) a link to update each."""
    seen = set(cases_seen)
    head: list[Cell] = ["Went missing", "Returned", "Return home interview", "Recorded with",
                        "Status"]
    if edit_view:
        head.append({"html": hidden("Actions")})
    rows = []
    for view in views:
        episode = view.episode
        went = joined(when(episode.went_missing_at),
                      small(f"Police ref {episode.police_reference}")
                      if episode.police_reference else "",
                      small(f"Police risk: {episode.police_risk_grade_text.lower()}"))
        returned: Cell = {"html": joined(
            when(episode.returned_at),
            small(f"after {floatformat(view.hours_missing, 0)} hours"))
        } if episode.returned_at else "Not yet"
        recorded_with: Cell
        if not episode.case_id:
            recorded_with = {"html": mark_safe("The child's record (no case)")}
        elif this_case and episode.case_id == this_case.pk:
            recorded_with = "This case"
        elif episode.case_id in seen and episode.case is not None:
            recorded_with = f"Case {episode.case.reference}"
        else:
            recorded_with = "Another case"
        row: list[Cell] = [
            {"html": went}, returned, {"html": _interview_cell(view, interview_hours)},
            recorded_with,
            {"html": mark_safe(code_tag("missing_episode_state", view.state,  # noqa: S308
                                        label="full"))},
        ]
        if edit_view:
            row.append({"html": format_html(
                '<a class="govuk-link" href="{}">Update{}</a>',
                reverse(edit_view, args=[owner_pk, episode.pk]),
                hidden(f" the episode of {when(episode.went_missing_at, DAY)}"))})
        rows.append(row)
    return {"head": head, "rows": rows}


# --- Lists across cases ---------------------------------------------------------------


def episode_list_table(rows: Iterable[tuple[MissingEpisode, str]], cases_seen: Iterable[int],
                       count: int) -> dict[str, Any]:
    """The missing episode list: when the child went missing and came back in one
    column, so it fits beside the filter panel on a 1024 px screen."""
    seen = set(cases_seen)
    wrap = "macehub-table__cell--wrap"
    built = []
    for episode, state in rows:
        child = format_html('<a class="govuk-link" href="{}#missing-episodes">{}</a>',
                            reverse("people:detail", args=[episode.child_id]),
                            episode.child.full_name)
        back = (f"Back {when(episode.returned_at)}" if episode.returned_at
                else "Not back yet")
        recorded_with: Cell
        if not episode.case_id:
            recorded_with = {"text": "No case", "classes": wrap}
        elif episode.case_id in seen and episode.case is not None:
            recorded_with = {"html": joined(
                f"Case {episode.case.reference}",
                small(f"led by {episode.case.lead_agency.name}")), "classes": wrap}
        else:
            recorded_with = {"text": "A case", "classes": wrap}
        built.append([
            {"html": child, "classes": wrap},
            {"html": joined(f"From {when(episode.went_missing_at)}", back)},
            recorded_with,
            {"html": mark_safe(code_tag("missing_episode_state", state,  # noqa: S308
                                        label="full"))},
        ])
    return {"caption": counted(count, "missing episode"),
            "head": ["Child", "Missing", "Recorded with", "Return home interview"],
            "rows": built}


def risk_review_table(rows: Iterable[RiskReviewStatus], count: int) -> dict[str, Any]:
    built = []
    for row in rows:
        case = row.case
        name = "Restricted case" if row.name_hidden else case.child.full_name
        child = format_html('<a class="govuk-link" href="{}">{}</a><br>{}',
                            reverse("cases:risk_assessments", args=[case.pk]), name,
                            small(case.reference))
        if row.never_assessed:
            latest: Cell = "None yet"
        else:
            judged = code_short_label(row.judgement, "risk_tier").lower()
            latest = {"html": joined(f"{day(row.assessed_on)}, judged {judged}",
                                     tag("Differs from tier", "orange")
                                     if row.judgement_differs else "")}
        due = (tag(f"Overdue by {row.days_overdue_text}", "red") if row.is_overdue
               else tag("Due today", "orange"))
        built.append([
            {"html": child},
            {"html": mark_safe(code_tag("risk_tier", case.risk_tier))},  # noqa: S308
            case.key_worker.display_name if case.key_worker else "No key worker",
            latest,
            {"html": joined(day(row.due_on), due)},
        ])
    return {"caption": f"{counted(count, 'case')} due, most overdue first",
            "head": ["Child", "Risk tier", "Key worker", "Latest assessment", "Review due"],
            "rows": built}


# --- The case list ----------------------------------------------------------------------

_SMALL_LINE = '<br><span class="govuk-body-s govuk-!-font-weight-regular">{}</span>'
_ROW_TAG = "govuk-!-margin-top-1"


def _marked(tags: Iterable[tuple[bool, str, str]]) -> str:
    """Tags on lines of their own below a cell's first line, as the list's template laid
    them out (each ``<br>`` and tag on its own source line)."""
    return "".join(f"\n      {'<br>' + tag(text, colour, _ROW_TAG) if shown else ''}"
                   for shown, text, colour in tags)


def _sorted_by(column: dict[str, Any], text: str) -> dict[str, Any]:
    return {"aria-sort": column["aria_sort"],
            "html": format_html('<a class="govuk-link" href="{}">{}</a>', column["href"], text)}


def case_list_table(cases: Iterable[Case], columns: dict[str, dict[str, Any]], count: int
                    ) -> SafeString:
    """The case list's table (``components/table.html``), a row per case of the page with
    the marks ``selectors.mark_case_rows`` set: the markup the list's template wrote cell
    by cell (``tests/test_case_list_table.py`` compares them), drawn in Python so that
    no cell of a row goes through the template language (a page of 25 rows 6.0 ms to
    4.7 ms at national scale). A restricted case the user does not work on is listed
    without the child's name or area."""
    rows = []
    for case in cases:
        # Set on the case by mark_case_rows (not fields of the model).
        marks = {name: getattr(case, name) for name in CASE_ROW_MARKS}
        named = not case.is_restricted or marks["user_works_on"]
        child = format_html(
            '<a class="govuk-link" href="{}">{}</a>\n      ' + _SMALL_LINE + "\n      {}"
            "\n      " + _SMALL_LINE,
            reverse("cases:detail", args=[case.pk]),
            case.child.full_name if named else "Restricted case", case.reference,
            format_html(_SMALL_LINE, marks["area_name"] or "Area not recorded") if named else "",
            f"Opened {when(case.opened_at, DAY)}")
        risk = mark_safe((code_tag("risk_tier", case.risk_tier) + _marked(  # noqa: S308
            [(case.is_restricted, "Restricted", "purple"),
             (case.status == CaseStatus.CLOSED, "Closed", "grey")])).strip())
        worker = format_html(
            '{}\n      <br><span class="govuk-body-s">{}</span>',
            case.key_worker.display_name if case.key_worker else "None yet",
            case.lead_agency.name)
        due = mark_safe(format_html(  # noqa: S308 (format_html escaped it)
            "{}{}", day(marks["next_due_on"]) if marks["next_due_on"] else "Nothing due",
            mark_safe(_marked(  # noqa: S308 (the hub's tags, drawn escaped)
                [(marks["has_overdue_items"], "Plan overdue", "red"),
                 (marks["has_overdue_interviews"], "Interview overdue", "red")]))).strip())
        rows.append({"cells": [
            {"header": True, "classes": "macehub-table__cell--wrap", "html": child},
            {"html": risk},
            {"classes": "macehub-table__cell--wrap", "html": worker},
            {"html": when(marks["last_contact_at"], DAY) if marks["last_contact_at"] else "None"},
            {"html": due},
        ]})
    return mark_safe(draw_table({  # noqa: S308 (draw_table escapes what it is given)
        "classes": "govuk-!-font-size-16", "caption_classes": "govuk-table__caption--m",
        "caption": f"{intcomma(count)} case{pluralize(count)}",
        "head": [_sorted_by(columns["child"], "Child"), _sorted_by(columns["tier"], "Risk"),
                 {"html": "Key worker"},
                 _sorted_by(columns["last_contact"], "Last contact"),
                 _sorted_by(columns["next_due"], "Next due")],
        "bodies": [rows],
    }) + "\n")
