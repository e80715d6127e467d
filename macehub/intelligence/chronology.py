"""Intelligence in a child's chronology: each report the viewer may see that links to the
child, when it was received and in what role.

Reports come only through ``selectors.reports_about_person`` (the handling codes
enforced), and the text shown is the sanitised text: a chronology is read in a case's
context by many workers, so even the owning team's source text stays on the report page.
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from macehub.accounts.models import User
from macehub.intelligence import selectors
from macehub.people.chronology import ChronologyEntry, chronology_source
from macehub.people.models import Person

CATEGORY = "Intelligence"
NOT_SANITISED = "Not yet sanitised: open the report if you may read it."


@chronology_source("intelligence")
def intelligence_events(user: User, child: Person) -> list[ChronologyEntry]:
    entries = []
    for mention in selectors.reports_about_person(user, child):
        report = mention.report
        roles = ", ".join(role.lower() for role in mention.roles)
        text = report.sanitised_text.strip() or NOT_SANITISED
        entries.append(ChronologyEntry(
            occurred_at=report.received_at,
            category=CATEGORY,
            title=f"Intelligence {report.reference} received ({roles})",
            text=f"Graded {report.grading}. {text}",
            url=_report_url(report.pk),
        ))
    return entries


def _report_url(intel_report_pk: int) -> str:
    try:
        return reverse("intelligence:report_detail", kwargs={"intel_report_pk": intel_report_pk})
    except NoReverseMatch:  # the intelligence pages are not routed in this configuration
        return ""
