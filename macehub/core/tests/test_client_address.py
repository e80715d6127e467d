"""The client's address, directly and behind trusted reverse proxies."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from macehub.core.client_address import client_address

PROXY = "10.0.0.2"
INNER_PROXY = "10.0.0.3"


def _request(remote: str = PROXY, forwarded: str | None = None) -> Any:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_connection_is_the_client(settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    # Anyone can send X-Forwarded-For: with no proxy in front it means nothing.
    assert client_address(_request("198.51.100.20", "203.0.113.7")) == "198.51.100.20"


def test_behind_one_proxy_the_client_is_the_entry_it_appended(settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(_request(PROXY, "203.0.113.7")) == "203.0.113.7"


def test_entries_the_client_sent_are_never_taken(settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    # The client sent "X-Forwarded-For: 192.0.2.1, 192.0.2.2"; the proxy appended the
    # address it really came from.
    assert client_address(_request(PROXY, "192.0.2.1, 192.0.2.2, 203.0.113.7")) == (
        "203.0.113.7"
    )


def test_behind_two_proxies_the_client_is_second_from_the_right(settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(_request(PROXY, f"192.0.2.1, 203.0.113.7, {INNER_PROXY}")) == (
        "203.0.113.7"
    )


def test_fewer_entries_than_proxies_takes_the_leftmost_a_proxy_wrote(settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(_request(PROXY, "203.0.113.7")) == "203.0.113.7"
    assert client_address(_request(PROXY)) == PROXY


def test_ports_are_dropped_and_addresses_written_one_way(settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(_request(PROXY, "203.0.113.7:4711")) == "203.0.113.7"
    assert client_address(_request(PROXY, "[2001:DB8::0:1]:443")) == "2001:db8::1"
    assert client_address(_request(PROXY, "2001:db8:0::1")) == "2001:db8::1"


def test_an_entry_that_is_not_an_address_falls_back_to_the_connection(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(_request(PROXY, "203.0.113.7, unknown")) == PROXY
    assert "is not an address" in caplog.text


def test_no_request_has_no_address() -> None:
    assert client_address(None) == ""
