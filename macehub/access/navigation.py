"""The service navigation: each entry is shown only to users the policy allows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from macehub.access.actions import Action
from macehub.access.policy import allows


@dataclass(frozen=True)
class NavEntry:
    text: str
    url_name: str
    action: Action
    # Left out for users who have this (fuller) page in the menu already.
    unless: Action | None = None


NAVIGATION = (
    NavEntry("Home", "home", Action.USE_HUB),
    NavEntry("Your referrals", "referrals:mine", Action.REFERRAL_VIEW_OWN),
    NavEntry("Triage", "referrals:queue", Action.REFERRAL_VIEW),
    NavEntry("People", "people:search", Action.PERSON_SEARCH),
    NavEntry("Intelligence", "intelligence:report_list", Action.INTELLIGENCE_VIEW),
    NavEntry("Share information", "intelligence:submit", Action.INTELLIGENCE_SUBMIT,
             unless=Action.INTELLIGENCE_VIEW),
    NavEntry("Cases", "cases:list", Action.CASE_LIST),
    NavEntry("Performance", "performance:dashboard", Action.PERFORMANCE_VIEW),
    # Whoever publishes the month's report finds the published ones in the menu too.
    NavEntry("Published reports", "performance:reports", Action.PERFORMANCE_PUBLISH),
    NavEntry("Published reports", "performance:reports", Action.PERFORMANCE_PUBLISHED_VIEW,
             unless=Action.PERFORMANCE_VIEW),
    NavEntry("Disproportionality", "equality:overview", Action.EQUALITY_VIEW),
    NavEntry("Disproportionality", "equality:published", Action.EQUALITY_PUBLISHED_VIEW,
             unless=Action.EQUALITY_VIEW),
    NavEntry("Areas", "people:area_list", Action.AREA_VIEW),
    NavEntry("Audit log", "audit:log", Action.AUDIT_LOG_VIEW),
    NavEntry("Changes of access", "accounts:role_change_list", Action.ROLE_CHANGE_VIEW,
             unless=Action.ACCOUNTS_MANAGE),
    NavEntry("Administration", "accounts:admin_home", Action.ACCOUNTS_MANAGE),
)


def navigation_for(user: Any, path: str) -> list[dict[str, Any]]:
    if not getattr(user, "is_authenticated", False):
        return []
    items: list[dict[str, Any]] = []
    for entry in NAVIGATION:
        if not allows(user, entry.action) or (entry.unless and allows(user, entry.unless)):
            continue
        url = reverse(entry.url_name)
        if any(item["href"] == url for item in items):
            continue
        active = path == url if url == "/" else path.startswith(url)
        items.append({"text": entry.text, "href": url, "active": active})
    # One page is the current one: the deepest entry that holds it (published reports
    # lie under the dashboard's address).
    current = max((item for item in items if item["active"]),
                  key=lambda item: len(str(item["href"])), default=None)
    for item in items:
        item["active"] = item is current
    return items
