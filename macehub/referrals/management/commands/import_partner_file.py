"""``manage.py import_partner_file FILE --mapping PK --user USERNAME``: import a partner
system's export (CSV or XLSX) through the partner's mapping, as the named triage officer
would from the page, and print the report.

The file is checked as a whole first; if any row is wrong, every problem is listed with
its row and column, the command exits non-zero and nothing is imported. A good file is
imported straight away (not queued for the worker), its children matched against the
hub's people (proposed for review, never merged).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from macehub.accounts.models import User
from macehub.core.csv_import import read_import_file
from macehub.referrals import partner_imports
from macehub.referrals.models import PartnerMapping
from macehub.referrals.partner_files import PartnerFileRefused


class Command(BaseCommand):
    help = ("Import children or referrals from a partner system's CSV or XLSX file through "
            "the partner's mapping. All or nothing, with a row-by-row report.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CSV or XLSX file")
        parser.add_argument("--mapping", type=int, required=True,
                            help="The mapping's number (its page's address)")
        parser.add_argument("--user", required=True,
                            help="The triage officer the import is made as (audited)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        user = User.objects.select_related("agency").filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user {options['user']}")
        if not PartnerMapping.objects.filter(pk=options["mapping"]).exists():
            raise CommandError(f"No mapping {options['mapping']}")
        try:
            data, name = read_import_file(path)
            job = partner_imports.start_import(actor=user, mapping_pk=options["mapping"],
                                               file_name=name, data=data, run_now=True)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}") from error
        except PermissionDenied as error:
            raise CommandError(f"{user.username} may not import partners' files") from error
        except PartnerFileRefused as error:
            raise CommandError(f"{path.name} was not imported.\n{error.report()}") from error
        job.refresh_from_db()
        if job.problem:
            raise CommandError(job.problem)
        report = job.report
        self.stdout.write(self.style.SUCCESS(
            f"{name}: {report['rows']} rows imported (import {job.pk}); "
            f"{report['matched_rows']} may be people the hub holds "
            f"({report['pairs_proposed']} pairs proposed for review), "
            f"{report['new_rows']} new. {report['matching_note']}".strip()))
