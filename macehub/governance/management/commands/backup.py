"""Write a backup of the hub's PostgreSQL database (pg_dump, custom format)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from macehub.governance.backups import Server, dump


class Command(BaseCommand):
    help = (
        "Write a pg_dump of the hub's PostgreSQL database, in the custom format, to PATH "
        "(restore it with pg_restore; manage.py backup_drill proves a dump restores)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the file to write (it holds personal data: "
                            "keep it where the hub's records are kept)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        dump(Server.of_hub(), path)
        self.stdout.write(self.style.SUCCESS(
            f"Backup written to {path} ({path.stat().st_size:,} bytes)."))
