"""The hub's code lists for organisations and jobs: agency kinds and roles.

Held once here; forms, the access policy, the demo generator and templates all read
these rather than repeating them.
"""

from django.db import models


class AgencyKind(models.TextChoices):
    POLICE = "police", "Police"
    CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    VOLUNTARY_SECTOR = "voluntary_sector", "Voluntary sector"
    PCC_OFFICE = "pcc_office", "Police and Crime Commissioner's office"


class Role(models.TextChoices):
    REFERRER = "referrer", "Referrer"
    TRIAGE = "triage", "Triage officer"
    ANALYST = "analyst", "Analyst"
    INVESTIGATOR = "investigator", "Investigator"
    SUPERVISOR = "supervisor", "Supervisor"
    # Children's social care: the child's lead professional, who holds cases.
    SOCIAL_WORKER = "social_worker", "Social worker"
    VICTIM_ADVOCATE = "victim_advocate", "Victim advocate"
    MEETING_CHAIR = "meeting_chair", "Meeting chair"
    FORENSICS = "forensics", "Digital forensics examiner"
    TRAINING_LEAD = "training_lead", "Training lead"
    SENIOR_LEADER = "senior_leader", "Senior leader"
    SCRUTINY = "scrutiny", "Scrutiny officer"
    INFORMATION_GOVERNANCE = "information_governance", "Information governance"
    ADMINISTRATOR = "administrator", "Administrator"


# The roles a user may hold without an agency: none. Every role reaches records or
# figures through the user's agency (what it holds, what is shared with it, what a
# handling code names), so a role without one would be a role without its limits.
ROLES_HELD_WITHOUT_AGENCY: frozenset[Role] = frozenset()


class RoleChangeStatus(models.TextChoices):
    """Where a request to change a user's access stands. Values are stored."""

    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


# GOV.UK tag colours for where a request stands.
ROLE_CHANGE_STATUS_COLOURS = {
    RoleChangeStatus.PENDING: "yellow",
    RoleChangeStatus.APPROVED: "green",
    RoleChangeStatus.REJECTED: "red",
}
