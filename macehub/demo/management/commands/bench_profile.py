"""``manage.py bench_profile``: how long generating the problem profile takes.

    DATABASE_URL=postgres://…/force manage.py bench_profile --scale force

If the database holds no demo places it first generates ``demo_data --scale <scale>``
(use a database only benchmarks use). Then, for each measure (places named in
intelligence, where children went missing from, where they were found, where offences
were committed), it times ``profile.hotspots.hotspot_figures`` by ward over the demo's
last twelve months: the counts, Gi*, the FDR correction, the kernel density grid and the
Knox test, and prints how the planted hot and cold wards came out. Then it times the
whole profile as publishing works it out: every registered section's figures (the
patterns and the hotspots) for the whole force over the same twelve months, and the
partnership version's suppression. It prints that time against the target (10 s or
less at force scale).
"""

from __future__ import annotations

import datetime as dt
import io
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Max
from django.utils import timezone

from macehub.cases.models import MissingEpisode
from macehub.core.metrics import Period
from macehub.demo.places import planted_places
from macehub.demo.scales import SCALES
from macehub.people.models import Postcode
from macehub.profile import document
from macehub.profile.hotspot_codes import HotspotReading, PlaceMeasure
from macehub.profile.hotspots import hotspot_figures
from macehub.profile.sections import sections

TARGET_SECONDS = 10.0


class Command(BaseCommand):
    help = ("Time the problem profile: each measure's hotspot analysis (counts, Gi*, FDR, "
            "density, Knox), then every section's figures as publishing works them out.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=list(SCALES), default="force",
                            help="Generate demo data at this scale if the database has no "
                                 "demo places (default force)")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        if not Postcode.objects.filter(postcode__startswith="X").exists():
            self.stdout.write(f"Generating demo data at {options['scale']} scale...")
            started = time.perf_counter()
            call_command("demo_data", f"--scale={options['scale']}",
                         f"--seed={options['seed']}", "--outside-demo-mode",
                         stdout=io.StringIO())
            self.stdout.write(f"  generated in {time.perf_counter() - started:.1f} s")
        latest = MissingEpisode.objects.aggregate(latest=Max("went_missing_at"))["latest"]
        end = timezone.localdate(latest) if latest else timezone.localdate()
        start = end - dt.timedelta(days=364)
        truth = planted_places()
        total = 0.0
        self.stdout.write(f"Hotspots by ward, {start} to {end}:")
        for measure in PlaceMeasure:
            started = time.perf_counter()
            figures = hotspot_figures(measure=measure, period_start=start, period_end=end,
                                      area_kind="ward")
            seconds = time.perf_counter() - started
            total += seconds
            readings = {row["code"]: row["reading"] for row in figures["areas"]}
            hot = sum(readings.get(code) == HotspotReading.HOT for code in truth.hot_wards)
            cold = sum(readings.get(code) == HotspotReading.HOT for code in truth.cold_wards)
            self.stdout.write(
                f"  {measure.label}: {seconds:.2f} s; {figures['events']} events, "
                f"{figures['hot_spots']} hot and {figures['cold_spots']} cold spots; "
                f"planted hot wards found hot {hot}/{len(truth.hot_wards)}, planted cold "
                f"wards found hot {cold}/{len(truth.cold_wards)}; near repeat: "
                f"{'yes' if figures['knox']['near_repeat'] else 'no'}")
        self.stdout.write(f"All four measures: {total:.2f} s")
        started = time.perf_counter()
        period = Period(start, end)
        threshold = document.suppression_threshold()
        every = sections()
        for section in every:
            document.partnership_figures(section.figures(period, ""), threshold)
        seconds = time.perf_counter() - started
        verdict = "within" if seconds <= TARGET_SECONDS else "OVER"
        self.stdout.write(f"The whole profile ({len(every)} sections and the partnership "
                          f"version, {start} to {end}, the whole force): {seconds:.2f} s "
                          f"({verdict} the {TARGET_SECONDS:.0f} s target)")
