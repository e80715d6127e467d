"""``manage.py link_records --left FILE.csv [--right FILE.csv] --out PAIRS.csv``: link a
partner's list of people against another list, or, without ``--right``, against the
hub's people that ``--user`` may see, and write the pairs that may be one person.

The lists are read as ``people.outside_lists`` says (a list that cannot be read is
refused, every problem with its row and column, and nothing is written). The output has
one row per pair at or above the threshold: ``left_id`` (the left list's ``rec_id``, or
its row), ``right_id`` (the right list's, or the hub's person id) and
``match_probability``. Linking against the hub's people is audited as an export of the
people named in the output.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.people.linkage_engines import LinkageError
from macehub.people.list_linking import audit_linked_against_hub, hub_people_records, link_lists
from macehub.people.management.commands.find_matches import add_engine_arguments, probability
from macehub.people.outside_lists import ListRefused, read_outside_list


class Command(BaseCommand):
    help = ("Link a partner's list of people (CSV) against another list, or against the "
            "hub's people a user may see, and write the pairs that may be one person.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--left", required=True, type=Path, help="The list to link (CSV)")
        parser.add_argument("--right", type=Path, default=None,
                            help="The list to link it against (CSV); without it, the hub's "
                                 "people the --user may see")
        parser.add_argument("--out", required=True, type=Path,
                            help="Where to write the pairs (CSV)")
        parser.add_argument("--threshold", type=probability, default=None,
                            help="Match probability at or above which a pair is written; by "
                                 "default the one the model's own evaluation recommends")
        parser.add_argument("--user", default=None,
                            help="Username of the member of staff linking against the hub's "
                                 "people: only people they may see are linked, and the "
                                 "export is audited in their name")
        add_engine_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        user = self._hub_user(options["user"]) if options["right"] is None else None
        try:
            left = read_outside_list(options["left"])
            if user is None:
                right = read_outside_list(options["right"])
                against = str(options["right"])
            else:
                right = hub_people_records(user)
                against = "the hub's people"
        except OSError as error:
            raise CommandError(f"{error.filename}: cannot be read ({error.strerror})") from error
        except ListRefused as refused:
            lines = "\n".join(f"  {problem}" for problem in refused.problems)
            raise CommandError(f"{refused.name} cannot be linked; nothing was written:\n"
                               f"{lines}") from refused
        try:
            linked = link_lists(left, right, threshold=options["threshold"],
                                threads=options["threads"], engine=options["engine"])
        except LinkageError as error:
            raise CommandError(str(error)) from error
        options["out"].write_text(linked.pairs_csv, encoding="utf-8")
        if user is not None:
            audit_linked_against_hub(user=user, list_name=Path(options["left"]).name,
                                     linked=linked)
        result = linked.result
        self.stdout.write(
            f"Linked {len(left):,} records of {Path(options['left']).name} against "
            f"{against} ({len(right):,} records) in {result.seconds:.1f} s: "
            f"{len(result.pairs):,} pairs at or above {result.threshold:.3f} written to "
            f"{options['out']}.{result.training_note}")

    def _hub_user(self, username: str | None) -> User:
        """The member of staff linking against the hub's people: only those they may see
        are linked, and the export is audited in their name."""
        if username is None:
            raise CommandError("Linking against the hub's people needs --user: only the "
                               "people that member of staff may see are linked.")
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        if not policy.allows(user, Action.PERSON_SEARCH):
            raise CommandError(f"{username} may not search the hub's people.")
        return user
