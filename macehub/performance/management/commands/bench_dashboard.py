"""Benchmark the performance dashboard at force or national scale.

    DATABASE_URL=sqlite:////tmp/bench-force.sqlite3 \\
        manage.py bench_dashboard --scale force

Point DATABASE_URL at a separate database: the command migrates it and, unless it
already holds demo data (or ``--reuse`` is given), fills it with ``demo_data --scale
<scale> --outside-demo-mode``. It then times a month's dashboard (no trend), the
dashboard with a year's trend, publishing the month and the scrutiny view of the
published report (small numbers suppressed, restatements checked), and prints wall
time, query count and peak Python memory (tracemalloc) for each. Publishing is rolled
back afterwards, so the data can be reused. Target (issue 13): a month's dashboard
within 1 s at national scale on PostgreSQL.

On PostgreSQL the tables are analysed after generating, as autovacuum would soon do:
timed on the statistics of empty tables, the planner picks plans no running hub would.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from macehub.accounts.models import User
from macehub.core.metrics import Filters
from macehub.forms import last_full_month
from macehub.performance.models import MonthlyReport
from macehub.performance.selectors import dashboard, published_report
from macehub.performance.services import publish_month
from macehub.referrals.models import Referral

T = TypeVar("T")


class Command(BaseCommand):
    help = "Time the performance dashboard on generated data at force or national scale."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=["small", "force", "national"], default="force")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--reuse", action="store_true",
                            help="Use the data already in the database")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", verbosity=0)
        if not options["reuse"] and not Referral.objects.exists():
            self.stdout.write(f"Generating {options['scale']} data (once)...")
            call_command("demo_data", scale=options["scale"], seed=options["seed"],
                         outside_demo_mode=True, quiet=True)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
        user = User.objects.order_by("pk").first()
        if user is None:
            self.stderr.write("No users in the database: generate data first.")
            return
        period = last_full_month()
        referrals = Referral.objects.count()
        self.stdout.write(f"{referrals:,} referrals; period {period.label()}")
        self._time("Month's dashboard",
                   lambda: dashboard(user, period, Filters(), with_trend=False))
        self._time("Dashboard with a year's trend",
                   lambda: dashboard(user, period, Filters(), with_trend=True))

        def publish() -> MonthlyReport:
            with transaction.atomic():  # undone: the month can be published again
                report = publish_month(actor=user, year=period.start.year,
                                       month=period.start.month)
                transaction.set_rollback(True)
            return report

        self._time("Publishing the month", publish)
        with transaction.atomic():
            report = publish_month(actor=user, year=period.start.year, month=period.start.month)
            self._time("Scrutiny view of the published report", lambda: published_report(
                report, suppressed=True))
            transaction.set_rollback(True)

    def _time(self, name: str, work: Callable[[], T]) -> T:
        """Time the work and count its queries, then run it again under tracemalloc (which
        slows Python down) for its peak memory."""
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = work()
            took = time.perf_counter() - started
        tracemalloc.start()
        work()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        self.stdout.write(f"{name}: {took:.3f} s, {len(queries)} queries, "
                          f"peak memory {peak / 1_048_576:.1f} MiB")
        return result
