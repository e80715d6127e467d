"""Subject access's code lists: where a request stands, how the requester's identity
was verified, and why a field is withheld from the disclosure (*check* the exemptions
with the hub's data protection officers; kept here as data so they can be extended)."""

from __future__ import annotations

from macehub.core.codes import CodeList, code_display


@code_display("subject_access_status", tag_colours={
    "received": "blue", "gathering": "light-blue", "reviewing": "purple",
    "disclosed": "green", "withdrawn": "grey", "refused": "red"})
class RequestStatus(CodeList):
    RECEIVED = "received", "Received"
    GATHERING = "gathering", "Gathering"
    REVIEWING = "reviewing", "Reviewing"
    DISCLOSED = "disclosed", "Disclosed"
    WITHDRAWN = "withdrawn", "Withdrawn"
    REFUSED = "refused", "Refused"


# Statuses in which the request is answered or ended: its clock no longer runs.
CLOSED_STATUSES = frozenset({RequestStatus.DISCLOSED, RequestStatus.WITHDRAWN,
                             RequestStatus.REFUSED})
# Statuses an officer may set by hand (disclosed is set by producing the bundle).
SETTABLE_STATUSES = (RequestStatus.RECEIVED, RequestStatus.GATHERING,
                     RequestStatus.REVIEWING, RequestStatus.WITHDRAWN,
                     RequestStatus.REFUSED)


@code_display("identity_check", default_colour="grey")
class IdentityCheck(CodeList):
    PHOTO_ID = "photo_id", "Photographic identity document seen"
    KNOWN_TO_HUB = "known", "Known to the hub's staff in person"
    REPRESENTATIVE = "representative", "Representative's authority and the person's identity"
    PARENTAL = "parental", "Parental responsibility and the child's identity"
    OTHER = "other", "Other (said in the note)"


@code_display("redaction_reason", default_colour="grey")
class RedactionReason(CodeList):
    THIRD_PARTY = "third_party", "Third-party data (another person named)"
    CRIME = "crime", "Crime and taxation exemption (DPA 2018 Sch. 2 para 2)"
    SERIOUS_HARM = "serious_harm", (
        "Serious harm: health or social work data (DPA 2018 Sch. 3)")
    LEGAL_PRIVILEGE = "legal_privilege", "Legal professional privilege (DPA 2018 Sch. 2 para 19)"
    SOURCE = "source", "Intelligence source details (never disclosed)"
    HANDLING = "handling", "Handling code conditions forbid disclosure"
    LAW_ENFORCEMENT = "law_enforcement", (
        "Law enforcement: would prejudice an investigation (DPA 2018 s.45(4))")
    OTHER = "other", "Other exemption (said in the note)"
