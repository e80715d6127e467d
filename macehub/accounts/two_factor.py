"""Whether a signed-in session has passed the two-factor check (set by OTPMiddleware)."""

from typing import Any


def session_is_verified(user: Any) -> bool:
    check = getattr(user, "is_verified", None)
    return bool(check and check())
