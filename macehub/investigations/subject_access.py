"""What the investigations app holds about a person for a subject access request: each
investigation naming them as a victim or a suspect, its crimes and outcome, and (for a
victim) their journey through it. An investigation still open is marked for the crime
exemption by default: disclosing it could prejudice it (DPA 2018 Sch. 2 para 2, s.45(4)
for the police); the officer decides."""

from __future__ import annotations

from macehub.governance.subject_access import (
    SUBJECT_SOURCES,
    HeldField,
    HeldItem,
    SubjectSource,
    recorded,
)
from macehub.governance.subject_access_codes import RedactionReason
from macehub.investigations.models import (
    Investigation,
    InvestigationSuspect,
    InvestigationVictim,
)
from macehub.ui.formatting import govuk_date

OPEN_WHY = "The investigation is still open"


def _item(investigation: Investigation, named_as: str, victim: InvestigationVictim | None,
          others: list[str]) -> HeldItem:
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
            HeldField("withdrawal", "Withdrawal of support",
                      victim.withdrawal_note if victim else "")),
        others_named=others)


def _items(person_pk: int) -> list[HeldItem]:
    victims = {v.investigation_id: v for v in InvestigationVictim.objects.filter(
        person_id=person_pk)}
    suspects = set(InvestigationSuspect.objects.filter(person_id=person_pk)
                   .values_list("investigation_id", flat=True))
    investigations = Investigation.objects.filter(
        pk__in=set(victims) | suspects).prefetch_related(
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
        items.append(_item(investigation, named_as, victims.get(investigation.pk), others))
    return items


SUBJECT_SOURCES.register("investigations", SubjectSource(label="Investigations",
                                                          items=_items))
