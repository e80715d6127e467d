"""A stand-in for the GOV.UK Notify API for tests: a real HTTP server on 127.0.0.1 that
records what Notify's client sends, with the hub's settings pointed at it."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django.test import override_settings

from macehub.core.notifications import GOVUK_NOTIFY

SERVICE_ID = "3f0c5b8e-1d2a-4c6b-9e7f-0a1b2c3d4e5f"
SECRET = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"  # noqa: S105 - a made-up key for tests
API_KEY = f"macehub_test-{SERVICE_ID}-{SECRET}"
TEMPLATE_IDS = {"referral_decided": "11111111-2222-4333-8444-555555555555",
                "meeting_action_reminder": "66666666-7777-4888-9999-aaaaaaaaaaaa"}


def body_address(state: FakeNotify) -> str:
    return str(state.requests[-1]["body"].get("email_address", "")) if state.requests else ""


@dataclass
class FakeNotify:
    """A stand-in for the Notify API: records each request, answers with ``status``."""

    url: str
    status: int = 201
    requests: list[dict[str, Any]] = field(default_factory=list)


@contextmanager
def fake_notify_server() -> Iterator[FakeNotify]:
    """A Notify API on 127.0.0.1 with the hub's settings pointed at it."""
    state = FakeNotify(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            state.requests.append({"path": self.path, "headers": dict(self.headers),
                                   "body": json.loads(self.rfile.read(length))})
            if state.status == 201:
                answer: dict[str, Any] = {"id": "740e5834-3a29-46b4-9a6f-16142fde533a",
                                          "content": {}, "template": {}}
            else:
                # Notify's errors may echo what was sent: the hub must not log them.
                refusal = f"Cannot send to {body_address(state)}"
                answer = {"status_code": state.status,
                          "errors": [{"error": "BadRequestError", "message": refusal}]}
            payload = json.dumps(answer).encode()
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with override_settings(NOTIFY_BACKEND=GOVUK_NOTIFY, NOTIFY_API_KEY=API_KEY,
                               NOTIFY_BASE_URL=state.url, NOTIFY_TEMPLATES=TEMPLATE_IDS,
                               NOTIFY_TIMEOUT_SECONDS=5):
            yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
