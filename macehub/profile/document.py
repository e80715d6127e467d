"""The problem profile document: drafting it, writing each section's assessment and
recommendations, publishing it, and the two versions it is read in.

Services follow ``macehub/cases/services.py``: keyword-only, actor first, one
transaction, the record fetched and locked through the access policy, validated, the
version checked (``core.versioning``), written, audited.

Publishing works as the monthly performance report's does (``performance.services``):
every section's figures are worked out once, from live data, and stored with the
definitions they were made with; they are never computed again, so later corrections to
live data do not move a published profile. Two versions are stored:

- **restricted**, for the hub: every count, and the premises and suspects named;
- **partnership**, to share: each table's small numbers suppressed with the hub's one
  routine (``core.suppression``, with secondary suppression so no hidden count can be
  worked out from the totals), the named lists left out, and any name they held taken out
  of the analyst's words as well.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.audit.history import saves_after
from macehub.audit.services import changed_values, record_event
from macehub.core import suppression
from macehub.core.metrics import Period
from macehub.core.versioning import Versioning, plain_words
from macehub.people.models import Area
from macehub.profile.models import ProblemProfile, ProfileSection, ProfileStatus
from macehub.profile.sections import Section, sections

RESTRICTED, PARTNERSHIP = "restricted", "partnership"
VERSION_NAMES = {RESTRICTED: "Restricted: for the hub only",
                 PARTNERSHIP: "Partnership: small numbers suppressed, no one named"}
WITHHELD = "[name withheld]"
SECTION_VERSIONING = Versioning(
    history=saves_after,
    labels={"assessment": "Assessment", "recommendations": "Recommendations"},
    words=lambda _name, value: plain_words(value))


def suppression_threshold() -> int:
    """Counts under this are hidden in the partnership version (default 5)."""
    return int(settings.SUPPRESSION_THRESHOLD)


# --- reading ------------------------------------------------------------------------------


def drafts_for(user: User) -> QuerySet[ProblemProfile]:
    """Drafts, for those who write them and those who publish them."""
    if not policy.allows(user, Action.PROFILE_PUBLISH):
        policy.require(user, Action.PROFILE_DRAFT)
    return ProblemProfile.objects.filter(status=ProfileStatus.DRAFT).select_related(
        "area", "author")


def published() -> QuerySet[ProblemProfile]:
    return ProblemProfile.objects.filter(status=ProfileStatus.PUBLISHED).select_related(
        "area", "author", "published_by")


def draft_or_404(pk: int) -> ProblemProfile:
    return _profile_or_404(pk, ProfileStatus.DRAFT)


def published_or_404(pk: int) -> ProblemProfile:
    return _profile_or_404(pk, ProfileStatus.PUBLISHED)


def _profile_or_404(pk: int, status: str) -> ProblemProfile:
    return get_object_or_404(ProblemProfile.objects.select_related("area", "author"),
                             pk=pk, status=status)


def period_of(profile: ProblemProfile) -> Period:
    return Period(profile.period_start, profile.period_end)


def area_label(profile: ProblemProfile) -> str:
    return profile.area.name if profile.area else "The whole force"


@dataclass(frozen=True)
class ShownSection:
    """A section as a page draws it: the registered section (or, once published, its
    stored title and definition), its figures and the analyst's words."""

    key: str
    title: str
    definition: str
    template: str
    figures: dict[str, Any]
    row: ProfileSection


def draft_sections(profile: ProblemProfile) -> list[ShownSection]:
    """A draft's sections with figures worked out now, from live data."""
    registered = {section.key: section for section in sections()}
    period, code = period_of(profile), profile.area.code if profile.area else ""
    return [ShownSection(row.key, section.title, section.definition, section.template,
                         section.figures(period, code), row)
            for row in profile.sections.all() if (section := registered.get(row.key))]


def published_sections(profile: ProblemProfile, version: str) -> list[ShownSection]:
    """A published profile's sections exactly as stored; the partnership version with
    names taken out of the analyst's words."""
    stored = profile.partnership_figures if version == PARTNERSHIP else profile.restricted_figures
    registered = {section.key: section for section in sections()}
    shown = []
    for row in profile.sections.all():
        if row.key not in stored:
            continue
        definition = profile.definitions.get(row.key, {})
        template = (registered[row.key].template if row.key in registered
                    else "profile/sections/_tables.html")
        if version == PARTNERSHIP:
            row = copy.copy(row)
            names = profile.definitions.get("_withheld_names", [])
            row.assessment = withhold_names(row.assessment, names)
            row.recommendations = withhold_names(row.recommendations, names)
        shown.append(ShownSection(row.key, definition.get("title", row.key),
                                  definition.get("definition", ""), template,
                                  stored[row.key], row))
    return shown


def restatements(profile: ProblemProfile) -> dict[str, int]:
    """For a published profile, each table whose total the live data now give differently
    (late recording, corrections), by table key: the live total. The published figure
    stands; the page shows the correction beside it, as the monthly report does."""
    registered = {section.key: section for section in sections()}
    period, code = period_of(profile), profile.area.code if profile.area else ""
    found: dict[str, int] = {}
    for key, stored in profile.restricted_figures.items():
        section = registered.get(key)
        if section is None:
            continue
        live = {table["key"]: table["total"]
                for table in section.figures(period, code).get("tables", [])}
        for table in stored.get("tables", []):
            if table["key"] in live and live[table["key"]] != table["total"]:
                found[table["key"]] = live[table["key"]]
    return found


# --- the partnership version --------------------------------------------------------------


def suppressed_table(table: dict[str, Any], threshold: int) -> dict[str, Any]:
    """The table with small counts, and any count that would give one away, replaced by
    None (primary and secondary suppression by ``core.suppression``)."""
    rows = table["rows"]
    cells = [list(row["values"]) for row in rows]
    many_columns = len(table["columns"]) > 1
    if not cells or not cells[0]:
        return copy.deepcopy(table)
    hidden = suppression.suppress(suppression.Table(
        cells=cells, row_totals=[row["total"] for row in rows] if many_columns else None,
        column_totals=table["column_totals"], grand_total=table["total"],
    ), threshold)
    found = copy.deepcopy(table)
    for r, row in enumerate(found["rows"]):
        row["values"] = [None if suppression.cell(r, c) in hidden else value
                         for c, value in enumerate(row["values"])]
        if many_columns and suppression.row_total(r) in hidden:
            row["total"] = None
    found["column_totals"] = [None if suppression.column_total(c) in hidden else value
                              for c, value in enumerate(found["column_totals"])]
    if suppression.GRAND in hidden:
        found["total"] = None
    found["suppressed"] = bool(hidden)
    return found


def partnership_figures(figures: dict[str, Any], threshold: int) -> dict[str, Any]:
    """One section's figures for partners: no named list, every table suppressed."""
    shared = {key: copy.deepcopy(value) for key, value in figures.items() if key != "named"}
    if "tables" in shared:
        shared["tables"] = [suppressed_table(table, threshold) for table in figures["tables"]]
    return shared


def named_in(figures: dict[str, Any]) -> list[str]:
    """Every name a section's restricted figures list: each premises' and person's full
    name and, for a person (a row without a kind of premises), their family name too, so
    the analyst's words cannot name them by it in the partnership version either."""
    named = figures.get("named") or {}
    found = []
    for row in named.get("rows", []):
        name = str(row.get("name") or "").strip()
        if not name:
            continue
        found.append(name)
        if "kind" not in row and len(parts := name.split()) > 1 and len(parts[-1]) > 2:
            found.append(parts[-1])
    return found


def withhold_names(text: str, names: list[str]) -> str:
    """The analyst's words with every name the restricted version lists taken out."""
    for name in sorted(set(names), key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(name)}\b", WITHHELD, text, flags=re.IGNORECASE)
    return text


# --- drafting -----------------------------------------------------------------------------


@transaction.atomic
def start_draft(*, actor: User, title: str, period: Period, area: Area | None,
                request: HttpRequest | None = None) -> ProblemProfile:
    """Start a draft problem profile with every registered section, empty of words."""
    policy.require(actor, Action.PROFILE_DRAFT)
    title = title.strip()
    if not title:
        raise ValidationError({"title": "Enter a title for the profile"})
    profile = ProblemProfile.objects.create(
        title=title[:200], period_start=period.start, period_end=period.end, area=area,
        author=actor, created_at=timezone.now())
    ProfileSection.objects.bulk_create([
        ProfileSection(profile=profile, key=section.key, sort_order=number)
        for number, section in enumerate(sections())])
    record_event(event_type=EventType.CREATE, actor=actor, record=profile, request=request,
                 detail={"title": profile.title, "period": period.label(),
                         "area": area.code if area else "whole force"})
    return profile


@transaction.atomic
def save_section(*, actor: User, profile_pk: int, key: str, expected_version: int,
                 assessment: str, recommendations: str) -> ProfileSection:
    """Save the analyst's assessment and recommendations for one section of a draft,
    unless someone else saved it since they opened it."""
    policy.require(actor, Action.PROFILE_DRAFT)
    row = (ProfileSection.objects.select_for_update()
           .filter(profile_id=profile_pk, key=key, profile__status=ProfileStatus.DRAFT)
           .first())
    if row is None:
        raise Http404("No such section of a draft profile")
    SECTION_VERSIONING.check(row, expected_version)
    before = {"assessment": row.assessment, "recommendations": row.recommendations}
    row.assessment = assessment.strip()
    row.recommendations = recommendations.strip()
    SECTION_VERSIONING.save(row, expected_version=expected_version)
    record_event(event_type=EventType.CHANGE, actor=actor, record=row, detail={
        "profile": profile_pk, "section": key, "version": row.version,
        "changes": changed_values(before, {"assessment": row.assessment,
                                           "recommendations": row.recommendations})})
    return row


@transaction.atomic
def publish(*, actor: User, profile_pk: int, expected_version: int,
            request: HttpRequest | None = None) -> ProblemProfile:
    """Freeze a draft: work out every section's figures once, store them with their
    definitions, in the restricted and the partnership version. Never computed again."""
    policy.require(actor, Action.PROFILE_PUBLISH)
    profile = (ProblemProfile.objects.select_for_update(of=("self",))
               .filter(pk=profile_pk, status=ProfileStatus.DRAFT).select_related("area")
               .first())
    if profile is None:
        raise Http404("No such draft profile")
    if profile.version != expected_version:
        raise ValidationError({"version": "The profile changed while you were reading it: "
                                          "check it again, then publish"})
    threshold = suppression_threshold()
    registered: dict[str, Section] = {section.key: section for section in sections()}
    period, code = period_of(profile), profile.area.code if profile.area else ""
    restricted: dict[str, Any] = {}
    definitions: dict[str, Any] = {}
    withheld: list[str] = []
    for row in profile.sections.all():
        section = registered.get(row.key)
        if section is None:
            continue
        figures = section.figures(period, code)
        restricted[row.key] = figures
        withheld += named_in(figures)
        definitions[row.key] = {"title": section.title, "definition": section.definition}
    definitions["_withheld_names"] = sorted(set(withheld))
    profile.restricted_figures = restricted
    profile.partnership_figures = {key: partnership_figures(figures, threshold)
                                   for key, figures in restricted.items()}
    profile.definitions = definitions
    profile.suppression_threshold = threshold
    profile.status = ProfileStatus.PUBLISHED
    profile.published_at = timezone.now()
    profile.published_by = actor
    profile.version += 1
    profile.save()
    record_event(event_type=EventType.CHANGE, actor=actor, record=profile, request=request,
                 detail={"published": profile.title, "period": period.label(),
                         "sections": list(restricted), "suppression_threshold": threshold,
                         "version": profile.version})
    return profile


# --- the PDF ------------------------------------------------------------------------------


def profile_pdf(profile: ProblemProfile, version: str) -> bytes:
    from weasyprint import HTML

    html = render_to_string("profile/document_pdf.html", {
        "profile": profile, "version": version, "version_name": VERSION_NAMES[version],
        "partnership": version == PARTNERSHIP, "area_label": area_label(profile),
        "period": period_of(profile), "sections": published_sections(profile, version),
    })
    return bytes(HTML(string=html).write_pdf())
