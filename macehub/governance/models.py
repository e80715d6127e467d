"""Information governance's models, each group in its own module."""

from macehub.governance.retention_models import (
    DisposalRequest,
    DisposalTombstone,
    HeldRecord,
    LegalHold,
    RetentionDecision,
    RetentionRule,
)

__all__ = ["DisposalRequest", "DisposalTombstone", "HeldRecord", "LegalHold",
           "RetentionDecision", "RetentionRule"]
