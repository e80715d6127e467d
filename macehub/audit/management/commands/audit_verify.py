"""Walk the audit log's hash chain and report the first broken link."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from macehub.audit.chain import verify_chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; exits non-zero at the first broken link."

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if report.first_break is not None:
            raise CommandError(
                f"Audit log chain broken at entry {report.first_break.entry_id}: "
                f"{report.first_break.reason}. {report.entries_checked - 1} entries before "
                "it are intact."
            )
        self.stdout.write(
            self.style.SUCCESS(f"Audit log intact: {report.entries_checked} entries verified.")
        )
