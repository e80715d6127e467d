"""Referral pages: the referrer's question pages and their own referrals; the hub's
triage queue, referral record and decision form. Thin: each validates input, asks a
selector or service (which ask ``access``), and renders.

One module per kind of page, each importable from here (``urls`` names them as
``views.<page>``): ``questions`` and ``check_answers`` (making a referral),
``referrer`` (the referrer's own referrals), ``hub_lists`` (the hub's lists and a referral's
record, drawn by ``display``), ``triage`` (picking a referral up, the decision and the
steps it prompts at once) and ``partner_check_pages``.
"""

from __future__ import annotations

from macehub.referrals.views.check_answers import SendReferralForm, cancel, check, confirmation
from macehub.referrals.views.display import PAGE_SIZE, case_url
from macehub.referrals.views.hub_lists import REFERRAL_LISTS, detail, queue
from macehub.referrals.views.partner_check_pages import (
    partner_check,
    partner_checks,
    request_checks,
)
from macehub.referrals.views.partner_import_pages import (
    IMPORTS_LISTED,
    partner_import,
    partner_import_job,
    partner_mapping,
    partner_mappings,
)
from macehub.referrals.views.questions import (
    CHANGE_PARAM,
    choose_child,
    concern,
    family,
    home_and_school,
    indicators,
    new_child,
    start,
)
from macehub.referrals.views.referrer import add_information, mine, mine_detail
from macehub.referrals.views.triage import (
    DECIDED_MEANWHILE,
    PICKED_UP_MEANWHILE,
    decide,
    immediate_step,
    pick_up,
    release,
    resend_decision,
    take_over,
)

__all__ = [
    "CHANGE_PARAM",
    "DECIDED_MEANWHILE",
    "IMPORTS_LISTED",
    "PAGE_SIZE",
    "PICKED_UP_MEANWHILE",
    "REFERRAL_LISTS",
    "SendReferralForm",
    "add_information",
    "cancel",
    "case_url",
    "check",
    "choose_child",
    "concern",
    "confirmation",
    "decide",
    "detail",
    "family",
    "home_and_school",
    "immediate_step",
    "indicators",
    "mine",
    "mine_detail",
    "new_child",
    "partner_check",
    "partner_checks",
    "partner_import",
    "partner_import_job",
    "partner_mapping",
    "partner_mappings",
    "pick_up",
    "queue",
    "release",
    "request_checks",
    "resend_decision",
    "start",
    "take_over",
]
