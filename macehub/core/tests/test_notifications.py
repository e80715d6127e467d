"""Notifications: the SMTP backend through Django's outbox, and the GOV.UK Notify
backend against a real HTTP server on this machine, its client pointed at it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from django.core import mail
from django.test import override_settings

from macehub.core.notifications import (
    NotificationNotSent,
    notify_api_key_is_well_formed,
    render_message,
    send_notification,
    template_keys,
)
from macehub.testing.notify import (
    API_KEY,
    SECRET,
    SERVICE_ID,
    TEMPLATE_IDS,
    FakeNotify,
    fake_notify_server,
)

ADDRESS = "a.referrer@school.example.org"
PERSONALISATION = {"reference": "REF-2026-00042", "received_on": "3 December 2026",
                   "outcome": "Strategy discussion",
                   "outcome_in_plain_words": "The hub will hold a strategy discussion about "
                                             "the child.",
                   "referrer_name": "Alex Referrer", "hub_name": "Northshire MACE hub"}


def test_each_message_is_a_directory_of_subject_and_body() -> None:
    assert template_keys() == ["meeting_action_reminder", "referral_decided"]


@override_settings(NOTIFY_BACKEND="smtp",
                   EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
                   DEFAULT_FROM_EMAIL="hub@example.invalid")
def test_smtp_sends_the_hubs_own_template_through_djangos_e_mail() -> None:
    send_notification(to=ADDRESS, template_key="referral_decided",
                      personalisation=PERSONALISATION)
    [message] = mail.outbox
    assert message.to == [ADDRESS] and message.from_email == "hub@example.invalid"
    assert message.subject == "Referral REF-2026-00042: the MACE hub has made a decision"
    assert "Dear Alex Referrer," in message.body
    assert "your referral REF-2026-00042, which you sent on 3 December 2026." in message.body
    assert "Outcome: Strategy discussion" in message.body


@override_settings(NOTIFY_BACKEND="smtp",
                   EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_an_smtp_failure_is_reported_without_the_address(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OSError(f"550 mailbox {ADDRESS} unavailable")

    monkeypatch.setattr("macehub.core.notifications.send_mail", refuse)
    with caplog.at_level(logging.INFO), pytest.raises(NotificationNotSent) as refused:
        send_notification(to=ADDRESS, template_key="referral_decided",
                          personalisation=PERSONALISATION)
    assert str(refused.value) == "referral_decided: e-mail failed (OSError)"
    assert "Notification not sent: referral_decided" in caplog.text
    assert ADDRESS not in caplog.text and "Alex" not in caplog.text


# --- GOV.UK Notify, against a server on this machine --------------------------------------


@pytest.fixture
def fake_notify() -> Iterator[FakeNotify]:
    with fake_notify_server() as server:
        yield server


def test_notify_gets_the_template_id_and_personalisation_with_a_signed_token(
        fake_notify: FakeNotify) -> None:
    send_notification(to=ADDRESS, template_key="referral_decided",
                      personalisation=PERSONALISATION)
    [request] = fake_notify.requests
    assert request["path"] == "/v2/notifications/email"
    assert request["body"] == {"email_address": ADDRESS,
                               "template_id": TEMPLATE_IDS["referral_decided"],
                               "personalisation": PERSONALISATION}
    scheme, token = request["headers"]["Authorization"].split(" ")
    assert scheme == "Bearer"
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert claims["iss"] == SERVICE_ID and "iat" in claims
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, "not-the-secret-" + "x" * 32, algorithms=["HS256"])
    assert len(mail.outbox) == 0


@pytest.mark.parametrize("status", [400, 403, 429, 500, 503])
def test_a_notify_error_is_reported_and_logged_without_personal_data(
        fake_notify: FakeNotify, status: int, caplog: pytest.LogCaptureFixture) -> None:
    fake_notify.status = status
    with caplog.at_level(logging.DEBUG), pytest.raises(NotificationNotSent) as refused:
        send_notification(to=ADDRESS, template_key="referral_decided",
                          personalisation=PERSONALISATION)
    assert str(refused.value) == f"referral_decided: GOV.UK Notify answered {status}"
    assert f"Notification not sent: referral_decided: GOV.UK Notify answered {status}" in (
        caplog.text)
    for personal in (ADDRESS, "Alex", "Referrer"):
        assert personal not in caplog.text
    assert len(fake_notify.requests) == 1


def test_an_unreachable_notify_is_reported(
        fake_notify: FakeNotify, caplog: pytest.LogCaptureFixture) -> None:
    with override_settings(NOTIFY_BASE_URL="http://127.0.0.1:9"), pytest.raises(
            NotificationNotSent, match=r"GOV\.UK Notify answered 503"):
        send_notification(to=ADDRESS, template_key="referral_decided",
                          personalisation=PERSONALISATION)
    assert ADDRESS not in caplog.text


def test_a_key_without_a_template_id_is_reported(fake_notify: FakeNotify) -> None:
    with override_settings(NOTIFY_TEMPLATES={}), pytest.raises(
            NotificationNotSent, match=r"no GOV\.UK Notify template id"):
        send_notification(to=ADDRESS, template_key="referral_decided",
                          personalisation=PERSONALISATION)
    assert fake_notify.requests == []


@pytest.mark.parametrize(("api_key", "well_formed"), [
    (API_KEY, True), (f"{SERVICE_ID}-{SECRET}", False), (API_KEY[:-1], False),
    (f"name-{SERVICE_ID}-not-a-secret-but-36-characters-long!!", False), ("", False)])
def test_the_shape_of_a_notify_api_key(api_key: str, well_formed: bool) -> None:
    assert notify_api_key_is_well_formed(api_key) is well_formed


def test_the_messages_are_plain_text_never_html_escaped() -> None:
    subject, body = render_message("meeting_action_reminder", {
        "reference": "MA-2026-0001", "meeting_reference": "MT-2026-0001",
        "series": "Missing & exploited", "held_on": "1 March 2026", "due_on": "5 March 2026",
        "overdue": "yes", "owner_name": "Sam O'Neil", "hub_name": "Northshire MACE hub",
        "path": "/meetings/actions/1/status/"})
    assert subject == "Meeting action MA-2026-0001 is overdue"
    assert body.startswith("Dear Sam O'Neil,\n")
    assert "(Missing & exploited, 1 March 2026), was due on 5 March 2026 and is overdue." in body
    assert body.endswith("Northshire MACE hub\n")
