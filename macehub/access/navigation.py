"""The service navigation: each entry is shown only to users the policy allows.

Every page draws it, so the entries a user gets are worked out once per set of roles and
agency kind (all that ``policy.allows`` reads about a user) and URL configuration, and kept
for the life of the process; each request then only marks the current page. The menu holds
no one's data, only which of the hub's pages a kind of user may open."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.urls import get_urlconf, reverse

from macehub.access.actions import Action
from macehub.access.policy import RULES, allows


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
    NavEntry("Investigations", "investigations:list", Action.INVESTIGATION_VIEW),
    NavEntry("Digital forensics", "forensics:queue", Action.EXHIBIT_VIEW),
    NavEntry("Meetings", "meetings:list", Action.MEETING_VIEW),
    NavEntry("Disruption", "disruption:register", Action.DISRUPTION_VIEW),
    NavEntry("Training", "training:overview", Action.TRAINING_COMPLIANCE_VIEW),
    NavEntry("Your training", "training:mine", Action.TRAINING_PERSON_VIEW,
             unless=Action.TRAINING_COMPLIANCE_VIEW),
    NavEntry("Performance", "performance:dashboard", Action.PERFORMANCE_VIEW),
    # Whoever publishes the month's report finds the published ones in the menu too.
    NavEntry("Published reports", "performance:reports", Action.PERFORMANCE_PUBLISH),
    NavEntry("Published reports", "performance:reports", Action.PERFORMANCE_PUBLISHED_VIEW,
             unless=Action.PERFORMANCE_VIEW),
    NavEntry("Disproportionality", "equality:overview", Action.EQUALITY_VIEW),
    NavEntry("Disproportionality", "equality:published", Action.EQUALITY_PUBLISHED_VIEW,
             unless=Action.EQUALITY_VIEW),
    NavEntry("Problem profiles", "profile:documents", Action.PROFILE_PARTNERSHIP_VIEW),
    NavEntry("Inspections", "accountability:inspections", Action.INSPECTION_VIEW),
    NavEntry("Progress statements", "accountability:statements",
             Action.PROGRESS_STATEMENT_VIEW, unless=Action.INSPECTION_VIEW),
    NavEntry("Caseloads", "workforce:caseloads", Action.WORKFORCE_CASELOAD_VIEW),
    NavEntry("Establishment", "workforce:establishment", Action.WORKFORCE_ESTABLISHMENT,
             unless=Action.WORKFORCE_CASELOAD_VIEW),
    NavEntry("Resourcing", "workforce:report", Action.WORKFORCE_REPORT_VIEW,
             unless=Action.WORKFORCE_CASELOAD_VIEW),
    NavEntry("Partner imports", "referrals:partner_import", Action.PARTNER_IMPORT),
    NavEntry("Partner file mappings", "referrals:partner_mappings",
             Action.PARTNER_MAPPING_MANAGE, unless=Action.PARTNER_IMPORT),
    NavEntry("Areas", "people:area_list", Action.AREA_VIEW),
    NavEntry("Audit log", "audit:log", Action.AUDIT_LOG_VIEW),
    NavEntry("Background jobs", "audit:jobs", Action.BACKGROUND_JOBS_VIEW),
    NavEntry("Retention review", "audit:retention", Action.RETENTION_REVIEW),
    NavEntry("Sharing agreements", "audit:agreements", Action.SHARING_AGREEMENT_MANAGE),
    NavEntry("Subject access", "audit:subject_access", Action.SUBJECT_ACCESS_MANAGE),
    NavEntry("Changes of access", "accounts:role_change_list", Action.ROLE_CHANGE_VIEW,
             unless=Action.ACCOUNTS_MANAGE),
    NavEntry("Administration", "accounts:admin_home", Action.ACCOUNTS_MANAGE),
)


def _actions_limited_by_agency() -> list[Any]:
    return [RULES[action] for entry in NAVIGATION for action in (entry.action, entry.unless)
            if action is not None and RULES[action].agency_kinds is not None]


def _policy_key(user: Any) -> tuple[bool, frozenset[str], str | None]:
    """What ``policy.allows`` reads about a user: whether they are active, their roles and,
    when one of the menu's rules limits their roles by agency, their agency's kind (read
    only then, as ``allows`` does, so the menu costs no query it did not before). Users
    with the same key get the same menu."""
    roles = frozenset(user.role_codes) if user.is_active else frozenset()
    kind = None
    if any(rule.roles & roles for rule in _actions_limited_by_agency()):
        kind = user.agency.kind if user.agency is not None else None
    return bool(user.is_active), roles, kind


class _AnyUserWithTheKey:
    """Carries a user into the cache without making it part of the cache key: users with
    the same policy key share one answer, so whichever of them asks first computes it."""

    def __init__(self, user: Any) -> None:
        self.user = user

    def __hash__(self) -> int:
        return 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _AnyUserWithTheKey)


@lru_cache(maxsize=512)
def _entries(key: tuple[bool, frozenset[str], str | None], urlconf: str,
             asker: _AnyUserWithTheKey) -> tuple[tuple[str, str], ...]:
    """The menu (text, address) of the users with this policy key."""
    entries: list[tuple[str, str]] = []
    for entry in NAVIGATION:
        if (not allows(asker.user, entry.action)
                or (entry.unless and allows(asker.user, entry.unless))):
            continue
        url = reverse(entry.url_name, urlconf=urlconf)
        if any(href == url for _text, href in entries):
            continue
        entries.append((entry.text, url))
    # The cache keeps this holder as part of its key: it must not keep the user.
    asker.user = None
    return tuple(entries)


def navigation_for(user: Any, path: str) -> list[dict[str, Any]]:
    if not getattr(user, "is_authenticated", False):
        return []
    items: list[dict[str, Any]] = []
    urlconf = str(get_urlconf() or settings.ROOT_URLCONF)
    for text, url in _entries(_policy_key(user), urlconf, _AnyUserWithTheKey(user)):
        active = path == url if url == "/" else path.startswith(url)
        items.append({"text": text, "href": url, "active": active})
    # One page is the current one: the deepest entry that holds it (published reports
    # lie under the dashboard's address).
    current = max((item for item in items if item["active"]),
                  key=lambda item: len(str(item["href"])), default=None)
    for item in items:
        item["active"] = item is current
    return items
