"""Which records of this app reveal a case, for ``access.opening`` (read through its
``REVEALERS`` registry, which imports this module)."""

from macehub.access.opening import reveals_cases
from macehub.cases.models import Case, CaseDecisionRequest

# A restricted case asks anyone not working on it why they open it (an unrestricted one,
# as the page has just fetched it, asks no one).
reveals_cases(Case, behind=lambda case: (Case.objects.filter(pk=case.pk) if case.is_restricted
                                         else Case.objects.none()),
              reason_page="cases:open_restricted")
# So does a request for a decision on it.
reveals_cases(CaseDecisionRequest,
              behind=lambda request: Case.objects.filter(pk=request.case_id),
              reason_page="cases:open_restricted")
