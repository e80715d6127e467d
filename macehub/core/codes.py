"""Code lists that carry how they look: each value's label, short label and GOV.UK tag colour.

A code list is a ``CodeList`` (Django ``TextChoices``) whose looks are declared once, beside
it, with ``@code_display``::

    @code_display("risk_tier", tag_colours={"high": "red", "medium": "orange", "low": "yellow"})
    class RiskTier(CodeList):
        HIGH = "high", "High – being exploited"
        ...

Then ``RiskTier.HIGH.short_label`` is "High", ``RiskTier.HIGH.tag_colour`` is "red", and a
template draws any stored value as a tag with ``{% code_tag "risk_tier" case.risk_tier %}``
(``macehub.ui``), so no page, view or work queue keeps its own map of colours or wording.

The short label is, unless declared, the label before its " – " explanation ("Red" for
"Red – possible child protection concern"). A value with no declared colour gets the
list's default colour ("" is GOV.UK's default blue tag).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from django.db import models

_LABEL_EXPLANATION = " – "


@dataclass(frozen=True)
class CodeDisplay:
    """How one code list's values look."""

    name: str
    tag_colours: Mapping[str, str] = field(default_factory=dict)
    short_labels: Mapping[str, str] = field(default_factory=dict)
    default_colour: str = "grey"


# The display of each code list, by class and by the name templates use.
_BY_CLASS: dict[type[models.TextChoices], CodeDisplay] = {}
_BY_NAME: dict[str, type[CodeList]] = {}


class CodeList(models.TextChoices):
    """A code list whose values know their short label and tag colour."""

    @property
    def short_label(self) -> str:
        display = _BY_CLASS.get(type(self))
        declared = display.short_labels.get(self.value) if display else None
        return declared or str(self.label).split(_LABEL_EXPLANATION)[0]

    @property
    def tag_colour(self) -> str:
        display = _BY_CLASS.get(type(self))
        if display is None:
            return ""
        return display.tag_colours.get(self.value, display.default_colour)

    @classmethod
    def tag_colours(cls) -> dict[str, str]:
        """Every value's tag colour, for code that needs the whole map (charts, keys)."""
        return {member.value: member.tag_colour for member in cls}


C = TypeVar("C", bound=type[CodeList])


def code_display(
    name: str,
    *,
    tag_colours: Mapping[str, str] | None = None,
    short_labels: Mapping[str, str] | None = None,
    default_colour: str = "grey",
) -> Callable[[C], C]:
    """Declare how a code list looks, and register it under ``name`` for ``code_tag``.

    Fails at import when a colour or short label names a value the list does not have,
    or when two lists claim one name: a typo must not quietly show the default colour."""

    def declare(code_list: C) -> C:
        values = {member.value for member in code_list}
        for what, mapping in (("tag colour", tag_colours), ("short label", short_labels)):
            unknown = set(mapping or {}) - values
            if unknown:
                raise ValueError(f"{code_list.__name__} has no value {sorted(unknown)} "
                                 f"to give a {what}")
        if _BY_NAME.get(name, code_list) is not code_list:
            raise ValueError(f"Two code lists are called {name!r}")
        _BY_CLASS[code_list] = CodeDisplay(
            name=name,
            tag_colours=dict(tag_colours or {}),
            short_labels=dict(short_labels or {}),
            default_colour=default_colour,
        )
        _BY_NAME[name] = code_list
        return code_list

    return declare


def code_list_named(name: str) -> type[CodeList]:
    """The code list registered under ``name`` (``LookupError`` when there is none)."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise LookupError(f"No code list is called {name!r}") from None


def code_value(name: str, value: str) -> CodeList | None:
    """The member of the named code list for a stored value; None for a blank value or
    one that has left the list."""
    code_list = code_list_named(name)
    if value in (None, "") or value not in code_list.values:
        return None
    return code_list(value)


def tag_colour(name: str, value: str) -> str:
    """The tag colour of a stored value of the named code list ("grey" when it is blank
    or has left the list), for code that cannot import the list (it sits in a higher
    layer) or holds only the stored string."""
    member = code_value(name, value)
    return "grey" if member is None else member.tag_colour


def short_label(name: str, value: str) -> str:
    """The short label of a stored value of the named code list ("" when blank, the
    value itself when it has left the list)."""
    member = code_value(name, value)
    if member is None:
        return value or ""
    return member.short_label
