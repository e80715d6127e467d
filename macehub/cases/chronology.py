"""What cases add to a child's chronology (the registry and its entries are the child's
timeline, in ``macehub.people.chronology``).

The cases app's own source (case opened, risk tier changes, contacts, plan items,
missing episodes, advocates, outcomes, National Referral Mechanism referrals and
decisions, requests for approval and their decisions, closure; risk assessments) is
``case_events`` at the end of this module. A victim advocate's contact shows that it
happened; its notes only to those who may read them (``selectors.contact_views``).

Each entry says what the thing is (its title) and who did what to it (its byline, read
as "<verb> by <person>": "Missing episode" / "Recorded by Sam Jones"), never the child's
act followed by the worker's name ("Went missing by Sam Jones").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Prefetch
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.cases.codes import DecisionStatus, InterviewOfferer, PlanItemStatus, RiskTier
from macehub.cases.models import (
    AdvocateAllocation,
    Case,
    CaseDecisionRequest,
    CaseOutcome,
    MissingEpisode,
    NrmReferral,
    PlanItem,
    ReferralJoined,
    RiskAssessment,
    RiskTierChange,
)
from macehub.cases.selectors import ContactView, contact_queryset, contact_views, visible_episodes
from macehub.core.figures import exact_hours, format_figure
from macehub.people.chronology import ChronologyEntry, chronology_source
from macehub.people.models import Person
from macehub.ui.formatting import govuk_datetime

# --- The cases app's own events ------------------------------------------------------

CASE = "Case"
RISK = "Risk"
CONTACT = "Contact"
PLAN = "Plan"
MISSING = "Missing"
ADVOCATE = "Advocate"
OUTCOME = "Outcome"
DECISION = "Approval"
NRM = "NRM"


def _tier(value: str) -> str:
    return RiskTier(value).short_label


def _owner(item: PlanItem) -> str:
    """A plan item's owner with their agency: a member of hub staff, or a partner's named
    person with their role."""
    if item.owner is not None:
        return f"{_name(item.owner)} ({item.owner_agency_name})"
    role = f", {item.partner_owner_role}" if item.partner_owner_role else ""
    return f"{item.partner_owner_name}{role} ({item.partner_owner_agency})"


def _name(user: User | None) -> str:
    return user.display_name if user is not None else ""


def _midday(day: dt.date) -> dt.datetime:
    """A dated event with no time of day sits at midday of that day."""
    return dt.datetime.combine(day, dt.time(12), tzinfo=timezone.get_current_timezone())


def _recorded_or_midday(day: dt.date, recorded_at: dt.datetime) -> dt.datetime:
    """A moment for something that happened on ``day``: the time it was recorded if that
    was the same day, otherwise midday."""
    if timezone.localdate(recorded_at) == day:
        return recorded_at
    return _midday(day)


def _decision_events(request: CaseDecisionRequest) -> Iterable[ChronologyEntry]:
    """A request to close, lower the tier or lift the restriction, and its decision."""
    asked = request.asked_for
    yield ChronologyEntry(
        occurred_at=request.requested_at, category=DECISION,
        title=f"Approval requested: {asked}", text=request.reason,
        byline=_name(request.requested_by), verb="Requested",
    )
    if request.decided_at is None:
        return
    if request.status == DecisionStatus.WITHDRAWN:
        title = f"Request withdrawn: {asked}"
    else:
        title = f"Request {request.get_status_display().lower()}: {asked}"
    yield ChronologyEntry(
        occurred_at=request.decided_at, category=DECISION, title=title,
        text=request.decision_comment, byline=_name(request.decided_by),
        verb="Withdrawn" if request.status == DecisionStatus.WITHDRAWN else "Decided",
    )


def _nrm_events(nrm: NrmReferral) -> Iterable[ChronologyEntry]:
    yield ChronologyEntry(
        occurred_at=_midday(nrm.referred_on), category=NRM,
        title="Referred into the National Referral Mechanism",
        text=f"By {nrm.referred_by}, {nrm.first_responder_organisation} (first responder).",
        byline=_name(nrm.recorded_by),
    )
    if nrm.reasonable_grounds_on is not None:
        yield ChronologyEntry(
            occurred_at=_midday(nrm.reasonable_grounds_on), category=NRM,
            title=f"NRM reasonable-grounds decision: {nrm.get_reasonable_grounds_display()}",
        )
    if nrm.conclusive_grounds_on is not None:
        yield ChronologyEntry(
            occurred_at=_midday(nrm.conclusive_grounds_on), category=NRM,
            title=f"NRM conclusive-grounds decision: {nrm.get_conclusive_grounds_display()}",
        )


@chronology_source("cases")
def case_events(user: User, child: Person) -> Iterable[ChronologyEntry]:
    """Everything recorded on the child's cases that the user may see."""
    cases = (
        policy.scope(user, Action.CASE_VIEW, Case.objects.filter(child_id=child.pk))
        .select_related("opened_by", "lead_agency", "closed_by")
        .prefetch_related(
            Prefetch("tier_history", queryset=RiskTierChange.objects.select_related("changed_by")),
            Prefetch("contacts", queryset=contact_queryset()),
            Prefetch("plan_items", queryset=PlanItem.objects.select_related(
                "owner", "owner_agency", "created_by", "completed_by")),
            Prefetch("advocacy", queryset=AdvocateAllocation.objects.select_related(
                "advocate", "allocated_by")),
            Prefetch("outcomes", queryset=CaseOutcome.objects.select_related("recorded_by")),
            Prefetch("decision_requests", queryset=CaseDecisionRequest.objects.select_related(
                "requested_by", "decided_by")),
            Prefetch("nrm_referrals", queryset=NrmReferral.objects.select_related("recorded_by")),
            Prefetch("risk_assessments",
                     queryset=RiskAssessment.objects.select_related("assessed_by")),
            Prefetch("referrals_joined", queryset=ReferralJoined.objects.select_related(
                "referring_agency", "recorded_by", "acknowledged_by")),
        )
    )
    for case in cases:
        yield from _events_of(case, contact_views(user, case.contacts.all()))


def _contact_entry(view: ContactView) -> ChronologyEntry:
    contact = view.contact
    if view.notes_shown:
        title = f"{contact.get_kind_display()} with {contact.with_whom}"
        text = contact.summary
    else:
        title = f"{contact.get_kind_display()} (advocacy service)"
        text = (f"The notes are confidential to the advocacy service "
                f"({view.advocacy_service_name}).")
    return ChronologyEntry(occurred_at=contact.occurred_at, category=CONTACT, title=title,
                           text=text, byline=_name(contact.recorded_by))


def _events_of(case: Case, contacts: list[ContactView]) -> Iterable[ChronologyEntry]:
    ref = case.reference
    history = list(case.tier_history.all())
    opening_tier = history[0].to_tier if history else case.risk_tier
    yield ChronologyEntry(
        occurred_at=case.opened_at, category=CASE, title=f"Case {ref} opened",
        text=f"Risk tier: {_tier(opening_tier)}. Lead agency: {case.lead_agency.name}.",
        byline=_name(case.opened_by), verb="Opened",
    )
    for change in history:
        if not change.from_tier:
            continue
        yield ChronologyEntry(
            occurred_at=change.changed_at, category=RISK,
            title=f"Risk tier changed from {_tier(change.from_tier)} to {_tier(change.to_tier)}",
            text=change.reason, byline=_name(change.changed_by), verb="Changed",
        )
    for assessment in case.risk_assessments.all():
        text = assessment.summary
        if assessment.judgement != assessment.case_tier:
            text += f" (The case's tier was {_tier(assessment.case_tier)}.)"
        review = assessment.next_review_on
        yield ChronologyEntry(
            occurred_at=_recorded_or_midday(assessment.assessed_on, assessment.recorded_at),
            category=RISK, title=f"Risk assessment: judged {_tier(assessment.judgement)}",
            text=f"{text} Next review due {review.day} {review:%B %Y}.",
            byline=_name(assessment.assessed_by), verb="Assessed",
        )
    for contact in contacts:
        yield _contact_entry(contact)
    for item in case.plan_items.all():
        yield ChronologyEntry(
            occurred_at=item.created_at, category=PLAN, title=f"Plan item added: {item.action}",
            text=f"Owner: {_owner(item)}. "
                 f"Due {item.due_on.day} {item.due_on:%B %Y}.",
            byline=_name(item.created_by), verb="Added",
        )
        if item.completed_at is not None:
            done = item.status == PlanItemStatus.DONE
            yield ChronologyEntry(
                occurred_at=item.completed_at, category=PLAN,
                title=f"Plan item {'done' if done else 'cancelled'}: {item.action}",
                text=item.completion_note, byline=_name(item.completed_by),
            )
    previous: AdvocateAllocation | None = None
    for allocation in case.advocacy.all():
        text = ""
        if previous is not None:
            text = f"Replaces {_name(previous.advocate)}"
            text += f": {previous.end_reason}." if previous.end_reason else "."
        yield ChronologyEntry(
            occurred_at=allocation.allocated_at, category=ADVOCATE,
            title=f"Victim advocate: {_name(allocation.advocate)}", text=text,
            byline=_name(allocation.allocated_by), verb="Allocated",
        )
        previous = allocation
    if previous is not None and previous.ended_on is not None:
        # The last advocate's allocation ended on its own (a change of advocate shows as
        # "Replaces" on the next one).
        yield ChronologyEntry(
            occurred_at=max(_midday(previous.ended_on), previous.allocated_at),
            category=ADVOCATE, title=f"Victim advocacy ended: {_name(previous.advocate)}",
            text=previous.end_reason,
        )
    for request in case.decision_requests.all():
        yield from _decision_events(request)
    for outcome in case.outcomes.all():
        yield ChronologyEntry(
            occurred_at=_recorded_or_midday(outcome.recorded_on, outcome.recorded_at),
            category=OUTCOME,
            title=f"Outcome: {outcome.get_kind_display()}", text=outcome.note,
            byline=_name(outcome.recorded_by),
        )
    for nrm in case.nrm_referrals.all():
        yield from _nrm_events(nrm)
    for joined in case.referrals_joined.all():
        yield from _referral_joined_events(joined)
    if case.closed_at is not None:
        text = case.closure_reason_text
        if case.closure_note:
            text += f". {case.closure_note}"
        yield ChronologyEntry(
            occurred_at=case.closed_at, category=CASE, title=f"Case {ref} closed", text=text,
            byline=_name(case.closed_by), verb="Closed",
        )


def _referral_joined_events(joined: ReferralJoined) -> Iterable[ChronologyEntry]:
    """A new referral joined the open case, with triage's rating against the case's
    tier; then the key worker's review of the tier."""
    rating = ", ".join(part for part in (
        joined.brag_name, f"{joined.triage_tier_name} risk" if joined.risk_tier else "") if part)
    yield ChronologyEntry(
        occurred_at=joined.joined_at, category="Referral",
        title=f"New referral joined the case: {joined.referral_reference}",
        text=f"Referred by {joined.referring_agency.name}. Triage rated it "
             f"{rating or 'without a rating'}; the case was {_tier(joined.case_tier)} risk.",
        byline=_name(joined.recorded_by),
    )
    if joined.acknowledged_at is not None:
        yield ChronologyEntry(
            occurred_at=joined.acknowledged_at, category=RISK,
            title=f"Risk tier reviewed after referral {joined.referral_reference}: "
                  f"{joined.get_outcome_display().lower()}",
            text=joined.outcome_note, byline=_name(joined.acknowledged_by),
        )


@chronology_source("missing_episodes")
def missing_episode_events(user: User, child: Person) -> Iterable[ChronologyEntry]:
    """The child's missing episodes, with or without a case, and each return home
    interview: offered (in time or late, by whom), declined, held and its outcome."""
    for episode in visible_episodes(user, child.pk).select_related("recorded_by", "case"):
        yield from _episode_events(episode)


def _episode_events(episode: MissingEpisode) -> Iterable[ChronologyEntry]:
    byline = _name(episode.recorded_by)
    recorded_with = (f"Recorded with case {episode.case.reference}." if episode.case is not None
                     else "Recorded on the child's record (no case).")
    yield ChronologyEntry(
        occurred_at=episode.went_missing_at, category=MISSING, title="Missing episode",
        text=f"{episode.notes} {recorded_with}".strip(), byline=byline,
    )
    due = episode.return_interview_due_at
    if episode.returned_at is None or due is None:
        return
    hours = format_figure(exact_hours(episode.returned_at - episode.went_missing_at), 0)
    yield ChronologyEntry(
        occurred_at=episode.returned_at, category=MISSING, title="Return from missing",
        text=f"Missing for {hours} hours. Return home interview to be offered by "
             f"{govuk_datetime(due)}.",
        byline=byline,
    )
    offered_at = episode.interview_offered_at
    if offered_at is not None:
        in_time = offered_at <= due
        who = episode.interview_offered_by
        if episode.interview_offered_by_agency:
            who += f" ({episode.interview_offered_by_agency})"
        independence = {
            InterviewOfferer.INDEPENDENT: "an independent person",
            InterviewOfferer.NOT_INDEPENDENT: "someone not independent",
        }.get(InterviewOfferer(episode.interview_offerer), "") if episode.interview_offerer \
            else ""
        text = f"Offered by {who}" if who else "Offered"
        text += f", {independence}." if independence else "."
        text += "" if in_time else f" The offer was due by {govuk_datetime(due)}."
        yield ChronologyEntry(
            occurred_at=offered_at, category=MISSING,
            title="Return home interview offered" + ("" if in_time else " (late)"),
            text=text, byline=byline,
        )
        if episode.interview_declined:
            yield ChronologyEntry(
                occurred_at=offered_at, category=MISSING,
                title="Return home interview declined by the child", byline=byline,
            )
    if episode.return_interview_at is not None:
        yield ChronologyEntry(
            occurred_at=episode.return_interview_at, category=MISSING,
            title="Return home interview held", text=episode.interview_outcome,
            byline=byline,
        )
