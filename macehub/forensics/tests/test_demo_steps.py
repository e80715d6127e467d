"""The demo's seized devices, as of the tests' fixed demo day: one to three for most
investigations, mostly phones; some waiting for triage past their time, some in full
examination, some returned, and at least one old exhibit; every due time the clocks
give, nothing dated after the demo's day, each stage's dates present; the same for the
same seed (by its ``fingerprint``, in ``demo/tests/test_demo_runs``)."""

from __future__ import annotations

from collections import Counter

import pytest
from django.utils import timezone

from macehub.forensics import clocks
from macehub.forensics.codes import BACKLOG_STAGES, ExhibitStage
from macehub.forensics.models import Exhibit
from macehub.investigations.models import Investigation

pytestmark = pytest.mark.django_db


def fingerprint() -> list[tuple[object, ...]]:
    return list(Exhibit.objects.order_by("reference").values_list(
        "reference", "investigation__reference", "device_type", "seized_at", "stage",
        "triaged_at", "full_report_at"))


def test_the_demo_seizes_and_examines_devices_by_the_rules(small_demo: None) -> None:
    now = timezone.now()
    exhibits = list(Exhibit.objects.select_related("investigation"))
    investigations = Investigation.objects.count()
    assert investigations * 0.8 <= len(exhibits) <= 4 * investigations
    per_investigation = Counter(e.investigation_id for e in exhibits)
    assert max(per_investigation.values()) <= 4, "one to three, and one seized this week"
    assert len(per_investigation) >= investigations * 0.7, "most investigations have some"
    types = Counter(e.device_type for e in exhibits)
    assert types.most_common(1)[0][0] == "mobile_phone"
    stages = Counter(e.stage for e in exhibits)
    for stage in (ExhibitStage.WAITING_TRIAGE, ExhibitStage.WAITING_FULL,
                  ExhibitStage.RETURNED):
        assert stages[stage], stage
    assert any(e.full_report_at for e in exhibits), "some examined in full"
    assert any(e.stage == ExhibitStage.WAITING_TRIAGE and e.triage_due_at < now
               for e in exhibits), "some waiting past their triage time"
    assert any(e.stage in BACKLOG_STAGES and e.seized_at < clocks.old_before(now)
               for e in exhibits), "an old exhibit"
    for e in exhibits:
        assert e.seized_at >= e.investigation.created_at and e.seized_at <= now
        assert e.triage_due_at == clocks.triage_due(e.seized_at, e.priority)
        assert (e.triaged_at is None) == (e.stage == ExhibitStage.WAITING_TRIAGE)
        assert e.triaged_at is None or e.triaged_at <= now
        if e.full_examination_needed:
            assert e.full_examination_due_at == clocks.full_examination_due(e.triaged_at)
        assert (e.full_report_at is not None) == (e.full_report_on is not None)
        assert e.full_report_at is None or e.full_report_at <= now
        if e.seized_from_id is not None:
            part = (e.investigation.victims if e.owner == "victim"
                    else e.investigation.suspects)
            assert part.filter(person_id=e.seized_from_id).exists()

