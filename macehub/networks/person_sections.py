"""Groups on a person's record: the groups they are a member of that the viewer may see
(a section of the person page, with a link to their network), and a flag on the child's
identity bar (person and case pages) for each confirmed group."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from macehub.access.actions import Action
from macehub.access.policy import allows
from macehub.accounts.models import User
from macehub.networks.codes import GroupStatus
from macehub.networks.groups import groups_for
from macehub.networks.models import GroupMember
from macehub.people.identity import IdentityFlag, identity_flag
from macehub.people.models import Person
from macehub.people.sections import person_section

STATUS_COLOURS = {GroupStatus.PROPOSED: "yellow", GroupStatus.CONFIRMED: "red",
                  GroupStatus.REJECTED: "grey"}


_MEMBERSHIPS = "_networks_memberships"


def _memberships(user: User, person: Person) -> list[GroupMember]:
    """The person's memberships of groups the user may see, read once per page (the
    section and the identity bar's flags both ask), kept on the person fetched for this
    request and for this user only."""
    held = getattr(person, _MEMBERSHIPS, None)
    if held is not None and held[0] == user.pk:
        return list(held[1])
    memberships = list(GroupMember.objects.filter(
        person=person, group__in=groups_for(user)).select_related("group").order_by(
        "-group__proposed_at", "-group__pk"))
    setattr(person, _MEMBERSHIPS, (user.pk, memberships))
    return memberships


@person_section("groups", template="networks/_person_groups.html", order=210)
def person_groups(user: User, person: Person) -> dict[str, Any] | None:
    if not allows(user, Action.NETWORK_VIEW):
        return None
    return {"person": person, "memberships": [
        {"group": member.group, "part": member.get_part_display(),
         "colour": STATUS_COLOURS[GroupStatus(member.group.status)]}
        for member in _memberships(user, person)]}


@identity_flag("confirmed groups")
def confirmed_group_flags(user: User, person: Person) -> list[IdentityFlag]:
    """"Group-based CSE" for each confirmed group the viewer may see the child is in."""
    if not allows(user, Action.GROUP_VIEW):
        return []
    return [IdentityFlag(text=f"Group-based CSE ({member.group.reference})", colour="red",
                         url=reverse("networks:group_detail", args=[member.group.pk]))
            for member in _memberships(user, person)
            if member.group.status == GroupStatus.CONFIRMED]
