from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "macehub.cases"
    label = "cases"

    def ready(self) -> None:
        from macehub.cases import reviews  # noqa: F401  (registers the settings check)
