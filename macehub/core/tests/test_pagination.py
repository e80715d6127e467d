"""A page and its total in one query: the same page, number and total as Django's
``Paginator.get_page`` for every number a visitor may type, and one query when the page
has rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from macehub.accounts.models import Agency
from macehub.core.pagination import page_with_count
from macehub.testing.factories import make_agency

pytestmark = pytest.mark.django_db

NUMBERS = ["1", "2", "3", "4", "99", "0", "-1", "x", "2.0", "", None, 3]


def described(page: Any) -> tuple[int, int, int, list[int], bool, bool]:
    return (page.number, page.paginator.count, page.paginator.num_pages,
            [agency.pk for agency in page.object_list], page.has_previous(), page.has_next())


@pytest.mark.parametrize("how_many", [0, 1, 7, 9])
def test_the_same_page_as_the_paginator_gives(how_many):
    for number in range(how_many):
        make_agency(f"agency-{number:02d}")
    agencies = Agency.objects.order_by("code", "pk")
    for number in NUMBERS:
        expected = described(Paginator(agencies, 3).get_page(number))
        assert described(page_with_count(agencies, 3, number)) == expected, number


def test_one_query_for_a_page_with_rows():
    for number in range(7):
        make_agency(f"agency-{number:02d}")
    agencies = Agency.objects.order_by("code", "pk")
    with CaptureQueriesContext(connection) as queries:
        page = page_with_count(agencies, 3, "2")
        assert page.paginator.count == 7 and len(page.object_list) == 3
        assert page.end_index() == 6
    assert len(queries.captured_queries) == 1
    with CaptureQueriesContext(connection) as queries:
        # Past the end: no rows, so a plain count, then the last page.
        page = page_with_count(agencies, 3, "9")
        assert (page.number, len(page.object_list)) == (3, 1)
    assert len(queries.captured_queries) == 3


def test_a_distinct_list_is_counted_plainly():
    for number in range(4):
        make_agency(f"agency-{number:02d}")
    # Each agency twice before DISTINCT: a window would count eight.
    doubled = Agency.objects.filter(code__in=["agency-00", "agency-01", "agency-02",
                                              "agency-03"]).distinct().order_by("code")
    assert page_with_count(doubled, 3, "1").paginator.count == 4
