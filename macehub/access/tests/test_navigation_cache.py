"""The service navigation is worked out once per kind of user, and still follows the
access policy exactly: every role, at every kind of agency, gets the menu the policy gives
it, whatever another user asked for before."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from macehub.access.navigation import (
    NAVIGATION,
    _AnyUserWithTheKey,
    _entries,
    _policy_key,
    navigation_for,
)
from macehub.access.policy import allows
from macehub.accounts.models import User
from macehub.accounts.roles import AgencyKind, Role
from macehub.testing.factories import make_agency, make_user


def policy_menu(user: User) -> list[str]:
    """The menu straight from the policy, with no cache (the same rule, written plainly)."""
    texts: list[str] = []
    for entry in NAVIGATION:
        shown = allows(user, entry.action) and not (entry.unless and allows(user, entry.unless))
        if shown and entry.text not in texts:
            texts.append(entry.text)
    return texts


def menu(user: User, path: str = "/") -> list[str]:
    return [item["text"] for item in navigation_for(user, path)]


@pytest.mark.django_db
def test_every_role_at_every_kind_of_agency_gets_the_policys_menu() -> None:
    _entries.cache_clear()
    checked = 0
    # Twice over: the second pass answers from the cache and must not differ.
    for _pass in range(2):
        for kind in AgencyKind:
            agency = make_agency(f"agency-{kind.value}", kind) if _pass == 0 else None
            for role in Role:
                username = f"{role.value}.{kind.value}".replace("_", "-")
                user = (make_user(username, role, agency=agency) if agency is not None
                        else User.objects.get(username=username))
                assert menu(user) == policy_menu(user), (role, kind)
                checked += 1
    assert checked == 2 * len(AgencyKind) * len(Role)
    assert _entries.cache_info().hits >= len(AgencyKind) * len(Role)


@pytest.mark.django_db
def test_a_cached_menu_is_not_shared_across_roles_or_agency_kinds() -> None:
    _entries.cache_clear()
    police = make_agency("police-x", AgencyKind.POLICE)
    social_care = make_agency("csc-x", AgencyKind.CHILDRENS_SOCIAL_CARE)
    analyst = make_user("alex.analyst", Role.ANALYST, agency=police)
    referrer = make_user("rene.referrer", Role.REFERRER, agency=police)
    assert menu(analyst) != menu(referrer)
    assert menu(referrer) == policy_menu(referrer)
    # Roles whose rights depend on the agency: the same roles, different agencies.
    for role in Role:
        at_police = make_user(f"{role.value}.p".replace("_", "-"), role, agency=police)
        at_csc = make_user(f"{role.value}.c".replace("_", "-"), role, agency=social_care)
        assert menu(at_police) == policy_menu(at_police)
        assert menu(at_csc) == policy_menu(at_csc)


@pytest.mark.django_db
def test_a_deactivated_user_or_a_change_of_roles_changes_the_menu_at_once(
    hub_user_factory: Any,
) -> None:
    user = hub_user_factory("tess.triage", Role.TRIAGE)
    assert "Triage" in menu(user)
    user.is_active = False
    assert menu(user) == policy_menu(user) == []
    user.is_active = True
    user.role_assignments.all().delete()
    user.forget_cached_roles()
    assert "Triage" not in menu(user)
    assert menu(user) == policy_menu(user)


@pytest.mark.django_db
def test_the_cache_keeps_no_user(hub_user_factory: Any) -> None:
    _entries.cache_clear()
    user = hub_user_factory("ana.analyst", Role.ANALYST)
    asker = _AnyUserWithTheKey(user)
    entries = _entries(_policy_key(user), settings.ROOT_URLCONF, asker)
    assert ("Intelligence", "/intelligence/") in entries
    # The holder is kept in the cache's key: it has let go of the user who asked.
    assert asker.user is None
    assert _entries.cache_info().currsize == 1


def test_the_current_page_is_marked(db: Any, hub_user_factory: Any) -> None:
    user = hub_user_factory("casey.worker", Role.SOCIAL_WORKER)
    items = navigation_for(user, "/cases/12/")
    assert [item["text"] for item in items if item["active"]] == ["Cases"]
