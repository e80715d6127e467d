"""What the forensics app holds about a person for a subject access request: each
device exhibit seized from them, and each seized in an investigation naming them as a
victim or a suspect (their case), with where it is in the unit's work and what
examining it found.

What is withheld by default, each marked for the officer:

- **The findings while the investigation is open.** The triage findings and the full
  examination's summary are evidence; disclosing them before the investigation ends could
  prejudice it (the crime exemption, DPA 2018 Sch. 2 para 2, s.45(4) for the police), as
  an open investigation's summary is withheld by the investigations app.
- **The findings from someone else's device.** Once the investigation is closed, what a
  device seized from another person (or from no one recorded) holds is that person's data
  too: withheld as third-party data until the officer has weighed it. The person it was
  seized from, and whoever it was returned to, are other people named."""

from __future__ import annotations

from django.db.models import Q

from macehub.forensics.models import Exhibit
from macehub.governance.subject_access import (
    SUBJECT_SOURCES,
    HeldField,
    HeldItem,
    SubjectSource,
    local_day,
    recorded,
)
from macehub.governance.subject_access_codes import RedactionReason
from macehub.ui.formatting import govuk_date, govuk_datetime

OPEN_WHY = "The investigation is still open"
OTHERS_DEVICE_WHY = "The device was not seized from the person: what it holds is another's"


def _item(exhibit: Exhibit, person_pk: int) -> HeldItem:
    investigation = exhibit.investigation
    theirs = exhibit.seized_from_id == person_pk
    reason: str
    if investigation.is_open:
        reason, why = RedactionReason.CRIME, OPEN_WHY
    elif not theirs:
        reason, why = RedactionReason.THIRD_PARTY, OTHERS_DEVICE_WHY
    else:
        reason, why = "", ""
    others = [name for name in (
        exhibit.seized_from.full_name if exhibit.seized_from and not theirs else "",
        exhibit.returned_to) if name]
    return HeldItem(
        record_type="forensics.exhibit", record_id=exhibit.pk, reference=exhibit.reference,
        date=local_day(exhibit.seized_at),
        heading=("Device seized from the person" if theirs
                 else "Device seized in an investigation naming the person"),
        fields=recorded(
            HeldField("device", "Device", f"{exhibit.get_device_type_display()}: "
                      f"{exhibit.description}"),
            HeldField("investigation", "Investigation", investigation.reference),
            HeldField("seized_at", "Seized", govuk_datetime(exhibit.seized_at)),
            HeldField("owner", "Whose device", exhibit.get_owner_display()),
            HeldField("legal_authority", "Seized under", exhibit.get_legal_authority_display()),
            HeldField("stage", "Where it is", exhibit.get_stage_display()),
            HeldField("triaged_at", "Triaged", govuk_datetime(exhibit.triaged_at)),
            HeldField("triage_findings", "What triage found", exhibit.triage_findings,
                      withhold=reason, why=why),
            HeldField("full_report", "What the full examination found",
                      exhibit.full_report_summary, withhold=reason, why=why),
            HeldField("returned", "Returned", " to ".join(part for part in (
                govuk_date(exhibit.returned_on), exhibit.returned_to) if part)),
            HeldField("retained", "Retained", " – ".join(part for part in (
                govuk_date(exhibit.retained_on), exhibit.retained_reason) if part)),
            HeldField("disposed_on", "Disposed of", govuk_date(exhibit.disposed_on))),
        others_named=others)


def _items(person_pk: int) -> list[HeldItem]:
    exhibits = Exhibit.objects.filter(
        Q(seized_from_id=person_pk) | Q(investigation__victims__person_id=person_pk)
        | Q(investigation__suspects__person_id=person_pk)).distinct()
    return [_item(exhibit, person_pk)
            for exhibit in exhibits.select_related("investigation", "seized_from")]


SUBJECT_SOURCES.register("forensics", SubjectSource(label="Digital forensics", items=_items))
