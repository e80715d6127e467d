"""Typed readers for settings that come from the environment.

Each reader fails loudly: a missing required value or one that does not parse stops
start-up with a message naming the variable, rather than turning into "None" or a
silent default. A secret can be given directly (``NAME``) or as a file (``NAME_FILE``),
so that container secrets never need to sit in the environment.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_REQUIRED = object()
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        path = Path(file_name)
        if not path.is_file():
            raise ImproperlyConfigured(f"{name}_FILE points at {file_name}, which is not a file")
        return path.read_text(encoding="utf-8").strip()
    return os.environ.get(name)


def env_str(name: str, default: str | object = _REQUIRED) -> str:
    value = _raw(name)
    if value is None or value == "":
        if default is _REQUIRED:
            raise ImproperlyConfigured(f"The environment variable {name} must be set")
        return str(default)
    return value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be {minimum} or more, not {value!r}")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_mapping(name: str, default: dict[str, str]) -> dict[str, str]:
    """``key=value,key=value`` (or a file of them, one a line), e.g. template ids by key."""
    value = _raw(name)
    if value is None:
        return default
    mapping: dict[str, str] = {}
    for item in value.replace("\n", ",").split(","):
        if not item.strip():
            continue
        key, separator, entry = item.partition("=")
        if not separator or not key.strip() or not entry.strip():
            raise ImproperlyConfigured(f"{name} must be key=value pairs, not {item.strip()!r}")
        mapping[key.strip()] = entry.strip()
    return mapping
