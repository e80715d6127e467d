"""The published report as PDF, read the way a person reads it: each page rendered to an
image (poppler's ``pdftoppm``) and its words with their places on the page
(``pdftotext -bbox``). Every bar of every breakdown chart is labelled in full, the data
table stands beside each chart, a suppressed figure is a gap marked [c] (no bar of any
height), and the summary leads with each measure against its target."""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
import subprocess
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.core.metrics import get_metric
from macehub.governance.tests.requested_jobs import post_and_download
from macehub.performance.models import MonthlyReport, ReportFigure
from macehub.performance.selectors import HIDDEN_TEXT, published_report
from macehub.testing.factories import make_user, verified_login
from macehub.ui.charts import BAR

AREAS = {  # long names on purpose: a label cut short would read as another district's
    "E07000001": ("Northshire Coast and Harbour District", 40),
    "E07000002": ("Upper Valley Moorland District", 3),
    "E07000003": ("Riverside and Saint Anne's Wards", 30),
    "E07000004": ("Town Centre North", 27),
}
SOURCES = {"school": ("Education (school or college)", 60),
           "police": ("Police", 38), "health": ("Health", 2)}
FIGURE = re.compile(r"[\d,.%]+|\[c\]")
RESOLUTION = 100  # pixels per inch of the rendered pages
POINT = RESOLUTION / 72  # pixels per PDF point


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x_min: float
    y_min: float
    x_max: float
    y_max: float


def _figure(report: MonthlyReport, code: str, unit: str, breakdown: str, category: str,
            label: str, numerator: int, denominator: int | None, order: int) -> None:
    ReportFigure.objects.create(
        report=report, metric_code=code, metric_name=get_metric(code).name, unit=unit,
        breakdown=breakdown, category=category, label=label, numerator=numerator,
        denominator=denominator, sort_order=order)


def _report(leader: User, month: dt.date, received: int, decided: tuple[int, int],
            *, breakdowns: bool) -> MonthlyReport:
    report = MonthlyReport.objects.create(
        month=month, published_at=timezone.now(), published_by=leader,
        suppression_threshold=5,
        definitions={"referrals_decided_in_time": {
            **get_metric("referrals_decided_in_time").texts(), "target": "85"}},
    )
    _figure(report, "referrals_received", "count", "total", "", "All", received, None, 0)
    if breakdowns:
        for i, (code, (label, n)) in enumerate(AREAS.items()):
            _figure(report, "referrals_received", "count", "area", code, label, n, None, 1 + i)
        for i, (code, (label, n)) in enumerate(SOURCES.items()):
            _figure(report, "referrals_received", "count", "source", code, label, n, None,
                    10 + i)
    _figure(report, "referrals_decided_in_time", "percentage", "total", "", "All",
            decided[0], decided[1], 20)
    return report


@pytest.fixture
def leader(hub_agency: Agency, hub_team: Team) -> User:
    return make_user("senior.leader", Role.SENIOR_LEADER, agency=hub_agency, team=hub_team)


def poppler(tool: str, *args: str) -> str:
    """Run one of poppler's tools (found on PATH) and return what it printed."""
    found = shutil.which(tool)
    assert found, f"poppler-utils ({tool}) is needed to read the PDF"
    return subprocess.run(  # noqa: S603 - a tool found on PATH, our own arguments
        [found, *args], check=True, capture_output=True, text=True).stdout


def _words(pdf: Path) -> list[Word]:
    out = poppler("pdftotext", "-bbox", str(pdf), "-")
    words = []
    for number, page in enumerate(out.split("<page ")[1:]):
        for match in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                                 r'yMax="([\d.]+)">(.*?)</word>', page):
            words.append(Word(number, html.unescape(match[5]), *map(float, match.groups()[:4])))
    return words


def _page_width(pdf: Path) -> float:
    out = poppler("pdftotext", "-bbox", str(pdf), "-")
    found = re.search(r'<page width="([\d.]+)"', out)
    assert found
    return float(found[1])


def _lines(words: list[Word]) -> list[tuple[int, float, float, str]]:
    """Words gathered into lines (page, top, bottom, text), left to right."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.page, w.y_min, w.x_min)):
        if lines and lines[-1][0].page == word.page and abs(lines[-1][0].y_min - word.y_min) < 2:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [(line[0].page, min(w.y_min for w in line), max(w.y_max for w in line),
             " ".join(w.text for w in sorted(line, key=lambda w: w.x_min))) for line in lines]


def _label_block(words: list[Word], label: str, *, left: bool, middle: float
                 ) -> tuple[int, float, float] | None:
    """Where ``label`` is written in full, on one line or wrapped over consecutive
    lines, in the left (chart) or right (table) half of the page: (page, top, bottom)."""
    # Labels only: not the figures written beside them (after a bar, or in the table's
    # columns), nor "now" before a correction.
    lines = _lines([w for w in words if (w.x_max < middle) == left
                    and not FIGURE.fullmatch(w.text) and w.text != "now"])
    for i in range(len(lines)):
        if not label.startswith(lines[i][3]):
            continue
        text = ""
        for j in range(i, min(i + 4, len(lines))):
            if lines[j][0] != lines[i][0]:
                break
            text = f"{text} {lines[j][3]}".strip()
            if label in text:
                return lines[i][0], lines[i][1], lines[j][2]
    return None


def _blue_pixels(image: Image.Image, left: float, right: float, top: float, bottom: float
                 ) -> int:
    """Pixels of the bars' colour inside a box given in PDF points."""
    target = tuple(int(BAR[i:i + 2], 16) for i in (1, 3, 5))
    pixels = image.convert("RGB").load()
    assert pixels is not None
    found = 0
    for x in range(int(left * POINT), int(right * POINT)):
        for y in range(int(top * POINT), int(bottom * POINT)):
            colour = pixels[x, y]
            if all(abs(colour[k] - target[k]) < 40 for k in range(3)):
                found += 1
    return found


@pytest.mark.django_db
def test_every_bar_is_labelled_in_full_beside_its_table_and_hidden_figures_are_gaps(
    leader: User, tmp_path: Path, django_capture_on_commit_callbacks: Any,
) -> None:
    _report(leader, dt.date(2024, 2, 1), 80, (40, 50), breakdowns=False)
    report = _report(leader, dt.date(2024, 3, 1), 100, (45, 50), breakdowns=True)
    client = Client()
    verified_login(client, leader)
    response = post_and_download(client, django_capture_on_commit_callbacks, reverse(
        "performance:report_pdf", kwargs={"report_pk": report.pk}))
    assert response.status_code == 200
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.content)
    poppler("pdftoppm", "-r", str(RESOLUTION), "-png", str(pdf), str(tmp_path / "page"))
    pages = sorted(tmp_path.glob("page*.png"))
    assert pages
    images = [Image.open(path) for path in pages]
    words = _words(pdf)
    middle = _page_width(pdf) / 2

    # What the PDF shows hidden, as the suppressed report hides it.
    shown = published_report(report, suppressed=True, with_restatements=False)
    received = next(m for m in shown.metrics if m.code == "referrals_received")
    rows = [row for _, group in received.breakdowns for row in group]
    hidden = [row.label for row in rows if row.value == HIDDEN_TEXT]
    visible = [row.label for row in rows if row.value != HIDDEN_TEXT]
    assert "Upper Valley Moorland District" in hidden and "Health" in hidden
    assert "Northshire Coast and Harbour District" in visible  # the guard: both kinds

    for row in rows:
        chart = _label_block(words, row.label, left=True, middle=middle)
        table = _label_block(words, row.label, left=False, middle=middle)
        assert chart is not None, f"the chart does not label {row.label!r} in full"
        assert table is not None, f"the table beside the chart does not name {row.label!r}"
        page, top, bottom = chart
        assert table[0] == page, f"{row.label!r}: the table is not beside its chart"
        # The bar (or the gap) is drawn level with its label, right of the labels.
        label_right = max(w.x_max for w in words if w.page == page and w.x_max < middle
                          and top <= w.y_min <= bottom and w.text in row.label.split())
        blue = _blue_pixels(images[page], label_right + 2, middle - 4, top, bottom)
        if row.value == HIDDEN_TEXT:
            assert blue == 0, f"{row.label!r} is hidden but drawn as a bar"
            marks = [w for w in words if w.page == page and w.text == HIDDEN_TEXT
                     and w.x_max < middle and top - 4 <= w.y_min <= bottom + 4]
            assert marks, f"{row.label!r}: the gap is not marked {HIDDEN_TEXT}"
        else:
            assert blue > 20, f"{row.label!r} has no bar"

    # The answer first: the summary, with the target published with the month.
    text = " ".join(poppler("pdftotext", "-raw", str(pdf), "-").split())
    summary = text.index("Summary: March 2024")
    assert summary < text.index("Northshire Coast and Harbour District")
    assert "Referrals decided within one working day 90.0% 85.0% Met Up 10.0 percentage " \
           "points (better)" in text
    assert "Referrals received 100 None No target Up 20" in text
    assert Decimal("85") == shown.metrics[1].target
