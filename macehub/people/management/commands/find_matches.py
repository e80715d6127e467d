"""``manage.py find_matches``: run the matching model over every person the hub holds
and keep the pairs that may be the same person for review (``people.matching``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from macehub.people.codes import LinkageEngine
from macehub.people.linkage_engines import SPARK_DEFAULT_THREADS, LinkageError
from macehub.people.matching import propose_matches


def probability(text: str) -> float:
    value = float(text)
    if not 0 < value < 1:
        raise ValueError(text)
    return value


def add_engine_arguments(parser: CommandParser) -> None:
    """The engine options every linkage command takes: which engine, and its threads."""
    parser.add_argument(
        "--engine", choices=LinkageEngine.values, default=LinkageEngine.DUCKDB.value,
        help="Where the model runs: duckdb (embedded, the default) or spark (Apache Spark "
             "in local mode, for data sets beyond one machine; needs Java)")
    parser.add_argument(
        "--threads", type=int, default=None,
        help="Threads for the linkage engine (default: every core on duckdb, "
             f"{SPARK_DEFAULT_THREADS} on spark)")


class Command(BaseCommand):
    help = ("Find person records that may be the same person (probabilistic record "
            "linkage) and put the pairs in the match review queue. Nothing is merged.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--threshold", type=probability, default=None,
            help="Match probability (between 0 and 1) at or above which a pair is "
                 "proposed; by default the one the model's own evaluation recommends")
        add_engine_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            run, result = propose_matches(actor=None, threshold=options["threshold"],
                                          threads=options["threads"],
                                          engine=options["engine"])
        except LinkageError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Linked {run.records:,} person records in {result.seconds:.1f} s "
            f"on {run.engine}: "
            f"{run.pairs_found:,} pairs at or above {run.threshold:.3f} "
            f"(recommended {run.recommended_threshold:.3f}); "
            f"{run.pairs_proposed:,} waiting for a decision.{result.training_note}")
