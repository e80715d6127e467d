from django.apps import AppConfig
from django.core import checks


class DemoConfig(AppConfig):
    name = "macehub.demo"
    label = "demo"

    def ready(self) -> None:
        # The benchmark's bare view is demo-layer business; its warning is checked here
        # because product code never imports demo.
        from macehub.benchmark import bare_view_mounted

        checks.register(bare_view_mounted, checks.Tags.security)
