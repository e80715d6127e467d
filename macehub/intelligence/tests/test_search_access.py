"""Entity search asks access only of the reports its candidate entries name: the same
entries, scores and report counts as filtering by every report the user may see, for
every demo account, on the demo's reports (handling codes P and C, permitted agencies
and teams)."""

from __future__ import annotations

import pytest
from django.db.models import Q, QuerySet

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.intelligence import search, selectors
from macehub.intelligence.codes import EntityKind
from macehub.intelligence.models import EntitySearchEntry, IntelligenceReport

pytestmark = pytest.mark.django_db



@pytest.fixture
def demo(small_demo: None) -> None:
    """The small demo data set (``small_demo``)."""


def _every_visible_report(user: User, found: Q) -> QuerySet[EntitySearchEntry]:
    """The form entity search had: entries of every report the user may see."""
    return EntitySearchEntry.objects.filter(
        found, report_id__in=selectors.reports_for(user).values("pk"))


def _texts() -> list[str]:
    """Searches that find entries of each kind: words of places and businesses, whole
    and part references, and common words that find many."""
    texts = ["smith", "road", "street", "park"]
    for kind in EntityKind.values:
        for text, words in (EntitySearchEntry.objects.filter(kind=kind).order_by("pk")
                            .values_list("text", "words")[:40:13]):
            texts += [text, text[:4]]
            if words.split():
                texts.append(words.split()[0])
    return [text for text in dict.fromkeys(texts) if text.strip()]


def _found(user: User, text: str) -> dict[str, list[tuple[int, float, int]]]:
    return {kind: [(hit.entity.pk, hit.score, hit.reports) for hit in hits]
            for kind, hits in search._search_entities(user, text).items()}


def test_asking_access_of_the_candidates_finds_what_every_visible_report_found(
        demo: None, monkeypatch: pytest.MonkeyPatch) -> None:
    users = [user for user in User.objects.filter(is_active=True).order_by("username")
             if policy.allows(user, Action.ENTITY_VIEW)]
    texts = _texts()
    assert len(users) > 1 and len(texts) > 10
    reports = IntelligenceReport.objects.count()
    assert IntelligenceReport.objects.filter(handling_code="C").exists()
    # Someone may see some reports and not others: the comparison can tell them apart.
    assert any(0 < selectors.reports_for(user).count() < reports for user in users)

    shown = 0
    for user in users:
        for text in texts:
            now = _found(user, text)
            with monkeypatch.context() as patch:
                patch.setattr(search, "_entries_the_user_may_see", _every_visible_report)
                before = _found(user, text)
            assert now == before, (user.username, text)
            shown += sum(len(hits) for hits in now.values())
    assert shown
