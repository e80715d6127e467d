"""``manage.py bench_pages``: measure the hub's pages as production serves them.

    DATABASE_URL=postgres://.../bench SECRET_KEY=... ALLOWED_HOSTS=127.0.0.1 \\
        manage.py bench_pages --scale force --users 1 50 --seconds 20 --audit-off

Against the database the settings name (PostgreSQL for figures worth quoting), it
migrates, generates ``demo_data --scale <scale>`` if the database holds no people (the
demo accounts' password is published: use a database only benchmarks use), starts
gunicorn on a free loopback port with a bare authenticated view mounted, signs in demo
accounts, and has locust (``pip install -e '.[bench]'``) request each page for
``--seconds`` as 1 and as 50 users (``--users``). It prints, per page and number of
users, the requests, errors, p50, p95, the p95 as a multiple of the bare view's p95 in
the same run, and requests a second. ``--audit-off`` runs the audited pages again on a
server with ``MACEHUB_BENCHMARK_AUDIT_OFF=true`` and prints the throughput ratio.
``--markdown`` prints the tables as the README shows them.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from macehub.accounts.models import User
from macehub.demo import bench


class Command(BaseCommand):
    help = "Benchmark the hub's pages under gunicorn with locust, against a bare view."

    def add_arguments(self, parser: CommandParser) -> None:
        bench.add_served_hub_arguments(
            parser, warm_up_help="Untimed requests to each page before timing it")
        parser.add_argument("--users", type=int, nargs="+", default=[1, 50],
                            help="Concurrent users, one run per number (default 1 50)")
        parser.add_argument("--seconds", type=int, default=20,
                            help="How long each page is driven at each number of users")
        parser.add_argument("--pages", nargs="+", choices=bench.PAGE_KEYS, default=(),
                            help="Only these pages (the bare view always runs)")
        parser.add_argument("--person-query", default="smith")
        parser.add_argument("--full-name-query", default="john smith",
                            help="A full name for the second person search")
        parser.add_argument("--intelligence-query", default="smith")
        parser.add_argument("--audit-off", action="store_true",
                            help="Rerun the audited pages with auditing switched off")

    def handle(self, *args: Any, **options: Any) -> None:
        if min(options["users"]) < 1 or options["seconds"] < 1:
            raise CommandError("--users and --seconds must be 1 or more")
        bench.ready_served_hub("bench_pages", options, self._say)
        try:
            self._run(options)
        except bench.BenchmarkError as exc:
            raise CommandError(str(exc)) from exc

    def _say(self, line: str) -> None:
        self.stderr.write(line)
        self.stderr.flush()

    def _run(self, options: dict[str, Any]) -> None:
        pages = bench.benchmark_pages(person_query=options["person_query"],
                                      intelligence_query=options["intelligence_query"],
                                      full_name_query=options["full_name_query"],
                                      only=options["pages"])
        usernames = sorted({page.username for page in pages} | {bench.SUPERVISOR})
        users = {user.username: user for user in User.objects.filter(username__in=usernames)}
        missing = set(usernames) - set(users)
        if missing:
            raise CommandError(f"Demo accounts missing: {', '.join(sorted(missing))}")
        cookies = {name: bench.signed_in_cookie(user) for name, user in users.items()}
        bare_cookie = cookies[bench.SUPERVISOR]
        seconds = options["seconds"]
        try:
            with tempfile.TemporaryDirectory(prefix="bench_pages-") as work:
                work_dir = Path(work)
                log = work_dir / "gunicorn.log"
                measured: list[bench.Measurement] = []
                with bench.production_server(workers=options["workers"], cookie=bare_cookie,
                                             log_path=log) as url:
                    for page in pages:
                        bench.warm_up(base_url=url, name=page.name, path=page.path,
                                      cookie=cookies[page.username], times=options["warm_up"])
                    for count in options["users"]:
                        self._say(f"{count} user(s): {bench.BARE}")
                        bench.settle(base_url=url, cookie=bare_cookie)
                        measured.append(bench.drive(
                            base_url=url, name=bench.BARE, path=bench.BARE_PATH,
                            cookie=bare_cookie, users=count, seconds=seconds,
                            work_dir=work_dir))
                        for page in pages:
                            self._say(f"{count} user(s): {page.name}")
                            bench.settle(base_url=url, cookie=bare_cookie)
                            measured.append(bench.drive(
                                base_url=url, name=page.name, path=page.path,
                                cookie=cookies[page.username], users=count,
                                seconds=seconds, work_dir=work_dir))
                self.stdout.write(bench.format_table(bench.table_rows(measured),
                                                     markdown=options["markdown"]))
                self._note_unfinished(measured, seconds)
                if options["audit_off"]:
                    self._audit_off(pages, cookies, options, work_dir, log, measured)
        finally:
            bench.forget_benchmark_sessions(cookies)

    def _note_unfinished(self, measured: list[bench.Measurement], seconds: int) -> None:
        """A page none of whose requests finished in the run has no figures: say so, as
        a blank row would read like a fast page."""
        unfinished = [f"{m.page} ({m.users} users)" for m in measured if m.requests == 0]
        if unfinished:
            self.stdout.write(
                f"\nNo request finished within {seconds} s for: {', '.join(unfinished)}. "
                "Each user waits for the others' requests ahead of it; run longer "
                "(--seconds) to measure these.")

    def _audit_off(self, pages: list[bench.Page], cookies: dict[str, str],
                   options: dict[str, Any], work_dir: Path, log: Path,
                   measured: list[bench.Measurement]) -> None:
        """The audited pages again, on a server that records no audit events, at the
        largest number of users: audited throughput as a share of unaudited."""
        count = max(options["users"])
        audited = [page for page in pages if page.audited]
        rows = []
        with bench.production_server(workers=options["workers"],
                                     cookie=cookies[bench.SUPERVISOR], log_path=log,
                                     environment={"MACEHUB_BENCHMARK_AUDIT_OFF": "true"}
                                     ) as url:
            for page in audited:
                bench.warm_up(base_url=url, name=page.name, path=page.path,
                              cookie=cookies[page.username], times=options["warm_up"])
            for page in audited:
                self._say(f"{count} user(s), auditing off: {page.name}")
                bench.settle(base_url=url, cookie=cookies[bench.SUPERVISOR])
                off = bench.drive(base_url=url, name=page.name, path=page.path,
                                  cookie=cookies[page.username], users=count,
                                  seconds=options["seconds"], work_dir=work_dir)
                on = next(m for m in measured if m.page == page.name and m.users == count)
                ratio = (off.requests_per_second / on.requests_per_second
                         if on.requests_per_second else None)
                rows.append((page.name, str(count), f"{on.requests_per_second:.1f}",
                             f"{off.requests_per_second:.1f}", str(off.errors),
                             f"{ratio:.2f}" if ratio is not None else "-"))
        self.stdout.write("")
        self.stdout.write(bench.format_table(
            rows, markdown=options["markdown"],
            columns=("page", "users", "req/s audited", "req/s unaudited",
                     "errors unaudited", "unaudited ÷ audited")))
