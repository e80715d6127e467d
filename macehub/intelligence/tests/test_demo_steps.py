"""The demo's year of intelligence, and the truth it plants for the analytics to find."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from macehub.core.phones import normalise_phone
from macehub.demo.intelligence_truth import (
    entity_model,
    planted_hotspots,
    planted_lone_offenders,
    planted_offender_groups,
)
from macehub.intelligence.models import (
    IntelligenceReport,
    Location,
    OnlineAccount,
    PhoneNumber,
    Premises,
    ReportLink,
    Submission,
    Vehicle,
)
from macehub.intelligence.normalise import (
    normalise_handle,
    normalise_registration,
)
from macehub.testing.clock import on_demo_day

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("small_demo_for_module")]

AS_OF = dt.date(2026, 6, 1)
DEMO_SEED = 4  # the module's demo (small_demo_for_module)


@pytest.fixture(autouse=True)
def _demo_mode(settings: Any) -> Iterator[None]:
    """Demo mode, and the clock on ``AS_OF``: the data and "now" agree on any day."""
    settings.DEMO_MODE = True
    with on_demo_day(AS_OF):
        yield



def reports_linking(kind: str, entity_id: int) -> set[int]:
    return set(ReportLink.objects.filter(**{kind: entity_id}).values_list("report_id",
                                                                          flat=True))


def test_offender_groups_are_there_to_be_found_by_their_links() -> None:
    groups = planted_offender_groups()
    assert len(groups) == 4
    for group in groups:
        assert 2 <= len(group.suspect_ids) <= 8
        assert 2 <= len(group.child_ids) <= 6
        suspects = set(group.suspect_ids)
        with_shared: set[int] = set()
        for kind, ids in group.shared_entity_ids.items():
            for entity_id in ids:
                report_ids = reports_linking(kind, entity_id)
                assert report_ids <= set(group.report_ids)
                linked = set(ReportLink.objects.filter(
                    report_id__in=report_ids, person_id__in=suspects
                ).values_list("person_id", flat=True))
                assert len(linked) >= 2, (kind, entity_id)
                with_shared |= linked
        assert with_shared == suspects
        victims = set(ReportLink.objects.filter(report_id__in=group.report_ids,
                                                role="victim").values_list("person_id",
                                                                           flat=True))
        assert victims <= set(group.child_ids)
        assert group.shared_entity_ids["vehicle"] and group.shared_entity_ids["phone"]
    all_suspects = [pk for g in groups for pk in g.suspect_ids]
    assert len(all_suspects) == len(set(all_suspects))


def test_hotspots_lone_offenders_and_noise() -> None:
    hotspots = planted_hotspots()
    assert len(hotspots) == 3
    for hotspot in hotspots:
        assert hotspot.area_code.startswith("E05999")
        assert Location.objects.get(pk=hotspot.location_id).area is not None
        assert reports_linking("location", hotspot.location_id) == set(hotspot.report_ids)
    lone = planted_lone_offenders()
    assert len(lone) == 4
    for offender in lone:
        assert 1 <= len(offender.child_ids) <= 2
        for kind, ids in offender.entity_ids.items():
            for entity_id in ids:
                assert reports_linking(kind, entity_id) <= set(offender.report_ids)
    planted = {(kind, pk) for g in planted_offender_groups()
               for kind, ids in g.shared_entity_ids.items() for pk in ids}
    planted |= {(kind, pk) for o in lone for kind, ids in o.entity_ids.items() for pk in ids}
    planted |= {("location", h.location_id) for h in hotspots}
    # Every other entity is noise: mentioned once.
    for kind in ("vehicle", "phone", "account", "premises", "location"):
        for entity_id in entity_model(kind).objects.values_list("pk", flat=True):
            if (kind, entity_id) not in planted:
                assert len(reports_linking(kind, entity_id)) <= 1, (kind, entity_id)


def test_a_years_intelligence_with_mixed_handling_reviews_and_sharing() -> None:
    reports = IntelligenceReport.objects.all()
    end = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    current = reports.filter(is_legacy_5x5x5=False)
    assert current.filter(received_at__lt=end - dt.timedelta(days=367)).count() == 0
    handling = Counter(current.values_list("handling_code", flat=True))
    assert handling["P"] > 2 * handling["C"] > 0
    statuses = Counter(reports.values_list("status", flat=True))
    assert statuses["reviewed"] > statuses["awaiting_review"] > 0
    assert statuses["historic"] == 6
    assert Submission.objects.exists()
    for report in current.filter(handling_code="C"):
        assert report.handling_conditions
        assert report.permitted_teams.exists() or report.permitted_agencies.exists()
    for report in reports.filter(reviewed_at__isnull=False):
        assert report.reviewed_at >= report.received_at  # type: ignore[operator]
    # Every value is in the hub's own normalised form.
    for vehicle in Vehicle.objects.all():
        assert normalise_registration(vehicle.registration) == vehicle.registration
    for phone in PhoneNumber.objects.all():
        assert normalise_phone(phone.number) == phone.number
    for account in OnlineAccount.objects.all():
        assert normalise_handle(account.handle) == account.handle
    for premises in Premises.objects.all():
        assert premises.search_keys.strip()
