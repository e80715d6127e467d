"""Delete the files drawn in the background (PDFs) that no one downloaded in time."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from macehub.governance.requested_jobs import FILE_LIFETIME, purge_expired_files


class Command(BaseCommand):
    help = (
        "Delete the files drawn in the background (PDFs) not downloaded within "
        f"{FILE_LIFETIME.total_seconds() / 3600:.0f} hours of being drawn. Each job and "
        "each download also does this; run it on a schedule (hourly) so a file never "
        "outstays its time when nothing else runs."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = purge_expired_files()
        self.stdout.write(f"{deleted} expired file{'' if deleted == 1 else 's'} deleted.")
