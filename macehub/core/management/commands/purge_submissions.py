"""Remove the one-time submission tokens older than two days (``core.submissions``):
schedule daily."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from macehub.core.submissions import purge_submissions


class Command(BaseCommand):
    help = "Remove the one-time submission tokens older than two days."

    def handle(self, *args: Any, **options: Any) -> None:
        removed = purge_submissions()
        self.stdout.write(f"Removed {removed} submission tokens.")
