"""The tables of the intelligence pages for ``components/table.html``, built by
``intelligence.tables``: ``{% mention_table page_obj count as table %}`` then the
component with ``caption=table.caption head=table.head rows=table.rows``."""

from __future__ import annotations

from django import template

from macehub.intelligence import tables

register = template.Library()

register.simple_tag(tables.mention_table)
register.simple_tag(tables.report_list_table)
register.simple_tag(tables.submission_table)
register.simple_tag(tables.review_queue_table)
register.simple_tag(tables.link_table)
register.simple_tag(tables.dissemination_table)
