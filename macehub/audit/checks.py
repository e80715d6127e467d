"""System checks of the audit log's settings: auditing switched off for a benchmark is
never to go unnoticed (the check runs with every management command, deploy or not)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, register
from django.core.checks import Warning as CheckWarning

AUDIT_OFF_MESSAGE = (
    "THE AUDIT LOG IS SWITCHED OFF (MACEHUB_BENCHMARK_AUDIT_OFF): no view, search, "
    "change or export of personal data is being recorded."
)


@register(Tags.security)
def audit_switched_off_for_benchmark(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not settings.AUDIT_OFF_FOR_BENCHMARK:
        return []
    return [
        CheckWarning(
            AUDIT_OFF_MESSAGE,
            hint="This is only for measuring what auditing costs, on synthetic data. Unset "
            "MACEHUB_BENCHMARK_AUDIT_OFF anywhere real records are held.",
            id="audit.W001",
        )
    ]
