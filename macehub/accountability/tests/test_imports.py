"""Importing recommendations from CSV: all or nothing, with a row report."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.core.management import CommandError, call_command

from macehub.accountability.imports import RecommendationImportError, import_recommendations
from macehub.accountability.models import Recommendation
from macehub.accountability.tests.factories import make_inspection, make_recommendation
from macehub.accounts.roles import Role
from macehub.audit.models import AuditEvent

if TYPE_CHECKING:
    from macehub.conftest import StandardUsers

pytestmark = pytest.mark.django_db

GOOD = (b"kind,number,text,addressed_to,theme\n"
        b"recommendation,1,Supervise investigations,Chief Constables,supervision\n"
        b"Area for improvement,2,Share intelligence,the partnership,Intelligence sharing\n")


def test_a_good_file_is_imported_and_audited(users: StandardUsers, tmp_path: Path) -> None:
    inspection = make_inspection(users[Role.SENIOR_LEADER])
    path = tmp_path / "recs.csv"
    path.write_bytes(GOOD)
    call_command("import_recommendations", str(path), "--inspection", str(inspection.pk))
    assert sorted(Recommendation.objects.values_list("kind", "number", "theme")) == [
        ("area_for_improvement", 2, "intelligence_sharing"),
        ("recommendation", 1, "supervision")]
    assert AuditEvent.objects.filter(event_type="import",
                                     record_type="accountability.inspection").exists()


def test_a_file_with_any_bad_row_imports_nothing(users: StandardUsers, tmp_path: Path
                                                 ) -> None:
    inspection = make_inspection(users[Role.SENIOR_LEADER])
    make_recommendation(inspection, number=4)
    data = GOOD + (b"recommendation,4,Again,,supervision\n"
                   b"recommendation,x,,,nonsense\n"
                   b"recommendation,1,Twice,,training\n")
    with pytest.raises(RecommendationImportError) as refused:
        import_recommendations(data_file(tmp_path, data), actor=users[Role.SENIOR_LEADER],
                               inspection=inspection)
    report = refused.value.report()
    assert 'Row 4, column "number": This inspection already has recommendation 4' in report
    assert 'Row 5, column "number"' in report
    assert 'Row 5, column "text"' in report
    assert 'Row 5, column "theme"' in report
    assert 'Row 6, column "number": The same number as row 2' in report
    assert Recommendation.objects.count() == 1
    path = tmp_path / "bad.csv"
    path.write_bytes(b"kind,number\n")
    with pytest.raises(CommandError, match="Columns missing: text, addressed_to, theme"):
        call_command("import_recommendations", str(path), "--inspection", str(inspection.pk))


def data_file(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "upload.csv"
    path.write_bytes(data)
    return path
