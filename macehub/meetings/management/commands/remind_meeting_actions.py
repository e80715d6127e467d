"""E-mail the owners of meeting actions due within MEETING_ACTION_REMINDER_DAYS days or
overdue, at most once a day per action (run it daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from macehub.meetings.notify import remind_action_owners


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args: Any, **options: Any) -> None:
        sent = remind_action_owners()
        self.stdout.write(f"Reminded the owners of {sent} meeting action"
                          f"{'' if sent == 1 else 's'}.")
