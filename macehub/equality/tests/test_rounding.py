"""Disproportionality figures follow the hub's one rounding rule (half up, from the exact
value, ``macehub.core.figures``): the reading, the page (``floatformat``) and the CSV
give the same figure, even when it lies exactly halfway."""

from __future__ import annotations

import csv
import io

from django.template.defaultfilters import floatformat

from macehub.equality.analysis import GroupCount, analyse
from macehub.equality.published import publish, published_csv

WHITE = GroupCount("W", "White", 40, 1000)


def test_a_ratio_of_exactly_2_675_reads_as_on_the_page() -> None:
    # 107 per 1,000 against 40 per 1,000: exactly 2.675 (as a float quotient, 2.67499...).
    result = analyse([WHITE, GroupCount("B", "Black", 107, 1000)], WHITE, not_stated=0,
                     not_recorded=0, noun="victims")
    ratio = result.groups[1].ratio
    assert ratio is not None
    assert floatformat(ratio.estimate, 2) == "2.68"  # the table on the page
    assert "2.68 times the White rate" in result.groups[1].reading


def test_a_missing_share_of_exactly_12_5_percent_is_13_percent() -> None:
    result = analyse([GroupCount("W", "White", 3, 1000), GroupCount("B", "Black", 4, 1000)],
                     GroupCount("W", "White", 3, 1000), not_stated=1, not_recorded=0,
                     noun="victims")
    assert result.unknown_percent == 13
    assert "missing for 13% of victims" in result.groups[1].reading


def test_the_published_csv_rounds_a_rate_as_the_page_does() -> None:
    # 2,001 in 2,000,000: exactly 1.0005 per 1,000.
    group = GroupCount("B", "Black", 2001, 2_000_000)
    result = analyse([WHITE, group], WHITE, not_stated=0, not_recorded=0, noun="victims")
    rate = result.groups[1].rate
    assert rate is not None and floatformat(rate.estimate, 3) == "1.001"
    rows = list(csv.reader(io.StringIO(published_csv(publish(result, 5), heading=[]))))
    header = rows[0]
    black = next(row for row in rows if row[0] == "Black")
    assert black[header.index("Rate per 1,000 children aged 0 to 17")] == "1.001"
