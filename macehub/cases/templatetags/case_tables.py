"""The tables of a case's pages for ``components/table.html``, built by ``cases.tables``:
``{% outcome_table page_obj as table %}`` then the component with ``head=table.head
rows=table.rows``."""

from __future__ import annotations

from django import template

from macehub.cases import tables

register = template.Library()

register.simple_tag(tables.outcome_table)
register.simple_tag(tables.tier_history_table)
register.simple_tag(tables.advocate_table)
register.simple_tag(tables.worker_table)
register.simple_tag(tables.share_table)
register.simple_tag(tables.contact_table)
register.simple_tag(tables.plan_table)
register.simple_tag(tables.episode_table)
register.simple_tag(tables.episode_list_table)
register.simple_tag(tables.risk_review_table)
register.simple_tag(tables.case_list_table)
