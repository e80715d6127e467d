from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "macehub.audit"
    label = "audit"
