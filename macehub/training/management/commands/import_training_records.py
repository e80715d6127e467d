"""``manage.py import_training_records FILE --agency CODE``: load a learning system's CSV
of training records (username or e-mail, course code, completed on, expires on,
evidence) for one agency.

The file is checked as a whole first; if anything is wrong, every problem is listed with
its row and column, the command exits non-zero and nothing is imported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from macehub.accounts.models import Agency
from macehub.training.services import TrainingImportRefused, import_training_records


class Command(BaseCommand):
    help = ("Import a learning system's CSV of training records for one agency (username "
            "or e-mail, course code, completed on, expires on, evidence). All or nothing.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The learning system's CSV file")
        parser.add_argument("--agency", required=True, help="The agency's code")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        agency = Agency.objects.filter(code=options["agency"]).first()
        if agency is None:
            raise CommandError(f"There is no agency with the code {options['agency']}")
        try:
            summary = import_training_records(path, actor=None, agency=agency)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}") from error
        except TrainingImportRefused as error:
            raise CommandError(f"{path.name} was not imported.\n{error.report()}") from error
        self.stdout.write(self.style.SUCCESS(str(summary)))
