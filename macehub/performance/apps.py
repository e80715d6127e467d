from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "macehub.performance"
    label = "performance"
    verbose_name = "Performance and scrutiny"
