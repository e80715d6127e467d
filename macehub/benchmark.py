"""The bare authenticated view that ``manage.py bench_pages`` measures beside the hub's
pages: the whole middleware stack (session, login, two-factor, CSP...) and nothing else,
so a page's figures can be read as a multiple of what the server stack itself costs.

It is mounted only when ``MACEHUB_BENCHMARK=true`` (``settings.BENCHMARK_BARE_VIEW``);
otherwise its URL does not exist. A system check warns whenever it is on, because a
deployment has no reason to serve it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.checks import CheckMessage, Warning
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

BARE_VIEW_PATH = "benchmark/bare/"


@require_GET
@login_required
def bare_view(request: HttpRequest) -> HttpResponse:
    """A signed-in user gets two bytes: the floor every page is measured against."""
    return HttpResponse(b"ok", content_type="text/plain")


def bare_view_mounted(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Warn when the benchmark's bare view is served (registered by the demo app)."""
    if not getattr(settings, "BENCHMARK_BARE_VIEW", False):
        return []
    return [
        Warning(
            f"MACEHUB_BENCHMARK is on: /{BARE_VIEW_PATH} is served for benchmarking.",
            hint="Leave MACEHUB_BENCHMARK unset outside a benchmark run.",
            id="macehub.W001",
        )
    ]
