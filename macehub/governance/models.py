"""Information governance's models, each kept in the module of its concern (retention
review, sharing agreements) and gathered here for Django."""

from macehub.governance.retention_models import (
    DisposalRequest,
    DisposalTombstone,
    HeldRecord,
    LegalHold,
    RetentionDecision,
    RetentionRule,
)
from macehub.governance.sharing import SharingAgreement

__all__ = ["DisposalRequest", "DisposalTombstone", "HeldRecord", "LegalHold",
           "RetentionDecision", "RetentionRule", "SharingAgreement"]
