"""What the investigations app holds about a person for a subject access request: each
investigation naming them as a victim or a suspect, its crimes and outcome, (for a
victim) their journey through it and (for a suspect) their bail or release under
investigation, with its conditions. An investigation still open is marked for the crime
exemption by default: disclosing it could prejudice it (DPA 2018 Sch. 2 para 2, s.45(4)
for the police); the officer decides.

With each investigation go its lines of enquiry, its supervisory reviews and its charging
decisions. They are written by staff for staff, but being internal does not exempt them:
what they say about the person is theirs, as the case's closure note and triage's
reasons are. What is withheld by default, each marked for the officer:

- **While the investigation is open**, a line of enquiry (what it is and what it found),
  a supervisor's review (all four of its notes) and a charging decision's reasons are
  the plan and progress of the investigation: withheld under the crime exemption. An
  action plan sent back by the decision-maker says the file is still being built, so
  the decision itself is withheld too.
- **Once it is closed**, a review's note on safeguarding the victims is disclosed to a
  victim and withheld from a suspect as the children's data; its note on managing the
  suspects is disclosed to a suspect and withheld from a victim as theirs. A charging
  decision is told to both (the Victims' Code gives a victim the right to be told it),
  and its reasons are the suspect's: disclosed to them and withheld from a victim as
  third-party data (a victim is told them by letter under the Victims' Code, *check*).
  A person named as both is treated as both: nothing of theirs is withheld from them.
  Lines of enquiry, and a review's notes on them and on evidence, are disclosed once
  the investigation is closed; the other people the investigation names are listed on
  every item for the third-party check.

Two more sources hold a child victim's journey (``investigations.journey``):

- **The journey's steps** ("journeys"): each ABE interview, special measure and court
  hearing, and the Victims' Code rights offered to the child with their answers. They are
  the child's own and are disclosed; the interviewer and the intermediary are other
  people named, for the third-party check.
- **The advocates' notes** ("advocacy"): a victim advocate's notes on the journey are the
  child's data, but they are confidential to the advocacy service, and the hub does not
  know, when it gathers, who is asking: a parent or carer may ask for a child, and may be
  the very person the child talked to the advocate about. An advocate would not call it
  safe to send the notes out because nobody stopped them, so each note's text is
  withheld by default (serious harm, DPA 2018 Sch. 3), marked with the service's name:
  the officer asks the service and checks the request is the child's own (or made with
  their agreement) and releases it, which is what the child is entitled to. The cases
  app withholds the contacts an advocate recorded the same way."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from macehub.cases.subject_access import ADVOCACY_REASON, advocacy_why
from macehub.governance.subject_access import (
    SUBJECT_SOURCES,
    HeldField,
    HeldItem,
    SubjectSource,
    local_day,
    recorded,
)
from macehub.governance.subject_access_codes import RedactionReason
from macehub.investigations.codes import ChargingDecision, JourneyStepKind
from macehub.investigations.journey import step_what
from macehub.investigations.models import (
    AdvocateNote,
    ChargingDecisionRecord,
    Investigation,
    InvestigationSuspect,
    InvestigationVictim,
    JourneyStep,
    LineOfEnquiry,
    SupervisoryReview,
    SuspectRelease,
)
from macehub.ui.formatting import govuk_date, govuk_datetime

OPEN_WHY = "The investigation is still open"
ACTION_PLAN_WHY = "The investigation is still open and its file is still being built"
CHILDREN_WHY = "About safeguarding the victims: the children's data, not the suspect's"
SUSPECTS_WHY = "About managing the suspects: their data, not the victim's"
REASONS_WHY = ("The decision-maker's reasons are about the suspect: a victim is told the "
               "decision's reasons by letter under the Victims' Code")


def _release(release: SuspectRelease) -> str:
    ended = f", ended {govuk_date(release.ended_on)}" if release.ended_on else ""
    conditions = f": {release.conditions}" if release.conditions else ""
    return (f"{release.get_kind_display()} from {govuk_date(release.starts_on)} to "
            f"{govuk_date(release.expires_on)}{ended}{conditions}")


def _item(investigation: Investigation, named_as: str, victim: InvestigationVictim | None,
          others: list[str], suspect: InvestigationSuspect | None = None) -> HeldItem:
    still_open = RedactionReason.CRIME if investigation.is_open else ""
    crimes = "; ".join(f"{crime.offence_code}" + (f" on {govuk_date(crime.committed_on)}"
                                                   if crime.committed_on else "")
                       for crime in investigation.crimes.all())
    return HeldItem(
        record_type="investigations.investigation", record_id=investigation.pk,
        reference=investigation.reference, date=investigation.reported_on,
        heading=f"Investigation naming the person as {named_as}",
        fields=recorded(
            HeldField("title", "Investigation", investigation.title),
            HeldField("summary", "Summary", investigation.summary, withhold=still_open,
                      why=OPEN_WHY if still_open else ""),
            HeldField("crimes", "Crimes (Home Office offence codes)", crimes),
            HeldField("status", "Status", investigation.get_status_display()),
            HeldField("outcome", "Outcome", investigation.get_outcome_display()),
            HeldField("needs", "Needs assessment",
                      victim.needs_assessment if victim else ""),
            HeldField("therapy", "Pre-trial therapy",
                      victim.get_pre_trial_therapy_display()
                      if victim and victim.pre_trial_therapy else ""),
            HeldField("rights", "Victims' Code rights offered", "; ".join(
                f"{entitlement.get_right_display()}: {entitlement.get_response_display()} "
                f"(offered {govuk_date(entitlement.offered_on)})"
                for entitlement in victim.entitlements.all()) if victim else ""),
            HeldField("withdrawal", "Withdrawal of support",
                      victim.withdrawal_note if victim else ""),
            HeldField("releases", "Bail or release under investigation", "; ".join(
                _release(release) for release in suspect.releases.all()) if suspect else "")),
        others_named=others)


@dataclass(frozen=True)
class _Named:
    """An investigation naming the person, how it names them, and who else it names."""

    investigation: Investigation
    others: list[str]
    as_victim: bool
    as_suspect: bool

    def crime(self) -> tuple[str, str]:
        """The crime exemption while the investigation is open, or nothing."""
        return ((RedactionReason.CRIME, OPEN_WHY) if self.investigation.is_open
                else ("", ""))

    def unless(self, theirs: bool, why: str) -> tuple[str, str]:
        """Withheld while open; once closed, withheld as third-party data unless it is
        the person's own (``theirs``)."""
        if self.investigation.is_open:
            return RedactionReason.CRIME, OPEN_WHY
        return ("", "") if theirs else (RedactionReason.THIRD_PARTY, why)


def _field(name: str, label: str, text: str, withheld: tuple[str, str]) -> HeldField:
    reason, why = withheld
    return HeldField(name, label, text, withhold=reason, why=why)


def _enquiry(enquiry: LineOfEnquiry, named: _Named) -> HeldItem:
    investigation = named.investigation
    return HeldItem(
        record_type="investigations.lineofenquiry", record_id=enquiry.pk,
        reference=f"{investigation.reference} line of enquiry {enquiry.pk}",
        date=local_day(enquiry.recorded_at),
        heading="Line of enquiry in an investigation naming the person",
        fields=recorded(
            HeldField("investigation", "Investigation", investigation.reference),
            _field("description", "Line of enquiry", enquiry.description, named.crime()),
            HeldField("owner", "Who owns it",
                      enquiry.owner.display_name if enquiry.owner else ""),
            HeldField("due_on", "Due", govuk_date(enquiry.due_on)),
            HeldField("status", "Status", enquiry.get_status_display()),
            _field("result", "What it found", enquiry.result, named.crime()),
            HeldField("finished", "Finished", govuk_datetime(enquiry.finished_at))),
        others_named=named.others)


def _review(review: SupervisoryReview, named: _Named) -> HeldItem:
    investigation = named.investigation
    return HeldItem(
        record_type="investigations.supervisoryreview", record_id=review.pk,
        reference=f"{investigation.reference} supervisory review {review.pk}",
        date=local_day(review.reviewed_at or review.due_at),
        heading="Supervisory review of an investigation naming the person",
        fields=recorded(
            HeldField("investigation", "Investigation", investigation.reference),
            HeldField("point", "Review", review.get_point_display()),
            HeldField("due", "Due", govuk_datetime(review.due_at)),
            HeldField("reviewed", "Reviewed", govuk_datetime(review.reviewed_at)),
            HeldField("reviewer", "Reviewed by",
                      review.reviewer.display_name if review.reviewer else ""),
            _field("victim_safeguarding", "Safeguarding the victims",
                   review.victim_safeguarding, named.unless(named.as_victim, CHILDREN_WHY)),
            _field("lines_of_enquiry", "Lines of enquiry", review.lines_of_enquiry,
                   named.crime()),
            _field("suspect_management", "Managing the suspects", review.suspect_management,
                   named.unless(named.as_suspect, SUSPECTS_WHY)),
            _field("evidence_and_disclosure", "Evidence and disclosure",
                   review.evidence_and_disclosure, named.crime()),
            HeldField("next_review_on", "Next review", govuk_date(review.next_review_on))),
        others_named=named.others)


def _charging(decision: ChargingDecisionRecord, named: _Named) -> HeldItem:
    investigation = named.investigation
    action_plan = (investigation.is_open and decision.decision == ChargingDecision.ACTION_PLAN)
    return HeldItem(
        record_type="investigations.chargingdecisionrecord", record_id=decision.pk,
        reference=f"{investigation.reference} charging decision {decision.pk}",
        date=decision.decided_on,
        heading="Charging decision in an investigation naming the person",
        fields=recorded(
            HeldField("investigation", "Investigation", investigation.reference),
            _field("decision", "Decision", decision.get_decision_display(),
                   (RedactionReason.CRIME, ACTION_PLAN_WHY) if action_plan else ("", "")),
            HeldField("decided_by", "Decided by", decision.get_decided_by_display()),
            HeldField("decided_on", "Decided on", govuk_date(decision.decided_on)),
            _field("note", "Reasons", decision.note,
                   named.unless(named.as_suspect, REASONS_WHY))),
        others_named=named.others)


def _items(person_pk: int) -> list[HeldItem]:
    victims = {v.investigation_id: v for v in InvestigationVictim.objects.filter(
        person_id=person_pk).prefetch_related("entitlements")}
    suspects = {s.investigation_id: s for s in InvestigationSuspect.objects.filter(
        person_id=person_pk).prefetch_related("releases")}
    investigations = Investigation.objects.filter(
        pk__in=set(victims) | set(suspects)).prefetch_related(
        "crimes", "victims__person", "suspects__person", "charging_decisions",
        Prefetch("enquiries", LineOfEnquiry.objects.select_related("owner")),
        Prefetch("reviews", SupervisoryReview.objects.select_related("reviewer")))
    items = []
    for investigation in investigations:
        others = sorted({link.person.full_name for link in investigation.victims.all()
                         if link.person_id != person_pk}
                        | {link.person.full_name for link in investigation.suspects.all()
                           if link.person_id != person_pk})
        named_as = " and ".join(role for role, found in (
            ("a victim", investigation.pk in victims),
            ("a suspect", investigation.pk in suspects)) if found)
        items.append(_item(investigation, named_as, victims.get(investigation.pk), others,
                           suspects.get(investigation.pk)))
        named = _Named(investigation, others, investigation.pk in victims,
                       investigation.pk in suspects)
        items += [_enquiry(enquiry, named) for enquiry in investigation.enquiries.all()]
        items += [_review(review, named) for review in investigation.reviews.all()]
        items += [_charging(decision, named)
                  for decision in investigation.charging_decisions.all()]
    return items


def _step(step: JourneyStep) -> HeldItem:
    investigation = step.victim.investigation
    interview = step.kind == JourneyStepKind.ABE_INTERVIEW
    return HeldItem(
        record_type="investigations.journeystep", record_id=step.pk,
        reference=f"{investigation.reference} step {step.pk}", date=step.on,
        heading=f"The child's journey: {step_what(step)}",
        fields=recorded(
            HeldField("investigation", "Investigation", investigation.reference),
            HeldField("what", "Step", step_what(step)),
            HeldField("on", "When", govuk_date(step.on)),
            HeldField("status", "Status", step.get_status_display()),
            HeldField("place", "Where", step.place),
            HeldField("who", "Who interviews the child" if interview else "Court", step.who),
            HeldField("intermediary", "Intermediary", step.intermediary),
            HeldField("arrangements", "Arrangements", step.arrangements)),
        others_named=[name for name in (step.who if interview else "", step.intermediary)
                      if name])


def _journey_items(person_pk: int) -> list[HeldItem]:
    return [_step(step) for step in JourneyStep.objects.filter(
        victim__person_id=person_pk).select_related("victim__investigation")]


def _note(note: AdvocateNote) -> HeldItem:
    service = note.advocacy_service.name
    return HeldItem(
        record_type="investigations.advocatenote", record_id=note.pk,
        reference=f"{note.victim.investigation.reference} advocate's note {note.pk}",
        date=local_day(note.written_at), heading="Victim advocate's note",
        fields=recorded(
            HeldField("service", "Advocacy service", service),
            HeldField("written_by", "Written by", note.written_by.display_name),
            HeldField("text", "Note", note.text, withhold=ADVOCACY_REASON,
                      why=advocacy_why(service))))


def _advocacy_items(person_pk: int) -> list[HeldItem]:
    return [_note(note) for note in AdvocateNote.objects.filter(
        victim__person_id=person_pk).select_related(
        "victim__investigation", "advocacy_service", "written_by")]


SUBJECT_SOURCES.register("investigations", SubjectSource(label="Investigations",
                                                          items=_items))
SUBJECT_SOURCES.register("journeys", SubjectSource(label="The child's journey through "
                                                         "the justice process",
                                                   items=_journey_items))
SUBJECT_SOURCES.register("advocacy", SubjectSource(label="Victim advocates' notes",
                                                   items=_advocacy_items))
