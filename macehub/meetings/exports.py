"""The minutes as a PDF for circulation (WeasyPrint, as the performance report), drawn
for the user who asks: it holds only the items (and their actions) they may see."""

from __future__ import annotations

from django.template.loader import render_to_string

from macehub.accounts.models import User
from macehub.meetings import selectors
from macehub.meetings.models import Meeting


def minutes_pdf(user: User, meeting: Meeting) -> bytes:
    from weasyprint import HTML

    html = render_to_string("meetings/minutes_pdf.html", {
        "meeting": meeting, "items": selectors.visible_items(user, meeting),
        "attendance": selectors.attendance(meeting), "reader": user})
    return bytes(HTML(string=html).write_pdf())
