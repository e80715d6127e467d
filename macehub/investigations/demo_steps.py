"""The demo's investigations: one for each group the demo's supervisor confirmed (its
children as victims, its suspected offenders as suspects), and one for some of the other
children at risk (the child as victim, a suspect in most), each worked
as a force would work it, with known truth for the measures to find:

- reported a few days after the first intelligence about the group, or after the child's
  case opened (four in five children whose case is at high risk, two in five at
  medium); allocated within days (the newest few wait for allocation), with the
  allocation review signed within a day or two (some late);
- a regular review every 28 days or sooner while open; about one open investigation in
  four has its current review overdue on the demo's day;
- reviews signed late less often as the year goes on (``_late_share``: three in ten a
  year before the demo's day, one in twenty on it), so supervisory reviews on time
  improve, the measure the inspection's supervision recommendation links;
- about half of those older than three months are closed with a Home Office outcome,
  given in the order they close from a cycle of twenty (five charged, outcome 1; nine
  lost to evidential difficulties, outcomes 14 to 16), each after a review before
  closure, and a charge after a review before charge and a charging decision asked for;
  some open ones await a charging decision;
- a plan of two to four lines of enquiry, the open ones owned by the officer in the case
  with a due date (some past);
- two in three suspects of open investigations on pre-charge bail with conditions or
  released under investigation, some expired;
- each child victim's journey: Victims' Code rights offered within days of the report
  (most taken up), a needs assessment and an ABE interview for most, special measures and
  court hearings after a charge, some pre-trial therapy, and the advocate's notes; and
  the planted truth for the withdrawal measures: a child whose investigation ended in
  outcome 14 or 16 withdrew their support if they had no advocate, two times in three if
  they had one; of the others, one in ten without an advocate and one in twenty with one. A
  few children the hub holds no case for (so no advocate) are investigated and closed in
  the last three months, the first lost to outcome 16.

Rows are written directly, dated as the work happened (never after the demo's day).
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from macehub.accounts.models import User
from macehub.cases.models import AdvocateAllocation, Case
from macehub.days import day_starts
from macehub.demo.people import Weighted
from macehub.demo.progress import Progress
from macehub.demo.registry import DemoContext, demo_step
from macehub.investigations.codes import (
    ChargingDecision,
    ChargingDecisionMaker,
    CourtHearing,
    EnquiryStatus,
    EntitlementResponse,
    InvestigationStatus,
    JourneyStepKind,
    JourneyStepStatus,
    OutcomeCode,
    PreTrialTherapy,
    ReleaseKind,
    ReviewPoint,
    SpecialMeasure,
    WithdrawalReason,
)
from macehub.investigations.models import (
    AdvocateNote,
    ChargingDecisionRecord,
    Crime,
    Investigation,
    InvestigationSuspect,
    InvestigationVictim,
    JourneyStep,
    LineOfEnquiry,
    SupervisoryReview,
    SuspectRelease,
    VictimEntitlement,
)
from macehub.networks.codes import GroupStatus, MemberPart
from macehub.networks.models import Group, GroupMember

# After the groups (9200), which it investigates.
INVESTIGATIONS_ORDER = 9300
INVESTIGATOR, SUPERVISOR = "investigator.police", "supervisor.police"
ADVOCATE = "advocate.voluntary"
REVIEW_DAYS = 28
# Planted truth: supervisory reviews were signed late more often a year before the demo's
# day than on it (the force's answer to the inspection), so "supervisory reviews on time"
# improves over the year: late three times in ten when due a year before (or earlier),
# once in twenty when due on the day, and in between in proportion.
LATE_SHARE_A_YEAR_BEFORE, LATE_SHARE_ON_THE_DAY = 0.3, 0.05


def _late_share(due: dt.datetime, now: dt.datetime) -> float:
    """The chance that a review falling due at ``due`` is signed late."""
    years_before = min(max((now - due).days / 365, 0.0), 1.0)
    return LATE_SHARE_ON_THE_DAY + (
        LATE_SHARE_A_YEAR_BEFORE - LATE_SHARE_ON_THE_DAY) * years_before
# Crimes, by how often a child exploitation hub records them.
OFFENCES = Weighted([("71", 30), ("88A", 15), ("22B", 15), ("20B", 8), ("19E", 8),
                     ("19D", 6), ("86", 10), ("21", 4), ("106", 4)])
# Outcomes in the order investigations close: over every twenty, five charged (outcome
# 1), nine lost to evidential difficulties (14 to 16) and six other outcomes.
OUTCOME_CYCLE = tuple(OutcomeCode(code) for code in (
    "1", "15", "16", "18", "1", "14", "15", "20", "1", "16",
    "22", "15", "1", "21", "16", "9", "1", "15", "8", "14"))
ENQUIRIES = (
    "Download and examine the child's phone",
    "Trace the vehicle seen collecting the child",
    "Obtain CCTV from the premises and the taxi rank",
    "Request the hotel's guest records for the nights reported",
    "Interview the child (ABE), with an intermediary",
    "Identify the other children named in the messages",
    "Obtain the suspect's call data",
    "Arrest and interview the suspect",
)
FINDINGS = {
    "victim_safeguarding": "Child seen this period; safeguarding plan in place and advocate "
                           "allocated.",
    "lines_of_enquiry": "Lines of enquiry reviewed; owners and dates confirmed.",
    "suspect_management": "Suspect's bail conditions checked; no contact with the child.",
    "evidence_and_disclosure": "Devices submitted for examination; disclosure schedule kept.",
}


def delete_demo_investigations(progress: Progress) -> dict[str, int]:
    deleted, _ = Investigation.objects.all().delete()
    return {"investigations": deleted}


class _Plan:
    """One investigation's rows before they are saved."""

    def __init__(self, investigation: Investigation) -> None:
        self.investigation = investigation
        self.victims: list[tuple[int, int | None]] = []
        self.suspects: list[int] = []
        self.crimes: list[Crime] = []
        self.reviews: list[SupervisoryReview] = []
        self.enquiries: list[LineOfEnquiry] = []
        self.decisions: list[ChargingDecisionRecord] = []
        self.allocated_at: dt.datetime | None = None
        self.closes_at: dt.datetime | None = None


def _schedule(plan: _Plan, rng: random.Random, now: dt.datetime) -> None:
    """When the investigation is allocated (the newest may wait) and when it closes
    (about half of those older than three months)."""
    created = plan.investigation.created_at
    age_days = (now - created).days
    if age_days < 4 and rng.random() < 0.5:
        return  # new: waiting to be allocated
    plan.allocated_at = min(now, created + dt.timedelta(hours=rng.randint(2, 72)))
    if age_days > 90 and rng.random() < 0.55:
        plan.closes_at = min(now - dt.timedelta(days=1),
                             created + dt.timedelta(days=rng.randint(60, max(61, age_days))))


def _work(plan: _Plan, rng: random.Random, now: dt.datetime, officer: User,
          supervisor: User) -> None:
    """Date the investigation's allocation, reviews, charge and closure."""
    investigation = plan.investigation
    allocated, closes_at = plan.allocated_at, plan.closes_at
    if allocated is None:
        return
    age_days = (now - investigation.created_at).days
    investigation.officer_in_case, investigation.supervisor = officer, supervisor
    investigation.allocated_at = allocated
    awaiting_charge = closes_at is None and age_days > 45 and rng.random() < 0.15
    charge_at = None
    if investigation.outcome == OutcomeCode.CHARGE_SUMMONS and closes_at is not None:
        charge_at = closes_at - dt.timedelta(days=rng.randint(5, 30))
    elif awaiting_charge:
        charge_at = now - dt.timedelta(days=rng.randint(1, 20))
    end = closes_at or now
    overdue = closes_at is None and rng.random() < 0.25

    def review(point: str, due: dt.datetime, signed: dt.datetime | None) -> dt.datetime | None:
        if signed is not None and signed > now:
            signed = None
        plan.reviews.append(SupervisoryReview(
            investigation=investigation, point=point, due_at=due, reviewed_at=signed,
            reviewer=supervisor if signed else None,
            next_review_on=(timezone.localdate(signed) + dt.timedelta(days=REVIEW_DAYS)
                            if signed else None),
            **(FINDINGS if signed else {})))
        return signed

    due = allocated + dt.timedelta(hours=24)
    late = rng.random() < _late_share(due, now)
    signed = review(ReviewPoint.ALLOCATION, due,
                    allocated + dt.timedelta(hours=rng.randint(30, 60) if late
                                             else rng.randint(2, 22)))
    while signed is not None:
        next_on = timezone.localdate(signed) + dt.timedelta(days=REVIEW_DAYS)
        due = day_starts(next_on + dt.timedelta(days=1))
        if due > end:
            if closes_at is None:
                review(ReviewPoint.PERIODIC, due, None)  # the next, waiting
            break
        if due > now - dt.timedelta(days=REVIEW_DAYS) and overdue:
            review(ReviewPoint.PERIODIC, due, None)  # left overdue on the demo's day
            break
        signed = review(ReviewPoint.PERIODIC, due,
                        due - dt.timedelta(days=rng.randint(0, 6), hours=rng.randint(1, 9))
                        if rng.random() > _late_share(due, now)
                        else due + dt.timedelta(days=rng.randint(1, 9)))
    if charge_at is not None:
        asked = charge_at - dt.timedelta(days=rng.randint(1, 4))
        review(ReviewPoint.BEFORE_CHARGE, asked, asked + dt.timedelta(hours=rng.randint(2, 30)))
        investigation.charging_requested_at = charge_at
        investigation.status = InvestigationStatus.CHARGING_DECISION
        if closes_at is not None:
            # The CPS authorised the charge before the outcome was recorded.
            decided = min(closes_at, charge_at + dt.timedelta(days=rng.randint(1, 4)))
            plan.decisions.append(ChargingDecisionRecord(
                investigation=investigation, decision=ChargingDecision.CHARGE,
                decided_by=ChargingDecisionMaker.CPS, decided_on=timezone.localdate(decided),
                note="The full code test is met.", recorded_by=officer,
                recorded_at=decided))
    if closes_at is not None:
        asked = closes_at - dt.timedelta(days=rng.randint(1, 5))
        review(ReviewPoint.BEFORE_CLOSURE, asked,
               min(closes_at, asked + dt.timedelta(hours=rng.randint(2, 48))))
        investigation.status = InvestigationStatus.CLOSED
        investigation.closed_at = closes_at
        investigation.outcome_on = timezone.localdate(closes_at)
    for number, description in enumerate(rng.sample(ENQUIRIES, rng.randint(2, 4))):
        recorded = min(now, allocated + dt.timedelta(days=number, hours=rng.randint(1, 8)))
        finished = (closes_at or min(now, recorded + dt.timedelta(days=rng.randint(3, 60))))
        done = closes_at is not None or finished < now - dt.timedelta(days=2)
        plan.enquiries.append(LineOfEnquiry(
            investigation=investigation, description=description, owner=officer,
            due_on=timezone.localdate(recorded) + dt.timedelta(days=rng.randint(7, 45)),
            status=EnquiryStatus.DONE if done else EnquiryStatus.OPEN,
            result="Completed; the results are on the file." if done else "",
            recorded_by=officer, recorded_at=recorded, finished_at=finished if done else None))


@demo_step("investigations", order=INVESTIGATIONS_ORDER, reset=delete_demo_investigations,
           description="an investigation of each confirmed group and of some other children "
                       "at risk, worked to allocation, reviews (some overdue), charge and "
                       "outcome")
def demo_investigations(ctx: DemoContext) -> None:
    officer, supervisor = ctx.users.get(INVESTIGATOR), ctx.users.get(SUPERVISOR)
    if officer is None or supervisor is None or officer.agency is None:
        ctx.progress.write("    no demo investigator or supervisor: no investigations")
        return
    rng, now = ctx.rng, timezone.now()
    cases = {case.child_id: case for case in Case.objects.filter(closed_at__isnull=True)}
    plans: list[_Plan] = []
    numbers: dict[int, int] = {}

    def start(reported: dt.date, title: str) -> _Plan:
        reported = min(reported, timezone.localdate(now))
        created = min(now, day_starts(reported) + dt.timedelta(hours=rng.randint(8, 18)))
        year = created.year
        numbers[year] = numbers.get(year, 0) + 1
        plan = _Plan(Investigation(
            reference=f"INV-{year}-{numbers[year]:06d}", title=title,
            owning_agency=officer.agency, team=officer.team, reported_on=reported,
            created_by=officer, created_at=created))
        for _ in range(rng.choice((1, 1, 2, 3))):
            code = OFFENCES.pick(rng)
            plan.crimes.append(Crime(
                investigation=plan.investigation, offence_code=code,
                committed_on=reported - dt.timedelta(days=rng.randint(1, 120)),
                recorded_by=officer, recorded_at=created))
        plans.append(plan)
        return plan

    investigated: set[int] = set()
    members = GroupMember.objects.filter(group__status=GroupStatus.CONFIRMED).order_by(
        "group_id", "pk")
    by_group: dict[int, list[GroupMember]] = {}
    for member in members:
        by_group.setdefault(member.group_id, []).append(member)
    groups = Group.objects.in_bulk(list(by_group))
    for group_pk, group_members in sorted(by_group.items()):
        group = groups[group_pk]
        first = group.first_intelligence_at or group.proposed_at
        plan = start(timezone.localdate(first) + dt.timedelta(days=rng.randint(0, 20)),
                     f"Operation {ctx.faker.word().title()} ({group.reference})")
        for member in group_members:
            if member.part == MemberPart.VICTIM:
                case = cases.get(member.person_id)
                plan.victims.append((member.person_id, case.pk if case else None))
                investigated.add(member.person_id)
            elif member.part == MemberPart.SUSPECT:
                plan.suspects.append(member.person_id)
    adults = list(ctx.adult_ids)
    share = {"high": 0.8, "medium": 0.4}
    at_risk = sorted((case for case in Case.objects.filter(risk_tier__in=list(share))
                      if case.child_id not in investigated), key=lambda case: case.pk)
    for case in at_risk:
        if rng.random() >= share[case.risk_tier] or case.child_id in investigated:
            continue
        investigated.add(case.child_id)
        plan = start(timezone.localdate(case.opened_at) + dt.timedelta(days=rng.randint(0, 14)),
                     f"Exploitation of a child ({case.reference})")
        plan.victims.append((case.child_id, case.pk if case.closed_at is None else None))
        if adults and rng.random() < 0.8:
            plan.suspects.append(rng.choice(adults))
    for plan in plans:
        _schedule(plan, rng, now)
    # Planted: children the force investigates whom the hub holds no case for, so no
    # advocate, closed in the last three months (the first lost to outcome 16).
    with_cases = set(Case.objects.values_list("child_id", flat=True))
    unknown = [pk for pk in ctx.child_ids if pk not in with_cases and pk not in investigated]
    planted = []
    for child in unknown[:max(3, len(plans) // 12)]:
        investigated.add(child)
        plan = start(timezone.localdate(now) - dt.timedelta(days=rng.randint(120, 300)),
                     "Sexual exploitation of a child (reported to the police)")
        plan.victims.append((child, None))
        if adults:
            plan.suspects.append(rng.choice(adults))
        plan.allocated_at = plan.investigation.created_at + dt.timedelta(hours=rng.randint(2, 48))
        plan.closes_at = now - dt.timedelta(days=rng.randint(3, 85), hours=rng.randint(0, 9))
        planted.append(plan)
    closing = sorted((plan for plan in plans if plan.closes_at is not None
                      and plan not in planted),
                     key=lambda plan: (plan.closes_at, plan.investigation.reference))
    for number, plan in enumerate(closing):
        plan.investigation.outcome = OUTCOME_CYCLE[number % len(OUTCOME_CYCLE)]
    for number, plan in enumerate(planted):
        plan.investigation.outcome = PLANTED_OUTCOMES[number % len(PLANTED_OUTCOMES)]
    for plan in plans:
        _work(plan, rng, now, officer, supervisor)

    Investigation.objects.bulk_create([plan.investigation for plan in plans],
                                      batch_size=ctx.scale.batch_size)
    Crime.objects.bulk_create([crime for plan in plans for crime in plan.crimes],
                              batch_size=ctx.scale.batch_size)
    InvestigationVictim.objects.bulk_create(
        [InvestigationVictim(investigation=plan.investigation, person_id=person, case_id=case)
         for plan in plans for person, case in plan.victims], batch_size=ctx.scale.batch_size)
    InvestigationSuspect.objects.bulk_create(
        [InvestigationSuspect(investigation=plan.investigation, person_id=person)
         for plan in plans for person in dict.fromkeys(plan.suspects)
         if person not in {victim for victim, _ in plan.victims}],
        batch_size=ctx.scale.batch_size)
    SupervisoryReview.objects.bulk_create(
        [review for plan in plans for review in plan.reviews], batch_size=ctx.scale.batch_size)
    LineOfEnquiry.objects.bulk_create(
        [enquiry for plan in plans for enquiry in plan.enquiries],
        batch_size=ctx.scale.batch_size)
    ChargingDecisionRecord.objects.bulk_create(
        [decision for plan in plans for decision in plan.decisions],
        batch_size=ctx.scale.batch_size)
    journeys = _journeys(rng, now, officer, ctx.users.get(ADVOCATE))
    releases = _releases(rng, now, officer)
    SuspectRelease.objects.bulk_create(releases, batch_size=ctx.scale.batch_size)
    overdue = SupervisoryReview.objects.filter(reviewed_at__isnull=True, due_at__lt=now).count()
    closed = sum(1 for plan in plans if plan.investigation.closed_at is not None)
    ctx.count("investigations", len(plans))
    ctx.progress.write(f"    {len(plans)} investigations, {closed} closed, {overdue} "
                       f"reviews overdue, {len(releases)} suspects on bail or released "
                       f"under investigation, {journeys} child victims withdrew support")


BAIL_CONDITIONS = ("Not to contact the children named in the investigation, directly or "
                   "through others; not to enter the area around the children's home.")


def _releases(rng: random.Random, now: dt.datetime, officer: User) -> list[SuspectRelease]:
    """Two in three suspects of open, allocated investigations released while it goes
    on: half on bail with conditions, half under investigation; expiring from ten days
    ago (to be seen to) to three months ahead."""
    today = timezone.localdate(now)
    suspects = InvestigationSuspect.objects.filter(
        investigation__closed_at__isnull=True,
        investigation__allocated_at__isnull=False).order_by("pk")
    releases = []
    for suspect in suspects:
        if rng.random() >= 2 / 3:
            continue
        bail = rng.random() < 0.5
        expires = today + dt.timedelta(days=rng.randint(-10, 90))
        releases.append(SuspectRelease(
            suspect=suspect,
            kind=ReleaseKind.BAIL if bail else ReleaseKind.RELEASED_UNDER_INVESTIGATION,
            conditions=BAIL_CONDITIONS if bail else "",
            starts_on=min(today, expires - dt.timedelta(days=rng.randint(30, 90))),
            expires_on=expires, recorded_by=officer, recorded_at=now))
    return releases


WITHDRAWAL_REASONS: Weighted[str] = Weighted([
    (WithdrawalReason.FEAR, 5), (WithdrawalReason.RELATIONSHIP, 4),
    (WithdrawalReason.COURT, 3), (WithdrawalReason.FAMILY_PRESSURE, 2),
    (WithdrawalReason.DELAY, 2), (WithdrawalReason.TRUST, 2),
    (WithdrawalReason.WELLBEING, 1), (WithdrawalReason.MOVE_ON, 1)])
# The outcomes where the victim did not support action (15 is evidential difficulties
# with the victim's support).
VICTIM_LOST = frozenset({OutcomeCode.VICTIM_DECLINES_TO_IDENTIFY,
                         OutcomeCode.VICTIM_DOES_NOT_SUPPORT})
PLANTED_OUTCOMES = (OutcomeCode.VICTIM_DOES_NOT_SUPPORT, OutcomeCode.EVIDENTIAL_DIFFICULTIES,
                    OutcomeCode.CHARGE_SUMMONS, OutcomeCode.VICTIM_DECLINES_TO_IDENTIFY)
RIGHTS_AT_REPORT = ("1", "2", "3", "4", "6")
INTERVIEWERS = ("DC Example, ABE trained", "DS Sample, ABE trained", "PC Test, ABE trained")


def _journeys(rng: random.Random, now: dt.datetime, officer: User,
              advocate: User | None) -> int:
    """Each child victim's journey, dated as it happened. Returns how many withdrew."""
    today = timezone.localdate(now)
    advocated: dict[int, list[tuple[dt.date, dt.date | None]]] = {}
    for child, started, ended in AdvocateAllocation.objects.values_list(
            "case__child_id", "started_on", "ended_on"):
        advocated.setdefault(child, []).append((started, ended))
    entitlements, steps, notes, withdrawn = [], [], [], []
    lost_with_advocate = 0
    victims = list(InvestigationVictim.objects.select_related("investigation").order_by("pk"))
    for victim in victims:
        investigation = victim.investigation
        reported = investigation.reported_on
        end = investigation.outcome_on or today
        span = max(0, (end - reported).days)

        def day(low: int, high: int, *, start: dt.date = reported, last: dt.date = end
                ) -> dt.date:
            return min(last, start + dt.timedelta(days=rng.randint(low, high)))

        for right in RIGHTS_AT_REPORT:
            entitlements.append(VictimEntitlement(
                victim=victim, right=right, offered_on=day(0, 3),
                response=(EntitlementResponse.TAKEN_UP if rng.random() < 0.8
                          else EntitlementResponse.DECLINED), recorded_by=officer,
                recorded_at=now))
        if span >= 3 and rng.random() < 0.85:
            victim.needs_assessed_on = day(2, 10)
            victim.needs_assessment = rng.choice((
                "Needs a registered intermediary; prefers a female officer.",
                "Anxious in police buildings: interview at the suite, breaks every 20 minutes.",
                "Speaks with her advocate present; needs the timetable explained in writing."))
            victim.pre_trial_therapy = rng.choice(PreTrialTherapy.values)
        if span >= 5 and rng.random() < 0.8:
            steps.append(JourneyStep(
                victim=victim, kind=JourneyStepKind.ABE_INTERVIEW, on=day(3, 14),
                status=JourneyStepStatus.HELD, who=rng.choice(INTERVIEWERS),
                place="Rose Suite, Northshire", recorded_by=officer, recorded_at=now,
                intermediary="Registered intermediary" if rng.random() < 0.3 else "",
                arrangements="Breaks when asked; the child's advocate waited outside."))
        elif investigation.closed_at is None:
            steps.append(JourneyStep(
                victim=victim, kind=JourneyStepKind.ABE_INTERVIEW,
                on=today + dt.timedelta(days=rng.randint(2, 12)),
                status=JourneyStepStatus.PLANNED, who=rng.choice(INTERVIEWERS),
                place="Rose Suite, Northshire", recorded_by=officer, recorded_at=now))
        with_advocate = any(started <= end and (ended is None or ended >= reported)
                            for started, ended in advocated.get(victim.person_id, []))
        lost = investigation.outcome in VICTIM_LOST
        if lost and with_advocate:
            # Two in three, the first two included: never by chance none.
            lost_with_advocate += 1
            withdraws = lost_with_advocate % 3 != 0
        else:
            withdraws = lost or rng.random() < (0.05 if with_advocate else 0.1)
        if span >= 2 and withdraws:
            victim.withdrew_on = day(1, span)
            victim.withdrawal_reason = WITHDRAWAL_REASONS.pick(rng)
            withdrawn.append(victim)
        if investigation.outcome == OutcomeCode.CHARGE_SUMMONS and victim.withdrew_on is None:
            charged_on = investigation.outcome_on or today
            for measure, status in ((SpecialMeasure.LIVE_LINK, JourneyStepStatus.GRANTED),
                                    (SpecialMeasure.RECORDED_CROSS_EXAMINATION,
                                     rng.choice((JourneyStepStatus.GRANTED,
                                                 JourneyStepStatus.APPLIED)))):
                steps.append(JourneyStep(
                    victim=victim, kind=JourneyStepKind.SPECIAL_MEASURE, what=measure,
                    on=day(7, 40, start=charged_on, last=today), status=status,
                    recorded_by=officer, recorded_at=now))
            first = day(1, 3, start=charged_on, last=today)
            steps.append(JourneyStep(
                victim=victim, kind=JourneyStepKind.COURT_HEARING,
                what=CourtHearing.FIRST_APPEARANCE, on=first, status=JourneyStepStatus.HELD,
                who="Northshire Magistrates' Court", recorded_by=officer, recorded_at=now))
            steps.append(JourneyStep(
                victim=victim, kind=JourneyStepKind.COURT_HEARING, what=CourtHearing.TRIAL,
                on=today + dt.timedelta(days=rng.randint(30, 200)),
                status=JourneyStepStatus.PLANNED, who="Northshire Crown Court",
                arrangements="Pre-trial visit booked; separate entrance and waiting room; "
                             "the advocate goes with the child.",
                recorded_by=officer, recorded_at=now))
        if advocate is not None and advocate.agency_id and with_advocate:
            notes.append(AdvocateNote(
                victim=victim, advocacy_service_id=advocate.agency_id, written_by=advocate,
                written_at=now - dt.timedelta(days=rng.randint(1, 30)),
                text="Met at school; talked through what happens at the interview."))
    InvestigationVictim.objects.bulk_update(
        [victim for victim in victims if victim.needs_assessed_on or victim.withdrew_on],
        ["needs_assessed_on", "needs_assessment", "pre_trial_therapy", "withdrew_on",
         "withdrawal_reason"], batch_size=500)
    VictimEntitlement.objects.bulk_create(entitlements, batch_size=500)
    JourneyStep.objects.bulk_create(steps, batch_size=500)
    AdvocateNote.objects.bulk_create(notes, batch_size=500)
    return len(withdrawn)
