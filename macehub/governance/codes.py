"""Information governance's code lists: the lawful bases an information-sharing
agreement rests on, the categories of data the partners share under it, and where an
agreement stands (in force, due for review, ended).

The lawful bases are *check*: the usual grounds for multi-agency safeguarding sharing in
England (UK GDPR with the Data Protection Act 2018 conditions, DPA 2018 Part 3 for the
police's law enforcement processing, and the Children Acts' duties), kept here as data
so the hub's information governance lead can confirm or extend the list.
"""

from __future__ import annotations

from django.db import models

from macehub.core.codes import CodeList, code_display


@code_display("sharing_lawful_basis", default_colour="grey")
class AgreementBasis(CodeList):
    """Why the sharing the agreement covers is lawful (*check* with the hub's data
    protection officers)."""

    PUBLIC_TASK_SAFEGUARDING = (
        "gdpr_6_1_e_sch1_18",
        "UK GDPR Art. 6(1)(e) public task, with Art. 9(2)(g) and DPA 2018 Sch. 1 para 18 "
        "(safeguarding of children and individuals at risk)")
    PUBLIC_TASK = "gdpr_6_1_e", "UK GDPR Art. 6(1)(e) – public task"
    LEGAL_OBLIGATION = "gdpr_6_1_c", "UK GDPR Art. 6(1)(c) – legal obligation"
    LAW_ENFORCEMENT = "dpa_s35", "DPA 2018 Part 3, s.35 – law enforcement processing"
    LAW_ENFORCEMENT_SENSITIVE = (
        "dpa_s35_sch8",
        "DPA 2018 Part 3, s.35(5) and Sch. 8 para 4 – safeguarding of children")
    CHILDREN_ACT = (
        "children_act",
        "Children Act 1989 s.17 and s.47, Children Act 2004 s.10 and s.11 – duties to "
        "co-operate and safeguard")


@code_display("sharing_data_category", default_colour="grey")
class DataCategory(CodeList):
    """What kind of information the partners share under the agreement."""

    IDENTITY = "identity", "Identity (name, date of birth, identifiers)"
    CONTACT = "contact", "Contact details and addresses"
    SAFEGUARDING = "safeguarding", "Safeguarding concerns"
    INTELLIGENCE = "intelligence", "Intelligence"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education (attendance, exclusions)"
    CRIMINAL_OFFENCE = "criminal_offence", "Criminal offence data"
    SOCIAL_CARE = "social_care", "Children's social care records"
    ETHNICITY = "ethnicity", "Ethnicity and other special category data"


@code_display("agreement_status", tag_colours={
    "in_force": "green", "due_for_review": "orange", "ended": "grey"})
class AgreementStatus(CodeList):
    """Where an agreement stands on a day: worked out from its dates, never stored."""

    IN_FORCE = "in_force", "In force"
    DUE_FOR_REVIEW = "due_for_review", "Due for review"
    ENDED = "ended", "Ended"


class RequestedJobStatus(models.TextChoices):
    """Where a piece of long work asked for from a page (publishing a month, drawing a
    PDF) stands. Stored."""

    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
