"""Sign-in, sign-out and failed sign-in all go into the audit log; a single sign-on's
entry says so, with the provider, the subject and why it was refused, if it was
(``single_sign_on.SIGN_IN_DETAIL``)."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from macehub.accounts.sessions import mark_active
from macehub.accounts.single_sign_on import SIGN_IN_DETAIL
from macehub.audit.events import EventType
from macehub.audit.services import record_event


@receiver(user_logged_in)
def audit_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    record_event(event_type=EventType.LOGIN, actor=user, request=request,
                 detail=getattr(request, SIGN_IN_DETAIL, None))
    mark_active(request.session)


@receiver(user_logged_out)
def audit_logout(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record_event(event_type=EventType.LOGOUT, actor=user, request=request)


@receiver(user_login_failed)
def audit_login_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    detail: dict[str, Any] | None = getattr(request, SIGN_IN_DETAIL, None)
    username = credentials.get("username") or (
        detail.get("username") or detail.get("subject") if detail else "")
    record_event(
        event_type=EventType.LOGIN_FAILURE,
        actor=None,
        actor_username=str(username or ""),
        request=request,
        detail=detail,
    )
