"""A partner system tells the hub what it knows through the API: the submission service
receives it (queued for the hub's review, audited as the system); a refusal is 400."""

from __future__ import annotations

import pytest
from django.test import Client

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.intelligence.codes import ReportStatus
from macehub.intelligence.models import Submission
from macehub.testing.factories import make_api_client, make_team

pytestmark = pytest.mark.django_db


def test_a_partner_system_submits_information_and_lists_its_submissions(
    partner_agency: Agency, hub_team: Team
) -> None:
    team = make_team(partner_agency, "Front door", is_hub_team=False)
    _client, token = make_api_client("casesys", Role.SOCIAL_WORKER, agency=partner_agency,
                                     team=team)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    web = Client()
    refused = web.post("/api/intelligence/submissions/", {"what": "A red car"},
                       content_type="application/json", **bearer)
    assert refused.status_code == 400 and set(refused.json()) == {"how_known"}
    blank = web.post("/api/intelligence/submissions/", {"what": " ", "how_known": "Told"},
                     content_type="application/json", **bearer)
    assert blank.status_code == 400 and "what" in blank.json()

    response = web.post("/api/intelligence/submissions/", {
        "what": "A red car waits outside the school at 3pm.", "how_known": "Staff saw it",
        "where": "Northtown Academy",
    }, content_type="application/json", **bearer)
    assert response.status_code == 201, response.content
    submission = Submission.objects.get(reference=response.json()["reference"])
    assert response.json()["status"] == "received"
    assert submission.report is not None
    assert submission.report.status == ReportStatus.AWAITING_REVIEW
    assert submission.report.owning_team == hub_team
    assert AuditEvent.objects.get(event_type=EventType.CREATE,
                                  record_type="intelligence.submission"
                                  ).actor_username == "api.casesys"
    listed = web.get("/api/intelligence/submissions/", **bearer).json()
    assert [row["reference"] for row in listed["results"]] == [submission.reference]
