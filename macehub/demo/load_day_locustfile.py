"""The working day ``manage.py load_day`` puts on the hub: locust users of the hub's roles,
each doing its own work with a pause to read and type between requests.

Run by locust in its own process (``locust -f`` this file), never imported by Django:
locust patches the standard library with gevent when it starts. The command writes the
day's plan (``macehub.demo.load_day.DayPlan``) as JSON and names the file in
``MACEHUB_DAY_PLAN``: each role's ``Cookie`` header (a signed-in, two-factor session and a
CSRF cookie), the records each role works on, and the paths it reads.

- triage officers read the triage queue, open a referral's decision form and record the
  decision (a real POST, from the version the form was given; some open a MACE case);
- social workers read their case list and a case, open the contact form and record a
  contact (a real POST);
- analysts search people and intelligence, read a person and the intelligence list;
- a supervisor reads the work queue (the home page) and the case list;
- a senior leader reads the performance dashboard.

A page counts as answered only with a 200, a POST only with the redirect a saved form
gives: a form shown again (refused, or an edit conflict) is a failure, as is a redirect to
sign-in.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import re
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from locust import FastHttpUser, between, task

PLAN: dict[str, Any] = {}
if os.environ.get("MACEHUB_DAY_PLAN"):
    with open(os.environ["MACEHUB_DAY_PLAN"], encoding="utf-8") as handle:
        PLAN = json.load(handle)

THINK = float(PLAN.get("think_seconds", 5))
LONDON = ZoneInfo("Europe/London")
VERSION = re.compile(r'name="version" value="(\d+)"')
# Referrals and cases handed out in turn, so no two users work on the same one at once
# (gevent: one user runs at a time, so next() needs no lock).
_REFERRALS = iter(PLAN.get("referrals", []))
_CASES = itertools.cycle(PLAN.get("cases", []) or [None])
RANDOM = random.Random(PLAN.get("seed", 1))


class HubUser(FastHttpUser):
    abstract = True
    wait_time = between(THINK / 2, THINK * 1.5)
    role = ""

    def _headers(self, *, post_to: str | None = None) -> dict[str, str]:
        # The server is reached directly over loopback; in production a proxy terminates
        # TLS and says so (settings.SECURE_PROXY_SSL_HEADER), so the hub serves the page.
        headers = {"Cookie": PLAN["cookies"][self.role], "X-Forwarded-Proto": "https"}
        if post_to is not None:
            # As a browser posts a form: from the hub's own origin (CSRF's origin check).
            headers["Origin"] = "https://" + str(self.host).split("://", 1)[1]
            headers["Referer"] = headers["Origin"] + post_to
        return headers

    def page(self, name: str, path: str) -> str | None:
        with self.client.get(path, headers=self._headers(), name=name,
                             allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
                return None
            return response.text or ""

    def submit(self, name: str, path: str, data: dict[str, Any]) -> None:
        # Encoded here: a field with several values (checkboxes) is sent once per value.
        body = urlencode({**data, "csrfmiddlewaretoken": PLAN["csrf_token"]}, doseq=True)
        headers = {**self._headers(post_to=path),
                   "Content-Type": "application/x-www-form-urlencoded"}
        with self.client.post(path, data=body, headers=headers,
                              name=name, allow_redirects=False,
                              catch_response=True) as response:
            location = response.headers.get("Location", "") if response.headers else ""
            if response.status_code != 302 or "/accounts/" in location:
                response.failure(f"status {response.status_code} {location}".strip())


def _now_fields(prefix: str, time_field: str) -> dict[str, str]:
    """The date and time fields of a form, filled in with now (London time, to the
    minute, so never in the future)."""
    now = dt.datetime.now(LONDON)
    return {f"{prefix}_day": str(now.day), f"{prefix}_month": str(now.month),
            f"{prefix}_year": str(now.year), time_field: f"{now:%H:%M}"}


class TriageOfficer(HubUser):
    weight = 3
    role = "triage"

    @task(2)
    def queue(self) -> None:
        self.page("triage queue", PLAN["paths"]["triage_queue"])

    @task(3)
    def decide(self) -> None:
        referral = next(_REFERRALS, None)
        if referral is None:  # every referral of the plan decided: read the queue instead
            self.queue()
            return
        form = self.page("triage decision form", referral["path"])
        match = VERSION.search(form or "")
        if match is None:
            return
        self.submit("triage decision (POST)", referral["path"], {
            **referral["data"], "version": match.group(1),
            **_now_fields("decided_on", "decided_time")})


class SocialWorker(HubUser):
    weight = 4
    role = "social_worker"

    @task(2)
    def case_list(self) -> None:
        self.page("case list", PLAN["paths"]["case_list"])

    @task(4)
    def case(self) -> None:
        case = next(_CASES)
        if case is not None:
            self.page("case page", case["page"])

    @task(1)
    def record_contact(self) -> None:
        case = next(_CASES)
        if case is None:
            return
        if self.page("contact form", case["contact"]) is None:
            return
        self.submit("record a contact (POST)", case["contact"], {
            **PLAN["contact"], **_now_fields("occurred_on", "occurred_time")})


class Analyst(HubUser):
    weight = 2
    role = "analyst"

    @task(3)
    def person_search(self) -> None:
        self.page("person search", RANDOM.choice(PLAN["paths"]["person_searches"]))

    @task(2)
    def person(self) -> None:
        self.page("person page", RANDOM.choice(PLAN["paths"]["people"]))

    @task(2)
    def intelligence_search(self) -> None:
        self.page("intelligence search",
                  RANDOM.choice(PLAN["paths"]["intelligence_searches"]))

    @task(1)
    def intelligence_list(self) -> None:
        self.page("intelligence list", PLAN["paths"]["intelligence_list"])


class Supervisor(HubUser):
    weight = 1
    role = "supervisor"

    @task(2)
    def work_queue(self) -> None:
        self.page("work queue (home page)", PLAN["paths"]["home"])

    @task(1)
    def case_list(self) -> None:
        self.page("case list", PLAN["paths"]["case_list"])


class SeniorLeader(HubUser):
    weight = 1
    role = "senior_leader"

    @task
    def dashboard(self) -> None:
        self.page("performance dashboard", PLAN["paths"]["dashboard"])
