from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "macehub.performance"
    label = "performance"
    verbose_name = "Performance and scrutiny"

    def ready(self) -> None:
        # Every app's metrics.py registers its measures with the registry.
        from macehub.performance.registry import autodiscover

        autodiscover()
