"""When a case's exploitation risk is next reviewed, and what a risk assessment rates.

Risk is reassessed on a cadence set by the case's risk tier (DOMAIN.md): by default a
High case every 4 weeks, Medium every 8 and Low every 12, configured in
``settings.RISK_REVIEW_WEEKS``. A setting that makes no sense (a tier missing, a
number that is not a whole number of weeks of 1 or more) is refused loudly, at start-up
(a system check) and whenever a date is worked out.

The rules for the date a review is due:

- An assessment sets its next review from the more serious of its own judgement and the
  case's tier at the time, so a worker who judges the risk higher than the tier gets the
  shorter cadence straight away.
- If the case's tier is raised afterwards, the review comes forward: a case is due by
  the earlier of the date the assessment set and the assessment's date plus the cadence
  of the case's tier now.
- A case with no assessment yet is due from the day it opened: a MACE case starts with
  an assessment of the child's risk.

The domains an assessment rates are the domains of the exploitation indicator catalogue
(``models.Indicator``), so a domain added to the catalogue is rated from then on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from macehub.cases.codes import RISK_TIER_RANK, IndicatorDomain, RiskTier
from macehub.cases.models import Indicator

SETTING = "RISK_REVIEW_WEEKS"


def review_intervals(config: Any = None) -> dict[RiskTier, dt.timedelta]:
    """Every tier's review cadence, from ``settings.RISK_REVIEW_WEEKS`` (or ``config``)."""
    config = getattr(settings, SETTING, None) if config is None else config
    if not isinstance(config, dict):
        raise ImproperlyConfigured(f"{SETTING} must map each risk tier to a number of weeks")
    missing = [tier.value for tier in RiskTier if tier.value not in config]
    if missing:
        raise ImproperlyConfigured(f"{SETTING} has no review cadence for {missing}")
    intervals = {}
    for tier in RiskTier:
        weeks = config[tier.value]
        if isinstance(weeks, bool) or not isinstance(weeks, int) or weeks < 1:
            raise ImproperlyConfigured(
                f"{SETTING}[{tier.value!r}] must be a whole number of weeks, 1 or more, "
                f"not {weeks!r}"
            )
        intervals[tier] = dt.timedelta(weeks=weeks)
    return intervals


def review_weeks(config: Any = None) -> dict[RiskTier, int]:
    """Every tier's cadence in weeks, for pages that say it."""
    return {tier: interval.days // 7 for tier, interval in review_intervals(config).items()}


def more_serious(first: RiskTier | str, second: RiskTier | str) -> RiskTier:
    a, b = RiskTier(first), RiskTier(second)
    return a if RISK_TIER_RANK[a] >= RISK_TIER_RANK[b] else b


def next_review_on(assessed_on: dt.date, judgement: RiskTier | str, case_tier: RiskTier | str,
                   config: Any = None) -> dt.date:
    """The date an assessment sets for its review: the cadence of the more serious of the
    judgement and the case's tier, from the day of the assessment."""
    return assessed_on + review_intervals(config)[more_serious(judgement, case_tier)]


def review_due_on(
    *,
    opened_on: dt.date,
    case_tier: RiskTier | str,
    assessed_on: dt.date | None,
    set_review_on: dt.date | None,
    config: Any = None,
    intervals: Mapping[RiskTier, dt.timedelta] | None = None,
) -> dt.date:
    """When the case's next review is due, from its latest assessment (if any): the
    earlier of the date the assessment set and its date plus the cadence of the case's
    tier now; the day the case opened when it has no assessment. ``intervals``: the
    cadences already read (``review_intervals``), for a caller working out many."""
    if assessed_on is None or set_review_on is None:
        return opened_on
    cadence = intervals if intervals is not None else review_intervals(config)
    by_tier_now = assessed_on + cadence[RiskTier(case_tier)]
    return min(set_review_on, by_tier_now)


def assessment_domains() -> list[tuple[str, str]]:
    """The domains of the indicator catalogue an assessment rates, as (code, label), in
    the code list's order: those with an indicator in use."""
    in_use = set(
        Indicator.objects.filter(is_active=True).values_list("domain", flat=True).distinct()
    )
    return [(domain.value, str(domain.label)) for domain in IndicatorDomain
            if domain.value in in_use]


@checks.register()
def check_review_settings(**kwargs: Any) -> list[checks.CheckMessage]:
    """Refuse to start with a review cadence that makes no sense."""
    try:
        review_intervals()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="cases.E001")]
    return []
