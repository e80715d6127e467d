"""Request type for views behind the login: ``request.user`` is a hub user."""

from django.http import HttpRequest

from macehub.accounts.models import User


class HubRequest(HttpRequest):
    user: User
