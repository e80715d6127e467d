"""What the intelligence app hands a subject access request: each report naming the
person and each dissemination of one to a partner agency, the text shared withheld by
default exactly where the handling code forbids it (shared under code C, or a historic
report's code 4 or 5), for that person's reports and no other, in a fixed number of
queries. All names are made up."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import Role
from macehub.conftest import StandardUsers
from macehub.governance.subject_access import SUBJECT_SOURCES
from macehub.governance.subject_access_codes import RedactionReason
from macehub.intelligence.codes import EntityRole
from macehub.intelligence.models import Dissemination, IntelligenceReport
from macehub.intelligence.tests.factories import link, make_report
from macehub.testing.factories import make_person

pytestmark = pytest.mark.django_db


def test_disseminations_of_reports_naming_the_person_held_by_their_handling(
    users: StandardUsers, hub_agency: Agency, hub_team: Team, partner_agency: Agency,
    django_assert_num_queries: Any
) -> None:
    officer = users[Role.INVESTIGATOR]
    child = make_person(hub_agency, given_name="Poppy", family_name="Testcase")
    dean = make_person(hub_agency, given_name="Dean", family_name="Madeup")
    shareable = make_report(hub_team, officer, sanitised_text="Seen at the takeaway")
    conditional = make_report(hub_team, officer, handling_code="C", conditions="Police only",
                              sanitised_text="Seen in a blue car")
    historic = make_report(hub_team, officer, is_legacy_5x5x5=True, status="historic",
                           legacy_source_evaluation="B", legacy_intelligence_evaluation="2",
                           legacy_handling_code="4", source_evaluation="",
                           intelligence_assessment="", sanitised_text="Seen at a party")
    deans = make_report(hub_team, officer, sanitised_text="About Dean only")
    for report in (shareable, conditional, historic):
        link(report, child, EntityRole.VICTIM)
    link(shareable, dean, EntityRole.SUSPECT)
    link(deans, dean, EntityRole.SUSPECT)

    def shared(report: IntelligenceReport, code: str = "P", conditions: str = "") -> None:
        Dissemination.objects.create(
            report=report, to_agency=partner_agency, shared_text=report.sanitised_text,
            handling_code=code, handling_conditions=conditions, lawful_basis="dpa_s35_8",
            shared_by=officer, shared_at=timezone.now(),
            reason_without_agreement="No agreement covered the charity")

    shared(shareable)
    shared(shareable)
    shared(conditional, "C", "Police only")
    shared(historic)  # shared as P, but the historic report's own code forbids it
    shared(deans)

    source = SUBJECT_SOURCES.get("intelligence")
    with django_assert_num_queries(3):  # one per kind of record, however many
        items = source.items(child.pk)
    sent = [item for item in items if item.record_type == "intelligence.dissemination"]
    assert len(items) == 3 + 4 and len(sent) == 4
    assert {item.heading for item in sent} == {
        "Intelligence report shared with a partner agency"}
    texts = {item.reference.split()[0]: {entry.name: entry for entry in item.fields}
             for item in sent}
    assert texts[shareable.reference]["to_agency"].text == partner_agency.name
    assert texts[shareable.reference]["lawful_basis"].text.startswith("DPA 2018 Part 3")
    assert texts[shareable.reference]["agreement"].text == "Not recorded"
    withheld = {item.reference.split()[0]: (entry.text, entry.withhold, entry.why)
                for item in sent for entry in item.fields if entry.withhold}
    assert withheld == {
        conditional.reference: ("Seen in a blue car", RedactionReason.HANDLING,
                                "Shared under handling code C, with conditions: Police only"),
        historic.reference: ("Seen at a party", RedactionReason.HANDLING,
                             "Handling code 4 – May be disseminated within the originating "
                             "agency only")}
    assert {tuple(item.others_named) for item in sent
            if item.reference.startswith(shareable.reference)} == {("Dean Madeup",)}
    assert "About Dean only" not in {entry.text for item in items for entry in item.fields}
