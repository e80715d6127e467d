"""Hostile data posted to every page that takes a form (Hypothesis), as a role the policy
lets open it (the URL samples and walker of ``macehub/access/tests/routes.py``): the
answer is never a server error, and where the form is refused (the page shown again, or
a 4xx) no table of the view's app has gained a row.

A page takes a form when its GET shows one (the forms found in its template context:
their boxes are what is posted) or answers 405 (a button's POST-only action: a few boxes
such actions read are posted). Each example runs in a transaction rolled back after it,
so what one example saved does not change the next. One signed-in client per role.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.db import models, transaction
from django.http import QueryDict
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from macehub.access.tests.routes import build_samples, signed_in_routes, url_for
from macehub.accounts.models import Agency, Team
from macehub.conftest import StandardUsers
from macehub.testing.factories import verified_login
from macehub.testing.hostile import examples, hostile_form_data, hostile_text

pytestmark = pytest.mark.long_running

# Actions that end the session being tested with, rather than change a record.
SESSION_ENDING = ("logout", "sign_out", "signout")
# What a button's POST-only action may read.
ACTION_BOXES = ("version", "reason", "confirm", "note", "next")


def _forms_in(response: Any) -> list[forms.BaseForm]:
    found: dict[int, forms.BaseForm] = {}
    for context in response.context or []:
        flat = context.flatten() if hasattr(context, "flatten") else context
        for value in flat.values():
            if isinstance(value, forms.BaseForm):
                found[id(value)] = value
    return list(found.values())


def _app_tables(callback: Any) -> list[type[models.Model]]:
    module = getattr(getattr(callback, "cls", callback), "__module__", "")
    label = module.split(".")[1] if module.startswith("macehub.") else ""
    try:
        config = apps.get_app_config(label)
    except LookupError:
        return []
    return [model for model in config.get_models() if not model._meta.proxy]


def _counts(tables: list[type[models.Model]]) -> dict[str, int]:
    return {table.__name__: table.objects.count() for table in tables}


@st.composite
def _hostile_post(draw: st.DrawFn, shapes: list[forms.BaseForm]) -> QueryDict:
    data = QueryDict(mutable=True)
    for form in shapes:
        for key, values in draw(hostile_form_data(form)).lists():
            data.setlist(key, values)
    if not shapes:
        for key in ACTION_BOXES:
            data.setlist(key, draw(st.lists(hostile_text(), max_size=2)))
    return data


def _posting_routes(users: StandardUsers, samples: dict[str, Any]
                    ) -> Iterator[tuple[Any, Any, str, list[forms.BaseForm]]]:
    clients: dict[int, Client] = {}
    for route, user in signed_in_routes(users.every_role(), samples):
        if route.is_api or any(word in route.name for word in SESSION_ENDING):
            continue
        if user.pk not in clients:
            clients[user.pk] = Client()
            verified_login(clients[user.pk], user)
        client = clients[user.pk]
        url = url_for(route, samples)
        with transaction.atomic():
            response = client.get(url)
            transaction.set_rollback(True)
        if response.status_code == 405:
            yield route, client, url, []
        elif response.status_code == 200:
            shapes = _forms_in(response)
            if shapes:
                yield route, client, url, shapes


def _poster(client: Client, url: str, tables: list[type[models.Model]],
            shapes: list[forms.BaseForm], statuses: Counter[int]) -> Any:
    @settings(max_examples=examples(2))
    @given(data=_hostile_post(shapes))
    def post(data: QueryDict) -> None:
        with transaction.atomic():
            before = _counts(tables)
            response = client.post(url, {key: data.getlist(key) for key in data})
            statuses[response.status_code] += 1
            assert response.status_code < 500, response.status_code
            if response.status_code == 200 or 400 <= response.status_code < 500:
                assert _counts(tables) == before, "a refused form saved rows"
            transaction.set_rollback(True)

    return post


@pytest.mark.django_db
def test_hostile_posts_never_break_a_page(
    hub_agency: Agency, hub_team: Team, users: StandardUsers
) -> None:
    samples = build_samples(hub_agency, hub_team)
    posted: list[str] = []
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    for route, client, url, shapes in _posting_routes(users, samples):
        post = _poster(client, url, _app_tables(route.callback), shapes, statuses)
        try:
            post()
        except Exception as failure:
            failures.append(f"{route.name} ({url}): {str(failure)[:2000]}")
        posted.append(route.name)
    assert len(posted) >= 100, posted
    # Forms were refused and shown again with their errors: they were really checked.
    assert statuses[200] >= 50, statuses
    assert not failures, "\n\n".join(failures)
