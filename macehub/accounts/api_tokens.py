"""Partner systems' API tokens: random, shown once, stored only as a hash.

A token is 256 random bits from ``secrets``; with that much randomness a plain SHA-256
is enough to keep it (nothing to guess from the hash, no salt or slow hash needed), and
it lets the hub find the client by the hash alone.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

TOKEN_PREFIX = "mh_"  # noqa: S105 (marks a hub token; not a secret)


@dataclass(frozen=True)
class IssuedToken:
    token: str  # shown to the administrator once, never stored
    hash: str
    prefix: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token() -> IssuedToken:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return IssuedToken(token=token, hash=token_hash(token), prefix=token[:10])
