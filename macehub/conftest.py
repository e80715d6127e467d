"""Shared fixtures: the hub's standard test organisations and users (as healthchecks'
``hc/test.py`` gives every test the same Alice, Bob and Charlie).

- ``hub_agency`` / ``hub_team``: the police force hosting the MACE hub team;
- ``partner_agency``: children's social care, a partner outside the hub team;
- ``outsider_agency``: an agency with no relation to the records under test;
- ``users``: one user per ``Role`` in the hub team (``users[Role.ANALYST]``), and
  ``users.client(Role.ANALYST)`` a test client signed in as them, two-factor passed.

Use ``users`` for "someone in this role"; make a user of your own (``make_user``) only
when the test is about who they are: another agency, another team, a password, a name.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import weakref
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.test import Client, override_settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import AgencyKind, Role
from macehub.cases.catalogue import load_indicators
from macehub.cases.models import Indicator
from macehub.disruption.models import Tactic
from macehub.disruption.tactics import load_tactics
from macehub.governance.models import RetentionRule
from macehub.governance.retention_rules import load_retention_rules
from macehub.people.codelists import load_ethnic_groups
from macehub.people.models import EthnicGroup, EthnicGroupFamily
from macehub.testing.clock import on_demo_day
from macehub.testing.factories import make_agency, make_team, make_user, verified_login
from macehub.training.catalogue import load_courses
from macehub.training.models import Course, CourseRequirement
from macehub.workforce.models import CaseloadWeighting

pytest_plugins = ["macehub.testing.pytest_browser"]

# Property-based tests (Hypothesis) draw the same examples every run ("macehub", the
# default: derandomised, few examples, nothing written to a .hypothesis directory);
# MACEHUB_HYPOTHESIS_PROFILE=thorough draws many more, from a new seed each run (a
# failure prints how to reproduce it). Tests that fix their own max_examples keep it.
hypothesis_settings.register_profile(
    "macehub", derandomize=True, deadline=None, database=None, max_examples=25,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                           HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
hypothesis_settings.register_profile(
    "thorough", parent=hypothesis_settings.get_profile("macehub"), derandomize=False,
    max_examples=500,
)
hypothesis_settings.load_profile(os.environ.get("MACEHUB_HYPOTHESIS_PROFILE", "macehub"))

# Tests run once or twice by the database engine they are about. CI runs the suite twice,
# on SQLite (the demo's engine, and `make test`'s default) and on PostgreSQL (the engine
# hubs run on):
# - migrating existing records back and forth (``migration_history``) is checked on
#   PostgreSQL: on SQLite every step rebuilds the tables it alters, and a SQLite database
#   is only ever made fresh (``make demo``), so it has no earlier records to carry over;
# - the reliability drills against the database server itself (``postgresql_drill``: an
#   outage through a proxy that is cut, a backup restored with pg_dump and pg_restore)
#   run on PostgreSQL, the engine a hub runs on, and so do the checks at a force's scale
#   (``production_scale``: a partner's file of 10,000 children imported and matched;
#   smaller files are imported on both engines);
# - what does not depend on the engine runs in the SQLite pass only: pages in a real
#   browser (``browser``: layout, scripts, accessibility; every page also renders on
#   PostgreSQL in the leak sweep, the audit-on-read walk and the search probe), record
#   linkage on Spark (``spark``: Spark's answers against DuckDB's, from the same records
#   either way), what runs on a database of its own whatever the pass (``own_database``),
#   and answers the engine cannot change, checked at length (``engine_independent``):
#   every route walked as every role for the policy's answer (the policy's scoping is
#   checked on both engines by its own tests, and every page renders on PostgreSQL in
#   the walks above), and the record-linkage model's accuracy on the planted duplicates
#   (DuckDB's arithmetic on the same records; storing and reviewing its proposals is
#   tested on both).
POSTGRESQL_ONLY_MARKERS = ("migration_history", "postgresql_drill", "production_scale")
SQLITE_PASS_ONLY_MARKERS = ("browser", "spark", "own_database", "engine_independent")


# Modules holding these run first: each takes tens of seconds, and pytest-xdist hands
# modules out in order, so one left to the end keeps a worker busy after the others are
# done (longest first keeps the workers' shares even).
LONG_RUNNING_MARKERS = ("long_running", "browser", "migration_history")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    long_running = {item.module.__name__ for item in items
                    if isinstance(item, pytest.Function)
                    and any(item.get_closest_marker(name) for name in LONG_RUNNING_MARKERS)}
    items.sort(key=lambda item: not isinstance(item, pytest.Function)
               or item.module.__name__ not in long_running)
    on_postgresql = "postgresql" in settings.DATABASES["default"]["ENGINE"]
    not_here, reason = (
        (SQLITE_PASS_ONLY_MARKERS, "does not depend on the database engine: run in the "
         "SQLite pass") if on_postgresql else
        (POSTGRESQL_ONLY_MARKERS, "migrations of existing records, the database drills "
         "and the checks at a force's scale are run on PostgreSQL (CI's second pass); on "
         "SQLite a database is only made fresh, and has no server to lose or dump"))
    skip = pytest.mark.skip(reason=reason)
    for item in items:
        if any(item.get_closest_marker(name) for name in not_here):
            item.add_marker(skip)


# Every database connection the tests open, so none outlives the test databases.
_opened: weakref.WeakSet[BaseDatabaseWrapper] = weakref.WeakSet()


def _remember(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    _opened.add(connection)


connection_created.connect(_remember)


@pytest.fixture(scope="session", autouse=True)
def _close_connections_before_teardown(django_db_setup: None) -> Iterator[None]:
    """Close this thread's connections before the test databases are dropped.

    PostgreSQL refuses to drop a database anyone is connected to. Django closes the
    connection it knows as the thread's own, but once the browser tests' event loop is
    running, a connection can be opened in another context of the same thread and is
    then left open (the live server's threads close their own).
    """
    yield
    for connection in list(_opened):
        if connection.connection is None:
            continue
        try:
            connection.validate_thread_sharing()
        except DatabaseError:
            continue  # another thread's (the live server's), which closes its own
        connection.close()


@pytest.fixture(autouse=True)
def _code_lists(request: pytest.FixtureRequest) -> None:
    """Transactional tests flush tables between tests; put the code lists back."""
    names = set(request.fixturenames)
    if names & {"transactional_db", "live_server"}:
        request.getfixturevalue("transactional_db")
    elif "db" in names or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
    else:
        return
    load_code_lists()


def load_code_lists() -> None:
    """The code lists data migrations load, where a flush has taken them away."""
    if not EthnicGroup.objects.exists():
        load_ethnic_groups(EthnicGroupFamily, EthnicGroup)
    if not Indicator.objects.exists():
        load_indicators(Indicator)
    if not Tactic.objects.exists():
        load_tactics(Tactic)
    if not Course.objects.exists():
        load_courses(Course, CourseRequirement)
    if not RetentionRule.objects.exists():
        load_retention_rules(RetentionRule)
    if not CaseloadWeighting.objects.exists():
        CaseloadWeighting.objects.create()  # the hub's weighting, as its migration makes it


@pytest.fixture
def hub_agency(db: Any) -> Agency:
    return make_agency("county-police", AgencyKind.POLICE, name="County Police")


@pytest.fixture
def hub_team(hub_agency: Agency) -> Team:
    return make_team(hub_agency, "MACE Hub", is_hub_team=True)


@pytest.fixture
def partner_agency(db: Any) -> Agency:
    return make_agency(
        "county-childrens-services", AgencyKind.CHILDRENS_SOCIAL_CARE,
        name="County Children's Services",
    )


@pytest.fixture
def outsider_agency(db: Any) -> Agency:
    return make_agency("city-health", AgencyKind.HEALTH, name="City Health Trust")


class StandardUsers:
    """One user per role, each in the hub team and holding that role alone, made the
    first time a test asks for them (so a test pays only for the users it uses).
    Usernames are ``hub.<role>``, e.g. ``hub.information_governance``."""

    def __init__(self, agency: Agency, team: Team) -> None:
        self._agency, self._team = agency, team
        self._made: dict[Role, User] = {}

    def __getitem__(self, role: Role) -> User:
        if role not in self._made:
            self._made[role] = make_user(f"hub.{role.value}", role, agency=self._agency,
                                         team=self._team)
        return self._made[role]

    def every_role(self) -> list[User]:
        """A user for each role, in the order ``Role`` lists them."""
        return [self[role] for role in Role]

    def client(self, role: Role) -> Client:
        """A new test client signed in as this role's user (two-factor passed)."""
        client = Client()
        verified_login(client, self[role])
        return client


@pytest.fixture
def users(hub_agency: Agency, hub_team: Team) -> StandardUsers:
    """The standard users: ``users[Role.TRIAGE]``, ``users.client(Role.ANALYST)``."""
    return StandardUsers(hub_agency, hub_team)


@pytest.fixture
def hub_user_factory(hub_agency: Agency, hub_team: Team) -> Any:
    def build(username: str, *roles: Role) -> User:
        return make_user(username, *roles, agency=hub_agency, team=hub_team)

    return build


@pytest.fixture
def signed_in(client: Any) -> Any:
    """Sign the test client in as a user (two-factor verified)."""

    def sign_in(user: User) -> Any:
        verified_login(client, user)
        return client

    return sign_in


# The day the small demo data set is generated as of, in tests that use it whole.
DEMO_AS_OF = dt.date(2026, 6, 1)


@pytest.fixture(scope="module")
def small_demo_for_module(
    request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: Any
) -> Iterator[str]:
    """``small_demo`` generated once for a module whose every test reads it, and what
    the command printed: inside one transaction rolled back after the module (each
    test's own changes roll back to its savepoint), in demo mode, with the clock stopped
    on ``DEMO_AS_OF`` throughout. Every test of such a module sees the demo, so a test
    that needs an empty database belongs in another module. The seed is 7 unless the
    module sets ``DEMO_SEED`` (one whose draw shows what its tests look for)."""
    seed = getattr(request.module, "DEMO_SEED", 7)
    out = io.StringIO()
    with (django_db_blocker.unblock(), on_demo_day(DEMO_AS_OF),
          override_settings(DEMO_MODE=True), transaction.atomic()):
        load_code_lists()  # a transactional test run before may have flushed them
        call_command("demo_data", "--scale=small", f"--seed={seed}", f"--as-of={DEMO_AS_OF}",
                     stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def small_demo(settings: Any) -> Iterator[None]:
    """The small demo data set (seed 7) as of ``DEMO_AS_OF``, in demo mode, with the
    clock stopped on that day, so its figures hold on any day the tests run."""
    settings.DEMO_MODE = True
    with on_demo_day(DEMO_AS_OF):
        call_command("demo_data", "--scale=small", "--seed=7", f"--as-of={DEMO_AS_OF}",
                     stdout=io.StringIO())
        yield
