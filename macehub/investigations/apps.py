from django.apps import AppConfig


class InvestigationsConfig(AppConfig):
    name = "macehub.investigations"
    label = "investigations"
    verbose_name = "Investigations"
