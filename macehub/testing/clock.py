"""A fixed "now" for tests of dated data, so the same commit passes on any day.

The demo data are generated as of a day (``demo_data --as-of``): nothing in them is later
than that day's working hours. The hub's figures compare records with
``timezone.now()`` and ``timezone.localdate()`` (reviews still inside their time, months
so far, publishing only ended months), so a test that generates demo data fixes both: it
passes the as-of day and sets the clock to the evening of that day (``on_demo_day``).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

LONDON = ZoneInfo("Europe/London")
# After everything the demo generator dates on its as-of day (the last contacts and
# returns from missing episodes are at 17:00).
DEMO_EVENING = dt.time(18)


def demo_now(as_of: dt.date) -> dt.datetime:
    """The moment a test generating demo data as of ``as_of`` runs at."""
    return dt.datetime.combine(as_of, DEMO_EVENING, tzinfo=LONDON)


def on_demo_day(as_of: dt.date) -> time_machine.travel:
    """The clock stopped at ``demo_now(as_of)``: use as a context manager or decorator.
    It does not tick, so two figures computed a moment apart compare with the same now."""
    return time_machine.travel(demo_now(as_of), tick=False)
