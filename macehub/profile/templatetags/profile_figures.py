"""A profile table (``patterns.Table``, live or as published) as the cells of the ui's
GOV.UK table component, with a suppressed count shown as [c]."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()
SUPPRESSED = "[c]"


HEAT_SHADES = 4


def _number(value: int | None, largest: int = 0) -> dict[str, Any]:
    cell: dict[str, Any] = {"text": SUPPRESSED if value is None else f"{value:,}",
                            "format": "numeric"}
    if largest and value:
        # 1 to 4: the cell's share of the largest count, in quarters (rounded up).
        cell["classes"] = f"macehub-heat--{-(-value * HEAT_SHADES // largest)}"
    return cell


@register.filter
def as_govuk_table(table: dict[str, Any]) -> dict[str, Any]:
    """``head`` and ``rows`` for ``components/table.html``: a total column when the table
    has more than one column, and a total row."""
    many = len(table["columns"]) > 1
    # Heat tables (a grid of counts, such as day by time of day) shade their cells.
    largest = (max((v or 0 for row in table["rows"] for v in row["values"]), default=0)
               if table.get("heat") else 0)
    head: list[Any] = [table["row_heading"], *({"text": column, "format": "numeric"}
                                               for column in table["columns"])]
    if many:
        head.append({"text": "Total", "format": "numeric"})
    rows: list[list[Any]] = []
    for row in table["rows"]:
        cells: list[Any] = [row["label"], *(_number(value, largest)
                                            for value in row["values"])]
        if many:
            cells.append(_number(row["total"]))
        rows.append(cells)
    total: list[Any] = [{"text": "Total", "header": True},
                        *(_number(value) for value in table["column_totals"])]
    if many:
        total.append(_number(table["total"]))
    rows.append(total)
    return {"head": head, "rows": rows}


@register.filter
def named_rows(named: dict[str, Any]) -> list[list[Any]]:
    return [[row["name"], *([row["kind"]] if "kind" in row else []),
             {"text": f"{row['reports']:,}", "format": "numeric"}] for row in named["rows"]]


@register.filter
def named_head(named: dict[str, Any]) -> list[Any]:
    has_kind = any("kind" in row for row in named["rows"])
    return [named["heading"], *(["Kind"] if has_kind else []),
            {"text": "Reports", "format": "numeric"}]


@register.filter
def restated(corrections: dict[str, int] | None, key: str) -> int | None:
    """The live total of a published table that has changed since publication, if any."""
    return (corrections or {}).get(key)
