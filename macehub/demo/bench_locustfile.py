"""The load ``manage.py bench_pages`` puts on one page: locust users that each request the
page again as soon as the last answer arrives, signed in with the benchmark's session.

Run by locust in its own process (``locust -f`` this file), never imported by Django:
locust patches the standard library with gevent when it starts. The command passes the
page through the environment:

- ``MACEHUB_BENCH_PATH``: the path and query to request, e.g. ``/cases/12/``;
- ``MACEHUB_BENCH_NAME``: the row name in locust's statistics;
- ``MACEHUB_BENCH_COOKIE``: the ``Cookie`` header (the session made for the run).

Only a 200 counts as a success: a redirect would mean the session was refused (sign-in
or two-factor), which must show up as errors, not as fast pages.
"""

from __future__ import annotations

import os

from locust import FastHttpUser, constant, task


class PageUser(FastHttpUser):
    wait_time = constant(0)
    # The server is reached directly over loopback; in production a proxy terminates TLS
    # and says so with this header (settings.SECURE_PROXY_SSL_HEADER), so the hub serves
    # the page rather than redirecting to https.
    _headers = {
        "Cookie": os.environ.get("MACEHUB_BENCH_COOKIE", ""),
        "X-Forwarded-Proto": "https",
    }
    _path = os.environ.get("MACEHUB_BENCH_PATH", "/")
    _name = os.environ.get("MACEHUB_BENCH_NAME", _path)

    @task
    def page(self) -> None:
        with self.client.get(self._path, headers=self._headers, name=self._name,
                             allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
