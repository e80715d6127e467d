"""The claims the test identity provider adds to each person's ID token and user info:
whatever the test's people file gives them (organisation, groups or roles, ``amr``)."""

from __future__ import annotations

import json
from typing import Any

from macehub.testing.oidc_provider.settings import PEOPLE_FILE


def _person(username: str) -> dict[str, Any]:
    people: dict[str, dict[str, Any]] = json.loads(PEOPLE_FILE.read_text())
    return people[username]


def userinfo(claims: dict[str, Any], user: Any) -> dict[str, Any]:
    person = _person(user.username)
    claims.update(given_name=person.get("given_name", ""),
                  family_name=person.get("family_name", ""),
                  email=person.get("email", ""), email_verified=True)
    return claims


def add_claims(id_token: dict[str, Any], user: Any, **kwargs: Any) -> dict[str, Any]:
    person = _person(user.username)
    for claim in ("org", "groups", "roles", "amr", "email", "tenant"):
        if claim in person:
            id_token[claim] = person[claim]
    return id_token
