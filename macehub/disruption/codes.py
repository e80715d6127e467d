"""The disruption register's code lists: the kinds of target a tactic applies to and
where a disruption stands. The tactics themselves are data (``data/tactics.csv``, loaded
into ``Tactic`` by a data migration; a hub adds its own), not a code list."""

from __future__ import annotations

from macehub.core.codes import CodeList, code_display


@code_display("disruption_target_kind", default_colour="grey")
class TargetKind(CodeList):
    """What a disruption is aimed at: a person, a group (networks), or one of the
    intelligence app's entities."""

    PERSON = "person", "Person"
    GROUP = "group", "Group"
    PREMISES = "premises", "Premises"
    VEHICLE = "vehicle", "Vehicle"
    LOCATION = "location", "Location"
    ACCOUNT = "account", "Online account"


@code_display("disruption_status", tag_colours={
    "planned": "blue", "applied": "light-blue", "granted": "green", "refused": "grey",
    "served": "green", "breached": "red", "expired": "grey", "ended": "grey"})
class DisruptionStatus(CodeList):
    PLANNED = "planned", "Planned"
    APPLIED = "applied", "Applied for"
    GRANTED = "granted", "Granted"
    REFUSED = "refused", "Refused"
    SERVED = "served", "Served"
    BREACHED = "breached", "Breached"
    EXPIRED = "expired", "Expired"
    ENDED = "ended", "Ended"


# In force: granted or served (and still so when breached: a breach does not end it).
IN_FORCE_STATUSES = frozenset({DisruptionStatus.GRANTED, DisruptionStatus.SERVED,
                               DisruptionStatus.BREACHED})
# Still to come or in force: what counts as "active" at a date (see metrics).
ACTIVE_STATUSES = IN_FORCE_STATUSES | {DisruptionStatus.PLANNED, DisruptionStatus.APPLIED}
# Where it may go from each status (a breach is recorded as such, never chosen here).
NEXT_STATUSES: dict[str, frozenset[str]] = {
    DisruptionStatus.PLANNED: frozenset({DisruptionStatus.APPLIED, DisruptionStatus.SERVED,
                                         DisruptionStatus.ENDED}),
    DisruptionStatus.APPLIED: frozenset({DisruptionStatus.GRANTED, DisruptionStatus.REFUSED,
                                         DisruptionStatus.ENDED}),
    DisruptionStatus.GRANTED: frozenset({DisruptionStatus.SERVED, DisruptionStatus.EXPIRED,
                                         DisruptionStatus.ENDED}),
    DisruptionStatus.SERVED: frozenset({DisruptionStatus.EXPIRED, DisruptionStatus.ENDED}),
    DisruptionStatus.BREACHED: frozenset({DisruptionStatus.EXPIRED, DisruptionStatus.ENDED}),
    DisruptionStatus.REFUSED: frozenset(),
    DisruptionStatus.EXPIRED: frozenset(),
    DisruptionStatus.ENDED: frozenset(),
}
