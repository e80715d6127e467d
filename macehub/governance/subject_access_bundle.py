"""The disclosure bundle: the items gathered for a subject access request with the
redactions applied, and the schedule of what was withheld and why.

A withheld field's text is replaced before the page is drawn, so it never reaches the
PDF (not even hidden or blacked out over the text): the bundle says only that the field
was withheld and under which reason. The schedule lists each withheld field; it goes in
the bundle and stays on the request as it was produced."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string

from macehub.governance.subject_access import subject_name
from macehub.governance.subject_access_codes import RedactionReason
from macehub.governance.subject_access_models import DisclosureItem, SubjectAccessRequest

WITHHELD = "[Withheld]"


@dataclass(frozen=True)
class ShownField:
    label: str
    text: str
    withheld: bool
    reason: str = ""


def reason_words(code: str) -> str:
    return str(RedactionReason(code).label) if code in RedactionReason.values else code


def shown_fields(item: DisclosureItem) -> list[ShownField]:
    """The item's fields as the bundle shows them: a withheld field's text replaced."""
    redacted = {redaction.field_name: redaction for redaction in item.redactions.all()}
    shown = []
    for entry in item.fields:
        redaction = redacted.get(entry["name"])
        if redaction is None:
            shown.append(ShownField(entry["label"], entry["text"], withheld=False))
        else:
            shown.append(ShownField(entry["label"], WITHHELD, withheld=True,
                                    reason=reason_words(redaction.reason)))
    return shown


def withheld_schedule(items: Sequence[DisclosureItem]) -> list[dict[str, str]]:
    """Each withheld field: the item, the field, the reason and the officer's note."""
    schedule = []
    for item in items:
        labels = {entry["name"]: entry["label"] for entry in item.fields}
        for redaction in sorted(item.redactions.all(),
                                key=lambda r: list(labels).index(r.field_name)
                                if r.field_name in labels else len(labels)):
            schedule.append({"reference": item.reference, "heading": item.heading,
                             "field": labels.get(redaction.field_name, redaction.field_name),
                             "reason": redaction.reason,
                             "reason_label": reason_words(redaction.reason),
                             "note": redaction.note})
    return schedule


def bundle_pdf(request: SubjectAccessRequest, items: Sequence[DisclosureItem], *,
               produced_at: dt.datetime) -> bytes:
    from weasyprint import HTML

    context: dict[str, Any] = {
        "request": request, "subject": subject_name(request.person_id) or "Not found",
        "items": [(item, shown_fields(item)) for item in items],
        "schedule": withheld_schedule(items), "produced_at": produced_at}
    html = render_to_string("governance/subject_access_bundle_pdf.html", context)
    return bytes(HTML(string=html).write_pdf())
