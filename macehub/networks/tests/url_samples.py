"""Samples for the URL x role test: a group proposed as possible group-based CSE, whose
member is the sample person and whose evidence is the sample intelligence report (so
everyone who may see both may see the group, and its network). The network pages of
people and entities use the people and intelligence samples."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from macehub.networks.codes import MemberPart
from macehub.networks.models import Group, GroupEvidence, GroupMember


def build(samples: dict[str, Any]) -> None:
    group = Group.objects.create(
        reference="GRP-SAMPLE-0001", name="Possible group GRP-SAMPLE-0001",
        proposed_by=samples["user_pk"], proposed_at=timezone.now(),
        proposing_team=samples["hub_team"])
    GroupMember.objects.create(group=group, person=samples["person_pk"],
                               part=MemberPart.SUSPECT)
    GroupEvidence.objects.create(
        group=group, report=samples["intel_report_pk"],
        members_named=[{"person": samples["person_pk"].pk, "role": "suspect"}])
    samples["group_pk"] = group
