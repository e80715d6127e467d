"""Code lists for retention review: what starts a rule's clock, where a disposal request
stands. Values are stored: never rename one."""

from django.db import models


class ClockStart(models.TextChoices):
    """What a retention rule's period runs from."""

    RECORD_DATE = "record_date", "The record's date"
    DECISION = "decision", "The decision on the record"
    CLOSURE = "closure", "The case's closure"
    DATE_OF_BIRTH = "date_of_birth", "The subject's date of birth"


class DisposalStatus(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved and disposed of"
    REJECTED = "rejected", "Rejected"
