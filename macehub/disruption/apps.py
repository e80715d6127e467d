from django.apps import AppConfig


class DisruptionConfig(AppConfig):
    name = "macehub.disruption"
    label = "disruption"
    verbose_name = "Disruption"
