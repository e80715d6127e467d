import logging

from django.apps import AppConfig
from django.conf import settings


class AuditConfig(AppConfig):
    name = "macehub.audit"
    label = "audit"

    def ready(self) -> None:
        from macehub.audit import checks

        # The check shows in management commands; a server started by gunicorn runs
        # none, so say it in the log too.
        if settings.AUDIT_OFF_FOR_BENCHMARK:
            logging.getLogger("macehub.audit").warning(checks.AUDIT_OFF_MESSAGE)
