"""The investigations app's code lists: where an investigation stands, the points at
which a supervisor reviews it, and the Home Office crime outcome codes.

The outcome codes are the Home Office's (*check* the current list against the Home
Office Counting Rules before relying on a code's wording): each is stored by its number,
and the groups the hub measures (charge or summons, out-of-court outcomes, and the
evidential-difficulty outcomes counted as attrition) are read from here, never repeated.
"""

from __future__ import annotations

from macehub.core.codes import CodeList, code_display


@code_display("investigation_status", tag_colours={
    "open": "blue", "charging_decision": "purple", "closed": "grey"})
class InvestigationStatus(CodeList):
    OPEN = "open", "Open"
    # A file has gone to the CPS (or a police decision-maker) for a charging decision.
    CHARGING_DECISION = "charging_decision", "Awaiting a charging decision"
    CLOSED = "closed", "Closed"


@code_display("review_point", tag_colours={})
class ReviewPoint(CodeList):
    """When a supervisory review falls due (APP reviewing duties; local policy)."""

    ALLOCATION = "allocation", "On allocation"
    PERIODIC = "periodic", "Regular review while open"
    BEFORE_CHARGE = "before_charge", "Before a charging decision"
    BEFORE_CLOSURE = "before_closure", "Before closure"


@code_display("outcome_code", default_colour="grey")
class OutcomeCode(CodeList):
    CHARGE_SUMMONS = "1", "Outcome 1 – Charge or summons"
    YOUTH_CAUTION = "2", "Outcome 2 – Youth caution or conditional caution"
    ADULT_CAUTION = "3", "Outcome 3 – Adult caution or conditional caution"
    TAKEN_INTO_CONSIDERATION = "4", "Outcome 4 – Taken into consideration"
    OFFENDER_DIED = "5", "Outcome 5 – The offender has died"
    PENALTY_NOTICE = "6", "Outcome 6 – Penalty notice for disorder"
    CANNABIS_KHAT_WARNING = "7", "Outcome 7 – Cannabis or khat warning"
    COMMUNITY_RESOLUTION = "8", "Outcome 8 – Community resolution"
    NOT_IN_PUBLIC_INTEREST_CPS = "9", (
        "Outcome 9 – Prosecution not in the public interest (CPS)")
    NOT_IN_PUBLIC_INTEREST_POLICE = "10", (
        "Outcome 10 – Formal action not in the public interest (police)")
    SUSPECT_UNDER_AGE = "11", "Outcome 11 – Suspect below the age of criminal responsibility"
    SUSPECT_TOO_ILL = "12", "Outcome 12 – Suspect too ill to prosecute"
    VICTIM_OR_WITNESS_UNABLE = "13", (
        "Outcome 13 – Victim or key witness dead or too ill to give evidence")
    VICTIM_DECLINES_TO_IDENTIFY = "14", (
        "Outcome 14 – Victim declines or is unable to support action to identify the suspect")
    EVIDENTIAL_DIFFICULTIES = "15", (
        "Outcome 15 – Suspect identified, victim supports action, evidential difficulties")
    VICTIM_DOES_NOT_SUPPORT = "16", (
        "Outcome 16 – Suspect identified, victim does not support further action")
    TIME_LIMIT_EXPIRED = "17", "Outcome 17 – Prosecution time limit expired"
    NO_SUSPECT_IDENTIFIED = "18", "Outcome 18 – Investigation complete, no suspect identified"
    ANOTHER_BODY = "20", "Outcome 20 – Action taken by another body or agency"
    NOT_IN_PUBLIC_INTEREST_FURTHER = "21", (
        "Outcome 21 – Further investigation not in the public interest (police)")
    DIVERSIONARY = "22", "Outcome 22 – Diversionary, educational or intervention activity"


# The groups of outcomes the hub reports on.
CHARGE_OUTCOMES = frozenset({OutcomeCode.CHARGE_SUMMONS})
OUT_OF_COURT_OUTCOMES = frozenset({
    OutcomeCode.YOUTH_CAUTION, OutcomeCode.ADULT_CAUTION, OutcomeCode.PENALTY_NOTICE,
    OutcomeCode.CANNABIS_KHAT_WARNING, OutcomeCode.COMMUNITY_RESOLUTION,
    OutcomeCode.DIVERSIONARY})
# Evidential difficulties, the victim's support among them: where victims are lost.
ATTRITION_OUTCOMES = frozenset({
    OutcomeCode.VICTIM_DECLINES_TO_IDENTIFY, OutcomeCode.EVIDENTIAL_DIFFICULTIES,
    OutcomeCode.VICTIM_DOES_NOT_SUPPORT})


@code_display("line_of_enquiry_status", tag_colours={"open": "", "done": "green",
                                                     "closed": "grey"})
class EnquiryStatus(CodeList):
    OPEN = "open", "Open"
    DONE = "done", "Done – result recorded"
    CLOSED = "closed", "Closed without a result"


@code_display("release_kind", tag_colours={"bail": "purple", "rui": "grey"})
class ReleaseKind(CodeList):
    """How a suspect is released while the investigation goes on (PACE): pre-charge bail
    may carry conditions (not to contact the children, to live at an address); release
    under investigation carries none."""

    BAIL = "bail", "Pre-charge bail"
    RELEASED_UNDER_INVESTIGATION = "rui", "Released under investigation"


@code_display("charging_decision", tag_colours={
    "charge": "green", "action_plan": "yellow", "nfa_evidential": "grey",
    "nfa_public_interest": "grey", "out_of_court": "blue"})
class ChargingDecision(CodeList):
    """What the charging decision-maker decided on a file (the Director's Guidance on
    Charging; *check* the wording against the current edition)."""

    CHARGE = "charge", "Charge or summons authorised"
    # The file comes back to the officer in the case with what else is needed.
    ACTION_PLAN = "action_plan", "More evidence needed (action plan)"
    NFA_EVIDENTIAL = "nfa_evidential", "No further action – evidential test not met"
    NFA_PUBLIC_INTEREST = "nfa_public_interest", (
        "No further action – prosecution not in the public interest")
    OUT_OF_COURT = "out_of_court", "Out-of-court disposal"


@code_display("charging_decision_maker", tag_colours={})
class ChargingDecisionMaker(CodeList):
    # Sexual offences against children are the CPS's to charge; the police decide the
    # cases the Director's Guidance leaves to them.
    CPS = "cps", "Crown Prosecution Service"
    POLICE = "police", "Police (under the Director's Guidance)"


# --- The victim's journey -----------------------------------------------------------


@code_display("victims_code_right", tag_colours={})
class VictimsCodeRight(CodeList):
    """The twelve rights of the Code of Practice for Victims of Crime in England and
    Wales (2020; *check* against the current Code). Stored by number."""

    UNDERSTOOD = "1", "Right 1 – To be able to understand and to be understood"
    CRIME_RECORDED = "2", "Right 2 – To have the details of the crime recorded without delay"
    INFORMATION_ON_REPORTING = "3", "Right 3 – To be given information when reporting the crime"
    REFERRED_TO_SUPPORT = "4", "Right 4 – To be referred to services that support victims"
    COMPENSATION = "5", "Right 5 – To be given information about compensation"
    INVESTIGATION_INFORMATION = "6", (
        "Right 6 – To be given information about the investigation and prosecution")
    PERSONAL_STATEMENT = "7", "Right 7 – To make a Victim Personal Statement"
    TRIAL_INFORMATION = "8", (
        "Right 8 – To be given information about the trial and their role as a witness")
    OUTCOME_INFORMATION = "9", "Right 9 – To be given information about the outcome and appeals"
    EXPENSES_AND_PROPERTY = "10", "Right 10 – To be paid expenses and have property returned"
    OFFENDER_INFORMATION = "11", (
        "Right 11 – To be given information about the offender after a conviction")
    COMPLAINT = "12", "Right 12 – To make a complaint about their rights not being met"


@code_display("entitlement_response", tag_colours={
    "taken_up": "green", "declined": "grey", "waiting": "yellow"})
class EntitlementResponse(CodeList):
    TAKEN_UP = "taken_up", "Taken up"
    DECLINED = "declined", "Declined"
    WAITING = "waiting", "Offered, no answer yet"


@code_display("pre_trial_therapy", tag_colours={
    "offered": "yellow", "started": "green", "declined": "grey", "not_needed": "grey"})
class PreTrialTherapy(CodeList):
    """Pre-trial therapy (CPS guidance: a child need not wait for the trial to be
    helped)."""

    NOT_DISCUSSED = "", "Not discussed yet"
    OFFERED = "offered", "Offered"
    STARTED = "started", "Started"
    DECLINED = "declined", "Declined"
    NOT_NEEDED = "not_needed", "Not needed"


@code_display("journey_step", tag_colours={})
class JourneyStepKind(CodeList):
    ABE_INTERVIEW = "abe_interview", "Achieving Best Evidence interview"
    SPECIAL_MEASURE = "special_measure", "Special measure"
    COURT_HEARING = "court_hearing", "Court hearing"


@code_display("journey_step_status", tag_colours={
    "planned": "blue", "held": "green", "applied": "yellow", "granted": "green",
    "refused": "red", "cancelled": "grey"})
class JourneyStepStatus(CodeList):
    PLANNED = "planned", "Planned"
    HELD = "held", "Held"
    APPLIED = "applied", "Applied for"
    GRANTED = "granted", "Granted"
    REFUSED = "refused", "Refused"
    CANCELLED = "cancelled", "Cancelled"


# Which statuses each kind of step takes.
STEP_STATUSES = {
    JourneyStepKind.ABE_INTERVIEW: (JourneyStepStatus.PLANNED, JourneyStepStatus.HELD,
                                    JourneyStepStatus.CANCELLED),
    JourneyStepKind.SPECIAL_MEASURE: (JourneyStepStatus.APPLIED, JourneyStepStatus.GRANTED,
                                      JourneyStepStatus.REFUSED),
    JourneyStepKind.COURT_HEARING: (JourneyStepStatus.PLANNED, JourneyStepStatus.HELD,
                                    JourneyStepStatus.CANCELLED),
}


@code_display("special_measure", tag_colours={})
class SpecialMeasure(CodeList):
    """Special measures for a child witness (Youth Justice and Criminal Evidence Act
    1999, ss. 23–30)."""

    SCREENS = "screens", "Screens (s. 23)"
    LIVE_LINK = "live_link", "Live link (s. 24)"
    IN_PRIVATE = "in_private", "Evidence given in private (s. 25)"
    WIGS_AND_GOWNS = "wigs_gowns", "Wigs and gowns removed (s. 26)"
    RECORDED_EVIDENCE_IN_CHIEF = "recorded_chief", "Video-recorded evidence in chief (s. 27)"
    RECORDED_CROSS_EXAMINATION = "recorded_cross", (
        "Video-recorded cross-examination before trial (s. 28)")
    INTERMEDIARY = "intermediary", "Examination through an intermediary (s. 29)"
    AIDS_TO_COMMUNICATION = "aids", "Aids to communication (s. 30)"


@code_display("court_hearing", tag_colours={})
class CourtHearing(CodeList):
    FIRST_APPEARANCE = "first_appearance", "First appearance"
    PLEA_AND_TRIAL_PREPARATION = "ptph", "Plea and trial preparation hearing"
    GROUND_RULES = "ground_rules", "Ground rules hearing"
    PRE_RECORDED_CROSS = "s28", "Pre-recorded cross-examination (s. 28)"
    TRIAL = "trial", "Trial"
    SENTENCING = "sentencing", "Sentencing"


@code_display("withdrawal_reason", tag_colours={})
class WithdrawalReason(CodeList):
    """Why a child victim withdrew support for the investigation or prosecution (local
    list, *check* against the force's victim satisfaction categories)."""

    FEAR = "fear", "Fear of the suspect or of reprisals"
    RELATIONSHIP = "relationship", "Still in a relationship with, or loyal to, the suspect"
    FAMILY_PRESSURE = "family", "Pressure from family or community"
    COURT = "court", "Does not want to go to court or give evidence"
    DELAY = "delay", "The time the investigation or prosecution is taking"
    TRUST = "trust", "Lost trust in the police or other services"
    WELLBEING = "wellbeing", "Their mental health or wellbeing"
    MOVE_ON = "move_on", "Wants to move on"
    OTHER = "other", "Another reason (in the note)"
