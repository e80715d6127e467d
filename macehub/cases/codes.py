"""Code lists for child safeguarding cases."""

from django.db import models


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class ClosureReason(models.TextChoices):
    RISK_REDUCED = "risk_reduced", "Risk reduced – no longer needs a MACE response"
    STEPPED_DOWN = "stepped_down", "Stepped down to another service"
    MOVED_AWAY = "moved_away", "Moved out of the area (transferred)"
    TURNED_18 = "turned_18", "Turned 18 (transition to adult services)"
    NO_ENGAGEMENT = "no_engagement", "Did not engage, risk assessed as manageable"
    OTHER = "other", "Other"


class PlanItemStatus(models.TextChoices):
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


class OutcomeKind(models.TextChoices):
    DISCLOSURE = "disclosure", "Child made a disclosure"
    ENGAGED = "engaged", "Engaged with support"
    RISK_REDUCED = "risk_reduced", "Risk reduced"
    EDUCATION_RETURNED = "education", "Returned to education"
    MISSING_REDUCED = "missing_reduced", "Missing episodes reduced"
    DISRUPTION = "disruption", "Perpetrator disrupted"
    PROSECUTION = "prosecution", "Perpetrator charged or prosecuted"
    OTHER = "other", "Other"
