"""Code lists for child safeguarding cases, and the ratings and kinds of exploitation that
describe a child's risk wherever it is recorded (a referral's triage, the case, its risk
assessments): referrals sit above cases and use these from here. Indicators themselves are
data (``cases/data/indicators.csv``)."""

from django.db import models

from macehub.core.codes import CodeList, code_display


class IndicatorDomain(models.TextChoices):
    HEALTH = "health", "Health"
    BEHAVIOUR = "behaviour", "Behaviour"
    GROOMING = "grooming", "Grooming"
    ONLINE = "online", "Online"
    CRIMINAL = "criminal", "Criminal exploitation"


class ExploitationType(models.TextChoices):
    """The kinds of exploitation a hub works with (DOMAIN.md, "Exploitation types"). A
    referral or case may record more than one."""

    CSE = "cse", "Child sexual exploitation"
    CCE = "cce", "Child criminal exploitation (including county lines)"
    TRAFFICKING = "trafficking", "Trafficking and modern slavery"


class ExploitationModel(models.TextChoices):
    """How the exploitation happens (DOMAIN.md, "Exploitation models"), in the plain words a
    designated safeguarding lead would use, recorded on referrals, cases and offender
    groups. The stored codes are the older typology's names and must not change."""

    INAPPROPRIATE_RELATIONSHIP = (
        "inappropriate_relationship",
        "A relationship with someone much older, or with power over them",
    )
    BOYFRIEND = "boyfriend", "An older boyfriend or girlfriend"
    PEER_ON_PEER = "peer_on_peer", "Child-on-child (by other children or young people)"
    PARTY = "party", "Taken or invited to parties where children are abused"
    ONLINE = "online", "Online"
    LONE_OFFENDER = "lone_offender", "One adult acting alone"
    GROUP_BASED = "group_based", "A group of adults acting together"
    GANG_ASSOCIATED = "gang_associated", "Linked to a gang"
    NOT_KNOWN = "not_known", "Not known yet"


NOT_RECORDED = "Not recorded"


def exploitation_model_label(value: str) -> str:
    """An exploitation model's words; blank is "Not recorded", a state of its own."""
    if not value:
        return NOT_RECORDED
    return str(ExploitationModel(value).label) if value in ExploitationModel.values else value


# Records made before types were recorded were all about child sexual exploitation.
DEFAULT_EXPLOITATION_TYPES = [ExploitationType.CSE.value]


def default_exploitation_types() -> list[str]:
    """A new list each time (a JSON field's default must not be shared)."""
    return list(DEFAULT_EXPLOITATION_TYPES)


def exploitation_type_labels(values: list[str] | tuple[str, ...]) -> list[str]:
    """The labels of stored exploitation types, in the code list's order."""
    chosen = set(values)
    return [str(label) for value, label in ExploitationType.choices if value in chosen]


@code_display("brag", tag_colours={"red": "red", "amber": "orange", "green": "green",
                                   "blue": ""})
class Brag(CodeList):
    """MASH BRAG rating: how urgently partner information and a decision are needed."""

    RED = "red", "Red – possible child protection concern"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"
    BLUE = "blue", "Blue – no MASH response"


@code_display("risk_tier", tag_colours={"high": "red", "medium": "orange", "low": "yellow"})
class RiskTier(CodeList):
    HIGH = "high", "High – being exploited"
    MEDIUM = "medium", "Medium – at significant risk"
    LOW = "low", "Low – vulnerable"


# Ordering of tiers for comparisons and sorting (higher is more serious).
RISK_TIER_RANK = {RiskTier.LOW: 1, RiskTier.MEDIUM: 2, RiskTier.HIGH: 3}


def tier_rank() -> models.Case:
    """A case's tier as its rank (``RISK_TIER_RANK``) in SQL, 0 without one: what the
    case list sorts by, and the expression the index behind that sort is built on."""
    return models.Case(
        *[models.When(risk_tier=tier.value, then=models.Value(rank))
          for tier, rank in RISK_TIER_RANK.items()],
        default=models.Value(0),
        output_field=models.IntegerField(),
    )

# The tag colours as maps, for the callers that still look colours up by code.
# Derived from the declarations above: the colours are declared once, there.
BRAG_TAG_COLOURS = Brag.tag_colours()
RISK_TIER_TAG_COLOURS = RiskTier.tag_colours()


def short_label(choice: Brag | RiskTier) -> str:
    """``Red`` for "Red – possible child protection concern" (the code list's own
    ``short_label``; kept for its callers)."""
    return choice.short_label


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class ClosureReason(models.TextChoices):
    RISK_REDUCED = "risk_reduced", "Risk reduced – no longer needs a MACE response"
    STEPPED_DOWN = "stepped_down", "Stepped down to another service"
    MOVED_AWAY = "moved_away", "Moved out of the area (transferred)"
    TURNED_18 = "turned_18", "Turned 18 (transition to adult services)"
    OTHER = "other", "Other"


# Reasons no longer offered. A child not engaging is never a reason to close: it is itself
# a sign of exploitation, so the case stays open with a plan to re-engage them. Cases closed
# with one before keep its code and its words (``Case.closure_reason_words``).
RETIRED_CLOSURE_REASONS = {
    "no_engagement": "Did not engage, risk assessed as manageable",
}


def closure_reason_label(code: str) -> str:
    """The words of a closure reason, current or retired."""
    if code in ClosureReason.values:
        return str(ClosureReason(code).label)
    return RETIRED_CLOSURE_REASONS.get(code, code)


class DecisionKind(models.TextChoices):
    """Changes a worker asks for and a supervisor or the MACE chair decides: each makes
    the hub's response to a child smaller, so a second person approves it."""

    CLOSE = "close", "Close the case"
    LOWER_TIER = "lower_tier", "Lower the risk tier"
    LIFT_RESTRICTION = "lift_restriction", "Lift the restriction"


class JoinedReferralReview(models.TextChoices):
    """How the case's tier was reviewed after a new referral joined the open case."""

    TIER_KEPT = "tier_kept", "Reviewed – tier kept"
    TIER_RAISED = "tier_raised", "Tier raised"
    LOWERING_ASKED = "lowering_asked", "Asked to lower the tier"
    TIER_LOWERED = "tier_lowered", "Tier lowered"


@code_display("decision_status", tag_colours={"pending": "blue", "approved": "green",
                                             "rejected": "red", "withdrawn": "grey"})
class DecisionStatus(CodeList):
    PENDING = "pending", "Waiting for a decision"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    # Closed without a decision because it no longer applies (the case was closed).
    WITHDRAWN = "withdrawn", "Withdrawn"


@code_display("plan_item_status", tag_colours={"open": "", "done": "green", "cancelled": "grey"})
class PlanItemStatus(CodeList):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class ContactKind(models.TextChoices):
    HOME_VISIT = "home_visit", "Home visit"
    SCHOOL_VISIT = "school_visit", "School visit"
    PHONE = "phone", "Phone call"
    ONLINE = "online", "Message or video call"
    MEETING = "meeting", "Meeting"
    OTHER = "other", "Other"


class SeenAnswer(models.TextChoices):
    """Whether the child was seen at a contact, and whether seen alone. Blank on
    contacts recorded before the question was asked: not recorded, never guessed."""

    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


SEEN_ANSWER_HINTS = {
    SeenAnswer.NOT_APPLICABLE: "For example a phone call, or a meeting the child was not at",
}


def seen_answer_label(code: str) -> str:
    """A seen or seen-alone answer in words; "Not recorded" for a contact recorded before
    the question was asked."""
    if code in SeenAnswer.values:
        return str(SeenAnswer(code).label)
    return "Not recorded"


class OutcomeKind(models.TextChoices):
    DISCLOSURE = "disclosure", "Child made a disclosure"
    ENGAGED = "engaged", "Engaged with support"
    RISK_REDUCED = "risk_reduced", "Risk reduced"
    EDUCATION_RETURNED = "education", "Returned to education"
    MISSING_REDUCED = "missing_reduced", "Missing episodes reduced"
    DISRUPTION = "disruption", "Perpetrator disrupted"
    PROSECUTION = "prosecution", "Perpetrator charged or prosecuted"
    OTHER = "other", "Other"


@code_display("missing_episode_state", tag_colours={
    "still_missing": "red", "offer_due": "", "offer_overdue": "red", "offered_in_time": "green",
    "offered_late": "orange", "declined": "grey", "held": "green"})
class MissingEpisodeState(CodeList):
    """Where a missing episode stands against the return home interview clock: an
    interview must be *offered* within ``RETURN_INTERVIEW_HOURS`` of the child's return.
    The child may decline it; a declined interview is not overdue."""

    STILL_MISSING = "still_missing", "Still missing"
    OFFER_DUE = "offer_due", "Interview offer due"
    OFFER_OVERDUE = "offer_overdue", "Interview offer overdue"
    OFFERED_IN_TIME = "offered_in_time", "Interview offered in time"
    OFFERED_LATE = "offered_late", "Interview offered late"
    DECLINED = "declined", "Interview declined"
    HELD = "held", "Interview held"


# States in which an interview still has to be offered (the work queue's "due").
INTERVIEW_OFFER_OUTSTANDING = (MissingEpisodeState.OFFER_DUE, MissingEpisodeState.OFFER_OVERDUE)


class InterviewResponse(models.TextChoices):
    """The child's answer to the offer of a return home interview."""

    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class InterviewOfferer(models.TextChoices):
    """Who offered the interview: statutory guidance asks for an independent person
    (someone not involved in caring for the child or in the search) where possible."""

    INDEPENDENT = "independent", "An independent person (for example a commissioned service)"
    NOT_INDEPENDENT = "not_independent", "Not independent (for example their social worker)"


@code_display("police_risk_grade", tag_colours={"no_apparent_risk": "grey", "low": "yellow",
                                               "medium": "orange", "high": "red"})
class PoliceRiskGrade(CodeList):
    """The police risk assessment of a missing person report (College of Policing APP on
    missing persons). *Check*: the grades are the force's to confirm against the current
    APP; they are data here so the list can change without touching the pages. Blank on
    an episode when the grade is not known (and on episodes recorded before it was
    asked)."""

    NO_APPARENT_RISK = "no_apparent_risk", "No apparent risk"
    LOW = "low", "Low risk"
    MEDIUM = "medium", "Medium risk"
    HIGH = "high", "High risk"


POLICE_RISK_GRADE_HINTS = {
    PoliceRiskGrade.NO_APPARENT_RISK: "No apparent risk of harm to the child or the public",
    PoliceRiskGrade.LOW: "Risk of harm to the child or the public possible but minimal",
    PoliceRiskGrade.MEDIUM: "Risk of harm to the child or the public likely but not serious",
    PoliceRiskGrade.HIGH: "Risk of serious harm to the child or the public very likely",
}


def police_risk_grade_label(code: str) -> str:
    if code in PoliceRiskGrade.values:
        return str(PoliceRiskGrade(code).label)
    return code or "Not known"


class PlanOwnerKind(models.TextChoices):
    """Who owns a plan item: a member of hub staff (a user of the hub), or a named
    person at a partner agency (for example a school's designated safeguarding lead),
    who gets no access to the case by owning an action in it; the hub chases them."""

    HUB_STAFF = "hub_staff", "A member of hub staff"
    PARTNER = "partner", "Someone at a partner agency"


@code_display("nrm_decision", tag_colours={"positive": "green", "negative": "grey"})
class NrmDecision(CodeList):
    """A competent authority's decision on a National Referral Mechanism referral, at
    the reasonable-grounds and then the conclusive-grounds stage."""

    POSITIVE = "positive", "Positive"
    NEGATIVE = "negative", "Negative"


@code_display("domain_rating", tag_colours={"none": "green", "low": "yellow", "medium": "orange",
                                           "high": "red"})
class DomainRating(CodeList):
    """How much concern one domain of a risk assessment raises."""

    NONE = "none", "No concerns"
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


def domain_label(code: str) -> str:
    """A risk assessment domain's name (a domain of the indicator catalogue), also for
    one that has since left the code list."""
    if code in IndicatorDomain.values:
        return str(IndicatorDomain(code).label)
    return code.replace("_", " ").capitalize()
