"""The problem profile document on the planted data set: drafting, the analyst's words
saved with concurrent-edit detection, publishing frozen (live data changes, the published
figures do not), the partnership version suppressed (a small cell and the cells that would
give it away) with no person or premises named, in HTML and in the PDF (read back with
poppler's ``pdftotext``), and every step audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from macehub.accounts.models import Agency, Team
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.cases.models import MissingEpisode
from macehub.core.versioning import EditConflict
from macehub.governance.tests.requested_jobs import post_and_download
from macehub.profile import document
from macehub.profile.models import ProblemProfile, ProfileStatus
from macehub.profile.tests.planted import (
    PERIOD,
    PLANTED_PREMISES,
    PLANTED_SUSPECTS,
    Planted,
    plant,
)
from macehub.testing.factories import verified_login
from macehub.testing.pdf import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def planted(hub_agency: Agency, hub_team: Team) -> Planted:
    return plant(hub_agency, hub_team)


def _draft(planted: Planted) -> ProblemProfile:
    profile = document.start_draft(actor=planted.analyst, title="Testshire profile",
                                   period=PERIOD, area=None)
    document.save_section(
        actor=planted.analyst, profile_pk=profile.pk, key="venues", expected_version=1,
        assessment=f"{PLANTED_PREMISES[0]} appears most often.",
        recommendations=f"Visit {PLANTED_PREMISES[0].upper()} with licensing; "
                        "disrupt Plantedsuspect's use of it.")
    return profile


def _published(planted: Planted) -> ProblemProfile:
    profile = _draft(planted)
    return document.publish(actor=planted.leader, profile_pk=profile.pk,
                            expected_version=profile.version)


def _client(user: Any) -> Client:
    client = Client()
    verified_login(client, user)
    return client


def test_a_draft_has_every_section_and_only_analysts_write_it(planted: Planted) -> None:
    profile = _draft(planted)
    keys = list(profile.sections.values_list("key", flat=True))
    assert keys[:7] == ["time_patterns", "exploitation_models", "online", "venues",
                        "victims", "suspects", "disruption"]
    with pytest.raises(Exception, match="Draft a problem profile"):
        document.start_draft(actor=planted.leader, title="Not mine", period=PERIOD, area=None)
    assert AuditEvent.objects.filter(event_type=EventType.CHANGE,
                                     record_type="profile.profilesection").exists()


def test_a_section_saved_from_an_old_version_is_refused(planted: Planted) -> None:
    profile = _draft(planted)
    with pytest.raises(EditConflict):
        document.save_section(actor=planted.analyst, profile_pk=profile.pk, key="venues",
                              expected_version=1, assessment="Overwrite", recommendations="")
    assert profile.sections.get(key="venues").assessment.startswith(PLANTED_PREMISES[0])


def test_only_a_senior_leader_publishes(planted: Planted) -> None:
    profile = _draft(planted)
    with pytest.raises(Exception, match="Publish"):
        document.publish(actor=planted.analyst, profile_pk=profile.pk,
                         expected_version=profile.version)
    with pytest.raises(ValidationError):
        document.publish(actor=planted.leader, profile_pk=profile.pk,
                         expected_version=profile.version + 1)


def test_published_figures_are_frozen(planted: Planted) -> None:
    profile = _published(planted)
    assert profile.status == ProfileStatus.PUBLISHED
    stored = profile.restricted_figures["time_patterns"]["tables"][0]["total"]
    assert stored == 4
    MissingEpisode.objects.create(child=planted.children[0],
                                  went_missing_at=PERIOD.starts_at.replace(hour=12),
                                  recorded_by=planted.analyst)
    profile.refresh_from_db()
    shown = document.published_sections(profile, document.RESTRICTED)[0].figures
    assert shown["tables"][0]["total"] == stored == 4
    assert profile.definitions["time_patterns"]["title"] == "When it happens"
    assert document.restatements(profile) == {"missing_by_time": 5}
    page = _client(planted.leader).get(
        reverse("profile:published_restricted", args=[profile.pk])).content.decode()
    assert "Corrected since publication: the records now give a total of 5" in page
    assert AuditEvent.objects.filter(event_type=EventType.CHANGE, record_id=str(profile.pk),
                                     record_type="profile.problemprofile").exists()


def test_the_partnership_version_suppresses_small_numbers_with_secondary_suppression(
    planted: Planted,
) -> None:
    profile = _published(planted)
    restricted = profile.restricted_figures["exploitation_models"]["tables"][0]
    shared = profile.partnership_figures["exploitation_models"]["tables"][0]
    # Every count of the planted cases is under 5: each is hidden, and so is the total
    # that would otherwise give a lone hidden cell away.
    assert [row["values"][0] for row in restricted["rows"] if row["values"][0]] == [1, 1, 1]
    assert all(row["values"][0] in (0, None) for row in shared["rows"])
    assert shared["suppressed"] is True
    # A two-way table: with one small cell hidden, the totals would give it away, so
    # another cell (or a total) is hidden with it.
    table = {"key": "t", "caption": "t", "row_heading": "r", "columns": ["a", "b"],
             "rows": [{"label": "x", "values": [3, 10], "total": 13},
                      {"label": "y", "values": [12, 20], "total": 32}],
             "column_totals": [15, 30], "total": 45, "notes": []}
    hidden = document.suppressed_table(table, 5)
    assert hidden["rows"][0]["values"][0] is None
    visible = [v for row in hidden["rows"] for v in [*row["values"], row["total"]]
               if v is not None] + [v for v in hidden["column_totals"] if v is not None]
    assert len(visible) < 8, "secondary suppression hid nothing more"


def test_no_person_or_premises_is_named_in_the_partnership_version(
    planted: Planted, django_capture_on_commit_callbacks: Any
) -> None:
    profile = _published(planted)
    leader = _client(planted.leader)
    restricted = leader.get(reverse("profile:published_restricted", args=[profile.pk]))
    shared = leader.get(reverse("profile:published_partnership", args=[profile.pk]))
    assert restricted.status_code == shared.status_code == 200
    names = [*PLANTED_PREMISES, *PLANTED_SUSPECTS]
    for name in names:
        assert name in restricted.content.decode(), name
        assert name.lower() not in shared.content.decode().lower(), name
    assert document.WITHHELD in shared.content.decode()
    assert "Plantedsuspect" in restricted.content.decode()
    assert "plantedsuspect" not in shared.content.decode().lower(), "family name withheld"
    completeness = "Ethnicity recorded for 2 of 3 (67%); not stated for 1 of 3 (33%)"
    assert completeness in restricted.content.decode()
    # Drawn in the background, each downloaded from its job's page (the export).
    restricted_pdf = post_and_download(leader, django_capture_on_commit_callbacks,
                                       reverse("profile:restricted_pdf", args=[profile.pk]))
    shared_pdf = post_and_download(leader, django_capture_on_commit_callbacks,
                                   reverse("profile:partnership_pdf", args=[profile.pk]))
    restricted_text = " ".join(pdf_text(restricted_pdf.content).split())
    shared_text = " ".join(pdf_text(shared_pdf.content).split())
    assert "Testshire profile" in shared_text and "[c]" in shared_text
    for name in names:
        assert name in restricted_text, name
        assert name.lower() not in shared_text.lower(), name
    exports = AuditEvent.objects.filter(event_type=EventType.EXPORT, record_id=str(profile.pk),
                                        record_type="profile.problemprofile")
    assert exports.count() == 2


def test_the_pages_of_drafting_and_publishing(planted: Planted) -> None:
    analyst = _client(planted.analyst)
    response = analyst.post(reverse("profile:new"), {"title": "", "start_day": "1",
                                                     "start_month": "3", "start_year": "2025"})
    assert response.status_code == 400
    assert "Enter a title for the profile" in response.content.decode()
    assert "Enter the date the profile runs to" in response.content.decode()
    assert 'value="2025"' in response.content.decode(), "what was typed is kept"
    response = analyst.post(reverse("profile:new"), {
        "title": "March profile", "start_day": "1", "start_month": "3", "start_year": "2025",
        "end_day": "31", "end_month": "3", "end_year": "2025", "area": planted.northtown.code})
    profile = ProblemProfile.objects.get(title="March profile")
    assert response.status_code == 302 and profile.area == planted.northtown
    page = analyst.get(reverse("profile:draft", args=[profile.pk]))
    assert page.status_code == 200 and "Missing episodes by day" in page.content.decode()
    assert "macehub-heat--4" in page.content.decode(), "the heat table shades its cells"
    edit = reverse("profile:edit_section", args=[profile.pk, "online"])
    assert analyst.post(edit, {"version": "1", "assessment": "Snapchat leads.",
                               "recommendations": ""}).status_code == 302
    stale = analyst.post(edit, {"version": "1", "assessment": "Mine", "recommendations": ""})
    assert stale.status_code == 400 and "Mine" in stale.content.decode()
    leader = _client(planted.leader)
    assert leader.get(reverse("profile:documents")).status_code == 200
    published = leader.post(reverse("profile:publish", args=[profile.pk]),
                            {"version": str(profile.version)})
    assert published.status_code == 302
    profile.refresh_from_db()
    assert profile.is_published
    assert "Snapchat leads." in leader.get(
        reverse("profile:published_partnership", args=[profile.pk])).content.decode()


def test_a_new_section_is_one_registration(planted: Planted) -> None:
    """How the hotspots join at merge: one ``Section`` registered, with a function of the
    period and the area; new drafts have it and publishing stores its figures."""
    from macehub.profile import patterns
    from macehub.profile.sections import SECTIONS, Section

    def extra_figures(period: Any, area_code: str) -> dict[str, Any]:
        return {"tables": [patterns.table("extra", "Extra", "Row", ["Count"],
                                          [("Somewhere", [2]), ("Elsewhere", [9])])]}

    SECTIONS.register("extra", Section(key="extra", title="Extra", definition="Extra counts.",
                                       figures=extra_figures))
    try:
        profile = _published(planted)
        assert profile.sections.filter(key="extra").exists()
        assert profile.restricted_figures["extra"]["tables"][0]["total"] == 11
        shared = profile.partnership_figures["extra"]["tables"][0]
        assert shared["rows"][0]["values"] == [None] and shared["total"] == 11
        assert shared["rows"][1]["values"] == [None], "secondary: 2 = 11 - 9 otherwise"
    finally:
        SECTIONS.unregister("extra")


def test_the_menu_offers_problem_profiles_to_their_readers(users: Any) -> None:
    from macehub.accounts.roles import Role

    page = users.client(Role.SCRUTINY).get(reverse("profile:documents")).content.decode()
    assert 'href="/profile/documents/"' in page
    assert 'href="/profile/patterns/"' not in page
    forensics = users.client(Role.FORENSICS).get("/").content.decode()
    assert 'href="/profile/documents/"' not in forensics


def test_intelligence_shared_with_conditions_names_no_one(planted: Planted) -> None:
    """A report with handling code C is counted, but the profile names no suspect or
    premises from it: hub roles read the restricted version without access to it."""
    from macehub.intelligence.models import Premises
    from macehub.intelligence.tests.factories import link, make_report
    from macehub.profile import patterns
    from macehub.profile.tests.planted import _at
    from macehub.testing.factories import make_person

    hidden = make_person(planted.analyst.agency, given_name="Connie", family_name="Conditional")
    secret = Premises.objects.create(name="Conditional Flats", kind="short_let")
    for day in (6, 7, 8):
        report = make_report(planted.analyst.team, planted.analyst, handling_code="C",
                             received_at=_at(2025, 3, day, 12))
        link(report, hidden)
        link(report, secret)
    venues = {row["label"]: row["values"] for row in patterns.venues(PERIOD, "")["rows"]}
    assert venues["Short-let accommodation"] == [1, 3]
    assert "Conditional Flats" not in [row["name"] for row in
                                       patterns.most_linked_premises(PERIOD, "")]
    assert "Connie Conditional" not in [row["name"] for row in
                                        patterns.most_named_suspects(PERIOD, "")]
