"""The workforce app's code list: the kinds of work a worker's caseload is counted in,
each weighted by the hub's caseload weighting (``models.CaseloadWeighting``)."""

from __future__ import annotations

from macehub.core.codes import CodeList, code_display


@code_display("work_kind", default_colour="grey")
class WorkKind(CodeList):
    """What a worker holds. A case counts at its risk tier (the cases app's tiers); an
    exhibit waiting counts against the officer in the case of its investigation, who
    must chase it (the examiner is named only once the full report is written, so a
    device waiting has no examiner yet)."""

    HIGH_CASE = "high_case", "Case at High risk (key worker)"
    MEDIUM_CASE = "medium_case", "Case at Medium risk (key worker)"
    LOW_CASE = "low_case", "Case at Low risk (key worker)"
    INVESTIGATION = "investigation", "Open investigation (officer in the case)"
    EXHIBIT = "exhibit", "Exhibit waiting for forensics (officer in the case)"
    MEETING_ACTION = "meeting_action", "Open meeting action (owner)"
