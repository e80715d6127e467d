from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "macehub.performance"
    label = "performance"
