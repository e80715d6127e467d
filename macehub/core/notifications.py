"""Sending a notification: one function, whichever service carries it.

``send_notification`` takes an e-mail address, a template key and the personalisation
values, and hands them to the backend the settings choose (``NOTIFY_BACKEND``):

* ``smtp`` (the default): Django's e-mail (the ``EMAIL_*`` settings), the subject and
  body rendered from ``templates/notifications/<key>/subject.txt`` and ``body.txt``;
* ``govuk_notify``: the GOV.UK Notify API through its official client, the key mapped to
  the Notify template id in ``NOTIFY_TEMPLATES``; the same personalisation fills it.

Each template key is a directory under ``templates/notifications``, so the messages are
kept once and the settings can refuse a Notify configuration that lacks one of them.
Personalisation values are strings (Notify's own rule), already formatted by the sender.

A notification that cannot be sent raises ``NotificationNotSent``, whose text names the
template key and the service's answer only: never the address or the personalisation,
as error texts end up in logs (an SMTP refusal, for one, quotes the address).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

SMTP = "smtp"
GOVUK_NOTIFY = "govuk_notify"
BACKENDS = (SMTP, GOVUK_NOTIFY)
GOVUK_NOTIFY_BASE_URL = "https://api.notifications.service.gov.uk"
TEMPLATES_DIRECTORY = Path(__file__).resolve().parent.parent / "templates" / "notifications"


def template_keys(directory: Path = TEMPLATES_DIRECTORY) -> list[str]:
    """The keys of the hub's messages: one directory each (read by the settings too)."""
    return sorted(path.name for path in directory.iterdir() if path.is_dir())


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def notify_api_key_is_well_formed(api_key: str) -> bool:
    """A Notify API key ends with the service id and the secret, two UUIDs (the client
    reads them from those places, so a key cut short would fail only when first used)."""
    return len(api_key) >= 74 and is_uuid(api_key[-73:-37]) and is_uuid(api_key[-36:])


class NotificationNotSent(Exception):
    """The service refused or could not be reached; the message says which, and what
    it answered, without anything about the recipient."""

    def __init__(self, template_key: str, reason: str) -> None:
        super().__init__(f"{template_key}: {reason}")
        self.template_key = template_key
        self.reason = reason


class Backend(Protocol):
    def send(self, *, to: str, template_key: str, personalisation: Mapping[str, str]) -> None:
        ...


class SmtpBackend:
    """Django's e-mail: the message rendered from the hub's own templates."""

    def send(self, *, to: str, template_key: str, personalisation: Mapping[str, str]) -> None:
        subject, body = render_message(template_key, personalisation)
        try:
            send_mail(subject=subject, message=body, from_email=settings.DEFAULT_FROM_EMAIL,
                      recipient_list=[to])
        except Exception as exc:
            # The exception's text may quote the address: only its kind is kept.
            raise NotificationNotSent(template_key, f"e-mail failed ({type(exc).__name__})"
                                      ) from None


class GovukNotifyBackend:
    """GOV.UK Notify: the template lives in the Notify service, found by its id."""

    def send(self, *, to: str, template_key: str, personalisation: Mapping[str, str]) -> None:
        from notifications_python_client.errors import APIError
        from notifications_python_client.notifications import NotificationsAPIClient

        template_id = settings.NOTIFY_TEMPLATES.get(template_key)
        if not template_id:
            raise NotificationNotSent(template_key, "no GOV.UK Notify template id is set")
        # The client has no type hints, hence the ignores.
        client = NotificationsAPIClient(  # type: ignore[no-untyped-call]
            settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL,
            timeout=settings.NOTIFY_TIMEOUT_SECONDS)
        try:
            client.send_email_notification(  # type: ignore[no-untyped-call]
                email_address=to, template_id=template_id,
                personalisation=dict(personalisation))
        except APIError as exc:
            # Notify's error text can echo what was sent: only the status is kept.
            raise NotificationNotSent(
                template_key, f"GOV.UK Notify answered {exc.status_code}") from None
        except Exception as exc:
            raise NotificationNotSent(
                template_key, f"GOV.UK Notify failed ({type(exc).__name__})") from None


def render_message(template_key: str, personalisation: Mapping[str, str]) -> tuple[str, str]:
    """The subject (one line) and body of a message from the hub's templates."""
    context = dict(personalisation)
    subject = render_to_string(f"notifications/{template_key}/subject.txt", context)
    body = render_to_string(f"notifications/{template_key}/body.txt", context)
    return " ".join(subject.split()), body


def backend() -> Backend:
    if settings.NOTIFY_BACKEND == GOVUK_NOTIFY:
        return GovukNotifyBackend()
    return SmtpBackend()


def send_notification(*, to: str, template_key: str,
                      personalisation: Mapping[str, str]) -> None:
    """Send one notification, or raise ``NotificationNotSent`` (already logged, without
    the address or personalisation)."""
    try:
        backend().send(to=to, template_key=template_key, personalisation=personalisation)
    except NotificationNotSent as exc:
        logger.warning("Notification not sent: %s", exc)
        raise
