"""Run the test identity provider: ``python -m macehub.testing.oidc_provider.serve
REDIRECT_URI CLIENT_ID CLIENT_SECRET [CLIENT_ID CLIENT_SECRET ...]`` with
``MACEHUB_TEST_PROVIDER_DIR`` set. It migrates its database, makes its signing key, the
hub's clients (one for each agency whose provider it stands for) and a sign-in for each
person in the people file (password: their username backwards and "-password"), binds a
free port on 127.0.0.1, prints ``PORT <n>`` and serves until it is stopped."""

from __future__ import annotations

import json
import os
import sys
from wsgiref.simple_server import WSGIRequestHandler, make_server


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def password_for(username: str) -> str:
    return f"{username[::-1]}-password"


def main(redirect_uri: str, *clients: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "macehub.testing.oidc_provider.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oidc_provider.models import Client, ResponseType

    from macehub.testing.oidc_provider.settings import PEOPLE_FILE

    call_command("migrate", verbosity=0)
    call_command("creatersakey", stdout=open(os.devnull, "w"))  # noqa: SIM115
    response_type = ResponseType.objects.get_or_create(value="code")[0]
    for client_id, client_secret in zip(clients[::2], clients[1::2], strict=True):
        client = Client.objects.create(
            name=f"MACE Hub ({client_id})", client_type="confidential", client_id=client_id,
            client_secret=client_secret, require_consent=False, reuse_consent=True,
            jwt_alg="RS256",
        )
        client.redirect_uris = [redirect_uri]
        client.save()
        client.response_types.add(response_type)
    for username in json.loads(PEOPLE_FILE.read_text()):
        User.objects.create_user(username, password=password_for(username))

    server = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=_QuietHandler)
    settings.SITE_URL = f"http://127.0.0.1:{server.server_port}"
    print(f"PORT {server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(*sys.argv[1:])
