"""What the investigations app holds about a person for a subject access request: each
investigation naming them as a victim or a suspect, its crimes and outcome, (for a
victim) their journey through it and (for a suspect) their bail or release under
investigation, with its conditions. An investigation still open is marked for the crime
exemption by default: disclosing it could prejudice it (DPA 2018 Sch. 2 para 2, s.45(4)
for the police); the officer decides.

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
from macehub.investigations.codes import JourneyStepKind
from macehub.investigations.journey import step_what
from macehub.investigations.models import (
    AdvocateNote,
    Investigation,
    InvestigationSuspect,
    InvestigationVictim,
    JourneyStep,
    SuspectRelease,
)
from macehub.ui.formatting import govuk_date

OPEN_WHY = "The investigation is still open"


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


def _items(person_pk: int) -> list[HeldItem]:
    victims = {v.investigation_id: v for v in InvestigationVictim.objects.filter(
        person_id=person_pk).prefetch_related("entitlements")}
    suspects = {s.investigation_id: s for s in InvestigationSuspect.objects.filter(
        person_id=person_pk).prefetch_related("releases")}
    investigations = Investigation.objects.filter(
        pk__in=set(victims) | set(suspects)).prefetch_related(
        "crimes", "victims__person", "suspects__person")
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
