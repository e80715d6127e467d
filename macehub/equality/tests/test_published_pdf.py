"""The published table as a PDF: scrutiny can have it, it hides what the CSV hides, and
taking it is audited like the CSV."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils.html import escape

from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.equality import published as published_module
from macehub.equality.published import HIDDEN
from macehub.equality.tests.test_pages import PERIOD, _assert_no_person, _client
from macehub.governance.tests.requested_jobs import post_and_download

pytestmark = pytest.mark.django_db

def _row(html: str, name: str) -> str:
    match = re.search(rf"<th>{re.escape(escape(name))}</th>(.*?)</tr>", html, re.DOTALL)
    assert match, f"no row for {name}"
    return match.group(1)


def test_scrutiny_gets_a_suppressed_audited_pdf(
    demo: None, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    rendered: list[tuple[dict[str, Any], str]] = []
    real = published_module.published_pdf_html

    def spy(context: dict[str, Any]) -> str:
        html = real(context)
        rendered.append((context, html))
        return html

    monkeypatch.setattr(published_module, "published_pdf_html", spy)
    scrutiny = _client("scrutiny.pcc")
    page = scrutiny.get(reverse("equality:published"), PERIOD)
    assert reverse("equality:published_pdf") in page.content.decode()

    # Drawn in the background for the choices in the query string, downloaded from the
    # job's page (the export).
    asked_at = f"{reverse('equality:published_pdf')}?{urlencode(PERIOD)}"
    assert scrutiny.get(asked_at).status_code == 405
    response = post_and_download(scrutiny, django_capture_on_commit_callbacks, asked_at)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="disproportionality-')
    assert response.content.startswith(b"%PDF")

    [(context, html)] = rendered
    analysis, table = context["analysis"], context["table"]
    assert HIDDEN in html and "Not stated" in html and "Not recorded" in html
    assert f"Counts under {table.threshold} are withheld" in html
    # Who is counted and what they are divided by, as on the page.
    assert "Who is counted: Children with a referral received by the hub" in html
    assert "Out of: Census 2021 usual residents who are children aged 0 to 17" in html
    assert "Rate per 1,000 children aged 0 to 17" in html
    assert "Ethnicity: self-defined" in html
    _assert_no_person(html)
    raw = {g.name: g.count for g in analysis.groups}
    raw["Not stated (asked, declined)"] = analysis.not_stated
    raw["Not recorded (never asked)"] = analysis.not_recorded
    small = {name: n for name, n in raw.items() if 0 < n < table.threshold}
    assert small, "the demo data should have a count to hide"
    for name, count in small.items():
        row = _row(html, name)
        assert HIDDEN in row and f">{count}<" not in row, (name, row)
    for row in table.rows:  # every shown count is zero or at least the threshold
        if row.count is not None:
            assert row.count == 0 or row.count >= table.threshold

    event = AuditEvent.objects.filter(event_type=EventType.EXPORT,
                                      record_type="equality.published_table").get()
    assert event.detail["format"] == "pdf" and event.detail["suppressed"] == table.suppressed
    assert event.detail["area"] == analysis.area_name

