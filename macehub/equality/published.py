"""The published form of an analysis, for scrutiny and for anything that leaves the hub:
counts under the threshold hidden (with secondary suppression, see ``suppression``), and
every figure worked out from a hidden count hidden with it: a rate times the census
population gives the count back, and a missing-data bound gives the unknowns back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string

from macehub.core.csv_export import csv_text
from macehub.core.figures import format_figure
from macehub.equality.analysis import (
    IC_MAPPING_CAVEAT,
    OFFICER_DEFINED,
    Analysis,
    GroupResult,
    ic_mapping_lines,
)
from macehub.equality.statistics import Interval, MissingBounds
from macehub.equality.suppression import suppress
from macehub.people.codes import CensusAgeGroup
from macehub.people.populations import population

HIDDEN = "[c]"  # ONS's mark for a figure withheld to protect confidentiality
NOT_PUBLISHED = "Not published: it would reveal a number under the suppression threshold."


@dataclass(frozen=True)
class PublishedRow:
    name: str
    count: int | None
    population: int | None
    rate: Interval | None
    ratio: Interval | None
    bounds: MissingBounds | None
    reading: str
    is_unknown: bool = False


@dataclass(frozen=True)
class PublishedTable:
    rows: list[PublishedRow]
    total: int | None
    threshold: int
    suppressed: int


def publish(analysis: Analysis, threshold: int) -> PublishedTable:
    groups = analysis.groups
    counts = [g.count for g in groups] + [analysis.not_stated, analysis.not_recorded]
    table = suppress([[count] for count in counts], threshold)
    shown = [row[0] for row in table.cells]
    comparator_index = next(
        (i for i, g in enumerate(groups) if g.code == analysis.comparator.code), None)
    comparator_shown = comparator_index is None or shown[comparator_index] is not None
    if comparator_index is None:
        # The comparator is a group not in this table (a family at the detailed level):
        # its count is published only if it is at least the threshold.
        comparator_shown = analysis.comparator.count == 0 or analysis.comparator.count >= threshold
    unknown_shown = shown[-1] is not None and shown[-2] is not None
    rows = []
    for group, count in zip(groups, shown, strict=False):
        rows.append(_published_group(group, count, comparator_shown=comparator_shown,
                                     unknown_shown=unknown_shown and table.grand_total is not None))
    rows.append(PublishedRow(analysis.not_stated_label, shown[-2], None, None, None, None,
                             "", is_unknown=True))
    rows.append(PublishedRow(analysis.not_recorded_label, shown[-1], None, None, None, None,
                             "", is_unknown=True))
    return PublishedTable(rows, table.grand_total, threshold,
                          len(table.primary) + len(table.secondary))


def _published_group(
    group: GroupResult, count: int | None, *, comparator_shown: bool, unknown_shown: bool
) -> PublishedRow:
    if count is None:
        return PublishedRow(group.name, None, group.population, None, None, None, NOT_PUBLISHED)
    if not comparator_shown or (group.bounds is not None and not unknown_shown):
        return PublishedRow(group.name, count, group.population, group.rate, None, None,
                            NOT_PUBLISHED if not group.is_comparator else group.reading)
    return PublishedRow(group.name, count, group.population, group.rate, group.ratio,
                        group.bounds, group.reading)


def _figure(value: float | None) -> str:
    """To three places by the hub's rule, as the pages show it (``floatformat``)."""
    return format_figure(value, 3, missing="")


def published_csv(
    table: PublishedTable, *, heading: list[str],
    denominator: CensusAgeGroup = CensusAgeGroup.CHILDREN,
) -> str:
    """The published table as CSV, ``[c]`` where a figure is withheld, through the hub's
    one CSV writer (area and group names come from data, so a formula in one is
    neutralised)."""
    lines: list[list[object]] = [[line] for line in heading]
    lines.append([
        "Ethnic group", "Count",
        f"Out of: {denominator.label} (Census 2021)", f"Rate per 1,000 {denominator.label}",
        "Rate 95% CI low", "Rate 95% CI high", "Rate ratio", "Ratio 95% CI low",
        "Ratio 95% CI high", "Ratio if unknowns were the comparator",
        "Ratio if unknowns were the group", "Reading",
    ])
    for row in table.rows:
        hidden = row.count is None
        rate, ratio, bounds = row.rate, row.ratio, row.bounds
        lines.append([
            row.name, HIDDEN if hidden else row.count,
            "" if row.population is None else row.population,
            HIDDEN if hidden else _figure(rate.estimate if rate else None),
            HIDDEN if hidden else _figure(rate.low if rate else None),
            HIDDEN if hidden else _figure(rate.high if rate else None),
            _figure(ratio.estimate) if ratio else "", _figure(ratio.low) if ratio else "",
            _figure(ratio.high) if ratio else "", _figure(bounds.low) if bounds else "",
            _figure(bounds.high) if bounds else "", row.reading,
        ])
    lines.append(["Total", HIDDEN if table.total is None else table.total])
    lines.append([f"Counts under {table.threshold} are withheld ({HIDDEN}), with others "
                  "where needed so that none can be worked out from the totals."])
    return csv_text(lines)


PDF_TEMPLATE = "equality/published_pdf.html"
PUBLISHED_RECORD_TYPE = "equality.published_table"


def published_heading(population_key: str, analysis: Analysis) -> list[str]:
    """What the table is of, who is counted and what they are divided by: the lines that
    head the CSV and the PDF."""
    chosen = population(population_key)
    return [
        f"{chosen.label} by ethnic group",
        f"{analysis.area_name}, {analysis.start:%d %B %Y} to {analysis.end:%d %B %Y}",
        f"Who is counted: {chosen.definition}",
        f"Compared with: {analysis.comparator.name}. Out of: {analysis.denominator_label} "
        "(Census 2021 ethnic group by age), in the same area.",
        *([f"Ethnicity: officer-defined (police IC codes), never merged with self-defined. "
           f"{IC_MAPPING_CAVEAT} Mapping: {'; '.join(ic_mapping_lines())}."]
          if analysis.ethnicity == OFFICER_DEFINED else
          ["Ethnicity: self-defined (the person's own answer)."]),
    ]


def export_detail(population_key: str, analysis: Analysis, table: PublishedTable,
                  file_format: str) -> dict[str, Any]:
    """What an export of the published table holds, for its audit event."""
    return {"population": population_key, "area": analysis.area_name,
            "start": str(analysis.start), "end": str(analysis.end),
            "comparator": analysis.comparator.code, "level": analysis.level,
            "ethnicity": analysis.ethnicity,
            "threshold": table.threshold, "suppressed": table.suppressed,
            "format": file_format}


def published_pdf_html(context: dict[str, Any]) -> str:
    """The HTML WeasyPrint turns into the PDF: the same published table, ``[c]`` where a
    figure is withheld. ``context`` holds ``table``, ``analysis``, ``population`` and
    ``heading``."""
    return render_to_string(PDF_TEMPLATE, {"hidden": HIDDEN, **context})


def published_pdf(context: dict[str, Any]) -> bytes:
    """The published table as a PDF (see ``published_pdf_html``)."""
    from weasyprint import HTML

    return bytes(HTML(string=published_pdf_html(context)).write_pdf())
