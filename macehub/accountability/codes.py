"""The accountability app's code lists: who inspected, what kind of finding it is, the
inspection's themes, where an action stands, the force's status of a recommendation and
the Police and Crime Commissioner's independent assessment of it."""

from __future__ import annotations

from macehub.core.codes import CodeList, code_display


@code_display("inspecting_body", default_colour="grey")
class InspectingBody(CodeList):
    HMICFRS = "hmicfrs", "HM Inspectorate of Constabulary and Fire & Rescue Services"
    OFSTED = "ofsted", "Ofsted"
    CQC = "cqc", "Care Quality Commission"
    HMI_PROBATION = "hmi_probation", "HM Inspectorate of Probation"
    JTAI = "jtai", "Joint targeted area inspection"
    INTERNAL_REVIEW = "internal_review", "Internal review"


@code_display("finding_kind", tag_colours={
    "recommendation": "blue", "area_for_improvement": "purple"})
class FindingKind(CodeList):
    RECOMMENDATION = "recommendation", "Recommendation"
    AREA_FOR_IMPROVEMENT = "area_for_improvement", "Area for improvement"


@code_display("inspection_theme", default_colour="grey")
class Theme(CodeList):
    SUPERVISION = "supervision", "Supervision"
    DISRUPTION = "disruption", "Disruption"
    DIGITAL_FORENSICS = "digital_forensics", "Digital forensics"
    TRAINING = "training", "Training"
    DATA_QUALITY = "data_quality", "Data quality"
    PROBLEM_PROFILES = "problem_profiles", "Problem profiles"
    VICTIM_CARE = "victim_care", "Victim care"
    INTELLIGENCE_SHARING = "intelligence_sharing", "Intelligence sharing"


@code_display("improvement_action_status", tag_colours={
    "open": "blue", "done": "green", "dropped": "grey"})
class ActionStatus(CodeList):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


@code_display("force_status", tag_colours={
    "not_started": "grey", "in_progress": "blue", "completed": "turquoise",
    "evidenced": "green"})
class ForceStatus(CodeList):
    """Where the force says a recommendation stands. Completed and evidenced are closed:
    the services refuse them without evidence."""

    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    EVIDENCED = "evidenced", "Evidenced"


@code_display("pcc_assessment", tag_colours={
    "not_assessed": "grey", "insufficient": "red", "progressing": "yellow",
    "achieved": "green"})
class Assessment(CodeList):
    """The Police and Crime Commissioner's independent assessment of a recommendation."""

    NOT_ASSESSED = "not_assessed", "Not yet assessed"
    INSUFFICIENT = "insufficient", "Insufficient progress"
    PROGRESSING = "progressing", "Progressing"
    ACHIEVED = "achieved", "Achieved"


# The force's statuses that close a recommendation: each needs evidence.
CLOSED_STATUSES = frozenset({ForceStatus.COMPLETED, ForceStatus.EVIDENCED})
# An action that is finished, one way or the other.
FINISHED_ACTIONS = frozenset({ActionStatus.DONE, ActionStatus.DROPPED})
