"""What intelligence tells triage about a child on the referral decision page: the
reports the viewer may see that mention the child, each with only the text they may read
(the source text for those who may see it, the sanitised text for everyone else).
Registered in ``people.known``, so referrals need not import intelligence."""

from __future__ import annotations

from macehub.accounts.models import User
from macehub.intelligence.selectors import report_text, reports_about_person, source_visible_ids
from macehub.people.known import KnownIntelligence, intelligence_reader
from macehub.people.models import Person


@intelligence_reader("intelligence")
def reports_about_the_child(user: User, child: Person) -> list[KnownIntelligence]:
    mentions = reports_about_person(user, child)
    sources = source_visible_ids(user, [m.report.pk for m in mentions]) if mentions else set()
    return [
        KnownIntelligence(report=m.report, roles=m.roles,
                          text=report_text(m.report, show_source=m.report.pk in sources))
        for m in mentions
    ]
