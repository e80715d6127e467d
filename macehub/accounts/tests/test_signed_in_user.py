"""The signed-in user is found on each request with their agency and team."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY, get_user
from django.test import RequestFactory

from macehub.accounts.roles import Role
from macehub.testing.factories import make_user

pytestmark = pytest.mark.django_db


def test_the_signed_in_user_comes_with_their_agency_and_team(
        client, hub_agency, hub_team, django_assert_num_queries) -> None:
    user = make_user("ana.lyst", Role.ANALYST, agency=hub_agency, team=hub_team)
    client.force_login(user)
    request = RequestFactory().get("/")
    request.session = client.session
    assert request.session[SESSION_KEY] == str(user.pk)  # the session read first
    with django_assert_num_queries(1):
        found = get_user(request)
        assert found.pk == user.pk
        assert (found.agency.name, found.team.name) == (hub_agency.name, hub_team.name)


def test_a_user_no_longer_active_is_not_signed_in(client, hub_agency) -> None:
    user = make_user("ana.lyst", Role.ANALYST, agency=hub_agency)
    client.force_login(user)
    user.is_active = False
    user.save()
    request = RequestFactory().get("/")
    request.session = client.session
    assert not get_user(request).is_authenticated
