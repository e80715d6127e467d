"""Work out the dashboard's usual figures ahead of the people who read them."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from macehub.core.metrics import Filters, Period, all_metrics
from macehub.forms import last_full_month
from macehub.performance.live_figures import work_out
from macehub.performance.selectors import TREND_MONTHS, trend_periods


class Command(BaseCommand):
    help = (
        "Work out every measure for the last full month and for this month so far, for "
        "the whole hub and with the twelve-month trend the dashboard shows, and share "
        "them for MACEHUB_FIGURES_SECONDS. Run it every few minutes (cron or a systemd "
        "timer), more often than MACEHUB_FIGURES_SECONDS, so nobody waits for them."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        periods = [last_full_month(today), Period(today.replace(day=1), today)]
        started = time.perf_counter()
        for period in periods:
            months = trend_periods(period, TREND_MONTHS)
            for metric in all_metrics():
                # Filters the measure does not take are dropped, as the dashboard does.
                work_out(metric, period, Filters(), months)
        self.stdout.write(
            f"Worked out {len(all_metrics())} measures for {len(periods)} periods in "
            f"{time.perf_counter() - started:.1f} s.")
