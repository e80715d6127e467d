"""Performance: metrics against hand-counted data, the registry, the dashboard,
publishing, restatements, suppression and exports."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import importlib
import io
import itertools
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.core import metrics as registry
from macehub.core.metrics import TOTAL, Figure, Filters, Period, Unit
from macehub.core.suppression import Table, recoverable, suppress
from macehub.governance.tests.requested_jobs import post_and_download
from macehub.people.models import EthnicGroup
from macehub.performance import services
from macehub.performance.exports import report_csv
from macehub.performance.hiding import hidden_figures
from macehub.performance.models import MonthlyReport, ReportFigure
from macehub.performance.selectors import published_report
from macehub.referrals.codes import ReferralStatus, TriageOutcome
from macehub.referrals.tests.factories import make_referral
from macehub.testing.factories import make_person, make_user, verified_login

MARCH = Period.month(2024, 3)
LONDON = ZoneInfo("Europe/London")


def at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2024, 3, day, hour, tzinfo=LONDON)


@pytest.fixture
def leader(hub_agency: Agency, hub_team: Team) -> User:
    return make_user("senior.leader", Role.SENIOR_LEADER, agency=hub_agency, team=hub_team)


@pytest.fixture
def march_referrals(hub_agency: Agency, leader: User) -> list[Any]:
    """Five referrals in March, one in April. Hand count for March: 5 received; 4
    decided in March, 3 of them on time; hours to decision 1, 2, 30, 50 (median 16)."""
    white = EthnicGroup.objects.exclude(code=EthnicGroup.NOT_STATED).first()
    children = [
        make_person(hub_agency, given_name="A", self_defined_ethnicity=white, nationality="GB"),
        make_person(hub_agency, given_name="B",
                    self_defined_ethnicity_id=EthnicGroup.NOT_STATED),
        make_person(hub_agency, given_name="C"),
        make_person(hub_agency, given_name="D", self_defined_ethnicity=white),
    ]
    made = []
    for child, day, took_hours, on_time in [
        (children[0], 1, 1, True), (children[1], 2, 2, True), (children[2], 3, 30, True),
        (children[3], 4, 50, False), (children[0], 5, None, None),
    ]:
        referral = make_referral(child, leader, received_at=at(day))
        if took_hours is not None:
            referral.status = ReferralStatus.DECIDED
            referral.outcome = TriageOutcome.EARLY_HELP
            referral.decided_at = at(day) + dt.timedelta(hours=took_hours)
            referral.decided_by = leader
            referral.decision_due_at = referral.decided_at + dt.timedelta(
                minutes=1 if on_time else -1)
            referral.save()
        made.append(referral)
    make_referral(children[1], leader,
                  received_at=dt.datetime(2024, 4, 2, 9, tzinfo=LONDON))
    return made


def _total(code: str, period: Period = MARCH, filters: Filters | None = None) -> Figure:
    metric = registry.get_metric(code)
    return metric.total(metric.figures(period, filters))


@pytest.mark.django_db
def test_referral_metrics_match_the_hand_count(march_referrals: list[Any]) -> None:
    assert _total("referrals_received").numerator == 5
    in_time = _total("referrals_decided_in_time")
    assert (in_time.numerator, in_time.denominator) == (3, 4)
    assert in_time.value(Unit.PERCENTAGE) == Decimal("75.0")
    median = _total("referral_hours_to_decision")
    assert (median.numerator, median.denominator) == (Decimal("16.0"), 4)
    # Victims of March referrals: 4 children; ethnicity recorded for A and D only;
    # B declined (not stated), C never asked (not recorded).
    metric = registry.get_metric("victims_ethnicity_recorded")
    figures = {(f.breakdown, f.category): f for f in metric.figures(MARCH, Filters())}
    assert (figures[(TOTAL, "")].numerator, figures[(TOTAL, "")].denominator) == (2, 4)
    assert figures[("recording", "not_stated")].numerator == 1
    assert figures[("recording", "not_recorded")].numerator == 1
    nationality = _total("victims_nationality_recorded")
    assert (nationality.numerator, nationality.denominator) == (1, 4)


@pytest.mark.django_db
def test_filters_narrow_the_figures(march_referrals: list[Any], partner_agency: Agency) -> None:
    assert _total("referrals_received", filters=Filters(agency_id=partner_agency.pk)
                  ).numerator == 0
    assert _total("referrals_received", filters=Filters(area_code="E99")).numerator == 0


@pytest.mark.django_db
def test_another_app_can_register_a_metric_without_editing_performance() -> None:
    @registry.metric(code="throwaway_count", name="Throwaway", definition="Always seven.",
                     numerator="Sevens", unit=Unit.COUNT, better=registry.Better.NEITHER)
    def throwaway(period: Period, filters: Filters) -> list[Figure]:
        return [Figure(TOTAL, "", "All", 7)]

    try:
        assert _total("throwaway_count").numerator == 7
        with pytest.raises(ImproperlyConfigured, match="registered twice"):
            registry.metric(code="throwaway_count", name="x", definition="x", numerator="x",
                            unit=Unit.COUNT, better=registry.Better.NEITHER)(throwaway)
    finally:
        registry.unregister("throwaway_count")
    with pytest.raises(registry.UnknownMetric):
        registry.get_metric("throwaway_count")


@pytest.mark.django_db
def test_dashboard_shows_each_metric_with_chart_and_table(
    client: Client, leader: User, march_referrals: list[Any]
) -> None:
    verified_login(client, leader)
    response = client.get(reverse("performance:dashboard"), {
        "start_day": "1", "start_month": "3", "start_year": "2024",
        "end_day": "31", "end_month": "3", "end_year": "2024",
    })
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="img"' in html and "<title id=" in html
    assert " style=" not in html
    for metric in registry.all_metrics():
        assert reverse("performance:metric", kwargs={"metric_code": metric.code}) in html
    assert "The last 12 months" in html


@pytest.mark.django_db
def test_end_before_start_is_a_clear_error(client: Client, leader: User) -> None:
    verified_login(client, leader)
    response = client.get(reverse("performance:dashboard"), {
        "start_day": "10", "start_month": "3", "start_year": "2024",
        "end_day": "1", "end_month": "3", "end_year": "2024",
    })
    assert response.status_code == 400
    assert "The end date must be the same as or after the start date" in response.content.decode()


@pytest.mark.django_db
def test_unknown_metric_is_not_found(client: Client, leader: User) -> None:
    verified_login(client, leader)
    url = reverse("performance:metric", kwargs={"metric_code": "no_such_metric"})
    assert client.get(url).status_code == 404
    ok = reverse("performance:metric", kwargs={"metric_code": "referrals_received"})
    assert client.get(ok).status_code == 200


@pytest.mark.django_db
def test_publishing_a_month_that_has_not_ended_changes_nothing(
    client: Client, leader: User
) -> None:
    today = timezone.localdate()
    with pytest.raises(services.PublishError, match="has not ended"):
        services.publish_month(actor=leader, year=today.year, month=today.month)
    assert not MonthlyReport.objects.exists()
    verified_login(client, leader)
    response = client.post(reverse("performance:publish"),
                           {"month": f"{today.year:04d}-{today.month:02d}"})
    assert response.status_code == 200
    assert "has not ended yet" in response.content.decode()
    assert not MonthlyReport.objects.exists()


@pytest.mark.django_db
def test_published_figures_are_frozen_and_corrections_are_restatements(
    leader: User, march_referrals: list[Any]
) -> None:
    report = services.publish_month(actor=leader, year=2024, month=3)
    assert AuditEvent.objects.filter(event_type=EventType.CREATE,
                                     record_id=str(report.pk)).exists()
    stored = ReportFigure.objects.get(report=report, metric_code="referrals_received",
                                      breakdown=TOTAL)
    assert stored.numerator == 5
    with pytest.raises(services.PublishError, match="already been published"):
        services.publish_month(actor=leader, year=2024, month=3)

    # A late-recorded referral and a corrected decision after publication.
    make_referral(march_referrals[0].child, leader, received_at=at(20))
    late = march_referrals[3]
    late.decision_due_at = late.decided_at + dt.timedelta(hours=1)
    late.save()

    stored.refresh_from_db()
    assert stored.numerator == 5  # never silently changed
    shown = published_report(report, suppressed=False)
    received = next(m for m in shown.metrics if m.code == "referrals_received")
    assert received.total.value == "5"
    assert received.total.restated and received.total.restated_value == "6"
    in_time = next(m for m in shown.metrics if m.code == "referrals_decided_in_time")
    assert in_time.total.value == "75.0%" and in_time.total.restated_value == "100.0%"
    assert shown.restatements >= 2


def _attack(table: Table, hidden: frozenset[Any]) -> set[Any]:
    """Try to recover hidden cells: solve every row/column with one unknown, repeatedly,
    then check each remaining unknown by least squares over all equations."""
    values = table.values()
    known = {p: v for p, v in values.items() if p not in hidden}
    equations = table.equations()
    recovered: set[Any] = set()
    progress = True
    while progress:
        progress = False
        for total, members in equations:
            unknown = [p for p in [total, *members] if p not in known]
            if len(unknown) == 1:
                (p,) = unknown
                s = sum(known[m] for m in members if m in known)
                known[p] = (known[total] - s) if p != total else s
                recovered.add(p)
                progress = True
    unknowns = sorted(set(values) - set(known), key=repr)
    if unknowns:
        index = {p: i for i, p in enumerate(unknowns)}
        rows, rhs = [], []
        for total, members in equations:
            row = np.zeros(len(unknowns))
            b = 0.0
            for p, sign in [(total, -1.0), *((m, 1.0) for m in members)]:
                if p in index:
                    row[index[p]] += sign
                else:
                    b -= sign * known[p]
            rows.append(row)
            rhs.append(b)
        a = np.array(rows)
        null = np.linalg.svd(a)[2][np.linalg.matrix_rank(a):] if rows else np.eye(len(unknowns))
        for p, i in index.items():
            if null.size == 0 or np.allclose(null[:, i], 0):
                recovered.add(p)
    return recovered & hidden


@pytest.mark.parametrize("cells", [
    [[3, 10], [12, 20], [7, 1]],
    [[2], [40], [9], [30]],
    [[0, 4], [6, 6], [15, 3], [20, 20]],
    [[1, 1], [1, 1]],
    [[8, 2, 14], [3, 9, 11], [25, 30, 4]],
])
def test_no_suppressed_cell_can_be_recovered_from_the_totals(cells: list[list[int]]) -> None:
    table = Table(
        cells,
        row_totals=[sum(r) for r in cells],
        column_totals=[sum(c) for c in zip(*cells, strict=True)],
        grand_total=sum(itertools.chain(*cells)),
    )
    hidden = suppress(table, 5)
    small = {p for p, v in table.values().items() if 0 < v < 5}
    assert small <= hidden
    assert not _attack(table, hidden)
    assert not recoverable(table, hidden)


def test_published_metric_tables_hide_small_numbers_consistently() -> None:
    figures = [Figure(TOTAL, "", "All", 30), Figure("source", "school", "School", 3),
               Figure("source", "police", "Police", 27), Figure("brag", "red", "Red", 30)]
    hidden = hidden_figures(Unit.COUNT, figures, 5)
    assert hidden[("source", "school")].numerator
    # Police would give School away from the total: hidden too (or the total is).
    assert hidden[("source", "police")].numerator or hidden[(TOTAL, "")].numerator


@pytest.mark.django_db
def test_scrutiny_sees_suppressed_published_report_and_exports_are_audited(
    client: Client, hub_agency: Agency, hub_team: Team, leader: User,
    march_referrals: list[Any], django_capture_on_commit_callbacks: Any,
) -> None:
    report = services.publish_month(actor=leader, year=2024, month=3)
    scrutiny = make_user("pcc.office", Role.SCRUTINY, agency=hub_agency)
    verified_login(client, scrutiny)
    assert client.get(reverse("performance:dashboard")).status_code == 403
    page = client.get(reverse("performance:report", kwargs={"report_pk": report.pk}))
    assert page.status_code == 200
    html = page.content.decode()
    assert "[c]" in html  # 5 received is fine, but 3 of 4 on time is not
    csv_response = client.get(reverse("performance:report_csv", kwargs={"report_pk": report.pk}))
    assert csv_response.status_code == 200
    body = csv_response.content.decode()
    assert "referrals_received" in body and "[c]" in body
    assert ",3,4," not in body
    # The PDF is drawn in the background; its download is the export.
    exports = AuditEvent.objects.filter(event_type=EventType.EXPORT, record_id=str(report.pk),
                                        record_type="performance.monthlyreport")
    assert exports.count() == 1
    pdf = post_and_download(client, django_capture_on_commit_callbacks,
                            reverse("performance:report_pdf", kwargs={"report_pk": report.pk}))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert exports.count() == 2


def test_a_month_published_before_missing_episodes_were_the_childs_keeps_that_definition(
    leader: User, march_referrals: list[Any]
) -> None:
    """A month published before definitions were stored with it was counted by the
    earlier missing-episode and interview definitions: the migration stores those, and
    the report says the measures have changed since."""
    migration = importlib.import_module(
        "macehub.performance.migrations.0003_missing_episode_definitions_as_published")
    report = services.publish_month(actor=leader, year=2024, month=3)
    MonthlyReport.objects.filter(pk=report.pk).update(definitions={})
    migration.store_the_earlier_definitions(django_apps, None)
    report.refresh_from_db()
    assert set(report.definitions) == {"missing_episodes", "return_interviews_in_time"}
    shown = {m.code: m for m in published_report(report, suppressed=True).metrics}
    interviews = shown["return_interviews_in_time"]
    assert interviews.numerator_text == "Returns with an interview within 72 hours"
    assert interviews.definition_now == registry.get_metric(
        "return_interviews_in_time").definition
    assert "offered a return home interview within 72 hours" in interviews.definition_now
    assert "with or without a MACE case" in shown["missing_episodes"].definition_now
    assert not shown["referrals_received"].definition_now
    # A month published with its own definitions is left as it was; and back again.
    untouched = dict(report.definitions)
    migration.store_the_earlier_definitions(django_apps, None)
    report.refresh_from_db()
    assert report.definitions == untouched
    migration.forget_them(django_apps, None)
    report.refresh_from_db()
    assert report.definitions == {}


def test_the_definitions_published_with_a_month_stay_with_it(
    client: Client, leader: User, march_referrals: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    report = services.publish_month(actor=leader, year=2024, month=3)
    received = registry.get_metric("referrals_received")
    assert report.definitions["referrals_received"] == {
        "definition": received.definition, "numerator": received.numerator,
        "denominator": received.denominator, "target": None}
    # The target is frozen with the month too.
    assert report.definitions["referrals_decided_in_time"]["target"] == "90"
    verified_login(client, leader)
    page = client.get(reverse("performance:report", args=[report.pk])).content.decode()
    assert "The definition has changed" not in page

    # The measure is redefined after publication: the report keeps the definition its
    # figures were counted by, and says what the restated figures are counted by.
    redefined = dataclasses.replace(
        received, definition="Referrals received, counting each child once a day.")
    monkeypatch.setitem(registry.METRICS._entries, "referrals_received", redefined)
    shown = published_report(report, suppressed=True)
    metric = next(m for m in shown.metrics if m.code == "referrals_received")
    assert metric.definition == received.definition
    assert metric.definition_now == "Referrals received, counting each child once a day."
    page = client.get(reverse("performance:report", args=[report.pk])).content.decode()
    assert "The definition has changed since this report was published" in page
    assert escape(received.definition) in page
    assert "counting each child once a day" in page
    others = [m for m in shown.metrics if m.code != "referrals_received"]
    assert others and not any(m.definition_now for m in others)
    rows = list(csv.DictReader(io.StringIO(report_csv(shown))))
    received_rows = [r for r in rows if r["metric_code"] == "referrals_received"]
    assert received_rows and all(
        r["definition"] == received.definition
        and r["definition_now"] == "Referrals received, counting each child once a day."
        for r in received_rows)
    assert all(r["definition_now"] == "" for r in rows if r not in received_rows)
