"""Reference numbers: the format every kind keeps, and the retry when another save took
the number in between (forced here by showing the routine a stale highest number, as a
save in another transaction would see it)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone

from macehub.accounts.models import Agency, User
from macehub.cases.models import Case
from macehub.core import references
from macehub.core.references import (
    REFERENCE_ATTEMPTS,
    next_reference,
    reference_prefix,
    save_with_reference,
)
from macehub.testing.factories import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_case(hub_agency: Agency, hub_user_factory: Any) -> Any:
    opener: User = hub_user_factory("case.opener")

    def build(**fields: Any) -> Case:
        # One open case per child: each case is about a child of its own.
        child = make_person(hub_agency, given_name="Synthetic", family_name="Child")
        values: dict[str, Any] = {
            "child": child, "opened_at": timezone.now(), "opened_by": opener,
            "lead_agency": hub_agency, "risk_tier": "medium",
        }
        return Case(**{**values, **fields})

    return build


def test_the_prefix_has_the_year_only_for_kinds_numbered_by_year() -> None:
    assert reference_prefix("CASE", year=2026) == "CASE-2026-"
    assert reference_prefix("KIND", year=None) == "KIND-"


def test_numbers_follow_the_highest_of_the_kind_and_year_zero_padded(new_case: Any) -> None:
    assert next_reference(Case, kind="CASE", year=2026) == "CASE-2026-000001"
    new_case(reference="CASE-2026-000041").save()
    new_case(reference="CASE-2025-000900").save()
    assert next_reference(Case, kind="CASE", year=2026) == "CASE-2026-000042"
    assert next_reference(Case, kind="CASE", year=2025) == "CASE-2025-000901"
    assert next_reference(Case, kind="CASE", year=2024) == "CASE-2024-000001"
    # A kind numbered without a year (none is today) is one sequence.
    assert next_reference(Case, kind="PLAN", year=None) == "PLAN-000001"
    new_case(reference="PLAN-000009").save()
    assert next_reference(Case, kind="PLAN", year=None) == "PLAN-000010"


def _stale_for(times: int, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """For the first ``times`` look-ups the highest number is not yet visible, as for a
    save that read it before another transaction committed its own."""
    seen: list[str] = []
    real = references._last_reference

    def stale_then_real(model: type[Model], prefix: str) -> str | None:
        seen.append(prefix)
        return None if len(seen) <= times else real(model, prefix)

    monkeypatch.setattr(references, "_last_reference", stale_then_real)
    return seen


def test_a_number_taken_meanwhile_is_retried_with_the_next(
    new_case: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    new_case(reference="CASE-2026-000001").save()
    looked_up = _stale_for(1, monkeypatch)
    with transaction.atomic():
        case = new_case()
        save_with_reference(case, kind="CASE", year=2026)
        # The failed insert ran in a savepoint: the transaction is still usable (on
        # PostgreSQL a failed statement outside one would abort it).
        assert Case.objects.filter(reference__startswith="CASE-2026-").count() == 2
    assert len(looked_up) == 2
    case.refresh_from_db()
    assert case.reference == "CASE-2026-000002"


def test_it_gives_up_after_a_few_numbers_all_taken(
    new_case: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    new_case(reference="CASE-2026-000001").save()
    looked_up = _stale_for(REFERENCE_ATTEMPTS, monkeypatch)
    with pytest.raises(IntegrityError):
        save_with_reference(new_case(), kind="CASE", year=2026)
    assert len(looked_up) == REFERENCE_ATTEMPTS
    assert Case.objects.count() == 1


def test_another_integrity_error_is_raised_at_once(
    new_case: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    looked_up = _stale_for(0, monkeypatch)
    with pytest.raises(IntegrityError):
        save_with_reference(new_case(child=None), kind="CASE", year=2026)
    assert len(looked_up) == 1
    assert not Case.objects.exists()
