"""Delete the files drawn in the background (PDFs) that no one downloaded in time, and
the records of jobs long finished."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from macehub.governance.requested_jobs import (
    FILE_LIFETIME,
    JOB_RECORD_LIFETIME,
    purge_expired_files,
    purge_finished_jobs,
)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


class Command(BaseCommand):
    help = (
        "Delete the files drawn in the background (PDFs) not downloaded within "
        f"{FILE_LIFETIME.total_seconds() / 3600:.0f} hours of being drawn, and the records "
        f"of jobs finished more than {JOB_RECORD_LIFETIME.days} days ago. Each job and "
        "each download also deletes expired files; run it on a schedule (hourly) so a file "
        "never outstays its time when nothing else runs."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        files = purge_expired_files()
        jobs = purge_finished_jobs()
        self.stdout.write(f"{_count(files, 'expired file')} deleted; "
                          f"{_count(jobs, 'finished job')} older than "
                          f"{JOB_RECORD_LIFETIME.days} days deleted.")
