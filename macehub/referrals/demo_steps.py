"""Demo referrals: a year of them, from every source, screened by the real rules and
triaged against the real clocks, ending the day before ``--as-of``.

- **When**: fewer at weekends and on bank holidays; schools refer on weekdays in term
  time, in school hours; police at any hour, most in the evening; other agencies in
  office hours.
- **What**: each referral's indicators are drawn to fit a latent risk tier, then
  screened by ``screen_referral`` and clocked by ``clocks``, so the stored suggestion is
  exactly what the hub would have shown.
- **Triage**: most are decided on time, some late (more often out of hours); those whose
  decision would fall after the end of the period, and a few stuck ones, are still
  awaiting triage. Officers mostly take the suggestion, sometimes override it with a
  reason. About 15% open a MACE case; a child who already has an open case has the new
  referral added to it, as the service does. Cases are written with their historical
  dates for the cases step (which runs after this one) to add work to.

Deterministic for a seed and reference date; written in bulk.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import holidays
from django.conf import settings
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from macehub.access.policy import PARTNER_CHECK_ROLES
from macehub.accounts.models import Agency, User
from macehub.accounts.roles import AgencyKind, Role
from macehub.cases.codes import (
    Brag,
    ExploitationType,
    IndicatorDomain,
    JoinedReferralReview,
    RiskTier,
)
from macehub.cases.models import Case, Indicator, ReferralJoined, RiskTierChange
from macehub.demo.accounts import ACCOUNTS
from macehub.demo.batches import insert_rows, update_rows
from macehub.demo.people import Weighted
from macehub.demo.progress import Progress
from macehub.demo.registry import DemoContext, demo_step
from macehub.people.models import Person
from macehub.referrals.clocks import (
    HUB_TIME_ZONE,
    Clock,
    decision_clock,
    partner_check_clocks,
)
from macehub.referrals.codes import (
    CHILDRENS_SOCIAL_CARE_OUTCOMES,
    ConsentStatus,
    ExploitationModel,
    ImmediateStepKind,
    OnlinePlatform,
    PartnerCheckResult,
    ReferralSource,
    ReferralStatus,
    TriageOutcome,
    YearGroup,
    source_for_agency_kind,
)
from macehub.referrals.models import ImmediateStep, PartnerCheck, Referral, ReferralIndicator
from macehub.referrals.screening import ScreenedIndicator, screen_referral

REFERRALS_ORDER = 1100
PERIOD_DAYS = 365
NO_TIER = ""

SOURCE_SHARES = (
    (ReferralSource.SCHOOL, 27), (ReferralSource.POLICE, 25), (ReferralSource.SOCIAL_CARE, 18),
    (ReferralSource.HEALTH, 13), (ReferralSource.VOLUNTARY_SECTOR, 10),
    (ReferralSource.OTHER, 7),
)
LATENT_TIERS = Weighted([(NO_TIER, 24), (RiskTier.LOW, 33), (RiskTier.MEDIUM, 28),
                         (RiskTier.HIGH, 15)])
INDICATOR_COUNTS = {RiskTier.LOW: (1, 2), RiskTier.MEDIUM: (2, 4), RiskTier.HIGH: (3, 6)}
DISCLOSURE = {RiskTier.HIGH: 0.2, RiskTier.MEDIUM: 0.02, RiskTier.LOW: 0.0, NO_TIER: 0.0}
IMMEDIATE_RISK = {RiskTier.HIGH: 0.25, RiskTier.MEDIUM: 0.06, RiskTier.LOW: 0.01, NO_TIER: 0.0}
# Referrals that record sexual activity involving the child, by latent tier.
SEXUAL_ACTIVITY = {RiskTier.HIGH: 0.35, RiskTier.MEDIUM: 0.15, RiskTier.LOW: 0.03,
                   NO_TIER: 0.0}
MISSING_EPISODES = {RiskTier.HIGH: (0, 6), RiskTier.MEDIUM: (0, 3), RiskTier.LOW: (0, 1),
                    NO_TIER: (0, 0)}
MODELS = {
    RiskTier.HIGH: Weighted([(ExploitationModel.GROUP_BASED, 22),
                             (ExploitationModel.GANG_ASSOCIATED, 8),
                             (ExploitationModel.BOYFRIEND, 20),
                             (ExploitationModel.PARTY, 15), (ExploitationModel.ONLINE, 15),
                             (ExploitationModel.LONE_OFFENDER, 10),
                             (ExploitationModel.INAPPROPRIATE_RELATIONSHIP, 10)]),
    RiskTier.MEDIUM: Weighted([(ExploitationModel.BOYFRIEND, 20), (ExploitationModel.ONLINE, 25),
                               (ExploitationModel.PEER_ON_PEER, 15),
                               (ExploitationModel.INAPPROPRIATE_RELATIONSHIP, 15),
                               (ExploitationModel.GROUP_BASED, 7),
                               (ExploitationModel.GANG_ASSOCIATED, 3), (ExploitationModel.PARTY, 5),
                               (ExploitationModel.NOT_KNOWN, 10)]),
    RiskTier.LOW: Weighted([(ExploitationModel.ONLINE, 25), (ExploitationModel.PEER_ON_PEER, 20),
                            (ExploitationModel.INAPPROPRIATE_RELATIONSHIP, 15),
                            (ExploitationModel.NOT_KNOWN, 40)]),
    NO_TIER: Weighted([(ExploitationModel.NOT_KNOWN, 70), (ExploitationModel.ONLINE, 15),
                       (ExploitationModel.PEER_ON_PEER, 15)]),
}
OUTCOMES = {
    RiskTier.HIGH: Weighted([(TriageOutcome.OPEN_MACE_CASE, 62),
                             (TriageOutcome.STRATEGY_DISCUSSION, 24),
                             (TriageOutcome.SECTION_47, 18)]),
    RiskTier.MEDIUM: Weighted([(TriageOutcome.OPEN_MACE_CASE, 28),
                               (TriageOutcome.STRATEGY_DISCUSSION, 26),
                               (TriageOutcome.EARLY_HELP, 34), (TriageOutcome.SECTION_47, 8),
                               (TriageOutcome.ADVICE_SIGNPOSTING, 8)]),
    RiskTier.LOW: Weighted([(TriageOutcome.EARLY_HELP, 45),
                            (TriageOutcome.ADVICE_SIGNPOSTING, 40),
                            (TriageOutcome.NO_FURTHER_ACTION, 15)]),
    NO_TIER: Weighted([(TriageOutcome.NO_FURTHER_ACTION, 55),
                       (TriageOutcome.ADVICE_SIGNPOSTING, 45)]),
}
REPEAT_REFERRAL_SHARE = 0.2
ACCEPT_SUGGESTION_SHARE = 0.85
LATE_SHARE = 0.1
LATE_SHARE_OUT_OF_HOURS = 0.3  # Red and Amber clocks started at night or at a weekend
STUCK_WITHIN_DAYS = 21  # referrals nobody has picked up yet are all recent ones

OPENERS = {
    ReferralSource.SCHOOL: "Staff at school have noticed that",
    ReferralSource.POLICE: "Officers attending a report found that",
    ReferralSource.SOCIAL_CARE: "The allocated social worker reports that",
    ReferralSource.HEALTH: "At a clinic appointment it became clear that",
    ReferralSource.VOLUNTARY_SECTOR: "Youth workers report that",
    ReferralSource.OTHER: "Licensing officers visiting local premises report that",
}
CONCERNS = {
    ExploitationModel.GROUP_BASED: "the child has been seen with a group of older males "
    "at a takeaway late at night and is picked up by different cars.",
    ExploitationModel.GANG_ASSOCIATED: "the child has been seen with members of a local "
    "gang, carries cash and a second phone, and has been found in another town.",
    ExploitationModel.BOYFRIEND: "the child talks about an older 'boyfriend' who buys them "
    "gifts and collects them from near home.",
    ExploitationModel.PARTY: "the child has been going to parties at flats in town and "
    "coming home the next day unable to say where they were.",
    ExploitationModel.ONLINE: "the child has been contacted online by adults they do not "
    "know and has been asked for images.",
    ExploitationModel.LONE_OFFENDER: "an adult known to the family has been giving the "
    "child money and spending time alone with them.",
    ExploitationModel.INAPPROPRIATE_RELATIONSHIP: "the child is in a relationship with a "
    "much older person and has become withdrawn from friends.",
    ExploitationModel.PEER_ON_PEER: "other young people have been pressuring the child to "
    "send images and to meet people they do not know.",
    ExploitationModel.NOT_KNOWN: "the child's behaviour has changed recently and they "
    "have become secretive about where they go.",
}
OUTCOME_REASONS = {
    TriageOutcome.NO_FURTHER_ACTION: "No indicators of exploitation found on partner checks.",
    TriageOutcome.ADVICE_SIGNPOSTING: "Low-level concern; advice given to the referrer and "
    "family signposted to local support.",
    TriageOutcome.EARLY_HELP: "Vulnerabilities identified; family consent to early help.",
    TriageOutcome.STRATEGY_DISCUSSION: "Partner information indicates significant risk; "
    "strategy discussion to be convened.",
    TriageOutcome.SECTION_47: "Reasonable cause to suspect significant harm; section 47 "
    "enquiry by children's social care.",
    TriageOutcome.OPEN_MACE_CASE: "Indicators of exploitation corroborated by partner "
    "information; multi-agency case needed.",
}
OVERRIDE_REASONS = (
    "Partner checks found further information not known to the referrer.",
    "Police intelligence links the child to adults of concern.",
    "The child is already known and supported; risk lower than the referral suggests.",
    "Out-of-hours information from the emergency duty team.",
)
TIER_STEPS = [NO_TIER, RiskTier.LOW, RiskTier.MEDIUM, RiskTier.HIGH]
BRAG_FOR_TIER = {NO_TIER: Brag.BLUE, RiskTier.LOW: Brag.GREEN, RiskTier.MEDIUM: Brag.AMBER,
                 RiskTier.HIGH: Brag.RED}


# --- When referrals arrive ----------------------------------------------------------------


@lru_cache(maxsize=8)
def _bank_holidays(year: int) -> dict[dt.date, str]:
    return dict(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_bank_holiday(day: dt.date) -> bool:
    return day in _bank_holidays(day.year)


def is_school_term(day: dt.date) -> bool:
    """An approximate English school year: the summer holiday, two weeks at Christmas and
    Easter, and a week at each half term."""
    good_friday = next(d for d, name in _bank_holidays(day.year).items() if name == "Good Friday")
    spring_bank = max(d for d, name in _bank_holidays(day.year).items()
                      if name == "Spring Bank Holiday")
    holidays_ = [
        (dt.date(day.year, 7, 22), dt.date(day.year, 9, 3)),  # summer
        (dt.date(day.year, 12, 20), dt.date(day.year, 12, 31)),  # Christmas
        (dt.date(day.year, 1, 1), dt.date(day.year, 1, 4)),
        (good_friday - dt.timedelta(days=7), good_friday + dt.timedelta(days=10)),  # Easter
        (spring_bank, spring_bank + dt.timedelta(days=4)),  # May half term
        (dt.date(day.year, 10, 26), dt.date(day.year, 10, 30)),  # October half term
        (dt.date(day.year, 2, 16), dt.date(day.year, 2, 20)),  # February half term
    ]
    return day.weekday() < 5 and not any(start <= day <= end for start, end in holidays_)


def day_weight(source: ReferralSource, day: dt.date) -> float:
    weekend = day.weekday() >= 5 or is_bank_holiday(day)
    if source == ReferralSource.SCHOOL:
        if weekend:
            return 0.02
        return 1.0 if is_school_term(day) else 0.12
    if source == ReferralSource.POLICE:
        return 0.75 if weekend else 1.0
    if source == ReferralSource.VOLUNTARY_SECTOR:
        base = 0.4 if weekend else 1.0
    else:
        base = 0.12 if weekend else 1.0
    # Most concerns surface through school: other agencies refer more in term time.
    return base * (1.1 if is_school_term(day) else 0.85) * (1.1 if day.weekday() == 0 else 1.0)


def _hours(peaks: dict[range, float], floor: float) -> Weighted[int]:
    return Weighted([(hour, next((w for span, w in peaks.items() if hour in span), floor))
                     for hour in range(24)])


HOURS = {
    ReferralSource.SCHOOL: _hours({range(8, 9): 2, range(9, 12): 6, range(12, 15): 8,
                                   range(15, 17): 4}, 0.05),
    ReferralSource.POLICE: _hours({range(0, 3): 2, range(3, 7): 0.6, range(7, 12): 2.5,
                                   range(12, 16): 3, range(16, 20): 5, range(20, 24): 4}, 1),
    ReferralSource.VOLUNTARY_SECTOR: _hours({range(10, 17): 4, range(17, 21): 5}, 0.1),
}
OFFICE_HOURS = _hours({range(9, 12): 5, range(12, 14): 4, range(14, 17): 5,
                       range(17, 19): 1}, 0.05)


# --- Generating ---------------------------------------------------------------------------


# What a referrer tells the hub about home, school, family and consent, in turn by the
# referral's number (no random draws, so the rest of the demo is drawn as before).
DEMO_CONSENT = (ConsentStatus.GIVEN, ConsentStatus.GIVEN, ConsentStatus.REFUSED,
                ConsentStatus.NOT_SOUGHT)
DEMO_AWARE = (True, True, False, None)
DEMO_TOWNS = ("Northtown", "Southbridge", "Eastfield", "Westmoor")


def _year_group(age: int | None) -> str:
    """England's year group for an age (Reception at 4, Year 13 at 17)."""
    if age is None:
        return YearGroup.NOT_KNOWN.value
    if age < 4:
        return YearGroup.NURSERY.value
    if age == 4:
        return YearGroup.RECEPTION.value
    return f"year_{min(age - 4, 13)}"


def referral_form_answers(number: int, source: str, child_age: int | None) -> dict[str, Any]:
    consent = DEMO_CONSENT[number % len(DEMO_CONSENT)]
    school = source == ReferralSource.SCHOOL
    return {
        "child_town": DEMO_TOWNS[number % len(DEMO_TOWNS)],
        "school": f"{DEMO_TOWNS[(number // 4) % len(DEMO_TOWNS)]} Academy" if school else "",
        "year_group": _year_group(child_age) if school else YearGroup.NOT_KNOWN.value,
        "parent_carer_relationship": "Mother" if number % 3 else "Foster carer",
        "parent_carer_aware": DEMO_AWARE[number % len(DEMO_AWARE)],
        "consent": consent,
        "consent_not_sought_reason": (
            "Asking the family could put the child at greater risk (synthetic)."
            if consent == ConsentStatus.NOT_SOUGHT else ""),
        # Ofcom's drama range: never a real number.
        "referrer_phone": f"01632 960{number % 1000:03d}",
    }


@dataclass
class ChildFacts:
    date_of_birth: dt.date | None
    estimated_age: int | None
    age_estimated_on: dt.date | None

    def age_on(self, day: dt.date) -> int | None:
        if self.date_of_birth:
            dob = self.date_of_birth
            return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))
        if self.estimated_age is not None and self.age_estimated_on:
            return self.estimated_age + (day - self.age_estimated_on).days // 365
        return None


@dataclass
class Plan:
    """One referral before it is written."""

    referral: Referral
    indicators: list[Indicator]
    decider: User | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _draw_indicators(rng: random.Random, catalogue: Sequence[Indicator], tier: str,
                     child_age: int | None, thresholds: dict[str, int]) -> list[Indicator]:
    """Indicators that screen to the latent tier for a child of this age (the first of 40
    draws that does; the last draw otherwise)."""
    if tier == NO_TIER:
        return []
    low, high = INDICATOR_COUNTS[RiskTier(tier)]
    drawn: list[Indicator] = []
    for _attempt in range(40):
        drawn = rng.sample(list(catalogue), rng.randint(low, high))
        screening = screen_referral(
            indicators=[ScreenedIndicator(i.code, i.label, i.weight) for i in drawn],
            child_age=child_age, disclosure=False, immediate_risk=False, thresholds=thresholds)
        if screening.tier_value == tier:
            break
    return sorted(drawn, key=lambda i: i.sort_order)


def exploitation_types_for(model: str, indicators: Sequence[Indicator], number: int
                           ) -> list[str]:
    """The types a referrer gives, from what they saw (no random draw, so the rest of the
    demo is unchanged): criminal exploitation when a criminal indicator was seen or the
    child is gang-associated, alone if nothing else was seen; every fourth of those is
    also trafficking (the child moved around to be exploited)."""
    criminal = model == ExploitationModel.GANG_ASSOCIATED or any(
        i.domain == IndicatorDomain.CRIMINAL for i in indicators)
    if not criminal:
        return [ExploitationType.CSE.value]
    only_criminal = bool(indicators) and all(
        i.domain == IndicatorDomain.CRIMINAL for i in indicators)
    types = [ExploitationType.CCE.value] if only_criminal else [
        ExploitationType.CSE.value, ExploitationType.CCE.value]
    if number % 4 == 0:
        types.append(ExploitationType.TRAFFICKING.value)
    return types


def _step_tier(rng: random.Random, tier: str) -> str:
    index = TIER_STEPS.index(tier)
    options = [i for i in (index - 1, index + 1) if 0 <= i < len(TIER_STEPS)]
    return TIER_STEPS[rng.choice(options)]


def _local(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=HUB_TIME_ZONE)


def _out_of_hours(moment: dt.datetime) -> bool:
    local = moment.astimezone(HUB_TIME_ZONE)
    return local.weekday() >= 5 or not 8 <= local.hour < 18 or is_bank_holiday(local.date())


def create_referrals(ctx: DemoContext) -> None:
    rng = ctx.rng
    referrer_names = sorted(a.username for a in ACCOUNTS if Role.REFERRER in a.roles)
    decider_names = sorted(a.username for a in ACCOUNTS
                           if {Role.TRIAGE, Role.SUPERVISOR} & set(a.roles))
    referrers = [ctx.users[name] for name in referrer_names if name in ctx.users]
    deciders = [ctx.users[name] for name in decider_names if name in ctx.users]
    if not referrers or not deciders or not ctx.child_ids:
        ctx.progress.write("    no referrers, triage staff or children: no referrals made")
        return
    by_source: dict[ReferralSource, list[tuple[User, int]]] = {}
    for user in referrers:
        if user.agency is not None:
            by_source.setdefault(source_for_agency_kind(user.agency.kind), []).append(
                (user, user.agency.pk))
    sources = Weighted([(source, weight) for source, weight in SOURCE_SHARES
                        if source in by_source])

    total = ctx.scale.pick(small=150, force=4_000, national=80_000)
    thresholds = dict(settings.SCREENING_THRESHOLDS)
    check_clocks = partner_check_clocks()
    decision = decision_clock()
    catalogue = list(Indicator.objects.filter(is_active=True).order_by("sort_order", "code"))
    # A restricted child's record is held by named workers only: the demo keeps them out
    # of the year's random referrals, so the analysts' and leaders' figures (exact only
    # for those who may open every record behind them) show whole in the demo.
    restricted = set(Person.objects.filter(is_restricted=True).values_list("pk", flat=True))
    children = set(ctx.child_ids) - restricted
    child_ids = sorted(children)
    # Every person read once and the children kept: most people are children, and
    # naming them in slices of ids takes several times as long at national scale.
    facts = {
        pk: ChildFacts(dob, estimated, estimated_on)
        for pk, dob, estimated, estimated_on in Person.objects.values_list(
            "pk", "date_of_birth", "estimated_age", "age_estimated_on")
        if pk in children
    }
    first_day = ctx.as_of - dt.timedelta(days=PERIOD_DAYS)
    days = [first_day + dt.timedelta(days=n) for n in range(PERIOD_DAYS)]
    day_choice = {source: Weighted([(day, day_weight(source, day)) for day in days])
                  for source in by_source}
    end = _local(ctx.as_of, 0, 0)  # nothing is received or decided from the reference day on

    plans: list[Plan] = []
    referred: list[int] = []
    for _ in range(total):
        source = sources.pick(rng)
        referrer, agency_id = rng.choice(by_source[source])
        day = day_choice[source].pick(rng)
        hour = HOURS.get(source, OFFICE_HOURS).pick(rng)
        received_at = _local(day, hour, rng.randrange(60)).astimezone(dt.UTC)
        if referred and rng.random() < REPEAT_REFERRAL_SHARE:
            child_id = rng.choice(referred)
        else:
            child_id = rng.choice(child_ids)
        referred.append(child_id)
        tier = LATENT_TIERS.pick(rng)
        child_age = facts[child_id].age_on(day)
        indicators = _draw_indicators(rng, catalogue, tier, child_age, thresholds)
        disclosure = rng.random() < DISCLOSURE[tier]
        immediate_risk = rng.random() < IMMEDIATE_RISK[tier]
        sexual_activity = rng.random() < SEXUAL_ACTIVITY[tier]
        model = MODELS[tier].pick(rng)
        online = model == ExploitationModel.ONLINE or any(i.domain == "online" for i in indicators)
        platforms = (rng.sample(list(OnlinePlatform.values), rng.randint(1, 3)) if online else [])
        low, high = MISSING_EPISODES[tier]
        missing_episodes = rng.randint(low, high)
        screening = screen_referral(
            indicators=[ScreenedIndicator(i.code, i.label, i.weight) for i in indicators],
            child_age=child_age, disclosure=disclosure,
            immediate_risk=immediate_risk, thresholds=thresholds,
            missing_episodes=missing_episodes, sexual_activity=sexual_activity)
        types = exploitation_types_for(model, indicators, len(plans))
        referral = Referral(
            **referral_form_answers(len(plans), source, child_age),
            child_id=child_id, referrer=referrer, referrer_agency_id=agency_id,
            source=source, received_at=received_at,
            concerns=f"{OPENERS[source]} {CONCERNS[model]} (Synthetic demo referral.)",
            exploitation_types=types,
            exploitation_model=model, immediate_risk=immediate_risk, disclosure=disclosure,
            sexual_activity=sexual_activity,
            missing_episodes=missing_episodes, online_platforms=platforms,
            screening_score=screening.score, suggested_brag=screening.brag,
            suggested_tier=screening.tier_value, screening_reasons=screening.reasons_json(),
            decision_due_at=decision.due_at(received_at),
            partner_check_brag=screening.brag,
            partner_checks_due_at=check_clocks[screening.brag].due_at(received_at),
        )
        plans.append(Plan(referral=referral, indicators=indicators))

    _plant_under_13_referral(plans, facts, thresholds, check_clocks)
    plans.sort(key=lambda plan: (plan.referral.received_at, plan.referral.child_id))
    recent = [index for index, plan in enumerate(plans)
              if end - plan.referral.received_at < dt.timedelta(days=STUCK_WITHIN_DAYS)]
    stuck_count = min(len(recent), ctx.scale.pick(small=5, force=25, national=300))
    stuck = set(rng.sample(recent, stuck_count))
    for index, plan in enumerate(plans):
        if index not in stuck:
            _decide(rng, plan, deciders, end, check_clocks)
    _give_references(plans)
    counter = ctx.progress.counter("referrals", len(plans))
    written = insert_rows([p.referral for p in plans], batch_size=ctx.scale.batch_size)
    counter.add(len(written))
    counter.finish()
    insert_rows(
        (ReferralIndicator(referral=plan.referral, indicator=indicator)
         for plan in plans for indicator in plan.indicators),
        batch_size=ctx.scale.batch_size,
    )
    cases = _open_cases(plans, ctx)
    steps = _immediate_steps(rng, plans, deciders)
    ctx.count("referrals of sexual activity with a child aged 12 or under",
              sum(p.referral.prompts_immediate_steps for p in plans))
    ctx.count("immediate steps recorded", len(steps))
    ctx.count("referrals", len(plans))
    ctx.count("referral indicators", sum(len(p.indicators) for p in plans))
    ctx.count("MACE cases opened from referrals", len(cases))
    ctx.results["referrals.referral_ids"] = [p.referral.pk for p in plans]
    ctx.results["referrals.case_ids"] = [case.pk for case in cases]


def _plant_under_13_referral(plans: list[Plan], facts: dict[int, ChildFacts],
                             thresholds: dict[str, int],
                             check_clocks: dict[Brag, Clock]) -> None:
    """Make sure the demo shows a referral of sexual activity with a child aged 12 or
    under (rape in law): if none was drawn, the first referral about such a child records
    it, screened again by the rules."""
    def age(plan: Plan) -> int | None:
        referral = plan.referral
        return facts[referral.child_id].age_on(referral.received_at.astimezone(
            HUB_TIME_ZONE).date())

    if any(p.referral.sexual_activity and (age(p) or 99) <= 12 for p in plans):
        return
    plan = next((p for p in plans if (age(p) or 99) <= 12), None)
    if plan is None:
        return
    referral = plan.referral
    referral.sexual_activity = True
    screening = screen_referral(
        indicators=[ScreenedIndicator(i.code, i.label, i.weight) for i in plan.indicators],
        child_age=age(plan), disclosure=bool(referral.disclosure),
        immediate_risk=bool(referral.immediate_risk), thresholds=thresholds,
        sexual_activity=True)
    referral.screening_score, referral.suggested_brag = screening.score, screening.brag
    referral.suggested_tier = screening.tier_value
    referral.screening_reasons = screening.reasons_json()
    referral.partner_check_brag = screening.brag
    referral.partner_checks_due_at = check_clocks[screening.brag].due_at(referral.received_at)


def _immediate_steps(rng: random.Random, plans: list[Plan],
                     deciders: list[User]) -> list[ImmediateStep]:
    """For each referral of sexual activity with a child aged 12 or under: the police
    told within the hour; the strategy discussion held by the decision (children's social
    care recording it), or, while the referral awaits triage, not yet recorded."""
    social_care = [user for user in deciders if _social_care(user)] or deciders
    steps = []
    for plan in plans:
        referral = plan.referral
        if not referral.prompts_immediate_steps:
            continue
        told_at = referral.received_at + dt.timedelta(minutes=rng.randint(10, 50))
        told_by = plan.decider or rng.choice(deciders)
        steps.append(ImmediateStep(
            referral=referral, kind=ImmediateStepKind.POLICE_NOTIFICATION, done=True,
            done_at=told_at, note="Police control room told; incident logged (synthetic).",
            recorded_by=told_by, recorded_at=told_at))
        if referral.decided_at is not None:
            steps.append(ImmediateStep(
                referral=referral, kind=ImmediateStepKind.STRATEGY_DISCUSSION, done=True,
                done_at=referral.decided_at,
                note="Police, social care and health took part (synthetic).",
                recorded_by=rng.choice(social_care), recorded_at=referral.decided_at))
    ImmediateStep.objects.bulk_create(steps)
    return steps


def _decide(rng: random.Random, plan: Plan, deciders: list[User], end: dt.datetime,
            check_clocks: dict[Brag, Clock]) -> None:
    """Triage the referral as the hub would have, unless the decision falls after the end
    of the period. The partner-check clock follows the rating triage gives."""
    referral = plan.referral
    window = referral.decision_due_at - referral.received_at
    late_share = LATE_SHARE_OUT_OF_HOURS if (
        referral.partner_check_brag in (Brag.RED, Brag.AMBER)
        and _out_of_hours(referral.received_at)
    ) else LATE_SHARE
    if rng.random() < late_share:
        decided_at = referral.received_at + window * rng.uniform(1.05, 2.5)
    else:
        decided_at = referral.received_at + window * rng.uniform(0.1, 0.95)
    decided_at = decided_at.replace(second=0, microsecond=0)
    decided_at = max(decided_at, referral.received_at)
    if decided_at >= end:
        return
    decider = rng.choice(deciders)
    tier, brag = referral.suggested_tier, Brag(referral.suggested_brag)
    override = ""
    if rng.random() > ACCEPT_SUGGESTION_SHARE:
        tier = _step_tier(rng, tier)
        brag = BRAG_FOR_TIER[tier] if brag != Brag.RED or not referral.immediate_risk else brag
        override = rng.choice(OVERRIDE_REASONS)
        if (brag, tier) == (referral.suggested_brag, referral.suggested_tier):
            override = ""
    outcome = OUTCOMES[tier].pick(rng)
    if outcome in CHILDRENS_SOCIAL_CARE_OUTCOMES and not _social_care(decider):
        # The local authority's decisions: a children's social care officer records them.
        social_care = [user for user in deciders if _social_care(user)]
        if social_care:
            decider = rng.choice(social_care)
        else:
            outcome = TriageOutcome.OPEN_MACE_CASE if tier else TriageOutcome.EARLY_HELP
    referral.status = ReferralStatus.DECIDED
    referral.brag, referral.risk_tier, referral.override_reason = brag, tier, override
    referral.outcome, referral.outcome_reason = outcome, OUTCOME_REASONS[outcome]
    referral.decided_at, referral.decided_by = decided_at, decider
    if brag != referral.partner_check_brag:
        referral.partner_check_brag = brag
        referral.partner_checks_due_at = check_clocks[brag].due_at(referral.received_at)
    referral.referrer_notified_at = decided_at + dt.timedelta(minutes=rng.randint(1, 10))
    plan.decider = decider


def _social_care(user: User) -> bool:
    return user.agency is not None and user.agency.kind == AgencyKind.CHILDRENS_SOCIAL_CARE


def _give_references(plans: list[Plan]) -> None:
    """REF-<year>-<number>, in order of receipt, after any the year already has."""
    next_number: dict[int, int] = {}
    for plan in plans:
        year = plan.referral.received_at.astimezone(HUB_TIME_ZONE).year
        if year not in next_number:
            prefix = f"REF-{year}-"
            last = Referral.objects.filter(reference__startswith=prefix).aggregate(
                last=Max("reference"))["last"]
            next_number[year] = int(last.removeprefix(prefix)) + 1 if last else 1
        plan.referral.reference = f"REF-{year}-{next_number[year]:06d}"
        next_number[year] += 1


def _open_cases(plans: list[Plan], ctx: DemoContext) -> list[Case]:
    """A MACE case for each decision to open one, unless the child's case is already
    open; the referral is then added to that case (one open case per child)."""
    open_by_child: dict[int, Case] = {
        case.child_id: case for case in Case.objects.filter(status="open").order_by("pk")
    }
    next_number: dict[int, int] = {}
    new_cases: list[Case] = []
    linked: list[tuple[Plan, Case]] = []
    for plan in plans:
        referral = plan.referral
        if referral.outcome != TriageOutcome.OPEN_MACE_CASE or plan.decider is None:
            continue
        case = open_by_child.get(referral.child_id)
        if case is None and referral.decided_at is not None:
            year = referral.decided_at.astimezone(HUB_TIME_ZONE).year
            if year not in next_number:
                prefix = f"CASE-{year}-"
                last = Case.objects.filter(reference__startswith=prefix).aggregate(
                    last=Max("reference"))["last"]
                next_number[year] = int(last.removeprefix(prefix)) + 1 if last else 1
            case = Case(
                reference=f"CASE-{year}-{next_number[year]:06d}", child_id=referral.child_id,
                opened_at=referral.decided_at, opened_by=plan.decider,
                lead_agency=plan.decider.agency, risk_tier=referral.risk_tier,
                exploitation_types=list(referral.exploitation_types),
            )
            next_number[year] += 1
            open_by_child[referral.child_id] = case
            new_cases.append(case)
        if case is not None:
            linked.append((plan, case))
    insert_rows(new_cases, batch_size=ctx.scale.batch_size)
    insert_rows(
        (RiskTierChange(case=case, from_tier="", to_tier=case.risk_tier,
                        changed_at=case.opened_at, changed_by=case.opened_by,
                        reason=OUTCOME_REASONS[TriageOutcome.OPEN_MACE_CASE])
         for case in new_cases),
        batch_size=ctx.scale.batch_size,
    )
    for plan, case in linked:
        plan.referral.case = case
    update_rows([plan.referral for plan, _ in linked], ["case"])
    return new_cases


def delete_demo_referrals(progress: Progress) -> dict[str, int]:
    """Every referral goes with the demo's children. The cases step's reset (a later
    step, so it runs first) deletes the cases; any opened from a referral that are still
    there are deleted here with their referrals."""
    _total, cases = Case.objects.filter(
        pk__in=Referral.objects.filter(case__isnull=False).values("case_id")).delete()
    _total, referrals = Referral.objects.all().delete()
    return {
        "cases opened from referrals": cases.get("cases.Case", 0),
        "referrals": referrals.get("referrals.Referral", 0),
        "referral indicators": referrals.get("referrals.ReferralIndicator", 0),
    }


@demo_step("referrals", order=REFERRALS_ORDER, reset=delete_demo_referrals,
           description="a year of referrals from every source, screened and triaged "
           "against the clock; some open MACE cases")
def demo_referrals(ctx: DemoContext) -> None:
    create_referrals(ctx)



# --- A referral about a child the hub already knows -------------------------------------

KNOWN_CHILD_ORDER = 1350  # after the cases and the intelligence about the children
KNOWN_CHILD_CONCERN = (
    "Youth workers report that the child was found in another town late at night with "
    "two older teenagers, carrying cash and a phone they would not explain. "
    "(Synthetic demo referral.)"
)


def _known_child(as_of: dt.date) -> int | None:
    """The child with the most history the triage decision page can show: earlier
    referrals, a case that is not restricted and intelligence (handling code P) that
    names them, preferring one with missing episodes on that case; the lowest id among
    the best. When that child has no missing episode, one is recorded on their latest
    case (found in town the next morning, interviewed in time)."""
    from macehub.cases.models import MissingEpisode
    from macehub.intelligence.models import ReportLink

    restricted = set(Case.objects.filter(is_restricted=True).values_list("child_id", flat=True))
    with_case = set(Case.objects.values_list("child_id", flat=True)) - restricted
    in_intelligence = set(ReportLink.objects.filter(person__isnull=False,
                                                    report__handling_code="P")
                          .values_list("person_id", flat=True))
    referred = set(Referral.objects.values_list("child_id", flat=True))
    with_episodes = set(MissingEpisode.objects.values_list("child_id", flat=True))
    candidates = sorted(with_case & referred, key=lambda pk: (
        pk not in in_intelligence, pk not in with_episodes, pk))
    if not candidates:
        return None
    child_id = candidates[0]
    if child_id not in with_episodes:
        case = Case.objects.filter(child_id=child_id).order_by("-opened_at", "-pk").first()
        last_day = (timezone.localdate(case.closed_at) if case is not None and case.closed_at
                    else as_of)
        went = _local(last_day - dt.timedelta(days=12), 21, 30)
        if case is not None and case.opened_at < went:
            MissingEpisode.objects.create(
                case=case, went_missing_at=went, returned_at=went + dt.timedelta(hours=11),
                interview_offered_at=went + dt.timedelta(hours=20),
                interview_offered_by="Robin Ashdown",
                interview_offered_by_agency="Safe Return Service (commissioned)",
                interview_offerer="independent", interview_response="accepted",
                return_interview_at=went + dt.timedelta(hours=40),
                interview_outcome="Spoke about the adults who drove them there; shared with "
                                  "the police. (Synthetic.)",
                recorded_by=case.opened_by,
                recorded_at=went + dt.timedelta(hours=12),
                notes="Found in another town by police the next morning. (Synthetic.)")
    return child_id


def delete_known_child_referral(progress: Progress) -> dict[str, int]:
    """The step's own referral (it runs before the referrals step's reset)."""
    _total, deleted = Referral.objects.filter(concerns=KNOWN_CHILD_CONCERN).delete()
    return {"referrals about a child the hub already knows":
            deleted.get("referrals.Referral", 0)}


@demo_step("referrals-known-child", order=KNOWN_CHILD_ORDER,
           reset=delete_known_child_referral,
           description="a new referral, awaiting triage, about a child the hub already "
                       "knows: earlier referrals, a case, missing episodes and intelligence")
def demo_referral_about_a_known_child(ctx: DemoContext) -> None:
    child_id = _known_child(ctx.as_of)
    referrers = [(user, user.agency) for name in sorted(a.username for a in ACCOUNTS
                                                        if Role.REFERRER in a.roles)
                 if (user := ctx.users.get(name)) is not None and user.agency is not None]
    if child_id is None or not referrers:
        ctx.progress.write("    no child with a history, or no referrer: nothing made")
        return
    referrer, agency = referrers[0]
    received_at = (_local(ctx.as_of - dt.timedelta(days=1), 16, 20)).astimezone(dt.UTC)
    child = Person.objects.get(pk=child_id)
    indicators = list(Indicator.objects.filter(
        code__in=("CRIMINAL_TRAVEL", "CRIMINAL_CASH", "CRIMINAL_PHONES")).order_by("sort_order"))
    screening = screen_referral(
        indicators=[ScreenedIndicator(i.code, i.label, i.weight) for i in indicators],
        child_age=child.age_on(received_at.astimezone(HUB_TIME_ZONE).date()),
        disclosure=False, immediate_risk=False,
        thresholds=dict(settings.SCREENING_THRESHOLDS), missing_episodes=2)
    referral = Referral(
        child=child, referrer=referrer, referrer_agency=agency,
        source=source_for_agency_kind(agency.kind), received_at=received_at,
        concerns=KNOWN_CHILD_CONCERN,
        exploitation_types=[ExploitationType.CSE.value, ExploitationType.CCE.value],
        exploitation_model=ExploitationModel.GANG_ASSOCIATED, missing_episodes=2,
        screening_score=screening.score, suggested_brag=screening.brag,
        suggested_tier=screening.tier_value, screening_reasons=screening.reasons_json(),
        decision_due_at=decision_clock().due_at(received_at),
        partner_check_brag=screening.brag,
        partner_checks_due_at=partner_check_clocks()[screening.brag].due_at(received_at),
    )
    plan = Plan(referral=referral, indicators=indicators)
    _give_references([plan])
    referral.save(force_insert=True)
    ReferralIndicator.objects.bulk_create(
        ReferralIndicator(referral=referral, indicator=indicator) for indicator in indicators)
    ctx.count("referrals about a child the hub already knows", 1)
    ctx.results["referrals.known_child_referral_id"] = referral.pk


# --- Referrals that joined an open case; a referral picked up ------------------------------

# After the cases step has given each case its key worker, tier history and closure.
JOINED_ORDER = 1360
# A referral that joined an open case this recently still waits for the tier's review.
JOINED_WAITING_DAYS = 14
JOINED_KEPT_NOTE = ("Reviewed against the new referral: the plan already covers the "
                    "concern. (Synthetic.)")


def delete_demo_referrals_joined(progress: Progress) -> dict[str, int]:
    """The step's records (the cases step's reset, which runs first, deletes them with
    the cases too); the pick-ups go with the referrals."""
    deleted, _ = ReferralJoined.objects.all().delete()
    return {"referrals that joined an open case": deleted}


def _tier_when(changes: list[RiskTierChange], moment: dt.datetime, current: str) -> str:
    """The case's tier at ``moment``, from its tier history (oldest first)."""
    tier = ""
    for change in changes:
        if change.changed_at <= moment:
            tier = change.to_tier
    return tier or current


@demo_step("referrals joined and picked up", order=JOINED_ORDER,
           reset=delete_demo_referrals_joined,
           description="referrals that joined a child's open case, reviewed by the key "
                       "worker (the latest still waiting), and a referral picked up")
def demo_referrals_joined(ctx: DemoContext) -> None:
    """Each decision to open a case that found the child's case open (the referrals step
    added the referral to it) is recorded on the case as a referral that joined it, with
    triage's rating against the case's tier then. Those older than two weeks were
    reviewed and the tier kept; the recent ones (at least the latest) still wait for the
    key worker. Then the most urgent referral awaiting triage is picked up by a triage
    officer."""
    evening = _local(ctx.as_of, 17, 0)
    referrals = list(
        Referral.objects.filter(case__isnull=False, outcome=TriageOutcome.OPEN_MACE_CASE,
                                decided_by__isnull=False, decided_at__isnull=False)
        # The first referral received of those that point at a case opened it (the
        # referrals step opens a case for the first and adds the later ones to it).
        .exclude(pk=Subquery(Referral.objects.filter(case=OuterRef("case"))
                             .order_by("received_at", "pk").values("pk")[:1]))
        .select_related("case", "decided_by").order_by("decided_at", "pk"))
    history: dict[int, list[RiskTierChange]] = {}
    for change in RiskTierChange.objects.filter(
            case_id__in={r.case_id for r in referrals}).order_by("changed_at", "pk"):
        history.setdefault(change.case_id, []).append(change)
    rows: list[ReferralJoined] = []
    for referral in referrals:
        case, decided_at, decider = referral.case, referral.decided_at, referral.decided_by
        if case is None or decided_at is None or decider is None:
            continue
        if decided_at < case.opened_at or (case.closed_at and decided_at > case.closed_at):
            continue
        row = ReferralJoined(
            case=case, referral_reference=referral.reference,
            referring_agency_id=referral.referrer_agency_id, joined_at=decided_at,
            recorded_by=decider, brag=referral.brag, risk_tier=referral.risk_tier,
            case_tier=_tier_when(history.get(case.pk, []), decided_at, case.risk_tier),
        )
        if not (case.is_open and decided_at >= evening - dt.timedelta(days=JOINED_WAITING_DAYS)):
            row.acknowledged_by_id = case.key_worker_id or decider.pk
            row.acknowledged_at = min(decided_at + dt.timedelta(days=1), evening)
            row.outcome = JoinedReferralReview.TIER_KEPT
            row.outcome_note = JOINED_KEPT_NOTE
        rows.append(row)
    if rows and all(row.acknowledged_at is not None for row in rows):
        latest = next((row for row in reversed(rows) if row.case.is_open), None)
        if latest is not None:  # the demo shows the prompt on at least one case
            latest.acknowledged_by_id, latest.acknowledged_at = None, None
            latest.outcome, latest.outcome_note = "", ""
    insert_rows(rows, batch_size=ctx.scale.batch_size)
    ctx.count("referrals that joined an open case", len(rows))

    triage = ctx.users.get("triage.police")
    # The most serious rating first, then the least time left.
    rank = {Brag.RED: 0, Brag.AMBER: 1, Brag.GREEN: 2, Brag.BLUE: 3}
    awaiting = min(
        Referral.objects.filter(status=ReferralStatus.AWAITING_TRIAGE)
        .exclude(concerns=KNOWN_CHILD_CONCERN),
        key=lambda r: (rank.get(Brag(r.suggested_brag), 4), r.decision_due_at, r.pk),
        default=None)
    if triage is not None and awaiting is not None:
        awaiting.picked_up_by = triage
        awaiting.picked_up_at = max(awaiting.received_at, evening - dt.timedelta(hours=1))
        awaiting.save(update_fields=["picked_up_by", "picked_up_at"])
        ctx.count("referrals picked up", 1)


# --- Partner checks -----------------------------------------------------------------------

PARTNER_CHECKS_ORDER = 1160
# How often triage asks partner agencies to check, by the suggested rating: every Red
# referral, most Amber, some Green; Blue ("no MASH response") none.
CHECK_SHARE = {Brag.RED: 1.0, Brag.AMBER: 0.9, Brag.GREEN: 0.5, Brag.BLUE: 0.0}
LATE_CHECK_SHARE = 0.12
INFORMATION_HELD_SHARE = 0.4
# Referrals still awaiting triage: this share of their checks have not come back yet.
OUTSTANDING_WHILE_AWAITING = 0.5
CHECK_SUMMARIES = (
    "Known to the service: two previous contacts this year about going missing. "
    "(Synthetic demo summary.)",
    "Attended the sexual health clinic twice in the last six months. (Synthetic demo "
    "summary.)",
    "Named in a report of a car seen collecting children near the school. (Synthetic "
    "demo summary.)",
    "Open to early help last year; closed after the family moved. (Synthetic demo summary.)",
)


def create_partner_checks(ctx: DemoContext) -> None:
    """Checks triage asked of the hub's partner agencies (those with hub members), each
    due by the referral's rating and returned by one of the agency's hub members: most in
    time, some late, and some of those on referrals still awaiting triage not yet back.
    A check still outstanding when triage gave another rating follows the new rating's
    clock, as the service does."""
    rng = ctx.rng
    agencies = list(Agency.objects.filter(teams__is_hub_team=True).distinct().order_by("code"))
    returners = {
        agency.pk: list(User.objects.filter(
            agency=agency, team__is_hub_team=True,
            role_assignments__role__in=PARTNER_CHECK_ROLES).distinct().order_by("username"))
        for agency in agencies
    }
    agencies = [agency for agency in agencies if returners[agency.pk]]
    requesters = list(User.objects.filter(
        team__is_hub_team=True, role_assignments__role__in=(Role.TRIAGE, Role.SUPERVISOR),
    ).distinct().order_by("username"))
    referral_ids = ctx.results.get("referrals.referral_ids", [])
    if not agencies or not requesters or not referral_ids:
        ctx.progress.write("    no referrals or partner agencies: no partner checks made")
        return
    clocks = partner_check_clocks()
    end = _local(ctx.as_of, 0, 0)
    checks: list[PartnerCheck] = []
    users = {user.pk: user for user in User.objects.filter(
        pk__in=Referral.objects.filter(decided_by__isnull=False).values("decided_by"))}
    referrals = Referral.objects.filter(pk__in=referral_ids).order_by("received_at", "pk")
    for referral in referrals.iterator():
        suggested = Brag(referral.suggested_brag)
        if rng.random() >= CHECK_SHARE[suggested]:
            continue
        requested_at = referral.received_at + dt.timedelta(minutes=rng.randint(5, 40))
        if requested_at >= end:
            continue
        requester = (users[referral.decided_by_id] if referral.decided_by_id
                     else rng.choice(requesters))
        asked = sorted(rng.sample(agencies, rng.randint(1, len(agencies))), key=lambda a: a.code)
        for agency in asked:
            due = clocks[suggested].due_at(requested_at)
            window = due - requested_at
            late = rng.random() < LATE_CHECK_SHARE
            returned_at: dt.datetime | None = (
                requested_at + window * (rng.uniform(1.05, 3.0) if late
                                         else rng.uniform(0.1, 0.95))
            ).replace(second=0, microsecond=0)
            brag = suggested
            if (referral.decided_at is not None and referral.brag and referral.brag != brag
                    and returned_at is not None and returned_at > referral.decided_at):
                brag = Brag(referral.brag)
                due = clocks[brag].due_at(requested_at)
            awaiting = referral.status == ReferralStatus.AWAITING_TRIAGE
            if (returned_at is not None and returned_at >= end) or (
                    awaiting and rng.random() < OUTSTANDING_WHILE_AWAITING):
                returned_at = None
            held = rng.random() < INFORMATION_HELD_SHARE
            checks.append(PartnerCheck(
                referral=referral, agency=agency, requested_by=requester,
                requested_at=requested_at, brag=brag, due_at=due,
                returned_at=returned_at,
                returned_by=rng.choice(returners[agency.pk]) if returned_at else None,
                result=("" if returned_at is None else PartnerCheckResult.INFORMATION_HELD
                        if held else PartnerCheckResult.NOTHING_HELD),
                summary=rng.choice(CHECK_SUMMARIES) if returned_at and held else "",
            ))
    insert_rows(checks, batch_size=ctx.scale.batch_size)
    ctx.count("partner checks", len(checks))
    ctx.count("partner checks outstanding", sum(c.returned_at is None for c in checks))
    ctx.count("partner checks returned late",
              sum(c.returned_at is not None and c.returned_at > c.due_at for c in checks))


def delete_demo_partner_checks(progress: Progress) -> dict[str, int]:
    _total, deleted = PartnerCheck.objects.all().delete()
    return {"partner checks": deleted.get("referrals.PartnerCheck", 0)}


@demo_step("partner checks", order=PARTNER_CHECKS_ORDER, reset=delete_demo_partner_checks,
           description="partner checks asked of the hub's agencies: returned in time, late, "
           "and some still outstanding")
def demo_partner_checks(ctx: DemoContext) -> None:
    create_partner_checks(ctx)
