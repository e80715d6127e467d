"""The children referred: a population of the disproportionality and data-quality pages
(``macehub.people.populations``), the children with a referral received in a period."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from macehub.people.populations import (
    CHILDREN,
    CHILDREN_DENOMINATOR,
    Population,
    register_population,
)
from macehub.referrals.models import Referral


def _referrals() -> QuerySet[Any]:
    return Referral.objects.all()


register_population(Population(
    key="children_referred", label="Children referred", noun="children referred",
    kind=CHILDREN, events=_referrals, person_field="child", date_field="received_at",
    definition="Children with a referral received by the hub in the period, whatever was "
               "decided on it. A referral is a concern, not a finding: these are not "
               "counted as victims. " + CHILDREN_DENOMINATOR,
))
