"""Starting the test identity provider in a second process for a test module, and
stopping it after: ``with running_provider(...) as provider:``."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

REPOSITORY = Path(__file__).resolve().parents[3]
CLIENT_ID = "mace-hub"
# A second client of the same provider, standing for a second agency's own provider.
SECOND_CLIENT_ID = "mace-hub-second-agency"


@dataclass(frozen=True)
class Provider:
    base_url: str
    client_id: str
    client_secret: str
    second_client_id: str
    second_client_secret: str

    def endpoints(self) -> dict[str, str]:
        """The provider's issuer and endpoints, as an agency's ``IdentityProvider`` holds
        them."""
        return {
            "issuer": self.base_url,
            "authorization_endpoint": f"{self.base_url}/authorize",
            "token_endpoint": f"{self.base_url}/token",
            "userinfo_endpoint": f"{self.base_url}/userinfo",
            "jwks_endpoint": f"{self.base_url}/jwks",
        }

    def hub_settings(self) -> dict[str, Any]:
        """The hub's single sign-on settings for this provider."""
        return {
            "OIDC_ENABLED": True,
            "OIDC_RP_CLIENT_ID": self.client_id,
            "OIDC_RP_CLIENT_SECRET": self.client_secret,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.base_url}/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.base_url}/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.base_url}/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.base_url}/jwks",
        }


@contextmanager
def running_provider(folder: Path, people: dict[str, dict[str, Any]],
                     redirect_uri: str) -> Iterator[Provider]:
    """The provider, serving from ``folder`` with these people, for a hub whose
    callback is ``redirect_uri``; stopped on leaving."""
    (folder / "people.json").write_text(json.dumps(people))
    secret, second_secret = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    process = subprocess.Popen(  # noqa: S603 - this Python, our own module and arguments
        [sys.executable, "-m", "macehub.testing.oidc_provider.serve", redirect_uri,
         CLIENT_ID, secret, SECOND_CLIENT_ID, second_secret],
        env={**os.environ, "MACEHUB_TEST_PROVIDER_DIR": str(folder)},
        cwd=REPOSITORY, stdout=subprocess.PIPE, text=True,
    )
    try:
        line = process.stdout.readline() if process.stdout is not None else ""
        if not line.startswith("PORT "):
            raise RuntimeError(f"the test identity provider did not start: {line!r}")
        base_url = f"http://127.0.0.1:{int(line.split()[1])}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{base_url}/.well-known/openid-configuration",
                                timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the test identity provider never answered")
            time.sleep(0.1)
        yield Provider(base_url, CLIENT_ID, secret, SECOND_CLIENT_ID, second_secret)
    finally:
        process.terminate()
        process.wait(timeout=10)
