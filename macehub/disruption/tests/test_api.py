"""Disruptions in the REST API: scoped and audited as the pages are."""

from __future__ import annotations

import pytest
from django.urls import reverse

from macehub.accounts.models import Agency, Team
from macehub.audit.models import AuditEvent
from macehub.disruption.tests.factories import Hub, cawn, make_hub
from macehub.testing.factories import signed_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def hub(hub_agency: Agency, hub_team: Team) -> Hub:
    return make_hub(hub_agency, hub_team)


def test_the_list_and_one_disruption_scoped_and_audited(hub: Hub) -> None:
    disruption = cawn(hub)
    client = signed_in_client(hub.analyst)
    listed = client.get(reverse("api:disruption_list")).json()
    assert [row["reference"] for row in listed["results"]] == [disruption.reference]
    assert listed["results"][0]["target"] == "Person: Dean Madeup"
    assert client.get(reverse("api:disruption_list"), {"status": "x"}).status_code == 400
    assert client.get(reverse("api:disruption_list"), {"status": "planned"}).json()[
        "count"] == 0
    detail = client.get(reverse("api:disruption_detail", args=[disruption.pk])).json()
    assert detail["children"] == [{"id": hub.child.pk, "name": "Poppy Testcase"}]
    assert detail["breaches"] == []
    assert AuditEvent.objects.filter(record_id=str(disruption.pk), event_type="view",
                                     actor_id=hub.analyst.pk).exists()


def test_victim_advocates_and_others_do_not_get_them(hub: Hub) -> None:
    disruption = cawn(hub)
    advocate = signed_in_client(hub.advocate)
    assert advocate.get(reverse("api:disruption_list")).status_code == 403
    assert advocate.get(reverse("api:disruption_detail",
                                args=[disruption.pk])).status_code == 404
    council = signed_in_client(hub.licensing)
    assert council.get(reverse("api:disruption_detail",
                               args=[disruption.pk])).status_code == 404
