"""The tables of the intelligence pages as the GOV.UK table component takes them
(``components/table.html``): a caption, a head and rows of cells, each cell text or the
hub's own markup (``format_html``, which escapes what it is given). What a viewer may
read is decided by the selectors before a row is built; these only lay it out."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.template.defaultfilters import timesince_filter
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst

from macehub.accounts.models import User
from macehub.governance.sharing import agreement_words
from macehub.intelligence import selectors
from macehub.intelligence.models import Dissemination, IntelligenceReport, Submission
from macehub.intelligence.templatetags.intelligence import duration
from macehub.ui.cells import counted, hidden, joined, small, tag
from macehub.ui.formatting import govuk_date, govuk_datetime
from macehub.ui.templatetags.govuk import code_tag

Cell = str | dict[str, Any]
Table = dict[str, Any]

WRAP = "macehub-table__cell--wrap"


def report_link(report: IntelligenceReport) -> SafeString:
    return format_html('<a class="govuk-link" href="{}">{}</a>',
                       reverse("intelligence:report_detail", args=[report.pk]),
                       report.reference)


def mention_table(mentions: Iterable[selectors.ReportMention], count: int) -> Table:
    """The reports a viewer may see that mention a record."""
    return {
        "caption": f"{counted(count, 'report')}, newest first",
        "head": ["Reference", "Received", "Role", "Described as", "Grading", "Priority"],
        "rows": [
            [{"html": report_link(mention.report)}, govuk_date(mention.report.received_at),
             ", ".join(mention.roles), "; ".join(mention.descriptions),
             mention.report.grading, mention.report.priority_short]
            for mention in mentions
        ],
    }


def report_list_table(reports: Iterable[IntelligenceReport], count: int) -> Table:
    """The reports on the intelligence list, beside its filter."""
    rows = []
    for report in reports:
        rows.append([
            {"html": joined(report_link(report), small(joined(
                govuk_date(report.received_at), report.owning_team.name))), "classes": WRAP},
            {"text": selectors.sanitised_summary(report), "classes": "govuk-body-s"},
            {"html": joined(report.grading, mark_safe(  # noqa: S308
                code_tag("handling_code", report.handling_code)))},
            report.priority_short,
            report.get_status_display(),
        ])
    return {
        "caption": f"{counted(count, 'report')}, newest first",
        "head": ["Report", "Summary (sanitised)", "Grading", "Priority", "Status"],
        "rows": rows,
    }


def submission_table(submissions: Iterable[Submission], count: int) -> Table:
    def status(submission: Submission) -> SafeString:
        report = getattr(submission, "report", None)
        if report is not None and report.status == "reviewed":
            return tag("Reviewed", "green")
        return tag("Received", "blue")

    return {
        "caption": f"{counted(count, 'submission')}, newest first",
        "head": ["Reference", "Sent", "Status"],
        "rows": [
            [{"html": format_html(
                '<a class="govuk-link" href="{}">{}</a>',
                reverse("intelligence:submission_detail", args=[submission.pk]),
                submission.reference)},
             govuk_datetime(submission.received_at), {"html": status(submission)}]
            for submission in submissions
        ],
    }


def review_queue_table(reports: Iterable[IntelligenceReport], count: int, viewer: User, *,
                       showing_reviewed: bool) -> Table:
    head: list[Cell] = ["Reference", "Owning team", "Received"]
    if showing_reviewed:
        caption = f"{counted(count, 'reviewed report')}, latest review first"
        head += ["Reviewed", "Time to review", "Action"]
    else:
        caption = (f"{counted(count, 'report')} awaiting review, highest priority first, "
                   "then longest waiting")
        head += ["Priority", "Waiting"]
    rows = []
    for report in reports:
        own_team = report.owning_team_id == viewer.team_id
        partner = (small("Partner submission")
                   if getattr(report, "submission", None) and own_team else "")
        row: list[Cell] = [
            {"html": report_link(report)},
            {"html": joined(report.owning_team.name, partner), "classes": WRAP},
            govuk_datetime(report.received_at),
        ]
        if showing_reviewed:
            row += [govuk_datetime(report.reviewed_at), duration(report.time_to_review),
                    report.get_review_action_display()]
        else:
            row += [report.priority_short, timesince_filter(report.received_at)]
        rows.append(row)
    return {"caption": caption, "head": head, "rows": rows}


def _link_href(item: selectors.LinkView) -> str:
    if not item.url_name:
        return ""
    try:
        return reverse(item.url_name, kwargs=item.url_kwargs)
    except NoReverseMatch:
        return ""


def link_table(report: IntelligenceReport, links: Iterable[selectors.LinkView], *,
               with_actions: bool) -> Table:
    head: list[Cell] = ["Record", "Kind", "Role"]
    if with_actions:
        head.append({"html": hidden("Actions")})
    rows = []
    for item in links:
        href = _link_href(item)
        label = (format_html('<a class="govuk-link" href="{}">{}</a>', href, item.label)
                 if href else item.label)
        row: list[Cell] = [
            {"html": joined(label, small(item.link.description)
                            if item.link.description else "")},
            capfirst(item.link.kind),
            item.link.get_role_display(),
        ]
        if with_actions:
            row.append({"html": format_html(
                '<a class="govuk-link" href="{}">Remove{}</a>',
                reverse("intelligence:remove_link", args=[report.pk, item.link.pk]),
                hidden(f" link to {item.label}"))})
        rows.append(row)
    return {"caption": "Linked records", "head": head, "rows": rows}


def dissemination_table(disseminations: Iterable[Dissemination]) -> Table:
    rows = []
    for dissemination in disseminations:
        handling = dissemination.handling_code
        if dissemination.handling_conditions:
            handling = f"{handling}: {dissemination.handling_conditions}"
        rows.append([
            dissemination.to_agency.name,
            {"html": joined(govuk_datetime(dissemination.shared_at),
                            small(dissemination.shared_by.display_name))},
            handling,
            dissemination.get_lawful_basis_display(),
            agreement_words(dissemination.agreement, dissemination.reason_without_agreement),
        ])
    return {"caption": "Disseminations of this report",
            "head": ["Agency", "When and by whom", "Handling", "Lawful basis",
                     "Sharing agreement"], "rows": rows}
