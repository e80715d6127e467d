"""Every CSV the hub writes for download, and every CSV file it reads to import, goes
through the core: exports through ``macehub.core.csv_export`` (so no cell of any export
can start a spreadsheet formula), imports through ``macehub.core.csv_import`` (so a file
that is not UTF-8, holds a NUL byte or a field too long to read is reported by row and
column, never as a traceback).

Three guards: a walk over every URL in the project (as every role allowed to open it,
with and without ``?format=csv``) that reads each CSV answered, on data with names and
labels planted to start with a formula; and a look through the source for any other
module that writes CSV for a download, or reads CSV, itself.
"""

from __future__ import annotations

import ast
import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from macehub.access.tests.routes import (
    ROUTES,
    Route,
    build_samples,
    expected_outcome,
    signed_in_routes,
    url_for,
)
from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.core.csv_export import FORMULA_STARTS
from macehub.intelligence.models import IntelligenceReport
from macehub.people.models import Area, EthnicGroupFamily, Person
from macehub.performance.models import MonthlyReport, ReportFigure
from macehub.testing.factories import make_user, verified_login

pytestmark = pytest.mark.long_running

# Text a spreadsheet would run, one for each character that starts a formula.
PLANTED = (
    '=HYPERLINK("http://example.invalid","Open")',
    "+SUM(1,1)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
)


def _plant(records: dict[str, Any]) -> None:
    """Put formula-leading text wherever an export takes text from: an intelligence
    report's reference, texts and owning team; a published report's metric name and
    labels; the areas and ethnic group names the equality table is headed and rowed by;
    the sample person's name, by which the network exports (for i2) label their node."""
    report: IntelligenceReport = records["intel_report_pk"]
    report.reference = "+INT-SAMPLE-1"
    report.source_text, report.sanitised_text = PLANTED[0], PLANTED[3]
    report.save()
    team: Team = records["hub_team"]
    team.name = PLANTED[2]
    team.save()
    person: Person = records["person_pk"]
    person.given_name = PLANTED[1]
    person.save()

    published: MonthlyReport = records["report_pk"]
    published.figures.update(metric_name=PLANTED[0], label=PLANTED[3])
    for order, (category, label) in enumerate(
        [("red", PLANTED[1]), ("amber", PLANTED[2]), ("green", PLANTED[4])], start=1
    ):
        ReportFigure.objects.create(
            report=published, metric_code="referrals_received", metric_name=PLANTED[0],
            unit="count", breakdown="brag", category=category, label=label, numerator=12,
            sort_order=order,
        )

    for area in Area.objects.all():
        area.name = f"{PLANTED[5]} {area.name}"
        area.save()
    for family, planted in zip(EthnicGroupFamily.objects.order_by("code"), PLANTED,
                               strict=False):
        family.name = f"{planted} {family.name}"
        family.save()


def _csv_cells(body: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(body, newline="")) for cell in row]


def _is_csv(response: Any) -> bool:
    return response.status_code == 200 and response.get("Content-Type", "").startswith(
        "text/csv")


@pytest.mark.django_db
def test_no_cell_of_any_export_starts_a_formula(hub_agency: Agency, hub_team: Team) -> None:
    samples = build_samples(hub_agency, hub_team)
    _plant(samples)
    users = [make_user(f"{role.value}.exporter", role, agency=hub_agency, team=hub_team)
             for role in Role]

    clients: dict[int, Client] = {}

    def fetch(user: User, url: str) -> Any:
        if user.pk not in clients:  # one signed-in session per user, as a person has
            clients[user.pk] = Client()
            verified_login(clients[user.pk], user)
        return clients[user.pk].get(url)

    def urls(route: Route) -> list[str]:
        url = url_for(route, samples)
        return [url, f"{url}{'&' if '?' in url else '?'}format=csv"]

    # Which routes answer with a CSV, asked by the first role allowed to open each.
    exports: dict[str, list[str]] = {}
    for route, user in signed_in_routes(users, samples):
        found = [url for url in urls(route) if _is_csv(fetch(user, url))]
        if found:
            exports[route.name] = found
    assert {"intelligence:export", "performance:report_csv",
            "equality:published_export"} <= set(exports), exports

    problems, unplanted, planted_seen = [], [], set()
    for name, export_urls in exports.items():
        route = next(route for route in ROUTES if route.name == name)
        planted_in_export = False
        for user in users:
            if expected_outcome(user, route, samples) != "allowed":
                continue
            for url in export_urls:
                response = fetch(user, url)
                assert _is_csv(response), f"{name} as {user.username}"
                for cell in _csv_cells(response.content.decode("utf-8")):
                    if cell.startswith(FORMULA_STARTS):
                        problems.append(f"{name} as {user.username}: {cell!r}")
                    for text in PLANTED:
                        if cell.startswith("'" + text):
                            planted_in_export = True
                            planted_seen.add(text)
        if not planted_in_export:
            unplanted.append(name)
    assert not problems, "\n".join(problems)
    # Otherwise the walk proved nothing about an export: plant text in its data.
    assert not unplanted, f"{unplanted} carried none of the planted text; add it to _plant"
    assert planted_seen == set(PLANTED)


# --- No CSV written or read anywhere but the core ------------------------------------------

PROJECT = Path(settings.BASE_DIR) / "macehub"
EXPORT_WRITER = PROJECT / "core" / "csv_export.py"
IMPORT_READER = PROJECT / "core" / "csv_import.py"
# Files that write CSV that is not a download, each with the reason.
NOT_EXPORTS = {
    # The demo writes its own synthetic census and postcode directory files to import,
    # never offered to a user.
    PROJECT / "demo" / "areas.py",
    PROJECT / "demo" / "places.py",
}
# Files that read CSV no user gives the hub, each with the reason.
NOT_IMPORTS = {
    # The exploitation indicator catalogue and the ethnic group code lists, shipped in
    # the package and loaded by data migrations.
    PROJECT / "cases" / "catalogue.py",
    PROJECT / "people" / "codelists.py",
    # The statistics locust writes for bench_pages and load_day, read back by the same
    # command.
    PROJECT / "demo" / "bench.py",
    PROJECT / "demo" / "load_day.py",
}
CSV_WRITERS = {"writer", "DictWriter"}
CSV_READERS = {"reader", "DictReader"}


def _csv_calls(path: Path, names: set[str], *, content_type: str = "") -> list[str]:
    """Where a module calls one of the ``csv`` module's ``names`` (however imported),
    or names the ``content_type``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    imported = {alias.asname or alias.name for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.module == "csv"
                for alias in node.names if alias.name in names}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            called = node.func
            if (isinstance(called, ast.Attribute) and called.attr in names
                    and isinstance(called.value, ast.Name) and called.value.id == "csv"):
                found.append(f"{path.relative_to(PROJECT)}:{node.lineno} csv.{called.attr}")
            elif isinstance(called, ast.Name) and called.id in imported:
                found.append(f"{path.relative_to(PROJECT)}:{node.lineno} {called.id}")
        elif (content_type and isinstance(node, ast.Constant) and isinstance(node.value, str)
              and node.value.lstrip().startswith(content_type)):
            found.append(f"{path.relative_to(PROJECT)}:{node.lineno} {content_type}")
    return found


def _modules() -> list[Path]:
    return [path for path in PROJECT.rglob("*.py")
            if "tests" not in path.relative_to(PROJECT).parts]


def test_only_the_core_writes_csv_for_a_download() -> None:
    modules = _modules()
    assert EXPORT_WRITER in modules
    assert _csv_calls(EXPORT_WRITER, CSV_WRITERS), "the check must find the core's own"
    writers = [place for path in modules if path != EXPORT_WRITER and path not in NOT_EXPORTS
               for place in _csv_calls(path, CSV_WRITERS, content_type="text/csv")]
    assert writers == [], (
        "Write exports with macehub.core.csv_export (csv_text, csv_download), which "
        "neutralises formulas"
    )


def test_only_the_core_reads_csv_to_import() -> None:
    modules = _modules()
    assert IMPORT_READER in modules
    assert _csv_calls(IMPORT_READER, CSV_READERS), "the check must find the core's own"
    readers = [place for path in modules if path != IMPORT_READER and path not in NOT_IMPORTS
               for place in _csv_calls(path, CSV_READERS)]
    assert readers == [], (
        "Read a file to import with macehub.core.csv_import (read_import_file, "
        "csv_records), which reports a file it cannot read by row and column"
    )
