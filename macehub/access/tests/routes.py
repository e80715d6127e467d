"""Every routed URL of the project and a sample record for each URL keyword: what the
URL×role test, the audit-on-read test and the leak sweep all walk.

The walk reads the URL configuration itself, so a new view is covered the moment it is
routed. Apps add sample records in ``tests/url_samples.py`` with
``build(samples: dict[str, Any]) -> None``, putting model instances (or plain values)
under the keyword names their URLs use. By convention the first keyword of a URL names
the record its action is about.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Model
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from macehub.access.actions import Action
from macehub.access.policy import RULES, allows, can
from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.people.models import Area
from macehub.testing.factories import make_person, make_user


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


def build_samples(hub_agency: Agency, hub_team: Team) -> dict[str, Any]:
    """One record for each URL keyword, from every app's ``tests/url_samples.py``."""
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


def url_value(sample: Any, kwarg: str) -> Any:
    if isinstance(sample, Model):
        return sample.code if kwarg.endswith("_code") else sample.pk
    return sample


def url_for(route: Route, samples: dict[str, Any], **records: Any) -> str:
    """The route's URL for the samples, with ``records`` standing in for some keywords."""
    chosen = {**samples, **records}
    missing = [name for name in route.kwargs if name not in chosen]
    assert not missing, (
        f"Add a sample for {missing} used by {route.name} (in your app's tests/url_samples.py)"
    )
    url = reverse(
        route.name, kwargs={name: url_value(chosen[name], name) for name in route.kwargs}
    )
    query = SAMPLE_QUERY.get(route.name)
    return f"{url}?{query}" if query else url


def expected_outcome(user: User, route: Route, samples: dict[str, Any]) -> str:
    """What the policy says this user gets at this route: allowed, refused (403),
    hidden (404)."""
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


def first_allowed(users: list[User], route: Route, samples: dict[str, Any]) -> User | None:
    """The first of ``users`` the policy lets open this route, if any."""
    return next((u for u in users if expected_outcome(u, route, samples) == "allowed"), None)


def signed_in_routes(
    users: list[User], samples: dict[str, Any]
) -> list[tuple[Route, User]]:
    """Every route behind the sign-in, with the first of ``users`` allowed to open it."""
    found = []
    for route in ROUTES:
        if route.is_public:
            continue
        user = first_allowed(users, route, samples)
        if user is not None:
            found.append((route, user))
    return found
