"""Probabilistic record linkage: which person records may be the same person.

The Fellegi-Sunter model, with Splink: on its embedded DuckDB engine by default, or on
Apache Spark for data sets beyond one machine (``LinkageEngine``: one model, its own SQL
written in what both engines share). Its parameters are estimated on the records being
linked, every time: how often two records of different people agree by chance on each
field (u, over every pair when there are few enough, by random sampling otherwise), and
how often two records of the same person do (m, by expectation maximisation over pairs
that share a date of birth, then pairs that share a postcode and an initial). Exact name
agreements are weighed by how common the name is (term-frequency adjustment): two
"Smith"s say less than two "Okonkwo"s.

The model proposes; it never merges. Each pair above the threshold comes with its
evidence, field by field (what agreed, what differed, what was missing, and each one's
weight, as Splink's waterfall chart gives it), for a person to decide on.

Records reach the model as plain rows (``people.linkage_records``): the hub's people
or a partner's list, normalised the same way, so the same model links both.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from macehub.people.codes import LinkageEngine
from macehub.people.linkage_engines import LinkageError, engine_api, spark_table
from macehub.people.linkage_records import (
    COMPARED_FIELDS,
    IDENTIFIER_FIELDS,
    REQUIRED_FIELDS,
    ROOT_COLUMNS,
)

if TYPE_CHECKING:
    import pandas

# The two lists' names in the linkage engine (not "left" and "right": SQL keywords).
LEFT_LIST, RIGHT_LIST = "left_list", "right_list"

# Splink's kinds of linkage used here: one list against itself, or two lists.
LinkType = Literal["dedupe_only", "link_only"]

# The fields compared, in the order evidence is shown.
# How likely two records of the *same* person are to have wholly different given names
# (not a spelling, a typing error or names written the other way round): fixed, not
# estimated. Twins share a family name, a birthday and an address, so the estimate
# learns from them that a different given name means little; it means a different
# person. Fixed this low, a twin pair is not proposed (1 in 50 were, with the default
# 1 in 100,000, against every one with the estimate). A nickname far from the name
# ("Jack" for "John") then needs other evidence, such as the NHS number, to be proposed.
DIFFERENT_GIVEN_NAME_M = 1e-5

# How often one person's records give wholly different dates of birth (more than one
# character apart, and not day and month swapped).
DIFFERENT_DATE_OF_BIRTH_M = 1e-3

# How often one person's identifier is recorded differently by two agencies (a typing
# error): see ``_identifier_comparison``.
IDENTIFIER_MISTYPED_M = 0.001

# How often two different people's records hold the same identifier: only when a typing
# error lands on somebody else's number. Fixed, not estimated: a random sample of pairs
# almost never holds one shared identifier, so its estimate rests on a handful of pairs
# (at force scale it came out a thousand times too high, and a shared PNC ID weighed
# less than a shared postcode).
IDENTIFIER_SHARED_BY_STRANGERS_U = 1e-6

# The words of the levels every field has.
MISSING, SAME, DIFFERENT = "Missing from one or both", "The same", "Different"

# Below this the model's pairs are not worth reading at all; the threshold for review
# is chosen above it (``recommended_threshold``).
LOWEST_PROBABILITY_READ = 0.01

# Pairs read for estimating u (per run) and for each EM session: enough for stable
# estimates, bounded so a national run stays within minutes.
U_SAMPLE_PAIRS = 5_000_000
EM_MAX_PAIRS = 1_000_000

@dataclass(frozen=True)
class FieldEvidence:
    """What one field says about a pair: its comparison level, the values on each side
    and the weight (log2 of the Bayes factor) it adds, its name's frequency included."""

    field: str
    label: str
    agreement: str  # "agrees", "partly", "differs", "missing"
    left: str | None
    right: str | None
    weight: float

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "label": self.label, "agreement": self.agreement,
                "left": self.left, "right": self.right, "weight": round(self.weight, 3)}


@dataclass(frozen=True)
class CandidatePair:
    """Two records the model says may be one person (``left_id`` < ``right_id``)."""

    left_id: Any
    right_id: Any
    probability: float
    match_weight: float
    evidence: tuple[FieldEvidence, ...]


@dataclass
class LinkageResult:
    """A run's pairs at or above ``threshold``, best first, and how it went."""

    pairs: list[CandidatePair]
    threshold: float
    recommended_threshold: float
    records: int
    model: dict[str, Any]
    seconds: float
    prior_weight: float
    fields: tuple[str, ...] = ()
    # Each EM session whose estimate collapsed on these records (it happens on a few
    # hundred) and what was done about it, in words a report prints.
    training_adjusted: tuple[str, ...] = ()

    @property
    def training_note(self) -> str:
        """The adjustments as a sentence for a command's report ("" when none)."""
        return "".join(f" Note: {adjustment}." for adjustment in self.training_adjusted)


# --- The model ------------------------------------------------------------------------------


def _settings(fields: frozenset[str], link_type: LinkType = "dedupe_only",
              engine: LinkageEngine = LinkageEngine.DUCKDB) -> Any:
    """The model over ``fields`` (the compared fields both sides hold, and the name
    roots if held): one comparison per field, and the blocking rules whose columns are
    all held. Its own SQL is written in what DuckDB and Spark share (``substr``,
    ``LIKE``, ``||``), and declared in ``engine``'s dialect so it is used as written."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on
    from splink.blocking_rule_library import CustomRule

    dialect = str(engine)

    # Each level is labelled in the words the review page shows beside the evidence.
    def missing(column: str) -> Any:
        return cll.NullLevel(column).configure(label_for_charts=MISSING)

    def same(column: str, **settings: Any) -> Any:
        return cll.ExactMatchLevel(column).configure(label_for_charts=SAME, **settings)

    def different(**settings: Any) -> Any:
        return cll.ElseLevel().configure(label_for_charts=DIFFERENT, **settings)

    # Jaro-Winkler is each engine's own function, and they count letters out of order
    # differently (Spark's, from Splink's Java functions, as half a transposition each;
    # DuckDB's rounds the count of transpositions down), so a few pairs of names, mostly
    # near the lowest level, fall in different levels on the two engines.
    def name_levels(column: str, other: str, else_level: Any, *, also: Sequence[Any] = ()
                    ) -> list[Any]:
        roots = [cll.ArrayIntersectLevel(f"{column}_roots", min_intersection=1).configure(
            label_for_charts="Forms of one name (a nickname or another spelling)")
            ] if f"{column}_roots" in fields else []
        return [
            missing(column),
            same(column, tf_adjustment_column=column),
            cll.ColumnsReversedLevel(column, other).configure(
                label_for_charts="Given and family names the other way round"),
            *roots,
            *also,
            cll.JaroWinklerLevel(column, 0.92).configure(
                label_for_charts="Spelt almost the same"),
            # One slip of the keys in a short name ("Mia", "Ma"; "Kai", "Ksi") leaves too
            # few letters for Jaro-Winkler to call it alike.
            cll.DamerauLevenshteinLevel(column, 1).configure(
                label_for_charts="One letter different, missing or swapped"),
            cll.JaroWinklerLevel(column, 0.88).configure(label_for_charts="Spelt alike"),
            cll.JaroWinklerLevel(column, 0.7).configure(label_for_charts="Somewhat alike"),
            else_level,
        ]

    given = cl.CustomComparison(
        output_column_name="given_name",
        comparison_levels=name_levels("given_name", "family_name", different(
            m_probability=DIFFERENT_GIVEN_NAME_M, fix_m_probability=True)),
    )
    # A double-barrelled family name against one of its halves ("smith jones", "smith"),
    # before the levels for names spelt alike, which would take a short one ("Eze",
    # "Eze Cameron") as merely somewhat alike.
    holds_the_other = cll.CustomLevel(
        "(family_name_l LIKE family_name_r || ' %' OR family_name_l LIKE '% ' || family_name_r"
        " OR family_name_r LIKE family_name_l || ' %' OR family_name_r LIKE '% ' || family_name_l)",
        label_for_charts="One family name holds the other", base_dialect_str=dialect)
    family_levels = name_levels("family_name", "given_name", different(),
                                also=[holds_the_other])
    family = cl.CustomComparison(output_column_name="family_name",
                                 comparison_levels=family_levels)
    date_of_birth = cl.CustomComparison(
        output_column_name="date_of_birth",
        comparison_levels=[
            missing("date_of_birth"),
            same("date_of_birth"),
            cll.CustomLevel(
                "substr(date_of_birth_l, 1, 4) = substr(date_of_birth_r, 1, 4) AND "
                "substr(date_of_birth_l, 6, 2) = substr(date_of_birth_r, 9, 2) AND "
                "substr(date_of_birth_l, 9, 2) = substr(date_of_birth_r, 6, 2)",
                label_for_charts="Day and month swapped", base_dialect_str=dialect),
            cll.LevenshteinLevel("date_of_birth", 1).configure(
                label_for_charts="One figure different"),
            cll.CustomLevel(ONE_OUT_DATE_SQL, label_for_charts="A day, month or year one out",
                            base_dialect_str=dialect),
            # No "within a year" level: brothers and sisters, or two people of one name
            # in one street, are that close; a typing error moves one part by one. And a
            # date wholly different is fixed as rare for one person, not estimated: the
            # estimate learns from households (one name, one street) that it is common.
            different(m_probability=DIFFERENT_DATE_OF_BIRTH_M, fix_m_probability=True),
        ],
    )
    sex = cl.CustomComparison(output_column_name="sex", comparison_levels=[
        missing("sex"), same("sex"), different()])
    postcode = cl.CustomComparison(output_column_name="postcode", comparison_levels=[
        missing("postcode"), same("postcode"),
        cll.LevenshteinLevel("postcode", 1).configure(
            label_for_charts="One character different"),
        different()])
    address = cl.CustomComparison(output_column_name="address", comparison_levels=[
        missing("address"), same("address"),
        cll.JaroWinklerLevel("address", 0.9).configure(label_for_charts="Written alike"),
        different()])
    comparisons = {
        "given_name": given, "family_name": family, "date_of_birth": date_of_birth,
        "sex": sex, "postcode": postcode, "address": address,
        **{name: _identifier_comparison(name) for name in IDENTIFIER_FIELDS},
    }
    return SettingsCreator(
        link_type=link_type,
        unique_id_column_name="unique_id",
        comparisons=[comparisons[name] for name in COMPARED_FIELDS if name in fields],
        # Pairs are scored only if they share one of these (each on its own index).
        # Nationally a birthday or a street holds too many people to pair them all, so
        # each rule asks for an initial too: of the given name or, for a nickname
        # ("Bill", "William") or names written the other way round, the family name.
        blocking_rules_to_generate_predictions=[rule for columns, rule in [
            *(((key, initial), block_on(key, f"substr({initial}, 1, 1)"))
              for key in ("date_of_birth", "postcode")
              for initial in ("given_name", "family_name")),
            (("date_of_birth",), block_on("family_name", "substr(date_of_birth, 1, 4)",
                                          "substr(given_name, 1, 1)")),
            (("date_of_birth",), block_on("given_name", "substr(family_name, 1, 1)",
                                          "substr(date_of_birth, 1, 7)")),
            *(((name,), block_on(name)) for name in IDENTIFIER_FIELDS),
            # The same names, birthday and month: a mistyped year.
            (("date_of_birth",), block_on("given_name", "family_name",
                                          "substr(date_of_birth, 6, 5)")),
            # Names written the other way round.
            ((), CustomRule("l.given_name = r.family_name AND l.family_name = r.given_name",
                            sql_dialect=dialect)),
            # A record with no date of birth: the family name and an initial. One rule
            # for each side, so each reads only the records without one before pairing
            # them (not every "Smith, J" with every other, minutes nationally).
            *((("date_of_birth",), CustomRule(
                "l.family_name = r.family_name AND substr(l.given_name, 1, 1) = "
                f"substr(r.given_name, 1, 1) AND {side}.date_of_birth IS NULL",
                sql_dialect=dialect)) for side in ("l", "r")),
            # Lists with no date of birth at all: the family name and an initial.
            *([((), block_on("family_name", "substr(given_name, 1, 1)"))]
              if "date_of_birth" not in fields else []),
        ] if set(columns) <= fields],
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
    )


def _date_part(side: str, start: int, length: int) -> str:
    return f"CAST(substr(date_of_birth_{side}, {start}, {length}) AS INTEGER)"


# A date typed one out where that changes two figures (the 9th for the 10th, 1979 for
# 1980, September for October), or its day's figures swapped (the 12th for the 21st).
ONE_OUT_DATE_SQL = " OR ".join(f"({condition})" for condition in (
    "substr(date_of_birth_l, 1, 7) = substr(date_of_birth_r, 1, 7) AND "
    f"abs({_date_part('l', 9, 2)} - {_date_part('r', 9, 2)}) = 1",
    "substr(date_of_birth_l, 1, 4) = substr(date_of_birth_r, 1, 4) AND "
    "substr(date_of_birth_l, 9, 2) = substr(date_of_birth_r, 9, 2) AND "
    f"abs({_date_part('l', 6, 2)} - {_date_part('r', 6, 2)}) = 1",
    "substr(date_of_birth_l, 6, 5) = substr(date_of_birth_r, 6, 5) AND "
    f"abs({_date_part('l', 1, 4)} - {_date_part('r', 1, 4)}) = 1",
    "substr(date_of_birth_l, 1, 7) = substr(date_of_birth_r, 1, 7) AND "
    "substr(date_of_birth_l, 9, 1) = substr(date_of_birth_r, 10, 1) AND "
    "substr(date_of_birth_l, 10, 1) = substr(date_of_birth_r, 9, 1)",
))


def _identifier_comparison(name: str) -> Any:
    """An identifier the same on both records, or not: how often it differs for one
    person (a typing error) is fixed, not estimated. Few pairs hold one on both sides,
    fewer still a differing one, and the estimate would otherwise make a disagreement
    impossible for the same person (a probability of 0, which stops the estimate)."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(output_column_name=name, comparison_levels=[
        cll.NullLevel(name).configure(label_for_charts=MISSING),
        cll.ExactMatchLevel(name).configure(
            label_for_charts=SAME, m_probability=1 - IDENTIFIER_MISTYPED_M,
            fix_m_probability=True, u_probability=IDENTIFIER_SHARED_BY_STRANGERS_U,
            fix_u_probability=True),
        cll.ElseLevel().configure(label_for_charts=DIFFERENT,
                                  m_probability=IDENTIFIER_MISTYPED_M, fix_m_probability=True),
    ])


def _frame(records: Iterable[Mapping[str, Any]]) -> pandas.DataFrame:
    import pandas as pd

    frame = pd.DataFrame.from_records(
        list(records), columns=["unique_id", *COMPARED_FIELDS, *ROOT_COLUMNS])
    for column in (*COMPARED_FIELDS, *ROOT_COLUMNS):
        # Missing is None, not NaN (pandas would otherwise infer a text type with NaN).
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def _fields_held(*frames: pandas.DataFrame) -> frozenset[str]:
    """The fields compared: the names always, the rest where every side holds some
    values (a column no record fills says nothing, and a side without it cannot be
    compared with one that has it)."""
    held = set(REQUIRED_FIELDS)
    for column in (*COMPARED_FIELDS, *ROOT_COLUMNS):
        if all(frame[column].notna().any() for frame in frames):
            held.add(column)
    return frozenset(held)


def _linker(api: Any, engine: LinkageEngine, frames: Sequence[pandas.DataFrame],
            settings: Any, fields: frozenset[str]) -> Any:
    import pandas as pd
    from splink import Linker

    names = ["records"] if len(frames) == 1 else [LEFT_LIST, RIGHT_LIST]
    # Only the columns compared: a column no record of a list fills has no type to
    # stack with the other list's.
    columns = ["unique_id", *(c for c in (*COMPARED_FIELDS, *ROOT_COLUMNS) if c in fields)]
    ids = ("integer" if all(pd.api.types.is_integer_dtype(frame["unique_id"])
                            for frame in frames) else "text")
    tables = [api.register(spark_table(api, frame[columns], ids)
                           if engine == LinkageEngine.SPARK else frame[columns],
                           dataset_display_name=name)
              for frame, name in zip(frames, names, strict=True)]
    return Linker(tables[0] if len(tables) == 1 else tables, settings,
                  log_level=logging.ERROR)


# The two EM sessions, in the words a run's report uses for one it had to leave out.
SAME_DATE_OF_BIRTH = "pairs with the same date of birth"
SAME_POSTCODE_AND_INITIAL = "pairs with the same postcode and initial"


# What is done about a session whose estimate collapsed: first it is run again with the
# prior held at its estimate from the deterministic rules; if it collapses again, it is
# left out and the other session estimates what it can.
PRIOR_HELD = "run again with the chance two records are one person held fixed"
LEFT_OUT = "left out"
# A session with no pairs to learn from (a short list where no two records share a date
# of birth, say) is left out from the start.
NO_PAIRS = "left out, as no two records make such a pair"


class _SessionRefused(Exception):
    """An EM session ended with an estimate Splink cannot hold, or found no pairs (see
    ``_train``): what to do about it on the next run."""

    def __init__(self, session: str, adjustment: str) -> None:
        super().__init__(session)
        self.session, self.adjustment = session, adjustment


def _train(linker: Any, fields: frozenset[str], pairs: int,
           adjusted: Mapping[str, str] | None = None) -> None:
    """Estimate the model: the chance two records are one person, u by random sampling,
    and m by EM in two sessions, each estimating the fields its blocking rule leaves
    free (a session whose fields a list does not hold is left out). ``adjusted``: what
    is done about a session that collapsed (``PRIOR_HELD`` or ``LEFT_OUT``) or found no
    pairs (``NO_PAIRS``) before. Raises ``_SessionRefused`` for a session whose estimate
    collapses or which finds no pairs: either leaves Splink's model half-changed (a
    comparison the session set aside is not put back), so the run starts again.

    ``pairs``: how many pairs the records make. When the sample would hold them all, u
    is counted over every one: exact, and the same on every engine. Above that, Splink
    stops counting once each level has been seen often enough, in an order that
    depends on the engine's hashing, so two engines' estimates differ a little."""
    from splink import block_on
    from splink.internals.exceptions import EMTrainingException

    adjusted = adjusted or {}
    training = linker.training
    deterministic = [
        block_on(*columns) for columns in (
            ("given_name", "family_name", "date_of_birth"),
            ("given_name", "family_name", "postcode"),
            *((name,) for name in IDENTIFIER_FIELDS))
        if set(columns) <= fields]
    if deterministic:
        training.estimate_probability_two_random_records_match(deterministic, recall=0.6)
    if pairs <= U_SAMPLE_PAIRS:
        training.estimate_u_using_random_sampling(
            max_pairs=U_SAMPLE_PAIRS, seed=1, min_count_per_level=None, num_chunks=1)
    else:
        training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=1)
    for session, needs, rule in (
            (SAME_DATE_OF_BIRTH, ("date_of_birth",), block_on("date_of_birth")),
            (SAME_POSTCODE_AND_INITIAL, ("postcode",),
             block_on("postcode", "substr(given_name, 1, 1)"))):
        adjustment = adjusted.get(session)
        if set(needs) <= fields and adjustment not in (LEFT_OUT, NO_PAIRS):
            try:
                training.estimate_parameters_using_expectation_maximisation(
                    rule, estimate_without_term_frequencies=True, max_pairs=EM_MAX_PAIRS,
                    fix_probability_two_random_records_match=adjustment == PRIOR_HELD)
            except ValueError as error:
                # On a few records a level seen only in different people's pairs can
                # have its m estimated down to nothing, which Splink refuses to hold.
                if "below the minimum allowed value" not in str(error):
                    raise
                raise _SessionRefused(
                    session, LEFT_OUT if adjustment == PRIOR_HELD else PRIOR_HELD) from error
            except EMTrainingException as error:
                raise _SessionRefused(session, NO_PAIRS) from error


def recommended_threshold(probabilities: Sequence[float]) -> float:
    """The probability above which pairs are proposed, by the model's own evaluation:
    the threshold with the best expected F1, where a pair's probability is the chance it
    is the same person (so the pairs above a threshold are expected to hold the sum of
    their probabilities in true matches, out of the sum over every pair read)."""
    import numpy as np

    if not probabilities:
        return 0.9
    ordered = np.sort(np.asarray(probabilities, dtype=float))[::-1]
    expected_matches = np.cumsum(ordered)
    precision = expected_matches / np.arange(1, len(ordered) + 1)
    recall = expected_matches / expected_matches[-1]
    f1 = 2 * precision * recall / (precision + recall)
    return float(ordered[int(np.argmax(f1))])


def _agreement(gamma: int, levels: int) -> str:
    if gamma < 0:
        return "missing"
    if gamma == 0:
        return "differs"
    return "agrees" if gamma == levels - 1 else "partly"


def _level_labels(model: Mapping[str, Any]) -> dict[str, tuple[int, dict[int, str]]]:
    """For each comparison: its count of non-null levels and each level's label by
    gamma (Splink numbers null levels -1 and the rest from the top, the last 0)."""
    labels = {}
    for comparison in model["comparisons"]:
        levels = comparison["comparison_levels"]
        counted = sum(1 for level in levels if not level.get("is_null_level"))
        gamma, by_gamma = counted - 1, {}
        for level in levels:
            label = level.get("label_for_charts") or level["sql_condition"]
            if level.get("is_null_level"):
                by_gamma[-1] = label
            else:
                by_gamma[gamma] = label
                gamma -= 1
        labels[comparison["output_column_name"]] = (counted, by_gamma)
    return labels


def _evidence(row: Mapping[str, Any], labels: Mapping[str, tuple[int, dict[int, str]]]
              ) -> tuple[FieldEvidence, ...]:
    evidence = []
    for name in (compared for compared in COMPARED_FIELDS if compared in labels):
        counted, by_gamma = labels[name]
        gamma = int(row[f"gamma_{name}"])
        weight = float(row.get(f"mw_{name}") or 0.0) + float(row.get(f"mw_tf_adj_{name}") or 0.0)
        left, right = row.get(f"{name}_l"), row.get(f"{name}_r")
        evidence.append(FieldEvidence(
            field=name, label=by_gamma.get(gamma, str(gamma)),
            agreement=_agreement(gamma, counted),
            left=None if left is None else str(left), right=None if right is None else str(right),
            weight=0.0 if math.isnan(weight) else weight))
    return tuple(evidence)


def link_records(records: Iterable[Mapping[str, Any]], *,
                 right: Iterable[Mapping[str, Any]] | None = None,
                 threshold: float | None = None, threads: int | None = None,
                 exclude: Iterable[tuple[Any, Any]] = (),
                 engine: str = LinkageEngine.DUCKDB) -> LinkageResult:
    """Estimate the model on ``records`` and return the pairs at or above ``threshold``
    (default: ``recommended_threshold``), each with its evidence, best first: pairs
    within ``records`` (``left_id`` the lower id), or, given ``right``, pairs of one
    record from each (``left_id`` from ``records``).
    ``exclude``: pairs a person has already said are not the same (never proposed).
    ``engine``: a ``LinkageEngine``; the result is the same in shape on each."""
    started = time.perf_counter()
    if engine not in LinkageEngine.values:
        raise LinkageError(f"No linkage engine {engine!r} (one of "
                           f"{', '.join(LinkageEngine.values)}).")
    runs_on = LinkageEngine(engine)
    frames = [_frame(records)] + ([] if right is None else [_frame(right)])
    if (right is None and len(frames[0]) < 2) or any(len(frame) == 0 for frame in frames):
        raise LinkageError("At least two records are needed to look for the same person.")
    if any(frame["unique_id"].duplicated().any() for frame in frames):
        raise LinkageError("Each record needs its own id.")
    fields = _fields_held(*frames)
    sizes = [len(frame) for frame in frames]
    pairs_made = sizes[0] * (sizes[0] - 1) // 2 if right is None else sizes[0] * sizes[1]
    adjusted: dict[str, str] = {}
    while True:
        try:
            with engine_api(runs_on, threads=threads, records=sum(sizes)) as api:
                model, rows, recommended, chosen = _estimate_and_predict(
                    api, runs_on, frames, fields, pairs_made, threshold, adjusted)
            break
        except _SessionRefused as refused:
            # The refused session left Splink's model half-changed: start again.
            adjusted[refused.session] = refused.adjustment
    excluded = {_ordered(left, right) for left, right in exclude}
    labels = _level_labels(model)
    pairs = []
    for row in rows:
        if right is None:
            left_id, right_id = _ordered(row["unique_id_l"], row["unique_id_r"])
        else:
            # Each pair holds one record of each list, the left list's on either side.
            left_id, right_id = (_plain(row["unique_id_l"]), _plain(row["unique_id_r"]))
            if row["source_dataset_l"] != LEFT_LIST:
                left_id, right_id = right_id, left_id
        if (left_id, right_id) in excluded:
            continue
        pairs.append(CandidatePair(
            left_id=left_id, right_id=right_id, probability=float(row["match_probability"]),
            match_weight=float(row["match_weight"]), evidence=_evidence(row, labels)))
    # Best first, ties in the order of their ids (whichever way round an engine found them).
    pairs.sort(key=lambda pair: (-pair.match_weight, pair.left_id, pair.right_id))
    prior = float(model["probability_two_random_records_match"])
    return LinkageResult(
        pairs=pairs, threshold=chosen, recommended_threshold=recommended,
        records=sum(sizes), model=model,
        seconds=time.perf_counter() - started, prior_weight=math.log2(prior / (1 - prior)),
        fields=tuple(name for name in COMPARED_FIELDS if name in labels),
        training_adjusted=tuple(f"EM on {session}: {adjustment}"
                                for session, adjustment in adjusted.items()))


def _estimate_and_predict(api: Any, engine: LinkageEngine,
                          frames: Sequence[pandas.DataFrame], fields: frozenset[str],
                          pairs: int, threshold: float | None, adjusted: Mapping[str, str],
                          ) -> tuple[dict[str, Any], list[dict[str, Any]], float, float]:
    """One run of the model on ``api``: the model as Splink saves it, the predicted
    rows at or above the threshold, the recommended threshold and the one used."""
    settings = _settings(fields, "dedupe_only" if len(frames) == 1 else "link_only", engine)
    linker = _linker(api, engine, frames, settings, fields)
    _train(linker, fields, pairs, adjusted)
    predicted = linker.inference.predict(threshold_match_probability=LOWEST_PROBABILITY_READ)
    model = linker.misc.save_model_to_json()
    probabilities = predicted.query_sql("select match_probability from {this}"
                                        ).as_pyarrow_table()["match_probability"]
    recommended = recommended_threshold(probabilities.to_pylist())
    chosen = recommended if threshold is None else threshold
    # The threshold is a float Python writes out (no text reaches the SQL).
    rows = predicted.query_sql(
        f"select * from {{this}} where match_probability >= {float(chosen)!r}"  # noqa: S608
    ).as_record_list()
    return model, rows, recommended, chosen


def _plain(value: Any) -> Any:
    """An id as plain Python (DuckDB and pandas give numpy integers, Spark Python's)."""
    return value.item() if hasattr(value, "item") else value


def _ordered(left: Any, right: Any) -> tuple[Any, Any]:
    """A pair in one order whichever way round it was found (ids as plain Python)."""
    left, right = _plain(left), _plain(right)
    if isinstance(left, int) and isinstance(right, int):
        return (left, right) if left <= right else (right, left)
    return (left, right) if str(left) <= str(right) else (right, left)
