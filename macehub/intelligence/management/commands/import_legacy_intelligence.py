"""``manage.py import_legacy_intelligence FILE.csv --by USERNAME``: import historic
5x5x5-graded intelligence so that it stays readable (read-only in the hub).

The file is checked as a whole first (see ``macehub.intelligence.legacy`` for its
columns); if anything is wrong, every problem is listed with its row and column, the
command exits non-zero and nothing is imported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.intelligence.legacy import LegacyImportError, import_legacy_file


class Command(BaseCommand):
    help = (
        "Import historic 5x5x5-graded intelligence reports from a CSV file. All or nothing: "
        "every problem is listed by row and column, and nothing is imported if there is one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CSV file with a header row")
        parser.add_argument(
            "--by", required=True, metavar="USERNAME",
            help="The member of staff importing the file (recorded as the reports' "
            "creator and in the audit log); they must be allowed to record intelligence.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        actor = User.objects.filter(username=options["by"], is_active=True).first()
        if actor is None:
            raise CommandError(f"There is no active user called {options['by']!r}")
        if not policy.allows(actor, Action.INTELLIGENCE_RECORD):
            raise CommandError(f"{actor.username} may not record intelligence")
        try:
            summary = import_legacy_file(path, actor=actor)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}") from error
        except LegacyImportError as error:
            raise CommandError(f"{path.name} was not imported.\n{error.report()}") from error
        self.stdout.write(self.style.SUCCESS(str(summary)))
