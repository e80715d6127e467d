"""Signing in with a username and password, and finding the signed-in user on each
request with the agency and team that nearly every page asks about (the access policy,
the audit entry's agency, the header), in the one query rather than two more."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from macehub.accounts.models import User


class HubModelBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = User._default_manager.select_related("agency", "team").filter(
            pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
