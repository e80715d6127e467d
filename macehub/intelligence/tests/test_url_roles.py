"""Every intelligence URL, as every role: each gets exactly what the policy says.

The project-wide test (``macehub/access/tests/test_url_roles.py``) covers these URLs once
they are included in ``macehub/urls.py``; this one runs them through the test URL
configuration meanwhile, with the same samples and the same reading of the policy. List
pages serve a record-level action without a record in their URL: the policy's roles
decide them (403 without), and what they list is scoped.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from macehub.access.actions import Action
from macehub.access.policy import RULES, allows, can
from macehub.access.tests.test_url_roles import (  # noqa: F401 - samples is a fixture
    Route,
    _outcome,
    _routes,
    _value,
    samples,
)
from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.intelligence.tests.conftest import INTELLIGENCE_URLS
from macehub.testing.factories import make_user, verified_login

pytestmark = pytest.mark.urls(INTELLIGENCE_URLS)

ROUTES = [route for route in _routes(get_resolver(INTELLIGENCE_URLS).url_patterns)
          if "intelligence" in route.name]
# As the project's test: the search endpoint is asked with no query at all.
SAMPLE_QUERY: dict[str, str] = {}


def test_every_intelligence_view_declares_an_action() -> None:
    assert len(ROUTES) >= 21
    for route in ROUTES:
        assert route.action in RULES, route.name


def _url(route: Route, built: dict[str, Any]) -> str:
    url = reverse(route.name, kwargs={name: _value(built[name], name)
                                      for name in route.kwargs})
    query = SAMPLE_QUERY.get(route.name)
    return f"{url}?{query}" if query else url


def _expected(user: User, route: Route, built: dict[str, Any]) -> str:
    action = route.action
    assert isinstance(action, Action)
    rule = RULES[action]
    if rule.relation is None or not route.kwargs:
        return "allowed" if allows(user, action) else "refused"
    record = built[route.kwargs[0]]
    if not can(user, rule.seen_through or action, record):
        return "hidden"
    return "allowed" if can(user, action, record) else "refused"


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_sign_in(client: Client, request: pytest.FixtureRequest
                                             ) -> None:
    built = request.getfixturevalue("samples")
    for route in ROUTES:
        response = client.get(_url(route, built))
        expected = 401 if route.is_api else 302
        assert response.status_code == expected, route.name


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_each_role_gets_what_the_policy_says(
    role: Role, hub_agency: Agency, hub_team: Team, request: pytest.FixtureRequest
) -> None:
    built = request.getfixturevalue("samples")
    user = make_user(f"{role.value}.tester", role, agency=hub_agency, team=hub_team)
    client = Client()
    verified_login(client, user)
    failures = []
    for route in ROUTES:
        expected = _expected(user, route, built)
        outcome, status = _outcome(client, _url(route, built))
        if outcome != expected:
            failures.append(f"{route.name}: expected {expected}, got {outcome} ({status})")
    assert not failures, "\n".join(failures)
