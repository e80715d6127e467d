"""Information governance: the pages that read and check the audit log (and, as issue
#19 grows it, retention review and disposal and subject access). The audit log itself
(models, events, the hash chain, recording) stays in ``macehub.audit``, below every app."""

from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "macehub.governance"
    label = "governance"
    verbose_name = "Information governance"
