"""``manage.py load_day``: a working day's sustained load on the hub as production serves it.

    DATABASE_URL=postgres://.../bench SECRET_KEY=... ALLOWED_HOSTS=127.0.0.1 \\
        manage.py load_day --scale force --users 50 --minutes 10

As ``bench_pages`` does (and with its pieces: the data generated once, gunicorn on a free
loopback port, sessions that passed sign-in and two-factor), then locust users of the
hub's roles do a day's work for ``--minutes`` (``macehub/demo/load_day_locustfile.py``):
triage officers deciding referrals, social workers reading cases and recording contacts,
analysts searching people and intelligence, a supervisor's work queue and a senior
leader's dashboard, each pausing ``--think-seconds`` on average between requests. The
workers' resident memory is sampled every ``--sample-seconds``.

It prints a table per page (requests, failures, median, p95, max) and one per worker
(RSS first, last and max, the slope of a line fitted through its samples and what that
line grows by over the day), then seals and verifies the audit chain. It exits non-zero
on any failed request, on a worker growing more than ``--max-growth-mb``, on a worker
restarted, or on an audit chain that does not verify.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from macehub.demo import bench, load_day

# A worker's memory may settle upwards as caches fill; above this over a day it is a leak.
MAX_GROWTH_MB = 32.0


class Command(BaseCommand):
    help = "A working day's load on the hub under gunicorn with locust: pages, failures, memory."

    def add_arguments(self, parser: CommandParser) -> None:
        bench.add_served_hub_arguments(
            parser, warm_up_help="Untimed requests to each page before the day starts")
        parser.add_argument("--users", type=int, default=50, help="Concurrent users")
        parser.add_argument("--minutes", type=float, default=10, help="How long the day runs")
        parser.add_argument("--think-seconds", type=float, default=5,
                            help="Average pause between a user's requests (half to one and "
                                 "a half times this)")
        parser.add_argument("--sample-seconds", type=float, default=5,
                            help="How often the workers' memory is read")
        parser.add_argument("--max-growth-mb", type=float, default=MAX_GROWTH_MB,
                            help="Fail when a worker's fitted memory growth over the day "
                                 "is above this")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["users"] < 1 or options["minutes"] <= 0:
            raise CommandError("--users must be 1 or more and --minutes above 0")
        bench.ready_served_hub("load_day", options, self._say)
        try:
            plan = load_day.day_plan(seed=options["seed"],
                                     think_seconds=options["think_seconds"])
        except load_day.DayError as exc:
            raise CommandError(str(exc)) from exc
        try:
            problems = self._run(plan, options)
        except (bench.BenchmarkError, load_day.DayError) as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bench.forget_benchmark_sessions(plan["session_cookies"])
        if problems:
            raise CommandError("The day failed:\n- " + "\n- ".join(problems))
        self._say("The day passed: no failed request, memory flat, audit chain verified.")

    def _say(self, line: str) -> None:
        self.stderr.write(line)
        self.stderr.flush()

    def _run(self, plan: dict[str, Any], options: dict[str, Any]) -> list[str]:
        markdown = options["markdown"]
        summary = ", ".join(f"{count:,} {what}"
                            for what, count in load_day.plan_summary(plan).items())
        self._say(f"The day's records: {summary}.")
        with tempfile.TemporaryDirectory(prefix="load_day-") as work:
            work_dir = Path(work)
            log = work_dir / "gunicorn.log"
            supervisor = plan["cookies"]["supervisor"]
            with bench.served_hub(workers=options["workers"], cookie=supervisor,
                                  log_path=log) as hub:
                for name, path, role in load_day.pages_to_warm(plan):
                    bench.warm_up(base_url=hub.url, name=name, path=path,
                                  cookie=plan["cookies"][role], times=options["warm_up"])
                sampler = load_day.MemorySampler(master_pid=hub.process.pid,
                                                 every=options["sample_seconds"])
                expected_workers = len(load_day.worker_pids(hub.process.pid))
                self._say(f"{options['users']} users for {options['minutes']:g} minutes "
                          f"on {expected_workers} workers...")
                sampler.start()
                try:
                    pages, failures = load_day.run_day(
                        base_url=hub.url, plan=plan, users=options["users"],
                        minutes=options["minutes"], work_dir=work_dir)
                finally:
                    sampler.stop()
                gunicorn_log = log.read_text(errors="replace")
        workers = load_day.worker_memory(sampler.samples)
        self.stdout.write(bench.format_table(load_day.page_rows(pages),
                                             columns=load_day.PAGE_COLUMNS,
                                             markdown=markdown))
        self.stdout.write("")
        self.stdout.write(bench.format_table(load_day.memory_rows(workers),
                                             columns=load_day.MEMORY_COLUMNS,
                                             markdown=markdown))
        problems = [f"{sum(page.failures for page in pages)} request(s) failed: "
                    + "; ".join(failures)] if any(page.failures for page in pages) else []
        if not any(page.requests for page in pages):
            problems.append("No request finished")
        problems += load_day.memory_verdicts(workers, expected_workers=expected_workers,
                                             max_growth_mb=options["max_growth_mb"])
        if "Traceback" in gunicorn_log or "WORKER TIMEOUT" in gunicorn_log:
            problems.append("gunicorn logged errors:\n" + gunicorn_log[-3000:])
        problems += self._audit_chain()
        return problems

    def _audit_chain(self) -> list[str]:
        """Every entry the day wrote sealed into the chain, and the chain verified."""
        call_command("audit_seal", verbosity=0)
        try:
            call_command("audit_verify", verbosity=0)
        except CommandError as exc:
            return [f"The audit chain does not verify after the day: {exc}"]
        return []

