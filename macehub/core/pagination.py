"""A page of a long list and the list's total in one query.

Django's ``Paginator`` counts the list (``SELECT COUNT(*)``) and then reads the page: two
passes over the same filtered rows. At national scale each pass is tens of milliseconds,
and most of the work (the access policy's subqueries, the filters) is the same in both.
``page_with_count`` reads the page with its total as a window, ``COUNT(*) OVER ()``,
computed over every row before the page is cut, so the rows are filtered once.

A window gives no total when the page has no rows: the list is empty, or the number
asked for is past its end. Then the total is counted plainly, and a number past the end
(or below 1) shows the last page, as ``Paginator.get_page`` does; what is not a number
shows the first.

Where the page can be read from an index in the list's order and stop after its rows
(the case list), a count apart is cheaper: the window reads and joins every row.

Keep what each row computes (subqueries in the select list) out of the list given: the
window makes the database compute the select list for every row of the list, not just
the page's. Annotate the page's rows after the page is cut instead.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.paginator import Page, Paginator
from django.db.models import Count, Model, QuerySet, Window

M = TypeVar("M", bound=Model)

TOTAL = "page_list_total"


def page_number(number: Any) -> int | None:
    """The page asked for, as ``Paginator.get_page`` reads it: what is not a whole
    number is the first page; a number below 1 is no page (``None``), shown as the
    last page, as a number past the end is."""
    try:
        value = int(number)
    except (TypeError, ValueError):
        return 1
    return value if value >= 1 else None


def page_with_count(object_list: QuerySet[M], per_page: int, number: Any) -> Page[M]:
    """The page ``number`` of ``object_list`` (ordered), its total read with the rows.
    The page's ``object_list`` is a list; the paginator never counts again."""
    if object_list.query.distinct or object_list.query.combinator:
        # A window counts rows before DISTINCT (or each part of a UNION): not the total.
        return Paginator(object_list, per_page).get_page(number)
    asked = page_number(number)
    rows: list[M] = []
    if asked is not None:
        counted = object_list.annotate(**{TOTAL: Window(Count("*"))})
        bottom = (asked - 1) * per_page
        rows = list(counted[bottom:bottom + per_page])
    wanted = asked or 1
    if rows:
        total = getattr(rows[0], TOTAL)
    else:
        total = object_list.count()
        last = max(1, -(-total // per_page))
        if asked is None or wanted > last:
            wanted = last
            if total:
                bottom = (last - 1) * per_page
                rows = list(object_list[bottom:bottom + per_page])
    paginator = Paginator(object_list, per_page)
    # ``count`` is a cached property: the total read with the page stands in for it.
    paginator.__dict__["count"] = total
    return Page(rows, wanted, paginator)
