"""The small demo's problem profile: exploitation models on its cases and planted groups,
one draft and one published profile, and the published profile's partnership version
naming none of the demo's people or premises that its restricted version names."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from macehub.accounts.models import User
from macehub.cases.models import Case
from macehub.demo.intelligence_truth import planted_offender_groups
from macehub.networks.models import Group
from macehub.profile.hotspot_codes import PlaceMeasure
from macehub.profile.models import ProblemProfile, ProfileStatus
from macehub.testing.factories import verified_login

pytestmark = pytest.mark.django_db


def test_the_demo_profile(small_demo: Any) -> None:
    assert ProblemProfile.objects.filter(status=ProfileStatus.DRAFT).count() == 1
    published = ProblemProfile.objects.get(status=ProfileStatus.PUBLISHED)
    # Cases carry their referral's model; some have none, counted as not recorded.
    assert Case.objects.exclude(exploitation_model="").exists()
    assert Case.objects.filter(exploitation_model="").exists() or Case.objects.count() == (
        Case.objects.exclude(exploitation_model="").count())
    planted_suspects = {pk for truth in planted_offender_groups() for pk in truth.suspect_ids}
    planted_groups = Group.objects.filter(status="confirmed",
                                          members__person_id__in=planted_suspects).distinct()
    assert planted_groups.exists(), "the comparison ran on the planted groups"
    assert set(planted_groups.values_list("exploitation_model", flat=True)) <= {
        "group_based", "party"}
    names = [str(row["name"]) for figures in published.restricted_figures.values()
             for row in (figures.get("named") or {}).get("rows", [])]
    assert names, "the restricted version names the premises and suspects most linked"
    client = Client()
    verified_login(client, User.objects.get(username="senior.police"))
    restricted = client.get(reverse("profile:published_restricted", args=[published.pk]))
    shared = client.get(reverse("profile:published_partnership", args=[published.pk]))
    assert restricted.status_code == shared.status_code == 200
    for name in names:
        assert name in restricted.content.decode(), name
        assert name not in shared.content.decode(), name
    assert "[c]" in shared.content.decode()
    # Where it happens: the demo's places counted by ward for each measure, with each
    # measure's reading; the wards' counts are suppressed in the partnership version.
    hotspots = published.restricted_figures["hotspots"]
    assert [found["measure"] for found in hotspots["hotspots"]] == [
        str(measure.label) for measure in PlaceMeasure]
    assert hotspots["tables"][0]["total"] > 0, "the demo's places are counted by ward"
    assert "Where it happens" in restricted.content.decode()
    assert published.partnership_figures["hotspots"]["tables"][0].get("suppressed")
