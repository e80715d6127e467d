"""What the networks app holds about a person for a subject access request: each
offender group they are a member of (as a suspected offender, a victim or an associate),
with the group's status and the reason it was confirmed or rejected. A group is found in
intelligence, so the reason is withheld by default under the crime exemption (it rests
on what the intelligence says); the other members are third parties."""

from __future__ import annotations

from macehub.governance.subject_access import (
    SUBJECT_SOURCES,
    HeldField,
    HeldItem,
    SubjectSource,
    local_day,
    recorded,
)
from macehub.governance.subject_access_codes import RedactionReason
from macehub.networks.models import GroupMember

REASON_WHY = "The group's analysis rests on intelligence"


def _items(person_pk: int) -> list[HeldItem]:
    memberships = GroupMember.objects.filter(person_id=person_pk).select_related(
        "group").prefetch_related("group__members__person")
    items = []
    for membership in memberships:
        group = membership.group
        others = sorted(member.person.full_name for member in group.members.all()
                        if member.person_id != person_pk)
        items.append(HeldItem(
            record_type="networks.group", record_id=group.pk, reference=group.reference,
            date=local_day(group.proposed_at), heading="Offender group membership",
            fields=recorded(
                HeldField("part", "Part in the group", membership.get_part_display()),
                HeldField("status", "Status", group.get_status_display()),
                HeldField("reason", "Why it was confirmed or rejected", group.reason,
                          withhold=RedactionReason.CRIME if group.reason else "",
                          why=REASON_WHY)),
            others_named=others))
    return items


SUBJECT_SOURCES.register("networks", SubjectSource(label="Offender groups", items=_items))
