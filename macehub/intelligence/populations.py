"""Suspects named in intelligence: a population of the disproportionality and
data-quality pages (``macehub.people.populations``), the people linked as suspects to
intelligence reports received in a period."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from macehub.access.actions import Action
from macehub.intelligence.codes import EntityRole
from macehub.intelligence.models import ReportLink
from macehub.people.populations import SUSPECTS, Population, register_population


def _suspect_links() -> QuerySet[Any]:
    return ReportLink.objects.filter(role=EntityRole.SUSPECT)


register_population(Population(
    key="suspects_intelligence", label="Suspects named in intelligence",
    noun="suspects named in intelligence", kind=SUSPECTS, events=_suspect_links,
    person_field="person", date_field="report__received_at",
    opened_by=Action.INTELLIGENCE_VIEW, record_path="report",
    definition="People linked as suspects to intelligence reports received in the period. "
               "Rates are per 1,000 adults aged 18 and over of each ethnic group: most "
               "suspects are adults.",
))
