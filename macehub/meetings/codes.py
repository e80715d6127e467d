"""The meetings app's code lists: the kind of meeting series, how each agency attended a
meeting, and where an action stands."""

from __future__ import annotations

from macehub.core.codes import CodeList, code_display


@code_display("series_kind", default_colour="blue")
class SeriesKind(CodeList):
    WEEKLY_TACTICAL = "weekly_tactical", "Weekly tactical meeting"
    STRATEGIC = "strategic", "Partnership strategic meeting"


@code_display("attendance", tag_colours={
    "present": "green", "deputy": "blue", "apologies": "yellow", "absent": "red"})
class AttendanceStatus(CodeList):
    PRESENT = "present", "Present"
    DEPUTY = "deputy", "Deputy sent"
    APOLOGIES = "apologies", "Apologies"
    ABSENT = "absent", "Absent"


# An agency attended when its member or a deputy was there.
ATTENDED = frozenset({AttendanceStatus.PRESENT, AttendanceStatus.DEPUTY})


@code_display("meeting_action_status", tag_colours={
    "open": "blue", "done": "green", "dropped": "grey"})
class ActionStatus(CodeList):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"
