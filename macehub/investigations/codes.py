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
