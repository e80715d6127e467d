"""Template helpers for intelligence pages: durations in words, entity links, and the
intelligence a viewer may see about a person (for the person page's include)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

from macehub.intelligence import selectors
from macehub.people.models import Person

register = template.Library()


def _plural(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


@register.filter
def duration(value: dt.timedelta | None) -> str:
    """``2 days 3 hours``, ``5 hours 20 minutes``, ``12 minutes``."""
    if value is None:
        return ""
    minutes = max(0, int(value.total_seconds() // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _plural(days, "day") + (f" {_plural(hours, 'hour')}" if hours else "")
    if hours:
        return _plural(hours, "hour") + (f" {_plural(minutes, 'minute')}" if minutes else "")
    return _plural(minutes, "minute")


@register.simple_tag
def link_url(link_view: selectors.LinkView) -> str:
    """Where a linked entity's page is, or "" when the viewer may not open it."""
    if not link_view.url_name:
        return ""
    try:
        return reverse(link_view.url_name, kwargs=link_view.url_kwargs)
    except NoReverseMatch:
        return ""


@register.simple_tag
def sanitised_summary(report: Any) -> str:
    """A report's short sanitised summary, for lists."""
    return selectors.sanitised_summary(report)


@register.simple_tag
def entity_url(kind: str, pk: int) -> str:
    url_name, kwarg = selectors.ENTITY_URL_NAMES[kind]
    return reverse(url_name, kwargs={kwarg: pk})


@register.simple_tag(takes_context=True)
def intelligence_about_person(context: template.Context, person: Person
                              ) -> list[selectors.ReportMention] | None:
    """The reports the signed-in viewer may see about this person; None when the viewer
    may not read intelligence at all (the section is then left out)."""
    request: Any = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    from macehub.access import policy
    from macehub.access.actions import Action

    if not policy.allows(user, Action.INTELLIGENCE_VIEW):
        return None
    return selectors.reports_about_person(user, person)
