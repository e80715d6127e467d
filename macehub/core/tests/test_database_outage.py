"""The database outage drill, against a real PostgreSQL server: the hub's connection goes
through a proxy (macehub.testing.database_proxy) that the test cuts.

While the server is away every page answers the 503 page within seconds (the connection
dies mid-request, is refused, or is never answered); a service cut part way through its
transaction leaves neither its record nor its audit entry; and the hub recovers by itself
when the server returns. Django's test client leaves a request's connection open for the
test, so the tests close what the request handler closes at the start and end of every
request (``close_old_connections``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError, close_old_connections, connection
from django.test import Client

from macehub.accounts.roles import Role
from macehub.audit.models import AuditEvent
from macehub.people import services as people_services
from macehub.people.models import Person
from macehub.people.services import PersonDetails, create_person
from macehub.testing.database_proxy import DatabaseProxy

pytestmark = [pytest.mark.postgresql_drill, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def proxy() -> Iterator[DatabaseProxy]:
    """The test's connection to the database, through a proxy it can cut."""
    settings = connection.settings_dict
    address = (settings["HOST"] or "127.0.0.1", int(settings["PORT"] or 5432))
    proxy = DatabaseProxy(*address)
    saved = {name: settings[name] for name in ("HOST", "PORT")}
    saved_options = dict(settings["OPTIONS"])
    # The hub's settings bound the wait for a connection; shorter here, for speed.
    assert saved_options["connect_timeout"] >= 1
    connection.close()
    settings.update(HOST=proxy.host, PORT=str(proxy.port))
    settings["OPTIONS"]["connect_timeout"] = 2
    try:
        yield proxy
    finally:
        connection.close()
        settings.update(saved)
        settings["OPTIONS"].clear()
        settings["OPTIONS"].update(saved_options)
        proxy.stop()


def _request(client: Client, path: str) -> tuple[Any, float]:
    """One request as the request handler runs it, with how long it took."""
    close_old_connections()
    started = time.monotonic()
    response = client.get(path)
    elapsed = time.monotonic() - started
    close_old_connections()
    return response, elapsed


def test_pages_answer_503_while_the_server_is_away_and_work_again_when_it_returns(
    proxy: DatabaseProxy, users: Any
) -> None:
    client = users.client(Role.SOCIAL_WORKER)
    client.raise_request_exception = False
    response, _ = _request(client, "/")
    assert response.status_code == 200

    # The server goes: the open connection dies under the next request, the one after is
    # refused; then a network that answers nothing, which only the connect timeout ends.
    for outage, path in ((proxy.cut, "/"), (proxy.cut, "/people/"), (proxy.hang, "/")):
        outage()
        response, elapsed = _request(client, path)
        assert response.status_code == 503, (outage.__name__, path)
        assert "Sorry, the service is unavailable" in response.content.decode()
        assert response["Retry-After"] == "30"
        assert elapsed < 4, (outage.__name__, path, elapsed)
        health, _ = _request(Client(), "/health/")
        assert (health.status_code, health.content) == (503, b"unavailable")

    proxy.restore()
    response, _ = _request(client, "/people/")
    assert response.status_code == 200
    health, _ = _request(Client(), "/health/")
    assert (health.status_code, health.content) == (200, b"ok")


def test_a_service_cut_part_way_leaves_neither_its_record_nor_its_audit_entry(
    proxy: DatabaseProxy, users: Any
) -> None:
    actor = users[Role.SOCIAL_WORKER]
    entries_before = AuditEvent.objects.count()
    written_before_the_cut = []

    def cut_then_audit(**kwargs: Any) -> Any:
        # The person is written; the connection dies before the audit entry is.
        written_before_the_cut.append(kwargs["record"].pk)
        proxy.cut()
        return audit(**kwargs)

    audit = people_services.record_event
    with (mock.patch.object(people_services, "record_event", cut_then_audit),
          pytest.raises((OperationalError, InterfaceError))):
        create_person(actor=actor, details=PersonDetails(given_name="Riley",
                                                         family_name="Cutover"))
    assert written_before_the_cut and written_before_the_cut[0] is not None

    proxy.restore()
    close_old_connections()
    connection.close()
    assert not Person.objects.filter(family_name="Cutover").exists()
    assert not Person.objects.filter(pk=written_before_the_cut[0]).exists()
    assert AuditEvent.objects.count() == entries_before
    # The same service, uncut, writes both.
    person = create_person(actor=actor, details=PersonDetails(given_name="Riley",
                                                              family_name="Cutover"))
    assert AuditEvent.objects.filter(record_id=str(person.pk)).count() == 1
