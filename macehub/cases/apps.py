from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "macehub.cases"
    label = "cases"

    def ready(self) -> None:
        from macehub.access.opening import reveals_cases
        from macehub.cases import reviews  # noqa: F401  (registers the settings check)
        from macehub.cases.models import Case

        # A restricted case asks anyone not working on it why they open it.
        reveals_cases(Case, behind=lambda case: Case.objects.filter(pk=case.pk),
                      reason_page="cases:open_restricted")
