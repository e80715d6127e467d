"""Pieces of table cells for ``components/table.html`` built in Python (``cases.tables``,
``intelligence.tables``): each is text or the hub's own markup, escaped with
``format_html`` or drawn by a component."""

from __future__ import annotations

from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from macehub.ui.templatetags.govuk import draw_tag


def counted(count: int, noun: str) -> str:
    """"1 case", "1,234 cases"."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def small(text: Any) -> SafeString:
    return format_html('<span class="govuk-body-s">{}</span>', text)


def hidden(text: str) -> SafeString:
    return format_html('<span class="govuk-visually-hidden">{}</span>', text)


def tag(text: str, colour: str = "", classes: str = "") -> SafeString:
    return draw_tag(text, colour, classes)


def joined(*parts: Any) -> SafeString:
    """Parts of one cell, a line each (empty parts left out)."""
    return format_html_join(mark_safe("<br>"), "{}", ((part,) for part in parts if part))
