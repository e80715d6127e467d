"""``manage.py import_establishment <file> --as=<username>``: record teams' establishment
and posts filled by month from a CSV file (all or nothing; the problems row by row)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from macehub.accounts.models import User
from macehub.core.csv_import import read_import_file
from macehub.workforce.services import (
    IMPORT_COLUMNS,
    EstablishmentImportError,
    import_establishment,
)


class Command(BaseCommand):
    help = (f"Import teams' establishment by month from a CSV file with the columns "
            f"{', '.join(IMPORT_COLUMNS)} (month as 2026-04; full-time equivalents).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--as", dest="username", required=True,
                            help="The senior leader or administrator the import is by "
                                 "(audited as theirs).")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(username=options["username"], is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user {options['username']!r}")
        try:
            data, name = read_import_file(options["file"])
        except OSError as error:
            raise CommandError(f"Cannot read {options['file']}: {error}") from error
        try:
            written = import_establishment(actor=actor, data=data, name=name)
        except EstablishmentImportError as refused:
            raise CommandError(refused.report()) from refused
        self.stdout.write(f"Imported {len(written)} team month(s) from {name}.")
