"""Walk the audit log's sealed hash chain, check it still extends its last checkpoint,
and that no entry has waited more than a minute to be sealed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from macehub.audit.chain import (
    Checkpoint,
    CheckpointFileError,
    latest_checkpoint,
    read_checkpoint_file,
    verify_chain,
)


class Command(BaseCommand):
    help = (
        "Verify the audit log's hash chain and that the log still extends its last "
        "checkpoint (and the one in --checkpoint FILE), and that no entry has waited more "
        "than a minute to be sealed into it; exits non-zero if any of these fails."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--checkpoint",
            metavar="FILE",
            help="also check against the last checkpoint line in FILE (one that "
            "audit_checkpoint --output wrote and the operator kept outside the database)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        checkpoints: list[Checkpoint] = []
        stored = latest_checkpoint()
        if stored is not None:
            checkpoints.append(stored)
        if options["checkpoint"]:
            try:
                checkpoints.append(read_checkpoint_file(Path(options["checkpoint"])))
            except CheckpointFileError as error:
                raise CommandError(str(error)) from error
        report = verify_chain(checkpoints)
        problems = [
            f"The audit log no longer extends {result.checkpoint.source}: {result.problem}."
            for result in report.checkpoints
            if result.problem
        ]
        if report.first_break is not None:
            problems.insert(
                0,
                f"Audit log chain broken at entry {report.first_break.entry_id}: "
                f"{report.first_break.reason}. {report.entries_checked - 1} entries before "
                "it are intact.",
            )
        if report.sealing_overdue:
            oldest = report.oldest_unsealed_at
            problems.append(
                f"{report.unsealed_overdue} audit entries have waited more than a minute to "
                "be sealed into the chain"
                + (f" (the oldest since {oldest:%Y-%m-%d %H:%M:%S %Z})" if oldest else "")
                + ": is manage.py audit_seal running every minute?"
            )
        if problems:
            raise CommandError(" ".join(problems))
        extended = " and ".join(result.checkpoint.source for result in report.checkpoints)
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit log intact: {report.entries_checked} entries verified"
                + (f"; it extends {extended}." if extended else ".")
                + (
                    f" {report.unsealed} recent entries are still to be sealed."
                    if report.unsealed
                    else ""
                )
            )
        )
        if not checkpoints:
            self.stderr.write(
                self.style.WARNING(
                    "No checkpoint to check against: run manage.py audit_checkpoint on a "
                    "schedule, so that losing entries from the end of the log is detected."
                )
            )
