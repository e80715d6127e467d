"""Demo data for child safeguarding cases: the year's work on each case.

Runs after the referrals step (which opens cases through ``open_case``); when no case
exists yet it opens some itself from ``ctx.child_ids``, so it also works alone. Each case
gets a risk tier history, a key worker, victim advocates (some changed, for the
continuity measure), plan items (some overdue), contacts, missing episodes (some return
home interviews late or never held), outcomes, some sharing and allocation, a few
restrictions, and some closures. Everything is drawn from the step's own seeded
generator and written in bulk (``insert_rows``).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar, cast

from django.conf import settings
from django.db.models import Exists, Max, Min, Model, OuterRef
from django.utils import timezone

from macehub.accounts.models import Agency, User
from macehub.accounts.roles import AgencyKind, Role
from macehub.cases.codes import (
    CaseStatus,
    ClosureReason,
    ContactKind,
    DecisionKind,
    DecisionStatus,
    DomainRating,
    InterviewOfferer,
    InterviewResponse,
    OutcomeKind,
    PlanItemStatus,
    PoliceRiskGrade,
    RiskTier,
    SeenAnswer,
    closure_reason_label,
)
from macehub.cases.models import (
    AdvocateAllocation,
    Case,
    CaseAllocation,
    CaseDecisionRequest,
    CaseOutcome,
    CaseShare,
    Contact,
    MissingEpisode,
    NrmReferral,
    PlanItem,
    RiskAssessment,
    RiskAssessmentRating,
    RiskTierChange,
)
from macehub.cases.reviews import assessment_domains, next_review_on, review_intervals
from macehub.cases.services import advocacy_service_of, is_lowering
from macehub.demo.batches import each_by_ids, insert_rows, update_rows
from macehub.demo.progress import Progress
from macehub.demo.registry import DemoContext, demo_step, derive_seed

T = TypeVar("T")

CASES_ORDER = 1200

TIERS = (RiskTier.HIGH, RiskTier.MEDIUM, RiskTier.LOW)
TIER_WEIGHTS = (0.25, 0.40, 0.35)

PLAN_ACTIONS = (
    "Complete a child exploitation risk assessment",
    "Strategy discussion with police and children's social care",
    "Refer to the sexual health service for a confidential appointment",
    "School to put a safe adult and daily check-in in place",
    "Home visit to talk to parents about online safety",
    "Request a disruption plan for the adults linked to the child",
    "Return home interview follow-up with the child",
    "Share the child's missing history with the night-time economy team",
    "Arrange a meeting with the child's advocate and their chosen trusted adult",
    "Check the child's phone contacts with consent and record concerns",
    "Apply for a Child Abduction Warning Notice against a named adult",
    "Review school attendance and agree an alternative timetable",
    "Refer to CAMHS for emotional wellbeing support",
    "Visit the hotel named in intelligence about the child (Operation Makesafe)",
    "Re-engage the child through the trusted adult they named: not engaging is a warning "
    "sign, so keep trying",
)
TIER_REASONS = {
    "up": (
        "New intelligence links the child to adults of concern",
        "Went missing twice this month and was found with older males",
        "Disclosure to the advocate about being given alcohol and lifts",
        "Found in a vehicle with unknown adults late at night",
    ),
    "down": (
        "Engaging well with the advocate; no missing episodes for six weeks",
        "Moved school and no longer in contact with the peer group of concern",
        "Disruption of the adults involved; the child reports feeling safer",
        "Attending school daily and safety plan holding",
    ),
}
CONTACT_WITH = ("the child", "the child's mother", "the child's father", "the child's carer",
                "the designated safeguarding lead", "the school nurse", "the youth worker",
                "the child and their mother")
CONTACT_SUMMARIES = (
    "Talked about the child's week, school and friendships. No new concerns raised.",
    "The child was quiet and did not want to talk about last weekend. Follow up planned.",
    "Discussed the safety plan and who the child can call if they feel unsafe.",
    "Parent worried about late-night phone use and new clothes of unknown origin.",
    "School reports better attendance and the child has joined an after-school club.",
    "The child mentioned a new older 'friend' who drives them around. Recorded for intelligence.",
)
ADVOCATE_END_REASONS = (
    "Advocate left the service",
    "The child asked for a different advocate",
    "Advocate on long-term leave",
    "Caseload rebalanced after a team change",
)
ADVOCACY_ENDED_AFTER_CLOSURE = (
    "After the trial: support through the verdict and sentencing is complete",
    "The child no longer wants advocacy support",
    "Moved to adult services with a named support worker",
)
MISSING_NOTES = (
    "Found by police at a takeaway in the town centre.",
    "Returned home by themself in the early hours.",
    "Located at a friend's address; would not say who else was there.",
    "Found in a park with older males; taken home by police.",
    "Returned to the children's home after two nights away.",
)
# Return home interviews: who offers them (independent services where possible), and
# what the held ones found. Synthetic names and services.
# Partner agencies' named people who own plan actions (no access to the case): the
# school's actions are the designated safeguarding lead's.
SCHOOL_SAFEGUARDING_LEADS = (
    ("Hannah Okafor", "Designated safeguarding lead", "Riverside Academy",
     "01632 960 118"),
    ("Gareth Pryce", "Designated safeguarding lead", "St Aidan's High School",
     "g.pryce@staidans.example.org"),
    ("Sunita Bhatt", "Deputy designated safeguarding lead", "Northgate Secondary School",
     "01632 960 472"),
)
PARTNER_OWNED_ACTIONS = frozenset({
    "School to put a safe adult and daily check-in in place",
    "Review school attendance and agree an alternative timetable",
})
# Whether the child was seen, by kind of contact (the rest: not applicable).
SEEN_BY_KIND = {"home_visit": 0.85, "school_visit": 0.9, "meeting": 0.6}
CHILD_WORDS = (
    "\"I just want things to go back to normal. I don't want Mum to know everything.\"",
    "Said she feels safer since she stopped going to the park. Wants to keep seeing the "
    "same worker.",
    "\"They're my friends, they look after me.\" Does not want the police involved.",
    "Wants to move to a different form group and to have someone to talk to at lunch.",
    "Said he owes someone money and is scared to say who. Wants help but not a big fuss.",
    "\"Nobody listens when I say I'm fine.\" Agreed to meet again next week.",
)
# Police risk grades of missing person reports, weighted (most children medium).
POLICE_GRADE_WEIGHTS = {PoliceRiskGrade.NO_APPARENT_RISK: 0.1, PoliceRiskGrade.LOW: 0.2,
                        PoliceRiskGrade.MEDIUM: 0.45, PoliceRiskGrade.HIGH: 0.25}
INDEPENDENT_INTERVIEWERS = (
    ("Robin Ashdown", "Safe Return Service (commissioned)"),
    ("Priya Lakhani", "Safe Return Service (commissioned)"),
    ("Morgan Ellery", "Young People's Advocacy Trust"),
)
INTERVIEW_OUTCOMES = (
    "Said they stayed with an older friend; would not give a name. Shared with the MACE "
    "analyst; safety plan reviewed.",
    "Described being driven to another town by adults they met online. Referred to the "
    "police for a strategy discussion.",
    "Went missing after an argument at home; agreed to a family support referral.",
    "Said they were at a party above a takeaway; the location was passed to the police.",
    "Did not want to talk about where they were; agreed to see the same worker next week.",
)
OUTCOME_WEIGHTS = {
    OutcomeKind.ENGAGED: 4, OutcomeKind.EDUCATION_RETURNED: 2, OutcomeKind.RISK_REDUCED: 3,
    OutcomeKind.MISSING_REDUCED: 2, OutcomeKind.DISCLOSURE: 1, OutcomeKind.DISRUPTION: 1,
    OutcomeKind.PROSECUTION: 1,
}
CLOSURE_WEIGHTS = {
    ClosureReason.RISK_REDUCED: 5, ClosureReason.STEPPED_DOWN: 3, ClosureReason.MOVED_AWAY: 1,
    ClosureReason.TURNED_18: 1,
}
CONTACT_KIND_WEIGHTS = {
    ContactKind.HOME_VISIT: 4, ContactKind.SCHOOL_VISIT: 3, ContactKind.PHONE: 4,
    ContactKind.ONLINE: 2, ContactKind.MEETING: 2,
}


def _weighted(rng: random.Random, weights: Mapping[T, float]) -> T:
    items = list(weights)
    return rng.choices(items, weights=[weights[item] for item in items])[0]


def _between(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    if end <= start:
        return start
    return start + dt.timedelta(seconds=rng.uniform(0, (end - start).total_seconds()))


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localdate(moment)


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def _case_number(case: Case) -> int:
    """The case's number in its reference: the same for the same seed, unlike its id."""
    return int(case.reference.rsplit("-", 1)[1])


def _working_time(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    """A moment between start and end, moved into working hours where that fits."""
    moment = _between(rng, start, end)
    local = timezone.localtime(moment)
    candidate = local.replace(hour=rng.randint(9, 17), minute=rng.choice((0, 15, 30, 45)),
                              second=0, microsecond=0)
    return candidate if start <= candidate <= end else moment


@dataclass
class Staff:
    """The demo's staff by the part they play on a case (looked up by role, so the step
    works with whatever accounts exist)."""

    key_workers: list[User]
    advocates: list[User]
    deciders: list[User]
    # Who approves closing a case or lowering its tier (never the person who asked).
    approvers: list[User]
    owners: list[User]
    partner_workers: list[User]
    partner_agencies: list[Agency]
    opener: User | None

    @classmethod
    def load(cls) -> Staff:
        def with_role(*roles: Role) -> list[User]:
            return list(
                User.objects.filter(is_active=True, role_assignments__role__in=roles)
                .select_related("agency", "team").distinct().order_by("username")
            )

        # Children's social workers hold cases as the child's lead professional.
        key_workers = with_role(Role.TRIAGE, Role.INVESTIGATOR, Role.SOCIAL_WORKER)
        deciders = with_role(Role.SUPERVISOR, Role.MEETING_CHAIR, Role.TRIAGE)
        # Plan item owners must be able to see the case: hub members (plus, per case, the
        # child's advocates).
        owners = [user for user in with_role(
            Role.TRIAGE, Role.INVESTIGATOR, Role.SUPERVISOR, Role.SOCIAL_WORKER,
            Role.VICTIM_ADVOCATE, Role.MEETING_CHAIR) if user.agency_id and user.is_hub_member]
        partner_workers = [user for user in with_role(Role.INVESTIGATOR, Role.VICTIM_ADVOCATE)
                           if not user.is_hub_member]
        hub_agency_ids = [user.agency_id for user in owners if user.agency_id]
        partner_agencies = list(
            Agency.objects.filter(is_active=True).exclude(pk__in=hub_agency_ids)
            .exclude(kind=AgencyKind.PCC_OFFICE).order_by("code")
        )
        openers = with_role(Role.TRIAGE, Role.SUPERVISOR)
        return cls(
            key_workers=key_workers, advocates=with_role(Role.VICTIM_ADVOCATE),
            deciders=deciders, approvers=with_role(Role.SUPERVISOR, Role.MEETING_CHAIR),
            owners=owners, partner_workers=partner_workers,
            partner_agencies=partner_agencies, opener=openers[0] if openers else None,
        )


@dataclass
class Rows:
    """Everything the step writes, gathered for bulk inserts."""

    tier_changes: list[RiskTierChange] = field(default_factory=list)
    advocacy: list[AdvocateAllocation] = field(default_factory=list)
    allocations: list[CaseAllocation] = field(default_factory=list)
    shares: list[CaseShare] = field(default_factory=list)
    plan_items: list[PlanItem] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    episodes: list[MissingEpisode] = field(default_factory=list)
    outcomes: list[CaseOutcome] = field(default_factory=list)

    def write(self, batch_size: int) -> dict[str, int]:
        written = {}
        tables: tuple[tuple[str, Sequence[Model]], ...] = (
            ("risk tier changes", self.tier_changes),
            ("advocate allocations", self.advocacy),
            ("case allocations", self.allocations),
            ("case shares", self.shares),
            ("plan items", self.plan_items),
            ("contacts", self.contacts),
            ("missing episodes", self.episodes),
            ("case outcomes", self.outcomes),
        )
        for label, rows in tables:
            insert_rows(rows, batch_size=batch_size)
            written[label] = len(rows)
        return written


def delete_demo_cases(progress: Progress) -> dict[str, int]:
    """Every case and everything recorded on it (rows first, then the cases)."""
    deleted: dict[str, int] = {}
    for label, model in (
        ("case decision requests", CaseDecisionRequest),
        ("case outcomes", CaseOutcome), ("missing episodes", MissingEpisode),
        ("contacts", Contact), ("plan items", PlanItem), ("case shares", CaseShare),
        ("case allocations", CaseAllocation), ("advocate allocations", AdvocateAllocation),
        ("risk tier changes", RiskTierChange),
    ):
        deleted[label], _ = model.objects.all().delete()
    deleted["cases"], _ = Case.objects.all().delete()
    return deleted


@demo_step("cases", order=CASES_ORDER, reset=delete_demo_cases,
           description="a year's work on each child's case: tiers, advocates, plans, "
                       "contacts, missing episodes, outcomes and closures")
def demo_cases(ctx: DemoContext) -> None:
    staff = Staff.load()
    if not staff.key_workers or not staff.deciders or staff.opener is None:
        ctx.progress.write("    no case workers: run the foundation's users step first")
        return
    now = _at(ctx.as_of, 17)
    rng = ctx.rng
    if Case.objects.exists():
        # Cases an earlier step opened (referrals, through open_case) with nothing on them.
        cases: list[Case] = list(
            Case.objects.exclude(Exists(PlanItem.objects.filter(case=OuterRef("pk"))))
            .exclude(Exists(Contact.objects.filter(case=OuterRef("pk"))))
            .annotate(decided_at=Min("referrals__decided_at")).order_by("pk")
        )
    else:
        cases = _open_cases(ctx, staff, now)
    rows = Rows()
    counter = ctx.progress.counter("cases", len(cases))
    openings = {
        change.case_id: change
        for change in each_by_ids(RiskTierChange.objects.filter(from_tier=""),
                                  [case.pk for case in cases], field="case_id")
    }
    for case in cases:
        _fill_case(rng, ctx, staff, case, now, rows, openings)
        counter.add()
    counter.finish()
    _missing_without_case(ctx, staff, cases, now, rows)
    _offer_due(cases, now, rows)
    _partner_action_overdue(cases, now, rows)
    update_rows(
        cases,
        ["opened_at", "key_worker", "is_restricted", "restriction_reason", "status",
         "closed_at", "closed_by", "closure_reason", "closure_reason_words",
         "closure_note"],
    )
    update_rows(list(openings.values()), ["to_tier", "changed_at"])
    for label, count in rows.write(ctx.scale.batch_size).items():
        ctx.count(label, count)
    ctx.results["cases.case_ids"] = [case.pk for case in cases]


def _open_cases(ctx: DemoContext, staff: Staff, now: dt.datetime) -> list[Case]:
    """Open cases for a share of the children when no earlier step has (bulk, so no
    per-case audit entry: the run's one import event covers the demo data)."""
    rng = ctx.rng
    wanted = ctx.scale.pick(small=40, force=800, national=12_000)
    children = rng.sample(ctx.child_ids, k=min(wanted, len(ctx.child_ids)))
    agencies = sorted({user.agency for user in staff.key_workers if user.agency},
                      key=lambda agency: agency.code)
    opener = cast(User, staff.opener)
    opening = sorted(
        ((_working_time(rng, now - dt.timedelta(days=365), now - dt.timedelta(days=2)), child_id)
         for child_id in children),
    )
    numbers: dict[int, int] = {}
    new_cases = []
    for opened_at, child_id in opening:
        year = timezone.localtime(opened_at).year
        if year not in numbers:
            last = Case.objects.filter(reference__startswith=f"CASE-{year}-").aggregate(
                last=Max("reference"))["last"]
            numbers[year] = int(last.rsplit("-", 1)[1]) if last else 0
        numbers[year] += 1
        new_cases.append(Case(
            reference=f"CASE-{year}-{numbers[year]:06d}", child_id=child_id, opened_at=opened_at,
            opened_by=opener, lead_agency=rng.choice(agencies),
            risk_tier=rng.choices(TIERS, weights=TIER_WEIGHTS)[0],
        ))
    insert_rows(new_cases, batch_size=ctx.scale.batch_size)
    created = list(Case.objects.order_by("pk"))
    insert_rows(
        [RiskTierChange(case=case, from_tier="", to_tier=case.risk_tier,
                        changed_at=case.opened_at, changed_by=opener,
                        reason="Opened from the triage decision")
         for case in created],
        batch_size=ctx.scale.batch_size,
    )
    ctx.count("cases opened", len(created))
    return created


def _tier_path(rng: random.Random, final: str, changes: int) -> list[str]:
    """Tiers from opening to now, each different from the one before, ending at ``final``."""
    path = [final]
    for _ in range(changes):
        options = [tier for tier in TIERS if tier != path[0]]
        path.insert(0, rng.choice(options))
    return path


def _fill_case(
    rng: random.Random, ctx: DemoContext, staff: Staff, case: Case, now: dt.datetime,
    rows: Rows, openings: dict[int, RiskTierChange],
) -> None:
    # Cases opened by a triage decision date from the decision, not from the demo run
    # (annotated: the earliest decision of the referrals that point at the case).
    decided_at: dt.datetime | None = getattr(case, "decided_at", None)
    if decided_at is not None and decided_at < case.opened_at:
        case.opened_at = decided_at
    if case.opened_at > now - dt.timedelta(days=1):
        case.opened_at = _working_time(rng, now - dt.timedelta(days=300),
                                       now - dt.timedelta(days=2))
    opened = case.opened_at
    age_days = (now - opened).days
    closes = age_days > 60 and rng.random() < 0.2
    end = _working_time(rng, opened + dt.timedelta(days=30), now - dt.timedelta(days=1)) \
        if closes else now
    decider = rng.choice(staff.deciders)
    number = _case_number(case)
    approver = staff.approvers[number % len(staff.approvers)] if staff.approvers else decider

    # Risk tier history, ending at the case's tier.
    path = _tier_path(rng, case.risk_tier, rng.choice((0, 0, 1, 1, 2, 3)))
    opening = openings.get(case.pk)
    if opening is not None:
        opening.to_tier = path[0]
        opening.changed_at = opened
    else:
        rows.tier_changes.append(RiskTierChange(
            case=case, from_tier="", to_tier=path[0], changed_at=opened,
            changed_by=staff.opener or decider, reason="Opened from the triage decision"))
    moments = sorted(_between(rng, opened, end) for _ in path[1:])
    for before, after, moment in zip(path[:-1], path[1:], moments, strict=True):
        direction = "up" if TIERS.index(RiskTier(after)) < TIERS.index(RiskTier(before)) else "down"
        changed_by = rng.choice(staff.deciders)
        rows.tier_changes.append(RiskTierChange(
            case=case, from_tier=before, to_tier=after, changed_at=moment,
            # Lowering a tier is approved by a supervisor or the chair (see decisions).
            changed_by=approver if direction == "down" else changed_by,
            reason=rng.choice(TIER_REASONS[direction])))

    key_worker = rng.choice(staff.key_workers) if rng.random() < 0.85 else None
    case.key_worker = key_worker
    advocates = _advocacy(rng, staff, case, opened, end, closes, rows, today=ctx.as_of)
    workers = [user for user in (key_worker, *advocates) if user is not None] or [decider]

    if rng.random() < 0.2 and staff.partner_agencies:
        agency = rng.choice(staff.partner_agencies)
        if agency.pk != case.lead_agency_id:
            rows.shares.append(CaseShare(case=case, agency=agency, shared_by=decider,
                                         reason="Partner agency is part of the safety plan"))
    if rng.random() < 0.15 and staff.partner_workers:
        rows.allocations.append(CaseAllocation(case=case, user=rng.choice(staff.partner_workers),
                                               allocated_by=decider))
    if rng.random() < 0.05:
        case.is_restricted = True
        case.restriction_reason = "The child's family includes a member of hub staff"

    _plan(rng, ctx, [*staff.owners, *advocates], case, opened, end, now, closes, rows, decider)
    _contacts(rng, case, opened, end, workers, rows)
    _missing(rng, case, opened, end, now, closes, workers, rows)
    for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
        moment = _working_time(rng, opened, end)
        rows.outcomes.append(CaseOutcome(
            case=case, kind=_weighted(rng, OUTCOME_WEIGHTS), recorded_on=_local_date(moment),
            recorded_at=moment, recorded_by=rng.choice(workers), note=""))
    if closes:
        case.status = CaseStatus.CLOSED
        case.closed_at = end
        case.closed_by = approver
        case.closure_reason = _weighted(rng, CLOSURE_WEIGHTS)
        case.closure_reason_words = closure_reason_label(case.closure_reason)
        case.closure_note = ""


def _advocacy(rng: random.Random, staff: Staff, case: Case, opened: dt.datetime,
              end: dt.datetime, closes: bool, rows: Rows, *, today: dt.date) -> list[User]:
    """Advocates one after another. Closing the case does not end the last one's
    allocation: on some closed cases advocacy goes on (through a prosecution), on others
    it ended on its own, after the closure, with its reason."""
    if not staff.advocates or rng.random() >= 0.7:
        return []
    changes = rng.choices((0, 1, 2, 3), weights=(60, 25, 10, 5))[0]
    start = _working_time(rng, opened, min(opened + dt.timedelta(days=10), end))
    starts = sorted([start, *(_between(rng, start, end) for _ in range(changes))])
    chosen: list[User] = []
    for index, moment in enumerate(starts):
        options = [user for user in staff.advocates if not chosen or user != chosen[-1]]
        chosen.append(rng.choice(options or staff.advocates))
        later = starts[index + 1] if index + 1 < len(starts) else None
        ended = _local_date(later) if later else None
        reason = rng.choice(ADVOCATE_END_REASONS) if later else ""
        if later is None and closes and _case_number(case) % 3:
            # Two in three closed cases: the advocacy ended by its own decision later.
            ended = min(_local_date(end) + dt.timedelta(days=14), today)
            reason = ADVOCACY_ENDED_AFTER_CLOSURE[
                _case_number(case) % len(ADVOCACY_ENDED_AFTER_CLOSURE)]
        rows.advocacy.append(AdvocateAllocation(
            case=case, advocate=chosen[-1], started_on=_local_date(moment),
            ended_on=ended, end_reason=reason,
            allocated_at=moment, allocated_by=rng.choice(staff.deciders)))
    return chosen


def _plan(rng: random.Random, ctx: DemoContext, owners: Sequence[User], case: Case,
          opened: dt.datetime, end: dt.datetime, now: dt.datetime, closes: bool, rows: Rows,
          creator: User) -> None:
    today = ctx.as_of
    for action in rng.sample(PLAN_ACTIONS, k=rng.randint(2, 6)):
        created = _working_time(rng, opened, end)
        created_on = _local_date(created)
        due = created_on + dt.timedelta(days=rng.randint(7, 42))
        owner = rng.choice(owners)
        item = PlanItem(case=case, action=action, owner=owner, owner_agency=owner.agency,
                        due_on=due, created_at=created, created_by=creator)
        if action in PARTNER_OWNED_ACTIONS:
            _owned_by_school(item)
        roll = rng.random()
        finish_by = min(end, now)
        if closes:
            status = PlanItemStatus.DONE if roll < 0.8 else PlanItemStatus.CANCELLED
        elif due < today:
            status = (PlanItemStatus.DONE if roll < 0.7 else
                      PlanItemStatus.CANCELLED if roll < 0.8 else PlanItemStatus.OPEN)
        else:
            status = PlanItemStatus.DONE if roll < 0.25 else PlanItemStatus.OPEN
        if status != PlanItemStatus.OPEN:
            done_at = _working_time(rng, created, min(
                finish_by, _at(due, 17) + dt.timedelta(days=rng.choice((0, 0, 3, 10)))))
            item.status = status
            item.completed_at = done_at
            item.completed_on = _local_date(done_at)
            item.completed_by = owner
            item.completion_note = (
                "" if status == PlanItemStatus.DONE
                else "No longer needed after the review" if not closes
                else "Cancelled when the case was closed")
        rows.plan_items.append(item)


def _owned_by_school(item: PlanItem) -> None:
    """The action is the school's: its safeguarding lead owns it (the same school for the
    same case), and it is recorded as done by whoever was the hub owner drawn."""
    name, role, school, contact = SCHOOL_SAFEGUARDING_LEADS[
        _case_number(item.case) % len(SCHOOL_SAFEGUARDING_LEADS)]
    item.owner, item.owner_agency = None, None
    item.partner_owner_name, item.partner_owner_role = name, role
    item.partner_owner_agency, item.partner_owner_contact = school, contact


def _seen(case: Case, index: int, contact: Contact) -> None:
    """Whether the child was seen, and alone, and what they said: from their own
    randomness, so the rest of the case is drawn as before."""
    detail = random.Random(f"seen:{case.reference}:{index}")  # noqa: S311 (synthetic data)
    chance = SEEN_BY_KIND.get(contact.kind)
    if chance is None:
        contact.child_seen = contact.child_seen_alone = SeenAnswer.NOT_APPLICABLE
        return
    if detail.random() >= chance:
        contact.child_seen = SeenAnswer.NO
        contact.child_seen_alone = SeenAnswer.NOT_APPLICABLE
        return
    contact.child_seen = SeenAnswer.YES
    contact.child_seen_alone = SeenAnswer.YES if detail.random() < 0.6 else SeenAnswer.NO
    if detail.random() < 0.5:
        contact.child_words = detail.choice(CHILD_WORDS)


def _police_report(seed: str, episode: MissingEpisode) -> None:
    """Most episodes were reported to the police: the report's reference and risk grade
    (from their own randomness)."""
    detail = random.Random(f"police:{seed}")  # noqa: S311 (synthetic data)
    if detail.random() < 0.15:
        return  # not reported, or the reference not passed on
    went = timezone.localtime(episode.went_missing_at)
    episode.police_reference = f"MP/{went:%y%m%d}/{detail.randint(1, 9999):04d}"
    episode.police_risk_grade = _weighted(detail, POLICE_GRADE_WEIGHTS)


def _contacts(rng: random.Random, case: Case, opened: dt.datetime, end: dt.datetime,
              workers: Sequence[User], rows: Rows) -> None:
    months = max(1, (end - opened).days // 30)
    for index in range(min(40, rng.randint(2, 4) * months // 2 + 1)):
        contact = Contact(
            case=case, occurred_at=_working_time(rng, opened, end),
            kind=_weighted(rng, CONTACT_KIND_WEIGHTS), with_whom=rng.choice(CONTACT_WITH),
            summary=rng.choice(CONTACT_SUMMARIES), recorded_by=rng.choice(workers))
        # An advocate's notes are confidential to their advocacy service.
        contact.advocacy_service = advocacy_service_of(contact.recorded_by)
        _seen(case, index, contact)
        rows.contacts.append(contact)


def _missing(rng: random.Random, case: Case, opened: dt.datetime, end: dt.datetime,
             now: dt.datetime, closes: bool, workers: Sequence[User], rows: Rows) -> None:
    if rng.random() >= 0.35:
        return
    window = dt.timedelta(days=int(settings.MISSING_EPISODES_WINDOW_DAYS))
    interview_hours = int(settings.RETURN_INTERVIEW_HOURS)
    count = rng.choice((1, 1, 2, 2, 3, 4, 5, 6))
    if rng.random() < 0.35 and (end - opened) > window:
        # A cluster: enough episodes in one window to prompt a strategy meeting.
        cluster_start = _between(rng, max(opened, end - window * 2), end - window)
        starts = [_between(rng, cluster_start, cluster_start + window * 0.9)
                  for _ in range(max(count, int(settings.MISSING_EPISODES_FOR_STRATEGY_MEETING)))]
    else:
        starts = [_between(rng, opened, end) for _ in range(count)]
    starts.sort()
    for index, start in enumerate(starts):
        # Evenings and nights, when children at risk go missing most.
        local = timezone.localtime(start)
        went = local.replace(hour=rng.choice((16, 18, 19, 20, 21, 22, 23)),
                             minute=rng.randint(0, 59), second=0, microsecond=0)
        went = max(min(went, end), opened)
        last = index == len(starts) - 1
        next_start = starts[index + 1] if not last else end
        if last and not closes and now - went < dt.timedelta(days=2) and rng.random() < 0.3:
            returned = None  # still missing
        else:
            returned = min(went + dt.timedelta(hours=rng.uniform(2, 60)), next_start, now)
            returned = max(returned, went)
        interview = None
        if returned is not None:
            roll = rng.random()
            hours = dt.timedelta(hours=1)
            if roll < 0.6:  # offered in time
                interview = _working_time(rng, returned + 4 * hours,
                                          returned + (interview_hours - 1) * hours)
            elif roll < 0.8:  # offered late
                interview = _working_time(rng, returned + (interview_hours + 2) * hours,
                                          returned + 240 * hours)
            if interview is not None and interview > now:
                interview = None
        episode = MissingEpisode(
            child_id=case.child_id, case=case, went_missing_at=went, returned_at=returned,
            notes=rng.choice(MISSING_NOTES) if returned else "", recorded_by=rng.choice(workers),
            recorded_at=returned or went)
        # The offer's details come from their own randomness, so the rest of the case is
        # drawn as before.
        detail = random.Random(f"{case.reference}:{index}")  # noqa: S311 (synthetic data)
        _offer(detail, episode, interview, now, workers)
        _police_report(f"{case.reference}:{index}", episode)
        rows.episodes.append(episode)


def _offer(rng: random.Random, episode: MissingEpisode, offered_at: dt.datetime | None,
           now: dt.datetime, workers: Sequence[User]) -> None:
    """Who offered the return home interview (mostly an independent service), whether
    the child accepted or declined it, and, for most accepted, when it was held and what
    it found."""
    if offered_at is None:
        return
    episode.interview_offered_at = offered_at
    if rng.random() < 0.7:
        name, service = rng.choice(INDEPENDENT_INTERVIEWERS)
        episode.interview_offerer = InterviewOfferer.INDEPENDENT
    else:
        worker = rng.choice(workers)
        name = worker.display_name
        service = worker.agency.name if worker.agency else ""
        episode.interview_offerer = InterviewOfferer.NOT_INDEPENDENT
    episode.interview_offered_by, episode.interview_offered_by_agency = name, service
    if rng.random() < 0.25:
        episode.interview_response = InterviewResponse.DECLINED
        return
    episode.interview_response = InterviewResponse.ACCEPTED
    held = offered_at + dt.timedelta(hours=rng.uniform(2, 96))
    if held <= now and rng.random() < 0.8:
        episode.return_interview_at = held
        episode.interview_outcome = rng.choice(INTERVIEW_OUTCOMES)


def _offer_due(cases: Sequence[Case], now: dt.datetime, rows: Rows) -> None:
    """A child back since this morning on an open case with a key worker, whose return
    home interview is still to be offered: what the key worker's work queue shows."""
    still_missing = {e.case_id for e in rows.episodes if e.returned_at is None}
    candidates = [case for case in cases if case.status == CaseStatus.OPEN
                  and case.key_worker is not None and case.pk not in still_missing
                  and case.opened_at < now - dt.timedelta(days=3)]
    if not candidates:
        return
    case = min(candidates, key=lambda c: c.reference)
    went = now - dt.timedelta(hours=20)
    rows.episodes.append(MissingEpisode(
        child_id=case.child_id, case=case, went_missing_at=went,
        returned_at=went + dt.timedelta(hours=9), notes=MISSING_NOTES[1],
        recorded_by=case.key_worker, recorded_at=went + dt.timedelta(hours=9)))


def _partner_action_overdue(cases: Sequence[Case], now: dt.datetime, rows: Rows) -> None:
    """A school's action, owned by its safeguarding lead, overdue on an open case with a
    key worker: what the key worker's work queue shows for the hub to chase."""
    candidates = [case for case in cases if case.status == CaseStatus.OPEN
                  and case.key_worker is not None
                  and case.opened_at < now - dt.timedelta(days=30)]
    if not candidates:
        return
    case = max(candidates, key=lambda c: c.reference)
    today = timezone.localdate(now)
    item = PlanItem(
        case=case, action="School to agree a safe route home and a named adult at the gate",
        due_on=today - dt.timedelta(days=3), created_at=now - dt.timedelta(days=24),
        created_by=cast(User, case.key_worker))
    _owned_by_school(item)
    rows.plan_items.append(item)


def _missing_without_case(ctx: DemoContext, staff: Staff, cases: Sequence[Case],
                          now: dt.datetime, rows: Rows) -> None:
    """Children known to the hub who have no case and went missing: the episodes are
    theirs, and counted, all the same."""
    rng = random.Random(  # noqa: S311 (synthetic data)
        derive_seed(ctx.seed, "cases.missing-without-case"))
    with_case = {case.child_id for case in cases} | set(
        Case.objects.values_list("child_id", flat=True))
    children = [child for child in ctx.child_ids if child not in with_case]
    wanted = ctx.scale.pick(small=8, force=60, national=600)
    interview_hours = int(settings.RETURN_INTERVIEW_HOURS)
    for child_id in rng.sample(children, k=min(wanted, len(children))):
        starts = sorted(now - dt.timedelta(days=rng.uniform(2, 200))
                        for _ in range(rng.choice((1, 1, 2, 3))))
        for index, start in enumerate(starts):
            went = timezone.localtime(start).replace(
                hour=rng.choice((17, 19, 21, 22)), minute=rng.randint(0, 59), second=0,
                microsecond=0)
            went = min(went, now - dt.timedelta(hours=30))
            returned = went + dt.timedelta(hours=rng.uniform(3, 26))
            episode = MissingEpisode(
                child_id=child_id, case=None, went_missing_at=went, returned_at=returned,
                notes=rng.choice(MISSING_NOTES), recorded_by=rng.choice(staff.key_workers),
                recorded_at=returned)
            roll = rng.random()
            offered = None
            if roll < 0.7:
                offered = returned + dt.timedelta(hours=rng.uniform(3, interview_hours - 1))
            elif roll < 0.85:
                offered = returned + dt.timedelta(hours=rng.uniform(interview_hours + 1, 150))
            if offered is not None and offered > now:
                offered = None
            detail = random.Random(f"no case:{child_id}:{index}")  # noqa: S311 (synthetic)
            _offer(detail, episode, offered, now, staff.key_workers)
            _police_report(f"no case:{child_id}:{index}", episode)
            rows.episodes.append(episode)

# --- Requests for approval -----------------------------------------------------------

DECISIONS_ORDER = CASES_ORDER + 10
CLOSURE_APPROVED_COMMENTS = (
    "Agreed at supervision: the safety plan has held and the child knows who to call",
    "Agreed: the partner service has accepted the step-down",
    "Agreed: transfer confirmed with the receiving area's MACE lead",
)


def delete_demo_decisions(progress: Progress) -> dict[str, int]:
    deleted, _ = CaseDecisionRequest.objects.all().delete()
    return {"case decision requests": deleted}


@demo_step("case decisions", order=DECISIONS_ORDER, reset=delete_demo_decisions,
           description="closures and tier lowerings asked for and approved, one closure "
                       "rejected, and requests waiting for a supervisor")
def demo_case_decisions(ctx: DemoContext) -> None:
    """Every closure and every lowering of a tier the cases step made was asked for by a
    worker and approved by a supervisor or the chair; besides, one closure was rejected
    and a closure, a tier lowering (and a lift of a restriction, where a case is
    restricted) wait for a decision."""
    staff = Staff.load()
    askers = [user for user in staff.key_workers if Role.TRIAGE in user.role_codes]
    if not staff.approvers or not askers:
        ctx.progress.write("    no supervisors or triage staff: run the users step first")
        return
    now = _at(ctx.as_of, 17)
    rng = ctx.rng
    rows: list[CaseDecisionRequest] = []

    def asker_for(case: Case, decider: User | None) -> User:
        if case.key_worker is not None and case.key_worker in askers and \
                case.key_worker != decider:
            return case.key_worker
        return next(user for user in askers if user != decider)

    closed = list(Case.objects.filter(status=CaseStatus.CLOSED).select_related(
        "key_worker", "closed_by").order_by("reference"))
    for case in closed:
        decided_at = cast(dt.datetime, case.closed_at)
        asked_at = max(case.opened_at, decided_at - dt.timedelta(days=rng.randint(1, 6)))
        rows.append(CaseDecisionRequest(
            case=case, kind=DecisionKind.CLOSE, closure_reason=case.closure_reason,
            reason=case.closure_note, case_version=case.version,
            requested_by=asker_for(case, case.closed_by), requested_at=asked_at,
            status=DecisionStatus.APPROVED, decided_by=case.closed_by, decided_at=decided_at,
            decision_comment=rng.choice(CLOSURE_APPROVED_COMMENTS)))
    lowerings = RiskTierChange.objects.exclude(from_tier="").select_related(
        "case", "case__key_worker", "changed_by").order_by("case__reference", "changed_at")
    for change in lowerings:
        if not is_lowering(change.from_tier, change.to_tier):
            continue
        rows.append(CaseDecisionRequest(
            case=change.case, kind=DecisionKind.LOWER_TIER, from_tier=change.from_tier,
            to_tier=change.to_tier, reason=change.reason, case_version=1,
            requested_by=asker_for(change.case, change.changed_by),
            requested_at=max(change.case.opened_at,
                             change.changed_at - dt.timedelta(days=rng.randint(1, 4))),
            status=DecisionStatus.APPROVED, decided_by=change.changed_by,
            decided_at=change.changed_at,
            decision_comment="Agreed: the review shows the risk has come down"))

    # Open cases, oldest first: one rejected closure, and requests still waiting.
    still_missing = MissingEpisode.objects.filter(case=OuterRef("pk"), returned_at__isnull=True)
    open_cases = list(
        Case.objects.filter(status=CaseStatus.OPEN).exclude(Exists(still_missing))
        .select_related("key_worker").order_by("opened_at", "reference")
    )
    waiting_for = staff.approvers[0]

    def ask(case: Case, **fields: object) -> None:
        rows.append(CaseDecisionRequest(
            case=case, case_version=case.version, requested_by=asker_for(case, waiting_for),
            requested_at=now - dt.timedelta(days=rng.randint(1, 5), hours=rng.randint(1, 6)),
            **fields))

    if open_cases:
        rejected_case = open_cases.pop(0)
        ask(rejected_case, kind=DecisionKind.CLOSE, closure_reason=ClosureReason.RISK_REDUCED,
            reason="She has stopped answering calls and no longer wants to meet",
            cancel_open_plan_items=True, status=DecisionStatus.REJECTED,
            decided_by=waiting_for, decided_at=now - dt.timedelta(hours=20),
            decision_comment="Not engaging is a warning sign, not a reason to close: keep "
                             "the case open and plan to re-engage her through her youth worker")
    if open_cases:
        ask(open_cases.pop(0), kind=DecisionKind.CLOSE,
            closure_reason=ClosureReason.STEPPED_DOWN, cancel_open_plan_items=True,
            reason="Early help will hold the plan; no missing episodes for three months")
    higher = [case for case in open_cases if case.risk_tier != RiskTier.LOW]
    if higher:
        case = higher[0]
        ask(case, kind=DecisionKind.LOWER_TIER, from_tier=case.risk_tier,
            to_tier=RiskTier.LOW if case.risk_tier == RiskTier.MEDIUM else RiskTier.MEDIUM,
            reason="Attending school daily and the safety plan is holding")
    restricted = [case for case in open_cases if case.is_restricted]
    if restricted:
        ask(restricted[0], kind=DecisionKind.LIFT_RESTRICTION,
            reason="The member of staff related to the child has left the hub")
    insert_rows(rows, batch_size=ctx.scale.batch_size)
    ctx.count("case decision requests", len(rows))
# --- National Referral Mechanism ------------------------------------------------------

NRM_ORDER = 1250
NRM_FIRST_RESPONDERS = (
    ("Northshire Police", "DC Priya Shah, child exploitation team"),
    ("Northshire County Council children's services", "Sam Okafor, social worker"),
    ("Northshire Police", "PC Tom Reid, missing persons unit"),
)


def delete_demo_nrm_referrals(progress: Progress) -> dict[str, int]:
    deleted, _ = NrmReferral.objects.all().delete()
    return {"NRM referrals": deleted}


@demo_step("nrm", order=NRM_ORDER, reset=delete_demo_nrm_referrals,
           description="National Referral Mechanism referrals for children trafficked or "
                       "moved to be exploited, some with reasonable- and conclusive-grounds "
                       "decisions")
def demo_nrm_referrals(ctx: DemoContext) -> None:
    """An NRM referral on each case about trafficking (at least three: cases about
    criminal exploitation are added to when too few are), a few weeks after the case
    opened. The first has a positive reasonable-grounds and then conclusive-grounds
    decision, the second a positive reasonable-grounds decision only, the third a
    negative one; the rest are waiting."""
    rng = ctx.rng
    recorder = Staff.load().opener
    if recorder is None:
        return
    today = ctx.as_of - dt.timedelta(days=1)
    cases = [case for case in Case.objects.order_by("opened_at", "pk")
             if "trafficking" in case.exploitation_types]
    if len(cases) < 3:
        extra = [case for case in Case.objects.order_by("opened_at", "pk")
                 if "trafficking" not in case.exploitation_types
                 and timezone.localdate(case.opened_at) < today - dt.timedelta(days=150)]
        for case in extra[: 3 - len(cases)]:
            case.exploitation_types = [*case.exploitation_types, "trafficking"]
            if "cce" not in case.exploitation_types:
                case.exploitation_types = ["cce", *case.exploitation_types]
            case.exploitation_types = [t for t in ("cse", "cce", "trafficking")
                                       if t in case.exploitation_types]
            case.save(update_fields=["exploitation_types"])
            cases.append(case)
    referrals = []
    for number, case in enumerate(cases):
        opened = timezone.localdate(case.opened_at)
        referred_on = min(opened + dt.timedelta(days=rng.randint(3, 20)), today)
        organisation, person = NRM_FIRST_RESPONDERS[number % len(NRM_FIRST_RESPONDERS)]
        nrm = NrmReferral(case=case, referred_on=referred_on,
                          first_responder_organisation=organisation, referred_by=person,
                          recorded_by=recorder,
                          recorded_at=_at(referred_on, 16))
        rg_on = referred_on + dt.timedelta(days=rng.randint(4, 10))
        cg_on = rg_on + dt.timedelta(days=rng.randint(45, 120))
        if number in (0, 1, 2) and rg_on <= today:
            nrm.reasonable_grounds_on = rg_on
            nrm.reasonable_grounds = "negative" if number == 2 else "positive"
            if number == 0:
                nrm.conclusive_grounds_on = min(cg_on, today)
                nrm.conclusive_grounds = "positive"
        referrals.append(nrm)
    NrmReferral.objects.bulk_create(referrals)
    ctx.count("NRM referrals", len(referrals))
    ctx.count("NRM conclusive-grounds decisions",
              sum(1 for nrm in referrals if nrm.conclusive_grounds))


# --- Risk assessments ------------------------------------------------------------------

RISK_ASSESSMENTS_ORDER = CASES_ORDER + 50
# Shares of open cases that were never assessed, and that fell behind (the last review
# that came due was not done): both show on the list of reviews due.
NEVER_ASSESSED_SHARE = 0.08
FELL_BEHIND_SHARE = 0.22
# Of the other assessments, the share whose judgement is not the case's tier at the time.
JUDGEMENT_DIFFERS_SHARE = 0.15
RATING_WEIGHTS = {
    RiskTier.HIGH: {DomainRating.NONE: 1, DomainRating.LOW: 2, DomainRating.MEDIUM: 3,
                    DomainRating.HIGH: 4},
    RiskTier.MEDIUM: {DomainRating.NONE: 2, DomainRating.LOW: 3, DomainRating.MEDIUM: 4,
                      DomainRating.HIGH: 1},
    RiskTier.LOW: {DomainRating.NONE: 5, DomainRating.LOW: 4, DomainRating.MEDIUM: 1,
                   DomainRating.HIGH: 0},
}
DOMAIN_NOTES = {
    "health": ("Attended the sexual health clinic twice this month",
               "Self-harm disclosed to the school nurse", "Smelling of cannabis at school"),
    "behaviour": ("Missing overnight twice since the last review",
                  "Attendance down to 60%; seen leaving school at lunchtime",
                  "Arrested for shoplifting with older peers"),
    "grooming": ("New phone and clothes the family cannot explain",
                 "Seen getting into cars driven by unknown adults",
                 "Talks about an older 'boyfriend' who picks her up from school"),
    "online": ("Adults she has not met messaging her on Snapchat",
               "Shared images at an adult's request", "On her phone until 3am most nights"),
    "criminal": ("Found with cash and two phones in another town",
                 "Says he owes a 'debt' to older boys", "Seen at an address used to deal drugs"),
}
ASSESSMENT_SUMMARIES = {
    RiskTier.HIGH: (
        "Being exploited: strong indicators across domains and the child is not yet able "
        "to see the risk.",
        "Continued contact with adults of concern; missing episodes and gifts suggest "
        "ongoing exploitation.",
    ),
    RiskTier.MEDIUM: (
        "At significant risk: some indicators, and protective factors at school and home.",
        "Risk persists but the child is engaging with the advocate and the safety plan.",
    ),
    RiskTier.LOW: (
        "Vulnerable: few current indicators; school and family are protective.",
        "No new concerns since the last review; the safety plan is holding.",
    ),
}


def delete_demo_risk_assessments(progress: Progress) -> dict[str, int]:
    ratings, _ = RiskAssessmentRating.objects.all().delete()
    assessments, _ = RiskAssessment.objects.all().delete()
    return {"risk assessment ratings": ratings, "risk assessments": assessments}


def _tier_at(history: Sequence[RiskTierChange], moment: dt.datetime, current: str) -> str:
    tier = history[0].to_tier if history else current
    for change in history:
        if change.changed_at <= moment:
            tier = change.to_tier
    return tier


@demo_step("risk_assessments", order=RISK_ASSESSMENTS_ORDER,
           reset=delete_demo_risk_assessments,
           description="structured risk assessments on each case at its tier's cadence, "
                       "some reviews overdue, some never done, some judgements different "
                       "from the case's tier")
def demo_risk_assessments(ctx: DemoContext) -> None:
    assessors = [user for user in User.objects.filter(
        is_active=True, role_assignments__role__in=(
            Role.TRIAGE, Role.INVESTIGATOR, Role.SUPERVISOR, Role.MEETING_CHAIR))
        .select_related("team").distinct().order_by("username") if user.is_hub_member]
    domains = assessment_domains()
    if not assessors or not domains:
        ctx.progress.write("    no assessors or no indicator domains: nothing assessed")
        return
    rng = ctx.rng
    now = _at(ctx.as_of, 17)
    intervals = review_intervals()
    assessments: list[RiskAssessment] = []
    ratings: list[list[RiskAssessmentRating]] = []
    cases = list(Case.objects.prefetch_related("tier_history").order_by("pk"))
    # However the draw falls, at least one open case of each kind.
    open_pks = [case.pk for case in cases if case.is_open]
    never = {pk for pk in open_pks if rng.random() < NEVER_ASSESSED_SHARE} or set(
        rng.sample(open_pks, k=min(1, len(open_pks))))
    rest = [pk for pk in open_pks if pk not in never]
    fell_behind = {pk for pk in rest if rng.random() < FELL_BEHIND_SHARE} or set(
        rng.sample(rest, k=min(1, len(rest))))
    counter = ctx.progress.counter("cases assessed", len(cases))
    for case in cases:
        counter.add()
        if case.pk in never:
            continue
        behind = case.pk in fell_behind
        history = list(case.tier_history.all())
        end = case.closed_at or now
        assessor = rng.choice(assessors)
        moment = _working_time(rng, case.opened_at,
                               min(case.opened_at + dt.timedelta(days=14), end))
        while moment <= end:
            tier = RiskTier(_tier_at(history, moment, case.risk_tier))
            judgement = tier
            if rng.random() < JUDGEMENT_DIFFERS_SHARE:
                judgement = rng.choice([other for other in TIERS if other != tier])
            day = _local_date(moment)
            review_on = next_review_on(day, judgement, tier)
            assessments.append(RiskAssessment(
                case=case, assessed_on=day, assessed_by=assessor, recorded_at=moment,
                judgement=judgement, case_tier=tier,
                summary=rng.choice(ASSESSMENT_SUMMARIES[judgement]), next_review_on=review_on,
            ))
            rows = []
            for code, label in domains:
                rating = _weighted(rng, RATING_WEIGHTS[judgement])
                note = ""
                if rating in (DomainRating.MEDIUM, DomainRating.HIGH):
                    note = rng.choice(DOMAIN_NOTES.get(
                        code, (f"Concerns recorded about {label.lower()}",)))
                rows.append(RiskAssessmentRating(domain=code, rating=rating, note=note))
            ratings.append(rows)
            # The next review: mostly around its date, sometimes a worker changes.
            following = _working_time(
                rng, _at(review_on, 9) - dt.timedelta(days=7), _at(review_on, 17)
                + dt.timedelta(days=rng.choice((0, 0, 0, 3, 10))))
            if rng.random() < 0.2:
                assessor = rng.choice(assessors)
            if following > end or (behind and following + intervals[tier] > end):
                break
            moment = max(following, moment + dt.timedelta(days=1))
    counter.finish()
    insert_rows(assessments, batch_size=ctx.scale.batch_size)
    for assessment, rows in zip(assessments, ratings, strict=True):
        for row in rows:
            row.assessment = assessment
    insert_rows(
        [row for rows in ratings for row in rows], batch_size=ctx.scale.batch_size)
    ctx.count("risk assessments", len(assessments))
