from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "macehub.cases"
    label = "cases"

    def ready(self) -> None:
        from macehub.access.opening import reveals_cases
        from macehub.cases import reviews  # noqa: F401  (registers the settings check)
        from macehub.cases.models import Case, CaseDecisionRequest

        # A restricted case asks anyone not working on it why they open it.
        reveals_cases(Case, behind=lambda case: Case.objects.filter(pk=case.pk),
                      reason_page="cases:open_restricted")
        # So does a request for a decision on it.
        reveals_cases(CaseDecisionRequest,
                      behind=lambda request: Case.objects.filter(pk=request.case_id),
                      reason_page="cases:open_restricted")
