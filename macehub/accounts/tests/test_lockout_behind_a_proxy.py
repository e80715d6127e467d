"""Sign-in lockout and the audit log behind the documented HTTPS proxy.

Every request reaches the hub from the proxy's address; the proxy appends the client's
own address to X-Forwarded-For. With ``MACEHUB_TRUSTED_PROXIES=1`` the hub must tell
clients apart by that entry, so that one client's failures neither lock a user out for
everyone nor go unrecorded under the proxy's address, and a client cannot pick its own
address by sending the header itself.
"""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from macehub.accounts.models import User
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.testing.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"
PROXY = "10.0.0.2"
CLIENT_A = "203.0.113.7"
CLIENT_B = "198.51.100.20"


@pytest.fixture(autouse=True)
def behind_one_proxy(settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1


@pytest.fixture
def analyst(hub_agency: Any, hub_team: Any) -> User:
    return make_user("ana.lyst", Role.ANALYST, agency=hub_agency, team=hub_team,
                     password=PASSWORD)


def _sign_in(username: str, password: str, forwarded_for: str) -> Any:
    """A sign-in through the proxy: a fresh browser each time, as different people
    (or one attacker rotating sessions) would be."""
    return Client().post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def _locked_out(response: Any) -> bool:
    return bool(response.status_code == 429)


def test_failures_from_one_client_do_not_lock_the_user_out_for_another(
    analyst: User, settings: Any
) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert not _locked_out(_sign_in("ana.lyst", "wrong-password", CLIENT_A))
    assert _locked_out(_sign_in("ana.lyst", "wrong-password", CLIENT_A))
    refused = _sign_in("ana.lyst", PASSWORD, CLIENT_A)
    assert _locked_out(refused)
    assert "Your account is locked" in refused.content.decode()
    # The account's owner, elsewhere, still signs in.
    signed_in = _sign_in("ana.lyst", PASSWORD, CLIENT_B)
    assert signed_in.status_code == 302
    assert AuditEvent.objects.filter(
        event_type=EventType.LOGIN, actor_id=analyst.pk, ip_address=CLIENT_B
    ).exists()


def test_a_spoofed_leftmost_entry_is_ignored(analyst: User, settings: Any) -> None:
    # The attacker at CLIENT_A sends "X-Forwarded-For: <CLIENT_B>" (and other made-up
    # addresses); the proxy appends CLIENT_A, the address the request really came from.
    for n in range(settings.AXES_FAILURE_LIMIT):
        _sign_in("ana.lyst", "wrong-password", f"{CLIENT_B}, 192.0.2.{n}, {CLIENT_A}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {CLIENT_A}
    # Made-up entries do not get the attacker out of the lock...
    assert _locked_out(_sign_in("ana.lyst", PASSWORD, f"192.0.2.99, {CLIENT_A}"))
    # ...nor put the lock on the address they name.
    assert _sign_in("ana.lyst", PASSWORD, CLIENT_B).status_code == 302


def test_failures_across_usernames_from_one_address_pause_that_address(
    analyst: User, settings: Any
) -> None:
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8
    assert settings.LOGIN_ADDRESS_FAILURE_LIMIT > settings.AXES_FAILURE_LIMIT
    # One try at each of many usernames: no single username reaches its own limit.
    for n in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT - 1):
        assert not _locked_out(_sign_in(f"guess.{n}", "password1", CLIENT_A))
    last = _sign_in("guess.last", "password1", CLIENT_A)
    assert _locked_out(last)
    assert "Signing in from here is paused" in last.content.decode()
    # Even the right password for a real account is refused from that address...
    assert _locked_out(_sign_in("ana.lyst", PASSWORD, CLIENT_A))
    # ...while everyone else signs in as usual.
    assert _sign_in("ana.lyst", PASSWORD, CLIENT_B).status_code == 302

    paused = AuditEvent.objects.get(event_type=EventType.SIGN_IN_ADDRESS_PAUSED)
    assert paused.ip_address == CLIENT_A
    assert paused.actor_username == "guess.last"
    assert paused.detail == {"failures": 8, "limit": 8, "cool_off_minutes": 30}


def test_the_address_limit_is_not_the_per_user_limit(settings: Any) -> None:
    # A shared office address must not be paused as soon as one person mistypes a
    # password a few times.
    assert settings.LOGIN_ADDRESS_FAILURE_LIMIT == 50
    assert settings.AXES_FAILURE_LIMIT == 5


def test_the_audit_log_records_the_clients_address_not_the_proxys(analyst: User) -> None:
    _sign_in("ana.lyst", "wrong-password", f"192.0.2.1, {CLIENT_A}")
    _sign_in("ana.lyst", PASSWORD, CLIENT_B)
    failure = AuditEvent.objects.get(event_type=EventType.LOGIN_FAILURE)
    assert failure.ip_address == CLIENT_A
    login = AuditEvent.objects.get(event_type=EventType.LOGIN)
    assert login.ip_address == CLIENT_B
    # Lockout and the audit log name the same address for the same sign-in.
    assert AccessAttempt.objects.get().ip_address == CLIENT_A


def test_without_a_trusted_proxy_the_header_is_ignored(analyst: User, settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    _sign_in("ana.lyst", "wrong-password", CLIENT_A)
    assert AuditEvent.objects.get(event_type=EventType.LOGIN_FAILURE).ip_address == PROXY
