"""The disruptions aimed at a group, on its page."""

from __future__ import annotations

from typing import Any

from macehub.accounts.models import User
from macehub.disruption.codes import TargetKind
from macehub.disruption.sections import section_context
from macehub.networks.models import Group
from macehub.networks.sections import group_section


@group_section("disruptions", template="disruption/_disruptions.html", order=100)
def group_disruptions(user: User, group: Group) -> dict[str, Any] | None:
    return section_context(user, TargetKind.GROUP, group.pk, "this group")
