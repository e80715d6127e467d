"""The case list's table is drawn in Python (``cases.tables.case_list_table``); its
markup must stay character for character what the list's template wrote cell by cell
with ``{% table_cell %}`` (kept as the reference in ``reference/case_list_table.html``),
for every kind of row: restricted (worked on or not), closed, overdue, with nothing
recorded yet."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.paginator import Paginator
from django.template import Context, Engine
from django.test import RequestFactory

from macehub.cases import selectors, services
from macehub.cases.codes import RiskTier
from macehub.cases.models import Case
from macehub.cases.selectors import CaseFilters, CaseSort
from macehub.cases.tests.conftest import close_with_approval
from macehub.cases.tests.test_list import areas, four_cases, live_at  # noqa: F401 (fixtures)
from macehub.cases.views import _sort_columns

pytestmark = pytest.mark.django_db

REFERENCE = Path(__file__).parent / "reference" / "case_list_table.html"


def drawn_both_ways(user, filters: CaseFilters, query: dict[str, str]) -> tuple[str, str]:
    request = RequestFactory().get("/cases/", query)
    request.user = user
    page = Paginator(selectors.case_list(user, filters), 25).get_page(1)
    page.object_list = list(page.object_list)
    selectors.mark_case_rows(user, page.object_list)
    context = {"page_obj": page, "columns": _sort_columns(request, filters),
               "mine": filters.mine, "request": request}
    engine = Engine.get_default()
    return (engine.get_template("cases/_case_list_table.html").render(Context(context)),
            engine.from_string(REFERENCE.read_text()).render(Context(context)))


@pytest.mark.parametrize(("query", "filters"), [
    ({}, CaseFilters(status="")),
    ({"sort": "child", "order": "desc"}, CaseFilters(status="", sort=CaseSort.CHILD,
                                                      descending=True)),
    ({"status": "closed"}, CaseFilters(status="closed")),
])
def test_the_table_is_what_the_template_wrote(four_cases, make_case, triage, supervisor,  # noqa: F811 (fixtures)
                                              analyst, advocate, areas, query, filters):  # noqa: F811
    # Restricted: one the advocate keys (named to them), one nobody on this list works
    # on (no name or area for the analyst), one closed; one child <named> & escaped.
    keyed = make_case("Keyed", "Restricted", risk_tier=RiskTier.HIGH)
    services.set_key_worker(actor=triage, case_pk=keyed.pk, expected_version=1,
                            key_worker=advocate)
    hidden = make_case("Hidden", "Restricted", risk_tier=RiskTier.MEDIUM)
    live_at(hidden, areas["hill"])
    Case.objects.filter(pk__in=[keyed.pk, hidden.pk]).update(is_restricted=True)
    close_with_approval(make_case("<Closed>", "O'Brien & Co"), requested_by=triage,
                        approved_by=supervisor)
    for user in (analyst, advocate, triage):
        drawn, reference = drawn_both_ways(user, filters, query)
        assert drawn == reference
        assert "<tbody" in drawn
    drawn, _ = drawn_both_ways(analyst, CaseFilters(status=""), {})
    assert "Restricted case" in drawn and "Plan overdue" in drawn
    assert "Interview overdue" in drawn and "&lt;Closed&gt;" in drawn
