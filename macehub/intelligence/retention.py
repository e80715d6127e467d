"""Intelligence reports under retention review (police information, MoPI).

Which MoPI group a report falls in (*check* with the force's MoPI lead): every report
naming a child at risk (a victim link to a person) is about child exploitation, a
"certain public protection matter", so group 1: kept until its subject is 100 and
reviewed every 10 years. The subject whose age counts is the youngest person the report
names (the one the rule keeps the record longest for). Reports naming no child at risk
(places, vehicles, phones, suspects alone) are group 3: reviewed after a 6-year clear
period. The clock runs from when the report was received.

Disposal deletes the report with what hangs off it (its links, the submission it came
from, the record of its disseminations); a report that a network group's case rests on
is refused by the database, and the disposal with it."""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from macehub.governance.retention import RECORD_KINDS, RecordKind, RetentionRow
from macehub.intelligence.codes import EntityRole
from macehub.intelligence.models import Dissemination, IntelligenceReport, ReportLink, Submission

GROUP_1 = "group_1"
GROUP_3 = "group_3"


def _rows(pks: Collection[int] | None) -> list[RetentionRow]:
    reports = IntelligenceReport.objects.all()
    if pks is not None:
        reports = reports.filter(pk__in=pks)
    named = ReportLink.objects.filter(report=OuterRef("pk"), person__isnull=False)
    reports = reports.annotate(
        names_child=Exists(named.filter(role=EntityRole.VICTIM)),
        youngest_born=Subquery(named.filter(person__date_of_birth__isnull=False)
                               .order_by("-person__date_of_birth")
                               .values("person__date_of_birth")[:1]),
    ).order_by()
    return [
        RetentionRow(pk=pk, reference=reference,
                     category=GROUP_1 if names_child else GROUP_3,
                     clock_starts_on=timezone.localdate(received_at),
                     subject_born_on=youngest_born)
        for pk, reference, received_at, names_child, youngest_born in reports.values_list(
            "pk", "reference", "received_at", "names_child", "youngest_born")
    ]


def _dispose(pk: int) -> None:
    Submission.objects.filter(report_id=pk).delete()
    Dissemination.objects.filter(report_id=pk).delete()
    IntelligenceReport.objects.filter(pk=pk).delete()


RECORD_KINDS.register("intelligence_report", RecordKind(
    label="Intelligence report", record_type="intelligence.intelligencereport",
    rows=_rows, dispose=_dispose))
