"""The stable vocabulary of audit event types. Values are stored: never rename one."""

from django.db import models


class EventType(models.TextChoices):
    VIEW = "view", "Viewed"
    SEARCH = "search", "Searched"
    CREATE = "create", "Created"
    CHANGE = "change", "Changed"
    DELETE = "delete", "Deleted"
    EXPORT = "export", "Exported"
    MERGE = "merge", "Merged"
    UNMERGE = "unmerge", "Unmerged"
    IMPORT = "import", "Imported"
    LOGIN = "login", "Signed in"
    LOGOUT = "logout", "Signed out"
    LOGIN_FAILURE = "login_failure", "Failed sign-in"
    PERMISSION_DENIED = "permission_denied", "Permission denied"
    TWO_FACTOR_ENROLLED = "two_factor_enrolled", "Two-factor enrolled"
    TWO_FACTOR_FAILURE = "two_factor_failure", "Failed two-factor check"
    AUDIT_CHECKPOINT = "audit_checkpoint", "Audit log checkpoint made"
    SIGN_IN_ADDRESS_PAUSED = "sign_in_address_paused", "Sign-ins from an address paused"
    # A change of access that needs a second administrator: asked for, then decided.
    ROLE_CHANGE_REQUESTED = "role_change_requested", "Change of access requested"
    ROLE_CHANGE_APPROVED = "role_change_approved", "Change of access approved"
    ROLE_CHANGE_REJECTED = "role_change_rejected", "Change of access rejected"
    # Retention review: a decision to keep a record, a disposal asked for and decided by
    # a second officer, legal holds placed and released.
    RETENTION_DECIDED = "retention_decided", "Decided to keep a record"
    DISPOSAL_REQUESTED = "disposal_requested", "Disposal requested"
    DISPOSAL_APPROVED = "disposal_approved", "Disposal approved and carried out"
    DISPOSAL_REJECTED = "disposal_rejected", "Disposal rejected"
    LEGAL_HOLD_PLACED = "legal_hold_placed", "Legal hold placed"
    LEGAL_HOLD_RELEASED = "legal_hold_released", "Legal hold released"


# Event types that touch personal data about a record; shown on "who saw this person".
RECORD_ACCESS_TYPES = frozenset(
    {
        EventType.VIEW,
        EventType.CREATE,
        EventType.CHANGE,
        EventType.DELETE,
        EventType.EXPORT,
        EventType.MERGE,
        EventType.UNMERGE,
        EventType.IMPORT,
    }
)


# Event types that are not a change someone asked for by sending a form: reading,
# signing in and out, and the log's own bookkeeping. Every other type is a write, and
# the first write a request makes claims its one-time submission token
# (``macehub.core.submissions``), so a form sent twice writes once.
NOT_WRITES = frozenset(
    {
        EventType.VIEW,
        EventType.SEARCH,
        EventType.EXPORT,
        EventType.LOGIN,
        EventType.LOGOUT,
        EventType.LOGIN_FAILURE,
        EventType.PERMISSION_DENIED,
        EventType.TWO_FACTOR_ENROLLED,
        EventType.TWO_FACTOR_FAILURE,
        EventType.AUDIT_CHECKPOINT,
        EventType.SIGN_IN_ADDRESS_PAUSED,
    }
)
