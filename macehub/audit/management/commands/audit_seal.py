"""Seal committed audit entries into the hash chain: the backstop, run every minute, for
entries the sealing round after their commit did not reach."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from macehub.audit.sealing import seal_rounds


class Command(BaseCommand):
    help = (
        "Seal every committed audit entry not yet in the hash chain (normally sealed "
        "straight after its commit). Run it every minute from cron or a systemd timer."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sealed = seal_rounds(wait=True)
        self.stdout.write(f"Sealed {sealed} audit entr{'y' if sealed == 1 else 'ies'}.")
