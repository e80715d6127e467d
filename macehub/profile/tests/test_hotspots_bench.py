"""``manage.py bench_profile`` at small scale: it generates the demo when the database
has none, times every measure's hotspot analysis, then the whole profile (every section and the
partnership version) against the target."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.django_db,
              pytest.mark.filterwarnings("ignore::DeprecationWarning")]


def test_bench_profile_prints_each_measure_and_the_total() -> None:
    output = io.StringIO()
    call_command("bench_profile", "--scale=small", "--seed=7", stdout=output)
    text = output.getvalue()
    assert "Generating demo data at small scale" in text
    for label in ("Places named in intelligence reports", "Where children went missing from",
                  "Where missing children were found", "Where offences were committed"):
        assert f"  {label}: " in text
    assert "All four measures: " in text
    assert "The whole profile (8 sections and the partnership version" in text
    assert "s target)" in text
