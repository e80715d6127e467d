"""Every URL in the project, as every role: each gets exactly what the policy says.

The test walks the URL configuration itself, so a new view is covered the moment it is
routed, and a view that declares no access action fails here.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from macehub.access.actions import Action
from macehub.access.policy import RULES, allows, can
from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.people.models import Area
from macehub.testing.factories import make_person, make_user, verified_login


@dataclass(frozen=True)
class Route:
    name: str
    kwargs: tuple[str, ...]
    callback: Any

    @property
    def action(self) -> Action | None:
        view_class = getattr(self.callback, "cls", None)
        if view_class is not None and hasattr(view_class, "access_action"):
            return view_class.access_action
        return getattr(self.callback, "access_action", "undeclared")

    @property
    def is_public(self) -> bool:
        return bool(getattr(self.callback, "is_public", False))

    @property
    def is_api(self) -> bool:
        return self.name.startswith("api:")


def _routes(patterns: list[Any], namespace: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            assert entry.name, f"Every URL needs a name: {entry.pattern}"
            yield Route(
                f"{namespace}{entry.name}",
                tuple(entry.pattern.converters),
                entry.callback,
            )


ROUTES = list(_routes(get_resolver().url_patterns))
# Query strings that make a read endpoint do its work rather than ask for input.
SAMPLE_QUERY = {"api:person_search": "q=Jordan"}


def test_every_view_declares_an_action_the_policy_knows() -> None:
    for route in ROUTES:
        if route.is_public:
            continue
        assert route.action in RULES, (
            f"{route.name} declares no access action: decorate it with "
            "macehub.access.views.requires(Action.X) and add a rule to access.policy"
        )


@pytest.fixture
def samples(hub_agency: Agency, hub_team: Team) -> dict[str, Any]:
    """One record for each URL keyword. Apps add their own in ``tests/url_samples.py``
    with ``build(samples: dict[str, Any]) -> None``, putting model instances (or plain
    values) under the keyword names their URLs use.

    By convention the first keyword of a URL names the record its action is about.
    """
    person = make_person(hub_agency, given_name="Jordan", family_name="Sample")
    other = make_user("sample.user", Role.REFERRER, agency=hub_agency, team=hub_team)
    built: dict[str, Any] = {
        "person_pk": person,
        "agency_pk": hub_agency,
        "team_pk": hub_team,
        "user_pk": other,
        "area_code": Area.objects.create(code="E05999999", name="Sample Ward", kind="ward"),
        "hub_team": hub_team,
        "hub_agency": hub_agency,
    }
    for config in apps.get_app_configs():
        if not config.name.startswith("macehub."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.tests.url_samples")
        except ModuleNotFoundError:
            continue
        module.build(built)
    return built


def _value(sample: Any, kwarg: str) -> Any:
    if isinstance(sample, Model):
        return sample.code if kwarg.endswith("_code") else sample.pk
    return sample


def _url(route: Route, samples: dict[str, Any]) -> str:
    missing = [name for name in route.kwargs if name not in samples]
    assert not missing, (
        f"Add a sample for {missing} used by {route.name} (in your app's tests/url_samples.py)"
    )
    url = reverse(
        route.name, kwargs={name: _value(samples[name], name) for name in route.kwargs}
    )
    query = SAMPLE_QUERY.get(route.name)
    return f"{url}?{query}" if query else url


def _expected(user: User, route: Route, samples: dict[str, Any]) -> str:
    action = route.action
    assert isinstance(action, Action)
    rule = RULES[action]
    if rule.relation is None or not route.kwargs:
        return "allowed" if allows(user, action) else "refused"
    record = samples[route.kwargs[0]]
    seen_through = rule.seen_through or action
    if not can(user, seen_through, record):
        return "hidden"
    return "allowed" if can(user, action, record) else "refused"


def _outcome(client: Client, url: str) -> tuple[str, int]:
    response = client.get(url)
    status = response.status_code
    if status == 302 and "/accounts/login/" in response["Location"]:
        return "signed out", status
    if status == 405:  # a form's POST-only action: any redirect after it is success
        response = client.post(url)
        status = response.status_code
    if status in (200, 302):
        return "allowed", status
    return {403: "refused", 404: "hidden", 401: "signed out"}.get(status, "error"), status


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_sign_in(client: Client, samples: dict[str, Any]) -> None:
    for route in ROUTES:
        response = client.get(_url(route, samples))
        if route.is_public:
            assert response.status_code == 200, route.name
        elif route.is_api:
            assert response.status_code == 401, route.name
        else:
            assert response.status_code == 302, route.name
            assert response["Location"].startswith(reverse("accounts:login")), route.name


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_each_role_gets_what_the_policy_says(
    role: Role, hub_agency: Agency, hub_team: Team, samples: dict[str, Any]
) -> None:
    user = make_user(f"{role.value}.tester", role, agency=hub_agency, team=hub_team)
    failures = []
    for route in ROUTES:
        if route.is_public:
            continue
        client = Client()
        verified_login(client, user)
        expected = _expected(user, route, samples)
        outcome, status = _outcome(client, _url(route, samples))
        if outcome != expected:
            failures.append(f"{route.name}: expected {expected}, got {outcome} ({status})")
    assert not failures, "\n".join(failures)
