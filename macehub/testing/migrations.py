"""Testing a data migration: find it and the migration before it in its app, move the
test database to either (each time with a fresh loader, so the state reached is read
back), and leave every app at its latest migration afterwards, whatever the test did.
For tests marked ``django_db(transaction=True)``: migrating cannot be rolled back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.state import StateApps

Node = tuple[str, str]


def migration_and_parent(app: str, name_ends: str) -> tuple[Node, Node]:
    """The app's migration whose name ends ``name_ends``, and its parent in that app."""
    graph = MigrationExecutor(connection).loader.graph
    node = next(key for key in graph.nodes if key[0] == app and key[1].endswith(name_ends))
    parent = next(key for key in graph.node_map[node].parents if key[0] == app)
    return node, parent


def migrate_to(target: Node) -> StateApps:
    """Migrate the database to ``target``; the historical models of the state reached."""
    MigrationExecutor(connection).migrate([target])
    return MigrationExecutor(connection).loader.project_state(target).apps


@contextmanager
def back_to_latest_migrations() -> Iterator[None]:
    """Every app's latest migration again when the block ends: going back in one app
    also unapplies other apps' migrations that depend on it."""
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        yield
    finally:
        MigrationExecutor(connection).migrate(latest)
