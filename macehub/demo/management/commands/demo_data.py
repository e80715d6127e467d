"""``manage.py demo_data``: fill the database with a synthetic data set of the fictional
county of Northshire, with known ground truth.

    manage.py demo_data --scale small --seed 1            # the demo: seconds
    manage.py demo_data --scale force --seed 1 --reset    # a force-year: about a minute
    manage.py demo_data --scale national --seed 1 --quiet # benchmarks

The same seed and reference date (``--as-of``, default today) give the same data. The
command refuses to add to a database that already holds people unless ``--reset`` is
given, which first deletes the previous demo data (never the audit log).

The demo accounts share a published password, so the command runs only in demo mode
(``MACEHUB_DEMO=true``) unless ``--outside-demo-mode`` says so on purpose, e.g. for a
benchmark database that no one signs in to.
"""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentTypeError
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from macehub.demo.accounts import accounts_table, demo_accounts
from macehub.demo.digest import demo_data_digest
from macehub.demo.progress import Progress
from macehub.demo.scales import SCALES
from macehub.demo.services import DemoDataPresent, generate_demo_data

LARGEST_SEED = 2**31 - 1  # stored with the planted truth in an integer column


def _seed(value: str) -> int:
    try:
        seed = int(value)
    except ValueError as exc:
        raise ArgumentTypeError(f"must be a whole number, not {value!r}") from exc
    if not 0 <= seed <= LARGEST_SEED:
        raise ArgumentTypeError(f"must be between 0 and {LARGEST_SEED:,}")
    return seed


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ArgumentTypeError(f"must be a date like 2026-04-01, not {value!r}") from exc


class Command(BaseCommand):
    help = "Generate the synthetic demo data set (agencies, staff, areas, people, truth)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale", choices=list(SCALES), default="small",
            help="; ".join(f"{s.name}: {s.description}" for s in SCALES.values()),
        )
        parser.add_argument("--seed", type=_seed, default=1, help="Random seed (default 1)")
        parser.add_argument(
            "--as-of", type=_date, default=None,
            help="Reference date for ages and dates (YYYY-MM-DD, default today)",
        )
        parser.add_argument(
            "--reset", action="store_true",
            help="Delete the previous demo data first (people, areas, users, agencies, "
            "planted truth; never the audit log)",
        )
        parser.add_argument("--quiet", action="store_true", help="Print nothing but errors")
        parser.add_argument(
            "--outside-demo-mode", action="store_true",
            help="Run although MACEHUB_DEMO is not true (benchmark databases only: the "
            "demo accounts' password is published)",
        )
        parser.add_argument(
            "--digest", action="store_true",
            help="Print a fingerprint of the data, to compare runs with the same seed",
        )

    def _write_now(self, line: str) -> None:
        """Progress goes out at once, also when stdout is a file or a pipe."""
        self.stdout.write(line)
        self.stdout.flush()

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE and not options["outside_demo_mode"]:
            raise CommandError(
                "Demo data has accounts with a published password, so it is only generated "
                "in demo mode: set MACEHUB_DEMO=true (or, for a benchmark database no one "
                "signs in to, pass --outside-demo-mode)."
            )
        scale = SCALES[options["scale"]]
        quiet = bool(options["quiet"])
        progress = Progress(None if quiet else self._write_now)
        progress.write(
            f"Generating the {scale.name} demo data set with seed {options['seed']}..."
        )
        try:
            run = generate_demo_data(
                scale=scale, seed=options["seed"], as_of=options["as_of"],
                reset=options["reset"], progress=progress,
            )
        except DemoDataPresent as exc:
            raise CommandError(str(exc)) from exc
        if options["digest"]:
            self.stdout.write(f"Digest: {demo_data_digest()}")
        if quiet:
            return
        created = ", ".join(f"{count:,} {what}" for what, count in run.created.items())
        self.stdout.write(f"Created {created}.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready ({scale.name}, seed {run.seed}, dates as of "
                f"{run.as_of:%d %B %Y}) in {run.seconds:.1f} s."
            )
        )
        self.stdout.write("")
        self.stdout.write(accounts_table(demo_accounts()))
