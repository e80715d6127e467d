"""How many shares of a person's record with a partner agency name each
information-sharing agreement, for the register's pages
(``macehub.governance.reliance``): counts only."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count

from macehub.governance.reliance import RELIANCE
from macehub.people.models import PersonShare


@RELIANCE.register("Shares of a person's record")
def shares_relying_on(agreement_pks: Sequence[int]) -> dict[int, int]:
    counted = (PersonShare.objects.filter(agreement_id__in=list(agreement_pks))
               .values("agreement_id").annotate(number=Count("pk")))
    return {row["agreement_id"]: row["number"] for row in counted}
