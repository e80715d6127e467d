"""Record the head of the audit log's chain, in the database and for the operator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from macehub.audit.chain import checkpoint_line
from macehub.audit.models import AuditCheckpoint
from macehub.audit.services import CheckpointRefused, make_checkpoint


class Command(BaseCommand):
    help = (
        "Verify the audit log, then record the head of its chain (last entry's id and "
        "hash, number of entries) as a checkpoint in the database and as a JSON line for "
        "the operator to keep elsewhere. Refuses if the log is not intact."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            default="-",
            metavar="FILE",
            help="append the checkpoint's JSON line to FILE (created if missing); "
            "'-' (the default) prints it on standard output",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output: str = options["output"]
        if output == "-":
            checkpoint = self._make()
            # Standard output carries only the line, so that it can be piped elsewhere.
            self.stdout.write(checkpoint_line(checkpoint))
            self.stderr.write(self._summary(checkpoint))
            return
        # Open the operator's file first: one that cannot be written stops the command
        # before a checkpoint is recorded that the operator would not hold.
        try:
            stream = Path(output).open("a", encoding="utf-8")  # noqa: SIM115 - closed below
        except OSError as error:
            raise CommandError(f"Cannot write the checkpoint to {output}: {error}") from error
        with stream:
            checkpoint = self._make()
            stream.write(checkpoint_line(checkpoint) + "\n")
        self.stdout.write(self.style.SUCCESS(f"{self._summary(checkpoint)}; written to {output}"))

    @staticmethod
    def _make() -> AuditCheckpoint:
        try:
            return make_checkpoint(actor=None, via="manage.py audit_checkpoint")
        except CheckpointRefused as refused:
            raise CommandError(str(refused)) from refused

    @staticmethod
    def _summary(checkpoint: AuditCheckpoint) -> str:
        return (
            f"Checkpoint {checkpoint.pk} made at entry {checkpoint.entry_id} "
            f"({checkpoint.entry_count} entries, hash {checkpoint.entry_hash[:12]}…)"
        )
