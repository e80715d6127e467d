"""Benchmark person matching against the demo's planted truth.

    DATABASE_URL=postgres://…/force manage.py bench_matching [--engine spark]

Point DATABASE_URL at a database holding demo data (``demo_data --scale force`` or
``--scale national``). The command links every person the way ``find_matches`` does
(nothing is stored) and prints: how long reading the records and linking them took,
peak memory, the threshold, and precision and recall over the planted duplicates (two
records of one person) with how many planted twins (different people with the same
family name, birthday and address) were proposed. Targets (issue 14): precision and
recall at least 0.99 at force scale with no twin proposed; a million people linked in
two minutes or less.
"""

from __future__ import annotations

import resource
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from macehub.demo.duplicates import DISTINCT_LOOKALIKE, DUPLICATE_PERSON
from macehub.demo.models import PlantedTruth
from macehub.people.codes import LinkageEngine
from macehub.people.linkage import link_records
from macehub.people.linkage_records import IDENTIFIER_FIELDS, people_records
from macehub.people.management.commands.find_matches import add_engine_arguments
from macehub.people.models import Person


def same_person_pairs(groups: list[list[int]]) -> set[tuple[int, int]]:
    """Every pair of records that are one person, from the planted pairs (a person
    recorded three times is three pairs, whichever two were planted together): the
    connected components of the planted pairs, by scipy."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    ids = sorted({pk for group in groups for pk in group})
    index = {pk: number for number, pk in enumerate(ids)}
    edges = [(index[group[0]], index[other]) for group in groups for other in group[1:]]
    graph = coo_matrix(([1] * len(edges), ([a for a, _ in edges], [b for _, b in edges])),
                       shape=(len(ids), len(ids)))
    _, labels = connected_components(graph, directed=False)
    members: dict[int, list[int]] = {}
    for pk, label in zip(ids, labels, strict=True):
        members.setdefault(int(label), []).append(pk)
    return {(a, b) for found in members.values() for a in found for b in found if a < b}


# Besides names, what two records of one person can be compared on.
COMPARABLE = ("date_of_birth", "postcode", *IDENTIFIER_FIELDS)


def more_than_names(left: dict[str, Any], right: dict[str, Any]) -> bool:
    """Whether both records hold one field besides names to compare: without one, two
    records of one name are as likely two people as one."""
    return any(left.get(name) and right.get(name) for name in COMPARABLE)


def shares_one_exactly(left: dict[str, Any], right: dict[str, Any]) -> bool:
    """Whether the two records hold one of those fields the same, character for
    character: without one, a same-person pair is told from two people of one name
    only by how alike the rest is."""
    return any(left.get(name) and left.get(name) == right.get(name) for name in COMPARABLE)


def peak_memory_gb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident memory of this process, or of the largest process it started and
    saw end (``RUSAGE_CHILDREN``: Spark's Java process). Linux reports KiB."""
    return resource.getrusage(who).ru_maxrss / 1024 / 1024


class Command(BaseCommand):
    help = "Link every person and score the pairs against the demo's planted duplicates."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--threshold", type=float, default=None,
                            help="Probability at or above which a pair counts as proposed "
                                 "(default: the model's recommended threshold)")
        add_engine_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        truths = PlantedTruth.objects.filter(kind__in=(DUPLICATE_PERSON, DISTINCT_LOOKALIKE))
        duplicates = [sorted(t.data["person_ids"]) for t in truths if t.kind == DUPLICATE_PERSON]
        twins = {tuple(sorted(t.data["person_ids"])) for t in truths
                 if t.kind == DISTINCT_LOOKALIKE}
        if not duplicates:
            raise CommandError("No planted duplicates: generate demo data first "
                               "(manage.py demo_data --scale force).")
        same = same_person_pairs(duplicates)

        started = time.perf_counter()
        records = list(people_records(Person.objects.all()))
        read = time.perf_counter() - started
        result = link_records(records, threshold=options["threshold"],
                              threads=options["threads"], engine=options["engine"])
        proposed = {(pair.left_id, pair.right_id) for pair in result.pairs}
        found = len(proposed & same)
        precision = found / len(proposed) if proposed else 0.0
        recall = found / len(same)
        by_id = {record["unique_id"]: record for record in records}
        more = {pair for pair in same if more_than_names(by_id[pair[0]], by_id[pair[1]])}
        found_more = len(proposed & more)
        exact = {pair for pair in same if shares_one_exactly(by_id[pair[0]], by_id[pair[1]])}
        twins_proposed = len(proposed & twins)
        memory = f"{peak_memory_gb():.2f} GB"
        if options["engine"] == LinkageEngine.SPARK:
            memory += f" (Spark's Java process: {peak_memory_gb(resource.RUSAGE_CHILDREN):.2f} GB)"
        self.stdout.write(
            f"engine: {options['engine']}\n"
            f"records: {result.records:,}\n"
            f"read from the database: {read:.1f} s\n"
            f"linked (estimate and predict): {result.seconds:.1f} s"
            f"{result.training_note}\n"
            f"peak memory: {memory}\n"
            f"threshold: {result.threshold:.4f} (recommended {result.recommended_threshold:.4f})\n"
            f"pairs proposed: {len(proposed):,}\n"
            f"planted same-person pairs: {len(same):,}, found {found:,}\n"
            f"precision: {precision:.4f}\n"
            f"recall: {recall:.4f}\n"
            f"recall where both records hold more than names (a date of birth, a postcode "
            f"or one kind of identifier): {found_more / len(more) if more else 0.0:.4f} "
            f"({found_more:,} of {len(more):,}; names alone: "
            f"{len(proposed & (same - more)):,} of {len(same - more):,})\n"
            f"recall where both records hold one of those the same: "
            f"{len(proposed & exact) / len(exact) if exact else 0.0:.4f} "
            f"({len(proposed & exact):,} of {len(exact):,}; none the same: "
            f"{len(proposed & (same - exact)):,} of {len(same - exact):,})\n"
            f"planted twins: {len(twins):,}, proposed {twins_proposed:,}\n"
        )
        for label, missed in (("missed", sorted(same - proposed)[:10]),
                              ("proposed in error", sorted(proposed - same)[:10])):
            if missed:
                self.stdout.write(f"first {label}: {missed}")
