"""The demo's inspection tracker: a synthetic inspection of the police response to
group-based child sexual exploitation with recommendations 1 to 9 and three areas for
improvement across the inspection's themes (their words are the demo's own, written for
it, not any report's), two or three actions each owned across the hub's agencies (most
done, some overdue, one dropped, some not yet due), the force's status with its history
and commentary, the PCC's assessments with scrutiny notes, live measures linked as
evidence, and one progress statement published.

Known truth the tests check: the supervision recommendation (5) is linked to the
investigations app's "Supervisory reviews on time" (which the investigations demo plants
to improve over the year: fewer reviews signed late as it goes) and to this app's
"Inspection actions overdue", which this step plants to fall over the year: the
supervision recommendation's briefings of each investigation team's supervisors fell due
early in the year and were done months late, so the first quarter's month ends hold
several overdue actions and the last quarter's few. Recommendations fall due across the
year (one in each of the last three months), most completed on time, some late.

Rows are written directly, dated as the work happened (never after the demo's day), as
the other apps' steps write theirs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from macehub.accountability.codes import ActionStatus, Assessment, ForceStatus
from macehub.accountability.models import (
    AssessmentChange,
    ImprovementAction,
    Inspection,
    ProgressStatement,
    Recommendation,
    RecommendationMetric,
    StatusChange,
)
from macehub.accountability.statements import statement_content
from macehub.accounts.models import User
from macehub.demo.progress import Progress
from macehub.demo.registry import DemoContext, demo_step
from macehub.forms import last_full_month
from macehub.performance.services import suppression_threshold

# After every app whose measures it links (disruption 9500, the problem profile 9600).
ACCOUNTABILITY_ORDER = 9800
LEADER = "senior.police"
SCRUTINY = "scrutiny.pcc"
TITLE = "Inspection of the police response to group-based child sexual exploitation"
SUPERVISION_MEASURE = "investigation_reviews_on_time"
OVERDUE_MEASURE = "inspection_actions_overdue"


@dataclass(frozen=True)
class Finding:
    kind: str
    number: int
    theme: str
    text: str
    addressed_to: str
    # Days before the demo's day that its last action falls due (negative: after it).
    last_due: int
    # What became of it: "on_time", "late" (closed after its last action fell due),
    # "in_progress", "not_started".
    outcome: str
    assessment: str
    measures: tuple[str, ...] = ()
    evidenced: bool = False


REC, AFI = "recommendation", "area_for_improvement"
FINDINGS = (
    Finding(REC, 1, "data_quality", "Make sure crimes involving group-based child sexual "
            "exploitation can be found in the force's records, with a flag that is set "
            "consistently.", "Chief Constables", 300, "on_time", "achieved",
            evidenced=True),
    Finding(REC, 2, "problem_profiles", "Keep a problem profile of child sexual exploitation "
            "current and share it with safeguarding partners.", "the force", 270, "late",
            "progressing"),
    Finding(REC, 3, "intelligence_sharing", "Agree with partners how intelligence about "
            "exploitation is recorded, shared and acted on.", "the partnership", 240,
            "on_time", "achieved", evidenced=True),
    Finding(REC, 4, "data_quality", "Record the ethnicity and nationality of victims and "
            "suspects in every case.", "Chief Constables", 210, "in_progress",
            "insufficient", measures=("victims_ethnicity_recorded",)),
    Finding(REC, 5, "supervision", "Supervisors should review exploitation investigations "
            "at set points and record what they decided.", "Chief Constables", 75,
            "on_time", "progressing", measures=(SUPERVISION_MEASURE, OVERDUE_MEASURE),
            evidenced=True),
    Finding(REC, 6, "disruption", "Use the full range of disruption powers against those "
            "who exploit children, and learn which work.", "the force", 150, "on_time",
            "achieved", measures=("disruptions_started",)),
    Finding(REC, 7, "digital_forensics", "Triage devices seized in child protection cases "
            "quickly, so that evidence is not left unexamined.", "the force", 45, "late",
            "progressing", measures=("forensic_triage_in_time",)),
    Finding(REC, 8, "victim_care", "Give every child victim continuity of support from "
            "first contact to the end of any prosecution.", "the partnership", 20,
            "in_progress", "insufficient"),
    Finding(REC, 9, "training", "Train officers and staff to recognise the signs of "
            "exploitation, with specialist training for investigators.", "Chief Constables",
            -60, "in_progress", "not_assessed"),
    Finding(AFI, 1, "data_quality", "The force could use its data better to understand "
            "demand and the timeliness of its response.", "the force", 100, "on_time",
            "achieved", measures=("referrals_decided_in_time",)),
    Finding(AFI, 2, "intelligence_sharing", "Partners' information is not always brought "
            "together before decisions are made.", "the partnership", 330, "on_time",
            "achieved"),
    Finding(AFI, 3, "victim_care", "Victims are not always told how their case is "
            "progressing.", "the force", -30, "not_started", "not_assessed"),
)
# Owners by theme: posts in the hub's agencies (the demo's accounts).
OWNERS = {
    "data_quality": ("analyst.police", "ig.police"),
    "problem_profiles": ("analyst.police", "chair.police"),
    "intelligence_sharing": ("chair.police", "triage.socialcare"),
    "supervision": ("supervisor.police", "senior.police"),
    "disruption": ("investigator.police", "referrer.council"),
    "digital_forensics": ("forensics.police", "supervisor.police"),
    "victim_care": ("advocate.voluntary", "socialworker.socialcare"),
    "training": ("training.police", "supervisor.police"),
}
ACTIONS = {
    "data_quality": ("Add a mandatory field for the flag and check it at crime review",
                     "Audit a sample of records each quarter and report the findings"),
    "problem_profiles": ("Refresh the problem profile with partners' data",
                         "Present the profile to the safeguarding partnership board"),
    "intelligence_sharing": ("Agree an information-sharing protocol with partners",
                             "Review intelligence at the weekly tactical meeting"),
    "supervision": ("Set supervisory review points in the investigation policy",
                    "Report reviews on time to the monthly performance meeting"),
    "disruption": ("Publish a disruption toolkit for officers and partners",
                   "Review the use of civil orders with the council's licensing team"),
    "digital_forensics": ("Introduce fast-time triage for child protection devices",
                          "Report the triage backlog weekly"),
    "victim_care": ("Allocate a named advocate at first contact",
                    "Keep victims informed at each stage of the investigation"),
    "training": ("Deliver awareness training to every officer and member of staff",
                 "Run specialist courses for investigators and interviewers"),
}
EVIDENCE = {
    "data_quality": "Audit report to the performance board",
    "problem_profiles": "Problem profile published to partners",
    "intelligence_sharing": "Protocol signed by every partner agency",
    "supervision": "Policy published; review figures reported monthly",
    "disruption": "Toolkit published on the intranet",
    "digital_forensics": "Triage standard in the unit's procedures",
    "victim_care": "Advocacy service allocation records",
    "training": "Learning system completion report",
}


def delete_demo_inspections(progress: Progress) -> dict[str, int]:
    statements, _ = ProgressStatement.objects.all().delete()
    AssessmentChange.objects.all().delete()
    StatusChange.objects.all().delete()
    RecommendationMetric.objects.all().delete()
    ImprovementAction.objects.all().delete()
    Recommendation.objects.all().delete()
    inspections, _ = Inspection.objects.all().delete()
    return {"inspections": inspections, "progress statements": statements}


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


@demo_step("accountability", order=ACCOUNTABILITY_ORDER, reset=delete_demo_inspections,
           description="an inspection's recommendations with actions, the force's status, "
                       "the PCC's assessments, linked measures and a published statement")
def demo_inspections(ctx: DemoContext) -> None:
    leader, scrutiny = ctx.users.get(LEADER), ctx.users.get(SCRUTINY)
    if leader is None or scrutiny is None:
        ctx.progress.write("    no demo senior leader or scrutiny officer: no inspections")
        return
    rng, today = ctx.rng, ctx.as_of
    published_on = today - dt.timedelta(days=420)
    inspection = Inspection.objects.create(
        body="hmicfrs", title=TITLE, published_on=published_on,
        created_by=leader, created_at=_at(published_on + dt.timedelta(days=14)))
    started = published_on + dt.timedelta(days=30)
    actions = 0
    for finding in FINDINGS:
        recommendation = Recommendation.objects.create(
            inspection=inspection, kind=finding.kind, number=finding.number,
            theme=finding.theme, text=finding.text, addressed_to=finding.addressed_to,
            created_at=_at(published_on + dt.timedelta(days=14)))
        actions += _actions(ctx, recommendation, finding, started, today)
        _statuses(recommendation, finding, leader, started, today)
        _assessment(recommendation, finding, scrutiny, today, rng.randint(3, 20))
        for code in finding.measures:
            RecommendationMetric.objects.create(recommendation=recommendation,
                                                metric_code=code, linked_by=leader,
                                                linked_at=_at(started))
    month = last_full_month(today)
    ProgressStatement.objects.create(
        inspection=inspection, figures_month=month.start,
        foreword=("The Commissioner holds the Chief Constable to account for every "
                  "recommendation of this inspection. This statement sets out where the "
                  "force says each stands, the Commissioner's own assessment and the "
                  "figures that show whether things are changing."),
        suppression_threshold=suppression_threshold(),
        content=statement_content(inspection, month, suppression_threshold()),
        published_by=scrutiny, published_at=min(timezone.now(), _at(today, 9)))
    ctx.count("inspection recommendations", len(FINDINGS))
    ctx.count("inspection actions", actions)
    ctx.progress.write(f"    {len(FINDINGS)} recommendations, {actions} actions, "
                       f"1 progress statement")


def _owner(ctx: DemoContext, finding: Finding, index: int) -> User | None:
    names = OWNERS[finding.theme]
    return ctx.users.get(names[index % len(names)]) or ctx.users.get(LEADER)


def _actions(ctx: DemoContext, recommendation: Recommendation, finding: Finding,
             started: dt.date, today: dt.date) -> int:
    """Two actions (three for the supervision recommendation, whose measure of overdue
    actions falls over the year): the last due ``finding.last_due`` days before the
    demo's day, the first two months earlier."""
    rng = ctx.rng
    last_due = today - dt.timedelta(days=finding.last_due)
    dues = [last_due - dt.timedelta(days=60), last_due]
    made = 0
    if finding.theme == "supervision":
        made += _team_briefings(ctx, recommendation, started, today)
    for index, due_on in enumerate(dues):
        owner = _owner(ctx, finding, index)
        if owner is None or owner.agency is None:
            continue
        status, done_on, evidence = ActionStatus.OPEN, None, ""
        closing = finding.outcome in ("on_time", "late")
        if closing:
            late = finding.outcome == "late" and due_on == last_due
            status = ActionStatus.DONE
            done_on = due_on + dt.timedelta(days=15) if late else due_on - dt.timedelta(
                days=rng.randint(0, 10))
        elif finding.outcome == "in_progress" and due_on < today - dt.timedelta(days=30) \
                and index == 0 and finding.number != 8:
            status, done_on = ActionStatus.DONE, due_on - dt.timedelta(days=rng.randint(0, 5))
        if status == ActionStatus.DONE:
            evidence = EVIDENCE[finding.theme]
        ImprovementAction.objects.create(
            recommendation=recommendation, description=ACTIONS[finding.theme][index % 2],
            owner=owner, agency=owner.agency, due_on=due_on, status=status, done_on=done_on,
            evidence=evidence, created_by=ctx.users.get(LEADER) or owner,
            created_at=_at(started))
        made += 1
    if finding.number == 6 and finding.kind == REC:
        owner = _owner(ctx, finding, 0)
        if owner is not None and owner.agency is not None:
            ImprovementAction.objects.create(
                recommendation=recommendation, owner=owner, agency=owner.agency,
                description="Pilot a dedicated disruption officer in one district",
                due_on=last_due - dt.timedelta(days=30), status=ActionStatus.DROPPED,
                done_on=last_due - dt.timedelta(days=40),
                evidence="Dropped: the toolkit and the tactical meeting cover it",
                created_by=ctx.users.get(LEADER) or owner, created_at=_at(started))
            made += 1
    return made


# The supervision recommendation's briefings, one per investigation team: due about 11
# months before the demo's day (before the first month end of the 12-month trend) and
# done about 8 months before it (after the first quarter's last month end).
BRIEFINGS = 8
BRIEFINGS_DUE = 350
BRIEFINGS_DONE = 250


def _team_briefings(ctx: DemoContext, recommendation: Recommendation, started: dt.date,
                    today: dt.date) -> int:
    made = 0
    for team in range(1, BRIEFINGS + 1):
        owner = ctx.users.get(OWNERS["supervision"][team % 2])
        if owner is None or owner.agency is None:
            continue
        ImprovementAction.objects.create(
            recommendation=recommendation, owner=owner, agency=owner.agency,
            description=f"Brief investigation team {team}'s supervisors on the review "
                        f"points",
            due_on=today - dt.timedelta(days=BRIEFINGS_DUE - team),
            status=ActionStatus.DONE,
            done_on=today - dt.timedelta(days=BRIEFINGS_DONE + team),
            evidence="Briefing attendance record", created_by=ctx.users.get(LEADER) or owner,
            created_at=_at(started))
        made += 1
    return made


def _statuses(recommendation: Recommendation, finding: Finding, leader: User,
              started: dt.date, today: dt.date) -> None:
    history: list[tuple[dt.date, str, str]] = []
    if finding.outcome != "not_started":
        history.append((started, ForceStatus.IN_PROGRESS,
                        "Work has begun: an owner is named for each action."))
    last_due = today - dt.timedelta(days=finding.last_due)
    if finding.outcome == "on_time":
        closed = last_due
        history.append((closed, ForceStatus.COMPLETED,
                        "Every action is done; the evidence is with the PCC's office."))
        if finding.evidenced or finding.measures:
            history.append((min(closed + dt.timedelta(days=20), today),
                            ForceStatus.EVIDENCED,
                            "The linked figures show the change has held."))
    elif finding.outcome == "late":
        history.append((last_due + dt.timedelta(days=20), ForceStatus.COMPLETED,
                        "Completed later than planned: the last action took longer."))
    status: str = ForceStatus.NOT_STARTED
    for day, to, commentary in history:
        StatusChange.objects.create(recommendation=recommendation, changed_by=leader,
                                    changed_at=_at(day, 15), from_status=status,
                                    to_status=to, commentary=commentary)
        status = to
    Recommendation.objects.filter(pk=recommendation.pk).update(
        status=status, status_changed_at=_at(history[-1][0], 15) if history else None)


ASSESSMENT_NOTES: dict[str, str] = {
    Assessment.ACHIEVED: "The evidence supports the force's account: the PCC's office "
                         "considers this achieved.",
    Assessment.PROGRESSING: "Progress is real but not yet sustained; the office will look "
                            "at the figures again next quarter.",
    Assessment.INSUFFICIENT: "Actions are overdue and the figures have not moved: the "
                             "Commissioner will raise this at the accountability board.",
}


def _assessment(recommendation: Recommendation, finding: Finding, scrutiny: User,
                today: dt.date, days_ago: int) -> None:
    if finding.assessment == Assessment.NOT_ASSESSED:
        return
    AssessmentChange.objects.create(
        recommendation=recommendation, assessed_by=scrutiny,
        assessed_at=_at(today - dt.timedelta(days=days_ago), 11),
        from_assessment=Assessment.NOT_ASSESSED, to_assessment=finding.assessment,
        note=ASSESSMENT_NOTES[finding.assessment])
    Recommendation.objects.filter(pk=recommendation.pk).update(
        assessment=finding.assessment)
