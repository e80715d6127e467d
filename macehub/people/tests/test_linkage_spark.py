"""Record linkage on Apache Spark (``--engine spark``): on the small demo data set the
Spark engine proposes the same pairs as the embedded DuckDB engine, with the same
probabilities (to rounding) and the same evidence field by field; ``find_matches``
records the engine on its run, and ``link_records`` writes the same file on either.
One local Spark serves the whole test session (it takes seconds to start) and is
stopped at its end."""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from macehub.people import list_linking, matching
from macehub.people.codes import LinkageEngine
from macehub.people.linkage import LinkageResult, link_records
from macehub.people.linkage_engines import LinkageError, spark_session
from macehub.people.models import MatchCandidate, MatchRun, Person
from macehub.people.tests.test_link_records import roll_of, write

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.spark,
    pytest.mark.long_running,
    # PySpark's notice on importing its own test helpers; the hub hands Spark no pandas.
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]

# How far the engines' figures for a pair may differ: the same model, estimated on the
# same pairs, differs only in the order sums are taken in.
TOLERANCE = 1e-6
# How far the model's estimates may differ: the engines' own Jaro-Winkler functions
# differ for a few names near the lowest name level, so its chance agreement differs.
ESTIMATE_TOLERANCE = 0.01


@pytest.fixture(scope="session")
def spark() -> Iterator[None]:
    """One local Spark for every Spark run in the session. Its Java runs with the quick
    compiler only: the runs here are short, and the full one costs more than it saves."""
    with ExitStack() as stack:
        with pytest.MonkeyPatch.context() as patch:  # read as Java starts
            patch.setenv("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1")
            stack.enter_context(spark_session(threads=2))
        yield


@pytest.fixture
def demo(small_demo_for_module: str) -> None:
    """The small demo data set (``small_demo``), its matching run left out."""
    MatchCandidate.objects.all().delete()
    MatchRun.objects.all().delete()


@dataclass
class Linked:
    """One call of ``link_records``: what it was given and what it returned."""

    records: list[dict[str, Any]]
    options: dict[str, Any]
    result: LinkageResult


def spy(monkeypatch: pytest.MonkeyPatch, module: Any) -> list[Linked]:
    """Every call of ``module``'s ``link_records``, in order."""
    calls: list[Linked] = []
    linked: Callable[..., LinkageResult] = module.link_records

    def keeping(records: Iterable[dict[str, Any]], **options: Any) -> LinkageResult:
        # Read once here, so the same records and exclusions can be linked again.
        records = list(records)
        options["exclude"] = list(options.get("exclude", ()))
        calls.append(Linked(records, dict(options), linked(records, **options)))
        return calls[-1].result

    monkeypatch.setattr(module, "link_records", keeping)
    return calls


def assert_alike(on_spark: LinkageResult, on_duckdb: LinkageResult, id_type: type) -> None:
    """The same pairs in the same order, each with the same figures (to rounding) and
    evidence, and plain Python values in both."""
    assert on_duckdb.pairs, "the comparison ran on no pairs"
    assert [(pair.left_id, pair.right_id) for pair in on_spark.pairs] == [
        (pair.left_id, pair.right_id) for pair in on_duckdb.pairs]
    assert (on_spark.records, on_spark.fields) == (on_duckdb.records, on_duckdb.fields)
    for figure in ("threshold", "recommended_threshold", "prior_weight"):
        assert type(getattr(on_spark, figure)) is float
        assert math.isclose(getattr(on_spark, figure), getattr(on_duckdb, figure),
                            abs_tol=TOLERANCE), figure
    for spark_pair, duckdb_pair in zip(on_spark.pairs, on_duckdb.pairs, strict=True):
        assert type(spark_pair.left_id) is type(spark_pair.right_id) is id_type
        assert type(spark_pair.probability) is type(spark_pair.match_weight) is float
        assert math.isclose(spark_pair.probability, duckdb_pair.probability,
                            abs_tol=TOLERANCE)
        assert math.isclose(spark_pair.match_weight, duckdb_pair.match_weight,
                            abs_tol=TOLERANCE)
        for on, off in zip(spark_pair.evidence, duckdb_pair.evidence, strict=True):
            assert (on.field, on.label, on.agreement, on.left, on.right) == (
                off.field, off.label, off.agreement, off.left, off.right)
            assert math.isclose(on.weight, off.weight, abs_tol=TOLERANCE)

    # One model: the same comparisons, levels and labels, and estimates alike.
    for spark_comparison, duckdb_comparison in zip(
            on_spark.model["comparisons"], on_duckdb.model["comparisons"], strict=True):
        assert spark_comparison["output_column_name"] == duckdb_comparison["output_column_name"]
        for spark_level, duckdb_level in zip(spark_comparison["comparison_levels"],
                                             duckdb_comparison["comparison_levels"],
                                             strict=True):
            assert spark_level.keys() == duckdb_level.keys()
            assert spark_level.get("label_for_charts") == duckdb_level.get("label_for_charts")
            for estimate in ("m_probability", "u_probability"):
                assert math.isclose(spark_level.get(estimate, 0), duckdb_level.get(estimate, 0),
                                    abs_tol=ESTIMATE_TOLERANCE), (spark_level, estimate)


def test_find_matches_on_spark_proposes_what_duckdb_proposes_and_says_so(
        demo: None, spark: None, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = spy(monkeypatch, matching)
    out = io.StringIO()

    call_command("find_matches", "--engine", "spark", stdout=out)

    run = MatchRun.objects.get()
    assert run.engine == LinkageEngine.SPARK == "spark"
    assert f"Linked {run.records:,} person records" in out.getvalue()
    assert "on spark" in out.getvalue()
    [on_spark] = calls
    assert on_spark.options["engine"] == LinkageEngine.SPARK
    on_duckdb = link_records(on_spark.records,
                             **{**on_spark.options, "engine": LinkageEngine.DUCKDB})
    assert_alike(on_spark.result, on_duckdb, int)
    kept = {(candidate.first_id, candidate.second_id): candidate
            for candidate in MatchCandidate.objects.filter(run=run)}
    assert set(kept) == {(pair.left_id, pair.right_id) for pair in on_duckdb.pairs}
    for pair in on_duckdb.pairs:
        candidate = kept[pair.left_id, pair.right_id]
        assert math.isclose(candidate.probability, pair.probability, abs_tol=TOLERANCE)
        for stored, evidence in zip(candidate.evidence, pair.evidence, strict=True):
            assert {**stored, "weight": None} == {**evidence.as_dict(), "weight": None}
            assert math.isclose(stored["weight"], evidence.weight, abs_tol=0.001)


def test_link_records_on_spark_writes_what_duckdb_writes(
        demo: None, spark: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = spy(monkeypatch, list_linking)  # the command links through list_linking
    people = list(Person.objects.filter(date_of_birth__isnull=False).order_by("pk")[:120])
    left = write(tmp_path / "school.csv", roll_of(people[:80], "S"))
    right = write(tmp_path / "missing.csv", roll_of(people[40:120], "M", mistyped_every=3))
    written = {}
    for engine in (LinkageEngine.DUCKDB, LinkageEngine.SPARK):
        out = tmp_path / f"pairs-{engine}.csv"
        call_command("link_records", "--left", str(left), "--right", str(right),
                     "--out", str(out), "--engine", engine.value, stdout=io.StringIO())
        written[engine] = out.read_text(encoding="utf-8")

    assert written[LinkageEngine.SPARK] == written[LinkageEngine.DUCKDB]
    assert written[LinkageEngine.SPARK].count("\n") > 30  # the header and the pairs
    on_duckdb, on_spark = calls
    assert on_spark.records == on_duckdb.records
    assert_alike(on_spark.result, on_duckdb.result, str)


def test_an_engine_the_hub_does_not_have_is_refused() -> None:
    with pytest.raises(LinkageError, match="No linkage engine"):
        link_records([{"unique_id": 1}, {"unique_id": 2}], engine="oracle")
    for command in ("find_matches", "link_records", "bench_matching"):
        with pytest.raises(CommandError, match="invalid choice"):
            call_command(command, "--engine", "oracle", stdout=io.StringIO())
