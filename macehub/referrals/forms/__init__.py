"""The referral question pages and the triage decision form, worded as GOV.UK asks.

Each question page has its own form; the answers are kept in the session between pages
(``intake.Draft``) and checked again, all together, when the referral is sent.

One module per kind of page, each importable from here: ``answers`` (the yes, no and
"I do not know" answers every page shares), ``child`` (which child), ``referring`` (the
other question pages, and information added after sending), ``hub`` (the hub's
lists, triage, picking up, partner checks and the steps a referral prompts at once) and
``partner_imports`` (partners' column mappings and files).
"""

from __future__ import annotations

from macehub.referrals.forms.answers import (
    NEW_CHILD,
    NO_TIER,
    NOT_KNOWN_ANSWER,
    YES_NO,
    YES_NO_NOT_KNOWN,
)
from macehub.referrals.forms.child import (
    ChooseChildForm,
    FindChildForm,
    NewChildForm,
    describe_match,
)
from macehub.referrals.forms.hub import (
    STATUTORY_OUTCOMES_HINT,
    ImmediateStepForm,
    PartnerCheckRequestForm,
    PartnerCheckReturnForm,
    PickUpForm,
    ReferralFilterForm,
    TriageDecisionForm,
    parse_time,
)
from macehub.referrals.forms.partner_imports import (
    REFERRALS_ONLY_HINT,
    MappingForm,
    PartnerFileForm,
    translation_lines,
)
from macehub.referrals.forms.referring import (
    DOMAIN_LEGENDS,
    INDICATOR_FIELD_PREFIX,
    AddInformationForm,
    ConcernForm,
    FamilyAndConsentForm,
    HomeAndSchoolForm,
    IndicatorsForm,
)

__all__ = [
    "DOMAIN_LEGENDS",
    "INDICATOR_FIELD_PREFIX",
    "NEW_CHILD",
    "NOT_KNOWN_ANSWER",
    "NO_TIER",
    "REFERRALS_ONLY_HINT",
    "STATUTORY_OUTCOMES_HINT",
    "YES_NO",
    "YES_NO_NOT_KNOWN",
    "AddInformationForm",
    "ChooseChildForm",
    "ConcernForm",
    "FamilyAndConsentForm",
    "FindChildForm",
    "HomeAndSchoolForm",
    "ImmediateStepForm",
    "IndicatorsForm",
    "MappingForm",
    "NewChildForm",
    "PartnerCheckRequestForm",
    "PartnerCheckReturnForm",
    "PartnerFileForm",
    "PickUpForm",
    "ReferralFilterForm",
    "TriageDecisionForm",
    "describe_match",
    "parse_time",
    "translation_lines",
]
