"""Query terms the ORM does not offer as such."""

from __future__ import annotations

from typing import Any

from django.db.models.lookups import In


class InOnce(In):
    """``lhs IN (subquery)`` for a subquery that does not depend on the row it filters
    (the records a user is linked to, the people a name finds).

    On PostgreSQL it is written ``lhs = ANY(ARRAY(subquery))``, which the planner works
    out once, before the query runs (an InitPlan), and costs once: on an indexed column
    the rows are then read by index, one look-up per value (person search reads the
    people a name finds this way rather than scanning every person). Elsewhere it is a
    plain IN.

    Use it to drive an index scan, not to filter many rows: as a filter, each row is
    compared with the array element by element, where IN hashes the subquery's answer
    once (the access policy's terms are plain IN for that reason).

    Use it as a filter term: ``queryset.filter(InOnce(F("pk"), other.values("pk")))``;
    the subquery's values must not be NULL (``NOT`` of an array holding NULL is unknown,
    not true).
    """

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = compiler.compile(self.rhs)
        if not rhs.startswith("("):
            rhs = f"({rhs})"
        return f"{lhs} = ANY(ARRAY{rhs})", [*lhs_params, *rhs_params]
