"""``manage.py demo_accounts``: list the demo accounts and their shared password (for
``make demo``), without generating anything."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from macehub.demo.accounts import accounts_table, demo_accounts


class Command(BaseCommand):
    help = "List the demo accounts (username, roles, agency, team) and their password."

    def handle(self, *args: Any, **options: Any) -> None:
        accounts = demo_accounts()
        if not accounts:
            raise CommandError("There are no demo accounts: run manage.py demo_data first.")
        self.stdout.write(accounts_table(accounts))
