"""Signing in: passwords, two-factor enrolment and checks, lockout, and the audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.testing.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def analyst(hub_agency, hub_team):
    return make_user("ana.lyst", Role.ANALYST, agency=hub_agency, team=hub_team,
                     password=PASSWORD)


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _sign_in(client: Client, username: str, password: str):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_first_sign_in_requires_enrolling_an_authenticator(client, analyst) -> None:
    response = _sign_in(client, "ana.lyst", PASSWORD)
    assert response.status_code == 302
    # Until two-factor is set up, every page leads to enrolment.
    response = client.get(reverse("people:search"))
    assert response["Location"] == reverse("accounts:two_factor_setup")
    page = client.get(reverse("accounts:two_factor_setup"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=analyst, confirmed=False)
    response = client.post(reverse("accounts:two_factor_setup"), {"token": _code(device)})
    assert response["Location"] == reverse("home")
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("people:search")).status_code == 200
    assert AuditEvent.objects.filter(event_type=EventType.TWO_FACTOR_ENROLLED).count() == 1


def test_later_sign_ins_ask_for_a_code(client, analyst) -> None:
    device = TOTPDevice.objects.create(user=analyst, name="phone", confirmed=True)
    _sign_in(client, "ana.lyst", PASSWORD)
    response = client.get(reverse("people:search"))
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))
    # An unverified session cannot enrol a second device to get round the check.
    assert client.get(reverse("accounts:two_factor_setup"))["Location"] == reverse(
        "accounts:two_factor_verify"
    )
    wrong = client.post(reverse("accounts:two_factor_verify"), {"token": "000000"})
    assert "The security code is wrong" in wrong.content.decode()
    assert AuditEvent.objects.filter(event_type=EventType.TWO_FACTOR_FAILURE).exists()
    # A wrong code slows down the next attempt (django-otp throttling), and says so.
    too_soon = client.post(reverse("accounts:two_factor_verify"), {"token": _code(device)})
    assert "Too many wrong codes. Wait" in too_soon.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count >= 1
    device.throttle_reset()
    ok = client.post(reverse("accounts:two_factor_verify"),
                     {"token": _code(device), "next": reverse("people:search")})
    assert ok["Location"] == reverse("people:search")
    assert client.get(reverse("people:search")).status_code == 200


def test_the_api_refuses_a_session_that_has_not_passed_two_factor(client, analyst) -> None:
    TOTPDevice.objects.create(user=analyst, name="phone", confirmed=True)
    _sign_in(client, "ana.lyst", PASSWORD)
    assert client.get("/api/people/?q=x").status_code == 403


def test_sign_in_and_failures_are_audited(client, analyst) -> None:
    _sign_in(client, "ana.lyst", "wrong-password")
    _sign_in(client, "ana.lyst", PASSWORD)
    failure = AuditEvent.objects.get(event_type=EventType.LOGIN_FAILURE)
    assert failure.actor_username == "ana.lyst"
    assert AuditEvent.objects.filter(event_type=EventType.LOGIN, actor_id=analyst.pk).exists()


def test_bad_sign_in_shows_the_error_summary_and_keeps_the_username(client, analyst) -> None:
    response = _sign_in(client, "ana.lyst", "wrong-password")
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Enter a correct username and password" in html
    assert 'value="ana.lyst"' in html


def test_repeated_failures_lock_the_account(client, analyst, settings) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "ana.lyst", "wrong-password")
    response = _sign_in(client, "ana.lyst", PASSWORD)
    assert response.status_code == 429
    assert "Your account is locked" in response.content.decode()
    assert client.get(reverse("people:search")).status_code == 302


def test_sign_out_ends_the_session(client, analyst) -> None:
    TOTPDevice.objects.create(user=analyst, name="phone", confirmed=True)
    _sign_in(client, "ana.lyst", PASSWORD)
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("home"))["Location"].startswith(reverse("accounts:login"))
    assert AuditEvent.objects.filter(event_type=EventType.LOGOUT).exists()


def _signed_in_and_verified(client: Client, user) -> None:
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    _sign_in(client, user.username, PASSWORD)
    client.post(reverse("accounts:two_factor_verify"), {"token": _code(device)})
    assert client.get(reverse("people:search")).status_code == 200


def _expiry(client: Client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_sessions_end_after_thirty_idle_minutes_and_activity_keeps_them(
        client, analyst, settings) -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        _signed_in_and_verified(client, analyst)
        started = _expiry(client)
        assert started == dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
        # Working through the morning keeps the session: each request within the
        # timeout of the one before.
        for _ in range(6):
            clock.shift(dt.timedelta(minutes=25))
            assert client.get(reverse("people:search")).status_code == 200
        assert _expiry(client) == dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
        # Then thirty minutes and a second without a request: signed out.
        clock.shift(dt.timedelta(minutes=30, seconds=1))
        assert client.get(reverse("people:search"))["Location"].startswith(
            reverse("accounts:login"))


def test_a_session_is_not_written_on_every_request(client, analyst) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        _signed_in_and_verified(client, analyst)
        clock.shift(dt.timedelta(seconds=30))
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("people:search"))
        assert not [q for q in queries.captured_queries
                    if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")]
        # The expiry moves on once the clock it keeps is a minute old, at most a minute
        # short of thirty minutes from the latest request: never later.
        assert _expiry(client) == dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
        clock.shift(dt.timedelta(seconds=30))
        client.get(reverse("people:search"))
        assert _expiry(client) == dt.datetime(2026, 3, 2, 9, 31, tzinfo=dt.UTC)


def test_a_visitor_who_is_not_signed_in_gets_no_session(client) -> None:
    assert client.get(reverse("accounts:login")).status_code == 200
    assert not Session.objects.exists()


def test_passwords_are_hashed_with_argon2_in_production() -> None:
    from macehub import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
