"""Forms for the case pages. They only read what was typed: the rules (dates not in the
future, an interview after the return, a plan item with an owner...) live in
``services``, whose errors each form puts back beside the field that caused them.

One module per kind of page, each importable from here: ``fields`` (what every form
shares), ``filters`` (the lists), ``case_changes`` (the case itself and who works on it),
``recording`` (work recorded on the case) and ``risk_assessments``.
"""

from __future__ import annotations

from macehub.cases.forms.case_changes import (
    NOT_ENGAGING_HINT,
    AdvocateForm,
    AllocateWorkerForm,
    CloseCaseForm,
    DecisionForm,
    EndAdvocacyForm,
    ExploitationTypesForm,
    KeepTierForm,
    KeyWorkerForm,
    LeadAgencyForm,
    RestrictedReasonForm,
    RestrictForm,
    RiskTierForm,
    ShareCaseForm,
)
from macehub.cases.forms.fields import CASELOAD_HINT, TIME_HINT, ServiceForm, TimeField, parse_time
from macehub.cases.forms.filters import (
    CaseFilterForm,
    ChronologyFilterForm,
    EpisodeFilterForm,
    Whose,
    check_missing_dates,
)
from macehub.cases.forms.recording import (
    CompletePlanItemForm,
    ContactForm,
    MissingEpisodeForm,
    NrmReferralForm,
    OutcomeForm,
    PlanItemForm,
)
from macehub.cases.forms.risk_assessments import RiskAssessmentForm

__all__ = [
    "CASELOAD_HINT",
    "NOT_ENGAGING_HINT",
    "TIME_HINT",
    "AdvocateForm",
    "AllocateWorkerForm",
    "CaseFilterForm",
    "ChronologyFilterForm",
    "CloseCaseForm",
    "CompletePlanItemForm",
    "ContactForm",
    "DecisionForm",
    "EndAdvocacyForm",
    "EpisodeFilterForm",
    "ExploitationTypesForm",
    "KeepTierForm",
    "KeyWorkerForm",
    "LeadAgencyForm",
    "MissingEpisodeForm",
    "NrmReferralForm",
    "OutcomeForm",
    "PlanItemForm",
    "RestrictForm",
    "RestrictedReasonForm",
    "RiskAssessmentForm",
    "RiskTierForm",
    "ServiceForm",
    "ShareCaseForm",
    "TimeField",
    "Whose",
    "check_missing_dates",
    "parse_time",
]
