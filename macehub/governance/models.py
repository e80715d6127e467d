"""Information governance's models, each kept in the module of its concern (retention
review, sharing agreements) and gathered here for Django."""

from macehub.governance.requested_job_models import RequestedJob
from macehub.governance.retention_models import (
    DisposalRequest,
    DisposalTombstone,
    HeldRecord,
    LegalHold,
    RetentionDecision,
    RetentionRule,
)
from macehub.governance.sharing import SharingAgreement
from macehub.governance.subject_access_models import (
    DisclosureItem,
    Redaction,
    SubjectAccessRequest,
)

__all__ = [
    "DisclosureItem",
    "DisposalRequest",
    "DisposalTombstone",
    "HeldRecord",
    "LegalHold",
    "Redaction",
    "RequestedJob",
    "RetentionDecision",
    "RetentionRule",
    "SharingAgreement",
    "SubjectAccessRequest",
]
