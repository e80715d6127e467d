"""The page benchmark behind ``manage.py bench_pages``: the hub served by gunicorn as in
production, its pages driven by locust from another process over loopback, each page's
latency and throughput set beside a bare authenticated view measured in the same run.

The pieces, in the order the command uses them:

- ``benchmark_pages`` picks real URLs from the data (a case the user may see, its child's
  person page, the lists, the searches, the dashboard), each for a demo account whose
  role uses that page;
- ``signed_in_cookie`` makes a session as the hub's sign-in and two-factor steps leave it
  (user, backend, password hash, verified TOTP device), so every request passes the real
  session, login and two-factor middleware;
- ``production_server`` starts gunicorn on a free loopback port with the bare view
  mounted (``MACEHUB_BENCHMARK=true``);
- ``drive`` runs locust headless against one page for a fixed time and reads its CSV.

Lives in demo, the top layer: it may import every app, and no product code imports it.
"""

from __future__ import annotations

import csv
import http.client
import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.management import call_command
from django.core.management.base import CommandError, CommandParser
from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from macehub.access.actions import Action
from macehub.access.policy import scope
from macehub.accounts.backends import HubModelBackend
from macehub.accounts.models import User
from macehub.benchmark import BARE_VIEW_PATH
from macehub.cases.models import Case
from macehub.demo.scales import SCALES
from macehub.investigations.models import Investigation
from macehub.people.models import Person

BARE = "bare view"
BARE_PATH = f"/{BARE_VIEW_PATH}"
LOCUSTFILE = Path(__file__).with_name("bench_locustfile.py")
GUNICORN_CONF = Path(settings.BASE_DIR) / "gunicorn.conf.py"
# The TOTP device the benchmark's sessions are verified with; deleted afterwards.
DEVICE_NAME = "bench_pages"
SERVER_START_SECONDS = 240
# Hub staff who use each page in their work (demo accounts, macehub/demo/accounts.py).
SUPERVISOR = "supervisor.police"
TRIAGE = "triage.police"
ANALYST = "analyst.police"
SENIOR_LEADER = "senior.police"
FORENSICS = "forensics.police"


class BenchmarkError(Exception):
    """The benchmark cannot run or its measurement failed; the message says why."""


@dataclass(frozen=True)
class Page:
    key: str
    name: str
    path: str
    username: str
    # Pages that write an audit entry on every view: the ones rerun with auditing off.
    audited: bool


@dataclass(frozen=True)
class Measurement:
    page: str
    users: int
    requests: int
    errors: int
    p50_ms: float | None
    p95_ms: float | None
    requests_per_second: float


def locust_installed() -> bool:
    return importlib.util.find_spec("locust") is not None


# Untimed requests to each page first: enough for each worker to have served each page at
# least once (round robin is not guaranteed, so a margin over the usual worker counts).
WARM_UP_REQUESTS = 8


def add_served_hub_arguments(parser: CommandParser, *, warm_up_help: str) -> None:
    """The options every command that serves the hub under gunicorn and drives it with
    locust takes: the data, the workers, the warm-up, the tables' format."""
    parser.add_argument("--scale", choices=list(SCALES), default=None,
                        help="Generate demo data at this scale if the database has none")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=None,
                        help="gunicorn workers (default: WEB_CONCURRENCY, else cores + 1)")
    parser.add_argument("--warm-up", type=int, default=WARM_UP_REQUESTS, help=warm_up_help)
    parser.add_argument("--markdown", action="store_true",
                        help="Print the tables in Markdown")


def ready_served_hub(command: str, options: dict[str, Any],
                     say: Callable[[str], None]) -> None:
    """Refuse without locust, migrate, and generate the demo at ``--scale`` if the
    database holds no people (refused without it)."""
    if not locust_installed():
        raise CommandError(f"{command} drives the hub with locust: "
                           "pip install -e '.[bench]' (or make bench)")
    call_command("migrate", verbosity=0)
    if Person.objects.exists():
        return
    if options["scale"] is None:
        raise CommandError("The database holds no people: give --scale to "
                           "generate demo data, or point DATABASE_URL elsewhere.")
    say(f"Generating {options['scale']} demo data (once)...")
    call_command("demo_data", scale=options["scale"], seed=options["seed"],
                 outside_demo_mode=True, quiet=True)


def _visible(username: str, action: Action, queryset: QuerySet[Model]) -> Model | None:
    user = User.objects.filter(username=username).first()
    if user is None:
        return None
    visible = scope(user, action, queryset).order_by("pk")
    count = visible.count()
    # The middle record rather than the first: the earliest rows are often planted
    # special cases, the middle is a typical one.
    return visible[count // 2] if count else None


def benchmark_pages(*, person_query: str, intelligence_query: str,
                    full_name_query: str = "john smith",
                    only: Sequence[str] = ()) -> list[Page]:
    """The hub's pages to measure, on real records of the data in the database.

    Person search is measured twice: for one common word (a surname) and for a full
    name, as a triage officer most often types it; the two take different paths (a
    page of people carrying the word whole, against every spelling of either word
    scored)."""
    case = _visible(SUPERVISOR, Action.CASE_VIEW,
                    Case.objects.filter(is_restricted=False, status="open"))
    if case is None:
        raise BenchmarkError(
            f"No open, unrestricted case that {SUPERVISOR} may see: generate demo data "
            "first (--scale force)."
        )
    if not isinstance(case, Case):
        raise BenchmarkError(f"Expected a case, got {case!r}")
    pages = [
        Page("case", "case page", reverse("cases:detail", args=[case.pk]), SUPERVISOR, True),
        Page("person", "person page", reverse("people:detail", args=[case.child_id]),
             SUPERVISOR, True),
        Page("case-list", "case list", reverse("cases:list"), SUPERVISOR, True),
        Page("triage-queue", "triage queue", reverse("referrals:queue"), TRIAGE, True),
        Page("person-search", f'person search "{person_query}"',
             f"{reverse('people:search')}?{urlencode({'q': person_query})}", SUPERVISOR, True),
        Page("person-search-full-name", f'person search "{full_name_query}"',
             f"{reverse('people:search')}?{urlencode({'q': full_name_query})}",
             SUPERVISOR, True),
        Page("intelligence-search", f'intelligence search "{intelligence_query}"',
             f"{reverse('intelligence:search')}?{urlencode({'q': intelligence_query})}",
             ANALYST, True),
        Page("intelligence-list", "intelligence list", reverse("intelligence:report_list"),
             ANALYST, True),
        Page("work-queue", "work queue (home page)", reverse("home"), SUPERVISOR, True),
        Page("investigation-list", "investigation list", reverse("investigations:list"),
             SUPERVISOR, True),
        Page("exhibit-queue", "digital forensics queue", reverse("forensics:queue"),
             FORENSICS, True),
        Page("dashboard", "performance dashboard (last month)",
             reverse("performance:dashboard"), SENIOR_LEADER, False),
    ]
    investigation = _visible(SUPERVISOR, Action.INVESTIGATION_VIEW, Investigation.objects.all())
    if investigation is not None:
        pages.append(Page("investigation", "investigation page",
                          reverse("investigations:detail", args=[investigation.pk]),
                          SUPERVISOR, True))
    return [page for page in pages if not only or page.key in only]


PAGE_KEYS = ("case", "person", "case-list", "triage-queue", "person-search",
             "person-search-full-name", "intelligence-search", "intelligence-list",
             "work-queue", "dashboard", "investigation-list", "exhibit-queue",
             "investigation")


def signed_in_cookie(user: User) -> str:
    """A ``Cookie`` header for a new session of this user that has passed two-factor,
    stored as the sign-in and verification views store it."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name=DEVICE_NAME, defaults={"confirmed": True})
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = f"{HubModelBackend.__module__}.{HubModelBackend.__name__}"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[DEVICE_ID_SESSION_KEY] = device.persistent_id
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def forget_benchmark_sessions(cookies: Mapping[str, str]) -> None:
    """Delete the sessions and devices the run made."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    for cookie in cookies.values():
        store_class(session_key=cookie.split("=", 1)[1]).delete()
    TOTPDevice.objects.filter(name=DEVICE_NAME).delete()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(port: int, path: str, cookie: str, *, timeout: float = 30) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Cookie": cookie,
                                                 "X-Forwarded-Proto": "https"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def fetch(base_url: str, path: str, cookie: str) -> tuple[int, float]:
    """One signed-in GET of ``path`` from the served hub: its status and how long it
    took, in milliseconds, as the client saw it."""
    port = int(base_url.rsplit(":", 1)[1])
    started = time.perf_counter()
    status, _body = _get(port, path, cookie)
    return status, (time.perf_counter() - started) * 1000


@dataclass(frozen=True)
class ServedHub:
    """A running gunicorn: its base URL and its master process (whose children are the
    workers)."""

    url: str
    process: subprocess.Popen[bytes]


@contextmanager
def production_server(*, workers: int | None, cookie: str, log_path: Path,
                      environment: Mapping[str, str] | None = None) -> Iterator[str]:
    """Gunicorn serving the hub (settings from this process's environment) with the bare
    view mounted, on a free loopback port; yields its base URL once the bare view answers
    a signed-in request, and stops it afterwards."""
    with served_hub(workers=workers, cookie=cookie, log_path=log_path,
                    environment=environment) as hub:
        yield hub.url


@contextmanager
def served_hub(*, workers: int | None, cookie: str, log_path: Path,
               environment: Mapping[str, str] | None = None) -> Iterator[ServedHub]:
    """``production_server``, yielding the master process as well as the URL."""
    port = _free_port()
    env = {**os.environ, "MACEHUB_BENCHMARK": "true", "MACEHUB_BIND": f"127.0.0.1:{port}",
           **(environment or {})}
    if workers is not None:
        env["WEB_CONCURRENCY"] = str(workers)
    command = [sys.executable, "-m", "gunicorn", "macehub.wsgi:application",
               "--bind", f"127.0.0.1:{port}"]
    if GUNICORN_CONF.exists():
        command += ["--config", str(GUNICORN_CONF)]
    with log_path.open("ab") as log:
        # Our own interpreter and arguments, no shell.
        server = subprocess.Popen(command, env=env, stdout=log,  # noqa: S603
                                  stderr=subprocess.STDOUT, cwd=settings.BASE_DIR)
    try:
        _wait_until_serving(server, port, cookie, log_path)
        yield ServedHub(url=f"http://127.0.0.1:{port}", process=server)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_serving(server: subprocess.Popen[bytes], port: int, cookie: str,
                        log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    status, body = 0, b""
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchmarkError(
                f"gunicorn stopped (exit {server.returncode}):\n{_tail(log_path)}")
        try:
            status, body = _get(port, BARE_PATH, cookie)
        except OSError:
            time.sleep(0.25)
            continue
        if status == 200:
            return
        raise BenchmarkError(
            f"The bare view answered {status}, not 200: the benchmark session was not "
            f"accepted (is 127.0.0.1 in ALLOWED_HOSTS?) {body[:200]!r}\n{_tail(log_path)}")
    raise BenchmarkError(f"gunicorn did not answer within {SERVER_START_SECONDS} s:\n"
                         f"{_tail(log_path)}")


def _tail(path: Path, lines: int = 20) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def warm_up(*, base_url: str, name: str, path: str, cookie: str, times: int) -> None:
    """Request the page a few times before it is timed, so that every worker has
    imported what it lazily imports and compiled its templates; and refuse to time a
    page that does not answer 200 (a timed run of redirects or errors would say nothing)."""
    port = int(base_url.rsplit(":", 1)[1])
    for _ in range(times):
        status, body = _get(port, path, cookie)
        if status != 200:
            raise BenchmarkError(f"{name} ({path}) answered {status}, not 200: "
                                 f"{body[:300]!r}")


# The server has caught up when the bare view answers this fast twice running.
SETTLED_MS = 250


def settle(*, base_url: str, cookie: str, tries: int = 30) -> None:
    """Wait until the server has finished the requests a run left queued.

    When locust stops, the requests its users had sent are still in the workers' queue
    (a sync worker serves a request whose client has gone): after a slow page at 50
    users that is many seconds of work, which the next page's run would be timed
    behind. A bare request joins the end of that queue, so it is answered once the
    queue has drained; two fast answers running say the server is idle again."""
    port = int(base_url.rsplit(":", 1)[1])
    fast = 0
    for _ in range(tries):
        started = time.perf_counter()
        _get(port, BARE_PATH, cookie, timeout=600)
        fast = fast + 1 if (time.perf_counter() - started) * 1000 < SETTLED_MS else 0
        if fast == 2:
            return


def drive(*, base_url: str, name: str, path: str, cookie: str, users: int, seconds: int,
          work_dir: Path) -> Measurement:
    """Locust, in its own process, requesting one page as ``users`` users for
    ``seconds``; its CSV summary read back."""
    prefix = work_dir / f"run-{time.monotonic_ns()}"
    command = [sys.executable, "-m", "locust", "--locustfile", str(LOCUSTFILE),
               "--headless", "--users", str(users), "--spawn-rate", str(users),
               "--run-time", f"{seconds}s", "--host", base_url, "--csv", str(prefix),
               "--only-summary", "--loglevel", "ERROR", "--exit-code-on-error", "0",
               "--stop-timeout", "10"]
    env = {**os.environ, "MACEHUB_BENCH_PATH": path, "MACEHUB_BENCH_NAME": name,
           "MACEHUB_BENCH_COOKIE": cookie}
    finished = subprocess.run(command, env=env, capture_output=True, text=True,  # noqa: S603
                              timeout=seconds + 120, check=False)
    stats = Path(f"{prefix}_stats.csv")
    if finished.returncode != 0 or not stats.exists():
        raise BenchmarkError(f"locust failed on {name} (exit {finished.returncode}):\n"
                             f"{finished.stderr[-2000:]}")
    with stats.open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["Name"] == name:
                return Measurement(
                    page=name, users=users, requests=int(row["Request Count"]),
                    errors=int(row["Failure Count"]), p50_ms=_milliseconds(row["50%"]),
                    p95_ms=_milliseconds(row["95%"]),
                    requests_per_second=float(row["Requests/s"]),
                )
    return Measurement(page=name, users=users, requests=0, errors=0, p50_ms=None,
                       p95_ms=None, requests_per_second=0.0)


def _milliseconds(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:  # "N/A" when no request finished
        return None


# --- The table ----------------------------------------------------------------------------

COLUMNS = ("page", "users", "requests", "errors", "p50", "p95", "p95 ÷ bare p95", "req/s")


def duration(milliseconds: float | None) -> str:
    if milliseconds is None:
        return "-"
    if milliseconds < 1000:
        return f"{milliseconds:.0f} ms"
    return f"{milliseconds / 1000:.2f} s"


def table_rows(measurements: Sequence[Measurement]) -> list[tuple[str, ...]]:
    """One row per measurement, each p95 divided by the bare view's at the same users."""
    bare = {m.users: m.p95_ms for m in measurements if m.page == BARE}
    rows: list[tuple[str, ...]] = []
    for m in measurements:
        floor = bare.get(m.users)
        ratio = (f"{m.p95_ms / floor:.1f}" if m.p95_ms is not None and floor else "-")
        rows.append((m.page, str(m.users), f"{m.requests:,}", str(m.errors),
                     duration(m.p50_ms), duration(m.p95_ms), ratio,
                     f"{m.requests_per_second:.1f}"))
    return rows


def format_table(rows: Sequence[Sequence[str]], *, columns: Sequence[str] = COLUMNS,
                 markdown: bool = False) -> str:
    if markdown:
        lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(str(cell)) for cell in column) for column in zip(columns, *rows,
                                                                         strict=False)]
    def line(cells: Sequence[str]) -> str:
        return "  ".join(cell.ljust(width) if number == 0 else cell.rjust(width)
                         for number, (cell, width) in enumerate(zip(cells, widths,
                                                                     strict=True)))
    return "\n".join([line(columns), line(["-" * width for width in widths])]
                     + [line(row) for row in rows])
