"""The health check for load balancers, and the 503 page every request answers while the
database cannot be reached (the outage itself, against a real PostgreSQL server, is
drilled in test_database_outage.py)."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError, connections
from django.test import Client, override_settings

from macehub.accounts.roles import Role
from macehub.audit.models import AuditEvent

REFUSED = OperationalError(
    'connection failed: connection to server at "10.0.0.9", port 5432 failed: '
    "Connection refused"
)


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True)
def test_the_health_check_answers_ok_and_nothing_more(
    users: Any, django_assert_num_queries: Any
) -> None:
    # A load balancer probes over plain HTTP, by address, possibly with a stale cookie.
    client = users.client(Role.SOCIAL_WORKER)
    audited = AuditEvent.objects.count()
    with django_assert_num_queries(1):
        response = client.get("/health/", HTTP_HOST="10.1.2.3")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies
    assert AuditEvent.objects.count() == audited


@pytest.mark.django_db
def test_the_health_check_says_unavailable_and_keeps_the_error_to_itself() -> None:
    with mock.patch.object(type(connections["default"]), "cursor", side_effect=REFUSED):
        response = Client().get("/health/")
    assert response.status_code == 503
    assert response.content == b"unavailable"


@pytest.mark.django_db
def test_pages_answer_the_service_unavailable_page_when_the_database_is_away(
    users: Any,
) -> None:
    client = users.client(Role.SOCIAL_WORKER)
    client.raise_request_exception = False
    # The signed-in session is read by a middleware, before any view runs.
    with mock.patch.object(SessionStore, "load", side_effect=REFUSED):
        page = client.get("/")
        api = client.get("/api/people/")
    assert page.status_code == 503
    assert page["Retry-After"] == "30"
    text = page.content.decode()
    assert "Sorry, the service is unavailable" in text
    assert "If a child is in immediate danger, call 999." in text
    assert "10.0.0.9" not in text
    assert api.status_code == 503
    assert api.json() == {"detail": "The service is unavailable. Try again later."}
    # Once the database answers again, so does the page.
    assert client.get("/").status_code == 200
