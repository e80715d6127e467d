"""Two people editing the same case: the second save is refused with what the first
person changed, nothing is overwritten, and what the second person typed is kept."""

from __future__ import annotations

import pytest
from django.urls import reverse

from macehub.cases import services
from macehub.cases.codes import ClosureReason, RiskTier
from macehub.cases.tests.conftest import client_for
from macehub.core.versioning import EditConflict

pytestmark = pytest.mark.django_db


def test_the_second_save_is_refused_with_the_first_persons_changes(case, triage, supervisor):
    services.change_risk_tier(actor=supervisor, case_pk=case.pk, expected_version=1,
                              risk_tier=RiskTier.HIGH, reason="New intelligence")
    with pytest.raises(EditConflict) as excinfo:
        services.set_key_worker(actor=triage, case_pk=case.pk, expected_version=1,
                                key_worker=triage)
    assert excinfo.value.their_changes == {
        "Risk tier": {
            "old": "Medium – at significant risk", "new": "High – being exploited",
            "by": supervisor.username,
            "text": f"Medium – at significant risk to High – being exploited, by "
                    f"{supervisor.username}",
        }
    }
    case.refresh_from_db()
    assert case.key_worker is None and case.risk_tier == RiskTier.HIGH and case.version == 2


def test_asking_to_close_against_an_old_version_is_refused(case, triage, supervisor):
    services.set_key_worker(actor=supervisor, case_pk=case.pk, expected_version=1,
                            key_worker=supervisor)
    with pytest.raises(EditConflict) as excinfo:
        services.request_case_closure(actor=triage, case_pk=case.pk, expected_version=1,
                                      closure_reason=ClosureReason.RISK_REDUCED)
    assert excinfo.value.their_changes["Key worker"]["new"] == supervisor.display_name
    case.refresh_from_db()
    assert case.is_open


def test_the_page_shows_the_conflict_and_keeps_what_was_typed(case, triage, supervisor):
    url = reverse("cases:change_tier", args=[case.pk])
    first, second = client_for(supervisor), client_for(triage)
    assert "value=\"1\"" in first.get(url).content.decode()
    assert second.get(url).status_code == 200
    assert first.post(url, {"version": "1", "risk_tier": "high",
                            "reason": "Found with adults"}).status_code == 302
    response = second.post(url, {"version": "1", "risk_tier": "low",
                                 "reason": "Engaging well with school"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed this case while you were editing it" in html
    assert "What the other person changed" in html
    assert "to High – being exploited, by super.visor" in html
    assert "Engaging well with school" in html  # what they typed is kept
    assert 'name="version" value="2"' in html
    case.refresh_from_db()
    assert case.risk_tier == RiskTier.HIGH
    # Having seen the change, they may save again on purpose.
    again = second.post(url, {"version": "2", "risk_tier": "low",
                              "reason": "Engaging well with school"})
    assert again.status_code == 302
    case.refresh_from_db()
    # Lowering is asked for: the case stays High until a supervisor approves it.
    assert case.risk_tier == RiskTier.HIGH and case.version == 2
    [asked] = case.decision_requests.all()
    assert (asked.from_tier, asked.to_tier, asked.requested_by) == ("high", "low", triage)
