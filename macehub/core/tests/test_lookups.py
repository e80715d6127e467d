"""``InOnce``: the same records as IN, written for PostgreSQL's planner to work the
subquery out once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import F, Q

from macehub.accounts.models import Agency, User
from macehub.core.lookups import InOnce
from macehub.testing.factories import make_agency, make_user

pytestmark = pytest.mark.django_db


def test_in_once_finds_what_in_finds_and_its_negation_the_rest() -> None:
    with_staff = [make_agency(f"staffed{n}") for n in range(3)]
    without = [make_agency(f"empty{n}") for n in range(2)]
    for number, agency in enumerate(with_staff):
        make_user(f"worker{number}", agency=agency)
    make_user("no.agency")  # a NULL agency is left out of the subquery, not compared
    staffed = User.objects.filter(agency__isnull=False).order_by().values("agency_id")

    found = Agency.objects.filter(InOnce(F("pk"), staffed))
    assert set(found) == set(Agency.objects.filter(pk__in=staffed)) == set(with_staff)
    rest = Agency.objects.filter(~Q(InOnce(F("pk"), staffed)))
    assert set(rest) == set(without)

    sql = str(found.query)
    if connection.vendor == "postgresql":
        assert "= ANY(ARRAY(SELECT" in sql
    else:
        assert " IN (SELECT" in sql
