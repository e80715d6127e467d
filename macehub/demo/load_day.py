"""A working day's sustained load, behind ``manage.py load_day``: the hub served by gunicorn
as in production (``bench.served_hub``), locust users of the hub's roles doing their work
for a set number of minutes (``load_day_locustfile.py``), the workers' memory sampled
throughout, and one table of what each page and form did.

The pieces, in the order the command uses them:

- ``day_plan`` picks the records each role works on from the data in the database
  (referrals awaiting triage, open cases a social worker may record work on, people and
  intelligence an analyst may see) and the form data each write sends;
- ``MemorySampler`` reads the resident memory of gunicorn's workers every few seconds;
- ``run_day`` runs locust headless for the day and reads back its statistics and
  failures;
- ``page_rows``, ``memory_rows`` and ``memory_verdicts`` make the tables and the verdict.

Lives in demo, the top layer: it may import every app, and no product code imports it.
"""

from __future__ import annotations

import csv
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils.crypto import get_random_string
from django.utils.http import urlencode

from macehub.access.actions import Action
from macehub.access.opening import restricted_records_behind
from macehub.access.policy import scope
from macehub.accounts.models import User
from macehub.cases.codes import ContactKind, ExploitationType, SeenAnswer
from macehub.cases.models import Case
from macehub.demo import bench
from macehub.intelligence.models import IntelligenceReport
from macehub.people.models import Person
from macehub.referrals.codes import ReferralStatus, TriageOutcome
from macehub.referrals.models import Referral

LOCUSTFILE = Path(__file__).with_name("load_day_locustfile.py")
# The demo accounts (macehub/demo/accounts.py) each role of the day signs in as.
ACCOUNTS = {
    "triage": bench.TRIAGE,
    "social_worker": "socialworker.socialcare",
    "analyst": bench.ANALYST,
    "supervisor": bench.SUPERVISOR,
    "senior_leader": bench.SENIOR_LEADER,
}
# What analysts search for: common surnames, a full name, and one the data set lacks.
PERSON_QUERIES = ("smith", "jones", "taylor", "john smith", "khan", "brown")
INTELLIGENCE_QUERIES = ("smith", "taxi", "park", "snapchat")
# One triage decision in this many opens a MACE case: the longest write of the day (the
# referral, a case, its first allocation and chronology, and their audit entries).
OPEN_CASE_EVERY = 4
PLAN_RECORDS = 2_000
# Decisions a triage officer may change on review without opening or joining a case.
REVIEWED_OUTCOMES = (TriageOutcome.NO_FURTHER_ACTION, TriageOutcome.ADVICE_SIGNPOSTING,
                     TriageOutcome.EARLY_HELP)
CSRF_COOKIE = "csrftoken"


class DayError(Exception):
    """The day cannot run; the message says why."""


@dataclass(frozen=True)
class PageStats:
    name: str
    method: str
    requests: int
    failures: int
    median_ms: float | None
    p95_ms: float | None
    max_ms: float | None


@dataclass
class MemorySampler:
    """The resident memory of each of gunicorn's workers (the master's children), sampled
    every ``every`` seconds in a thread of its own until ``stop``."""

    master_pid: int
    every: float
    samples: dict[int, list[tuple[float, float]]] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._started = time.monotonic()
        self.sample()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.every + 5)
        self.sample()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.sample()

    def sample(self) -> None:
        minutes = (time.monotonic() - self._started) / 60
        try:
            workers = psutil.Process(self.master_pid).children()
        except psutil.NoSuchProcess:
            return
        for worker in workers:
            try:
                rss = worker.memory_info().rss / 1024 / 1024
            except psutil.NoSuchProcess:
                continue  # a worker that has just gone: its restart shows as a new pid
            self.samples.setdefault(worker.pid, []).append((minutes, rss))


def worker_pids(master_pid: int) -> list[int]:
    return [child.pid for child in psutil.Process(master_pid).children()]


@dataclass(frozen=True)
class WorkerMemory:
    pid: int
    samples: int
    first_mb: float
    last_mb: float
    max_mb: float
    slope_mb_per_minute: float | None
    # What the fitted line grows by over the worker's whole sampled life.
    fitted_growth_mb: float | None


def worker_memory(samples: dict[int, list[tuple[float, float]]]) -> list[WorkerMemory]:
    rows = []
    for pid, points in sorted(samples.items()):
        minutes = [point[0] for point in points]
        rss = [point[1] for point in points]
        slope = growth = None
        if len(points) >= 3 and minutes[-1] > minutes[0]:
            slope = statistics.linear_regression(minutes, rss).slope
            growth = slope * (minutes[-1] - minutes[0])
        rows.append(WorkerMemory(pid=pid, samples=len(points), first_mb=rss[0],
                                 last_mb=rss[-1], max_mb=max(rss),
                                 slope_mb_per_minute=slope, fitted_growth_mb=growth))
    return rows


def memory_verdicts(workers: Sequence[WorkerMemory], *, expected_workers: int,
                    max_growth_mb: float) -> list[str]:
    """What makes the day fail on memory: a worker whose fitted growth over the day is
    above the threshold, or workers restarted (more pids than workers: gunicorn replaced
    one that died or timed out)."""
    problems = [
        f"worker {w.pid} grew {w.fitted_growth_mb:.1f} MB over the day "
        f"({w.slope_mb_per_minute:.2f} MB a minute), above {max_growth_mb:g} MB"
        for w in workers
        if w.fitted_growth_mb is not None and w.fitted_growth_mb > max_growth_mb
    ]
    if len(workers) > expected_workers:
        problems.append(f"{len(workers) - expected_workers} worker(s) restarted during the "
                        f"day ({len(workers)} pids for {expected_workers} workers)")
    return problems


# --- The plan ---------------------------------------------------------------------------


def _user(username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise DayError(f"Demo account missing: {username} (generate demo data first)")
    return user


def _pks(user: User, action: Action, queryset: QuerySet[Model], limit: int) -> list[int]:
    return list(scope(user, action, queryset).order_by("pk").values_list("pk", flat=True)
                [:limit])


def referral_decision(referral: Referral, *, open_case: bool) -> dict[str, Any]:
    """The decision form as a triage officer fills it in: the suggested rating and tier
    (so no override reason is asked), the referrer's exploitation types, an outcome."""
    return {
        "exploitation_types": list(referral.exploitation_types) or [ExploitationType.CSE],
        "brag": referral.suggested_brag,
        "risk_tier": referral.suggested_tier or "none",
        "override_reason": "",
        "outcome": TriageOutcome.OPEN_MACE_CASE if open_case else TriageOutcome.EARLY_HELP,
        "outcome_reason": ("Indicators confirmed at triage; MACE case opened."
                           if open_case else "Family engaging with school; early help offered."),
    }


def changed_decision(referral: Referral) -> dict[str, Any]:
    """The decision already recorded, its reason added to on review."""
    return {
        "exploitation_types": list(referral.exploitation_types) or [ExploitationType.CSE],
        "brag": referral.brag,
        "risk_tier": referral.risk_tier or "none",
        "override_reason": referral.override_reason,
        "outcome": referral.outcome,
        "outcome_reason": f"{referral.outcome_reason} Reviewed at triage: decision stands.",
    }


def day_plan(*, seed: int, think_seconds: float) -> dict[str, Any]:
    """What each role works on, from the data in the database, and each role's session
    (signed in, two-factor passed) with a CSRF cookie its forms post with."""
    users = {role: _user(username) for role, username in ACCOUNTS.items()}
    triage, social_worker, analyst = users["triage"], users["social_worker"], users["analyst"]

    awaiting = scope(triage, Action.REFERRAL_TRIAGE, Referral.objects.filter(
        status=ReferralStatus.AWAITING_TRIAGE)).order_by("received_at", "pk")[:PLAN_RECORDS]
    referrals = []
    for number, referral in enumerate(awaiting):
        if restricted_records_behind(triage, referral):
            continue  # the form asks first why the officer opens a restricted record
        open_case = bool(referral.suggested_tier) and number % OPEN_CASE_EVERY == 0
        referrals.append({"path": reverse("referrals:decide", args=[referral.pk]),
                          "data": referral_decision(referral, open_case=open_case)})
    # Then decisions changed on review (a reason added): the day's triage keeps writing
    # after the referrals awaiting triage are done, as a hub's officers correct records.
    reviewed = scope(triage, Action.REFERRAL_TRIAGE, Referral.objects.filter(
        status=ReferralStatus.DECIDED, outcome__in=REVIEWED_OUTCOMES)).order_by("-pk")
    for referral in reviewed[:PLAN_RECORDS]:
        if restricted_records_behind(triage, referral):
            continue
        referrals.append({"path": reverse("referrals:decide", args=[referral.pk]),
                          "data": changed_decision(referral)})
    case_pks = _pks(social_worker, Action.CASE_RECORD_WORK,
                    Case.objects.filter(status="open", is_restricted=False), PLAN_RECORDS)
    person_pks = _pks(analyst, Action.PERSON_VIEW, Person.objects.all(), 200)
    if not referrals or not case_pks or not person_pks:
        raise DayError("The data has no referral awaiting triage, open case for "
                       f"{ACCOUNTS['social_worker']} or person {ACCOUNTS['analyst']} may "
                       "see: generate demo data first (--scale force)")
    if not scope(analyst, Action.INTELLIGENCE_VIEW, IntelligenceReport.objects.all()).exists():
        raise DayError("The data has no intelligence the analyst may see")

    csrf_token = get_random_string(32)
    cookies = {role: bench.signed_in_cookie(user) for role, user in users.items()}
    return {
        "seed": seed,
        "think_seconds": think_seconds,
        "csrf_token": csrf_token,
        "cookies": {role: f"{cookie}; {CSRF_COOKIE}={csrf_token}"
                    for role, cookie in cookies.items()},
        "session_cookies": cookies,
        "referrals": referrals,
        "cases": [{"page": reverse("cases:detail", args=[pk]),
                   "contact": reverse("cases:add_contact", args=[pk])} for pk in case_pks],
        "contact": {"kind": ContactKind.HOME_VISIT, "with_whom": "The child and their mother",
                    "child_seen": SeenAnswer.YES, "child_seen_alone": SeenAnswer.YES,
                    "child_words": "", "summary": "Home visit; safety plan reviewed."},
        "paths": {
            "triage_queue": reverse("referrals:queue"),
            "case_list": reverse("cases:list"),
            "people": [reverse("people:detail", args=[pk]) for pk in person_pks],
            "person_searches": [f"{reverse('people:search')}?{urlencode({'q': query})}"
                                for query in PERSON_QUERIES],
            "intelligence_searches": [
                f"{reverse('intelligence:search')}?{urlencode({'q': query})}"
                for query in INTELLIGENCE_QUERIES],
            "intelligence_list": reverse("intelligence:report_list"),
            "home": reverse("home"),
            "dashboard": reverse("performance:dashboard"),
        },
    }


def pages_to_warm(plan: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, path, role) of one of each page the day reads, to request before it starts."""
    paths = plan["paths"]
    return [
        ("triage queue", paths["triage_queue"], "triage"),
        ("triage decision form", plan["referrals"][-1]["path"], "triage"),
        ("case list", paths["case_list"], "social_worker"),
        ("case page", plan["cases"][0]["page"], "social_worker"),
        ("contact form", plan["cases"][0]["contact"], "social_worker"),
        ("person search", paths["person_searches"][0], "analyst"),
        ("person page", paths["people"][0], "analyst"),
        ("intelligence search", paths["intelligence_searches"][0], "analyst"),
        ("intelligence list", paths["intelligence_list"], "analyst"),
        ("work queue (home page)", paths["home"], "supervisor"),
        ("performance dashboard", paths["dashboard"], "senior_leader"),
    ]


# --- The run ----------------------------------------------------------------------------


def run_day(*, base_url: str, plan: dict[str, Any], users: int, minutes: float,
            work_dir: Path) -> tuple[list[PageStats], list[str]]:
    """Locust, in its own process, as ``users`` users of the day's roles for ``minutes``;
    its statistics per page and its failures (with how many of each) read back."""
    plan_path = work_dir / "day-plan.json"
    plan_path.write_text(json.dumps(plan), encoding="utf-8")
    prefix = work_dir / "day"
    seconds = max(1, round(minutes * 60))
    # Users start over the first tenth of the day (at most a minute), as a day's do.
    spawn_rate = max(1.0, users / min(60.0, max(1.0, seconds / 10)))
    command = [sys.executable, "-m", "locust", "--locustfile", str(LOCUSTFILE),
               "--headless", "--users", str(users), "--spawn-rate", f"{spawn_rate:g}",
               "--run-time", f"{seconds}s", "--host", base_url, "--csv", str(prefix),
               "--only-summary", "--loglevel", "ERROR", "--exit-code-on-error", "0",
               "--stop-timeout", "30"]
    env = {**os.environ, "MACEHUB_DAY_PLAN": str(plan_path)}
    finished = subprocess.run(command, env=env, capture_output=True, text=True,  # noqa: S603
                              timeout=seconds + 300, check=False)
    stats = Path(f"{prefix}_stats.csv")
    if finished.returncode != 0 or not stats.exists():
        raise DayError(f"locust failed (exit {finished.returncode}):\n"
                       f"{finished.stderr[-3000:]}")
    with stats.open(newline="") as handle:
        rows = [PageStats(name=row["Name"], method=row["Type"],
                          requests=int(row["Request Count"]),
                          failures=int(row["Failure Count"]),
                          median_ms=_number(row["Median Response Time"]),
                          p95_ms=_number(row["95%"]),
                          max_ms=_number(row["Max Response Time"]))
                for row in csv.DictReader(handle) if row["Name"] != "Aggregated"]
    failures = []
    failures_csv = Path(f"{prefix}_failures.csv")
    if failures_csv.exists():
        with failures_csv.open(newline="") as handle:
            failures = [f"{row['Name']}: {row['Error']} ({row['Occurrences']} times)"
                        for row in csv.DictReader(handle)]
    return rows, failures


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:  # "N/A" when no request finished
        return None


PAGE_COLUMNS = ("page", "requests", "failures", "median", "p95", "max")
MEMORY_COLUMNS = ("worker", "samples", "RSS first", "RSS last", "RSS max", "slope",
                  "fitted growth")


def page_rows(pages: Sequence[PageStats]) -> list[tuple[str, ...]]:
    ordered = sorted(pages, key=lambda page: page.name)
    rows: list[tuple[str, ...]] = [(page.name, f"{page.requests:,}", str(page.failures),
             bench.duration(page.median_ms), bench.duration(page.p95_ms),
             bench.duration(page.max_ms)) for page in ordered]
    rows.append(("all", f"{sum(p.requests for p in pages):,}",
                 str(sum(p.failures for p in pages)), "", "", ""))
    return rows


def memory_rows(workers: Sequence[WorkerMemory]) -> list[tuple[str, ...]]:
    def mb(value: float | None, sign: str = "") -> str:
        return "-" if value is None else f"{value:{sign}.1f} MB"
    return [(str(w.pid), str(w.samples), mb(w.first_mb), mb(w.last_mb), mb(w.max_mb),
             "-" if w.slope_mb_per_minute is None else f"{w.slope_mb_per_minute:+.2f} MB/min",
             mb(w.fitted_growth_mb, "+")) for w in workers]


def plan_summary(plan: dict[str, Any]) -> dict[str, int]:
    return {"referral decisions": len(plan["referrals"]),
            "open cases": len(plan["cases"]), "people": len(plan["paths"]["people"])}

