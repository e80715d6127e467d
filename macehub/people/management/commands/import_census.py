"""``manage.py import_census FILE``: load Census 2021 TS021 ethnic group populations.

The file is checked as a whole first; if anything is wrong, every problem is listed with
its row and column, the command exits non-zero and nothing is imported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from macehub.people.census import CensusImportError, import_census_ts021
from macehub.people.codes import AreaKind


class Command(BaseCommand):
    help = (
        "Import a Census 2021 TS021 (ethnic group) bulk CSV from Nomis: creates or updates "
        "each area and replaces its census populations. All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="TS021 CSV file (comma or | separated)")
        parser.add_argument(
            "--kind",
            choices=AreaKind.values,
            help="Kind of the areas in the file (the --parent area itself excepted). "
            "Without it, known areas keep theirs and new areas' kinds are told from "
            "their ONS codes.",
        )
        parser.add_argument(
            "--parent",
            metavar="CODE",
            help="ONS code of the area the file's areas lie in; it may be in the hub "
            "already or in the file itself. Without it, known areas keep their parent.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        kind = AreaKind(options["kind"]) if options["kind"] else None
        try:
            summary = import_census_ts021(
                path, actor=None, kind=kind, parent_code=options["parent"]
            )
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}") from error
        except CensusImportError as error:
            raise CommandError(f"{path.name} was not imported.\n{error.report()}") from error
        self.stdout.write(self.style.SUCCESS(str(summary)))
