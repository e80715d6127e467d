"""The address a request came from: one function for the whole hub.

Sign-in lockout (django-axes, through ``AXES_CLIENT_IP_CALLABLE``) and the audit log
both ask it, so a lockout and the audit entry for the same sign-in always name the same
address.

With no trusted proxy (``MACEHUB_TRUSTED_PROXIES=0``) the hub is reached directly and
the address is the connection's own (``REMOTE_ADDR``); ``X-Forwarded-For`` is ignored,
since anyone can send it. Behind N trusted reverse proxies each proxy appends the
address it received the request from, so the client is the N-th entry from the right;
the entries to the left of it are whatever the client sent and are never trusted.

python-ipware (django-axes' optional helper) is not used: it counts proxies in a way
that suits load balancers which also list their own addresses, prefers public over
private addresses across several headers, and falls back to other headers when one
entry does not parse, each of which lets a client choose the address it is known by.
"""

from __future__ import annotations

import ipaddress
import logging

from django.conf import settings
from django.http import HttpRequest

logger = logging.getLogger(__name__)


def _parsed(entry: str) -> str | None:
    """An address as one normal text, or None; a port some proxies add is dropped."""
    text = entry.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 203.0.113.7:4711
        text = text.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def client_address(request: HttpRequest | None) -> str:
    """The client's address, or "" when the request has none (no request at all, or a
    server listening on a Unix socket with no proxy in front)."""
    if request is None:
        return ""
    peer_text = str(request.META.get("REMOTE_ADDR", ""))
    peer = _parsed(peer_text) or peer_text[:45]
    proxies: int = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return peer
    forwarded = [
        entry for entry in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
        if entry.strip()
    ]
    hops = [*forwarded, peer]
    # Fewer entries than proxies: the request entered behind the outermost proxy, and
    # the leftmost entry is still one a trusted proxy wrote.
    chosen = hops[max(0, len(hops) - proxies - 1)]
    address = _parsed(chosen)
    if address is None:
        # A trusted proxy wrote something that is not an address: a set-up fault. Fall
        # back to the connection's address, so that lockout errs towards locking.
        logger.warning(
            "X-Forwarded-For entry %r (the client's, with %d trusted proxies) is not an "
            "address; using REMOTE_ADDR instead",
            chosen.strip()[:60], proxies,
        )
        return peer
    return address
