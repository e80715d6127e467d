"""Allocation shows caseload: choosing a key worker or a victim advocate, each candidate
shows the open cases they hold now in that role and how many are High risk, counted in
the one query that lists the candidates."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from macehub.accounts.models import User
from macehub.accounts.roles import Role
from macehub.cases import selectors
from macehub.cases.codes import RiskTier
from macehub.cases.forms import AdvocateForm, KeyWorkerForm
from macehub.cases.models import AdvocateAllocation, Case
from macehub.cases.tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _labels(form) -> dict[str, str]:
    return {str(value): label for value, label in form.fields[
        "key_worker" if "key_worker" in form.fields else "advocate"].choices if value}


def _load(make_case, *, key_worker: User | None = None, advocate: User | None = None,
          tiers=(RiskTier.HIGH, RiskTier.HIGH, RiskTier.LOW), closed: int = 0) -> list[Case]:
    cases = []
    for n, tier in enumerate(tiers):
        case = make_case(given_name=f"Child{n}", family_name=f"Load{key_worker or advocate}",
                         risk_tier=tier)
        if key_worker is not None:
            Case.objects.filter(pk=case.pk).update(key_worker=key_worker)
        if advocate is not None:
            AdvocateAllocation.objects.create(case=case, advocate=advocate,
                                              started_on=timezone.localdate())
        cases.append(case)
    for case in cases[:closed]:
        Case.objects.filter(pk=case.pk).update(status="closed", closed_at=timezone.now(),
                                               closure_reason="risk_reduced")
    return cases


def test_key_worker_candidates_show_their_open_cases_and_high(make_case, triage, supervisor
                                                              ) -> None:
    _load(make_case, key_worker=supervisor, tiers=(RiskTier.HIGH, RiskTier.HIGH,
                                                   RiskTier.LOW, RiskTier.HIGH), closed=1)
    labels = _labels(KeyWorkerForm())
    assert labels[str(supervisor.pk)].endswith("– 3 open cases, 2 High")
    assert labels[str(triage.pk)].endswith("– 0 open cases, 0 High")


def test_advocate_candidates_count_only_their_current_advocacy(make_case, advocate,
                                                               hub_user_factory) -> None:
    cases = _load(make_case, advocate=advocate, tiers=(RiskTier.HIGH, RiskTier.MEDIUM))
    other = hub_user_factory("other.adv", Role.VICTIM_ADVOCATE)
    AdvocateAllocation.objects.filter(case=cases[1]).update(ended_on=timezone.localdate())
    AdvocateAllocation.objects.create(case=cases[1], advocate=other,
                                      started_on=timezone.localdate())
    labels = _labels(AdvocateForm())
    assert labels[str(advocate.pk)].endswith("– 1 open case, 1 High")
    assert labels[str(other.pk)].endswith("– 1 open case, 0 High")


def test_one_query_lists_every_candidate_with_their_caseload(make_case, hub_user_factory,
                                                             advocate) -> None:
    workers = [hub_user_factory(f"worker{n}", Role.TRIAGE) for n in range(4)]
    for worker in workers[:2]:
        _load(make_case, key_worker=worker)
    _load(make_case, advocate=advocate)
    with CaptureQueriesContext(connection) as queries:
        rows = list(selectors.key_workers_with_caseload())
        advocates = list(selectors.victim_advocates_with_caseload())
    assert len(queries) == 2
    assert {row.pk: row.open_cases for row in rows}[workers[0].pk] == 3
    assert {row.pk: row.high_cases for row in advocates}[advocate.pk] == 2
    with CaptureQueriesContext(connection) as rendered:
        KeyWorkerForm()["key_worker"].as_widget()
    assert len(rendered) == 1


def test_the_change_pages_show_the_caseload(case, triage, supervisor, advocate) -> None:
    Case.objects.filter(pk=case.pk).update(key_worker=supervisor)
    client = client_for(triage)
    html = client.get(reverse("cases:change_key_worker", args=[case.pk])).content.decode()
    assert f"{supervisor.display_name} (" in html and "– 1 open case, 0 High" in html
    assert "Each name shows the open cases they hold now as key worker" in html
    html = client.get(reverse("cases:change_advocate", args=[case.pk])).content.decode()
    assert "– 0 open cases, 0 High" in html
    assert "Each name shows the open cases they hold now as victim advocate" in html
