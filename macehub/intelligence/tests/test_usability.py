"""What practitioners met on the intelligence journey (issue 12): nobody reviews their
own report; handling code C's conditions are revealed only with C; people known only by
a street name; the report page's sanitised text and review; registration slips; sharing
with several agencies at once, and the recipients told on their work queue; the list's
sanitised summary and the review queue's order."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.core.service_errors import ServiceRefused
from macehub.core.work_queue import work_queue_for
from macehub.governance.tests.factories import make_agreement
from macehub.intelligence import selectors, services
from macehub.intelligence.codes import ReportStatus
from macehub.intelligence.models import Dissemination, IntelligenceReport, Vehicle
from macehub.intelligence.normalise import one_slip_apart, registration_keys
from macehub.intelligence.search import search_entities
from macehub.intelligence.tests.conftest import client_for
from macehub.intelligence.tests.factories import link, make_report
from macehub.intelligence.tests.test_pages import page
from macehub.intelligence.work_queue import intelligence_shared
from macehub.people.codes import AliasKind
from macehub.people.models import Person
from macehub.people.selectors import search_people
from macehub.testing.factories import make_team, make_user

pytestmark = pytest.mark.django_db

# Why a share no agreement covers went ahead.
URGENT = "To safeguard a child at immediate risk"

SOURCE = "Told to DC Sample by informant HERON-2 behind the bus station"
SANITISED = "Children are being collected from the bus station late at night"


def _review(actor: User, report: IntelligenceReport) -> IntelligenceReport:
    return services.review_report(
        actor=actor, report_pk=report.pk, expected_version=report.version,
        review=services.Review(
            grading=services.Grading(source_evaluation="2", intelligence_assessment="B",
                                     handling_code="P"),
            sanitised_text=SANITISED, action="develop", note="Develop with the night team",
        ),
    )


def _detail_url(report: IntelligenceReport) -> str:
    return reverse("intelligence:report_detail", kwargs={"intel_report_pk": report.pk})


# --- Four eyes ---------------------------------------------------------------------------


def test_the_author_may_not_review_their_own_report(
    analyst: User, supervisor: User, hub_team: Team
) -> None:
    report = make_report(hub_team, analyst, reviewed=False, source_text=SOURCE,
                         sanitised_text="")
    with pytest.raises(PermissionDenied):
        _review(analyst, report)
    report.refresh_from_db()
    assert report.status == ReportStatus.AWAITING_REVIEW and report.version == 1

    reviewed = _review(supervisor, report)
    assert reviewed.status == ReportStatus.REVIEWED and reviewed.reviewed_by == supervisor


def test_the_author_is_offered_no_review_and_is_refused_it(
    analyst: User, supervisor: User, hub_team: Team
) -> None:
    report = make_report(hub_team, analyst, reviewed=False, source_text=SOURCE)
    author = client_for(analyst)
    html = page(author, _detail_url(report))
    assert SOURCE in html  # the author's team still reads what the source said
    assert "Review this report" not in html
    assert "Link a person" in html  # linking what it mentions is not reviewing it
    assert "someone else in your team reviews it" in html
    review_url = reverse("intelligence:review", kwargs={"intel_report_pk": report.pk})
    assert author.get(review_url).status_code == 403
    assert author.post(review_url, {"version": "1"}).status_code == 403
    link_url = reverse("intelligence:add_link", kwargs={"intel_report_pk": report.pk})
    assert author.get(link_url).status_code == 200

    queue = page(author, reverse("intelligence:review_queue"))
    assert report.reference not in queue
    assert "1 report you recorded is waiting for someone else to review it" in queue

    other = client_for(supervisor)
    assert "Review this report" in page(other, _detail_url(report))
    assert report.reference in page(other, reverse("intelligence:review_queue"))
    assert other.get(review_url).status_code == 200


def test_a_partner_submitter_who_researches_may_not_review_their_own_submission(
    hub_agency: Agency, hub_team: Team, analyst: User
) -> None:
    submission = services.submit_information(
        actor=analyst, info=services.SubmittedInformation(what="A van", how_known="Saw it"))
    assert submission.report is not None
    with pytest.raises(PermissionDenied):
        _review(analyst, submission.report)


# --- The review queue's order --------------------------------------------------------------


def test_the_review_queue_puts_priority_first_then_the_longest_waiting(
    analyst: User, supervisor: User, hub_team: Team
) -> None:
    now = timezone.now()
    old_low = make_report(hub_team, analyst, reviewed=False, priority="low",
                          received_at=now - dt.timedelta(days=9), reference="INT-Q-1")
    new_high = make_report(hub_team, analyst, reviewed=False, priority="high",
                           received_at=now - dt.timedelta(hours=2), reference="INT-Q-2")
    old_high = make_report(hub_team, analyst, reviewed=False, priority="high",
                           received_at=now - dt.timedelta(days=3), reference="INT-Q-3")
    medium = make_report(hub_team, analyst, reviewed=False, priority="medium",
                         received_at=now - dt.timedelta(days=5), reference="INT-Q-4")
    assert list(selectors.review_queue(supervisor)) == [old_high, new_high, medium, old_low]
    html = page(client_for(supervisor), reverse("intelligence:review_queue"))
    assert "highest priority first, then longest waiting" in html
    positions = [html.index(r.reference) for r in (old_high, new_high, medium, old_low)]
    assert positions == sorted(positions)
    timeliness = selectors.review_timeliness(supervisor, now=now)
    assert timeliness.waiting == 4
    assert timeliness.oldest_waiting == dt.timedelta(days=9)


# --- The list's summary and the report page ------------------------------------------------


def test_the_list_shows_a_short_sanitised_summary_never_the_source(
    analyst: User, hub_team: Team, other_hub_member: User
) -> None:
    long_sanitised = SANITISED + ", " + "and again " * 30
    make_report(hub_team, analyst, source_text=SOURCE, sanitised_text=long_sanitised,
                reference="INT-L-1")
    make_report(hub_team, analyst, source_text="Unsanitised HERON-3 detail",
                sanitised_text="", reviewed=False, reference="INT-L-2")
    for user in (analyst, other_hub_member):
        html = page(client_for(user), reverse("intelligence:report_list"))
        assert "Summary (sanitised)" in html
        assert SANITISED in html and "HERON" not in html
        assert long_sanitised.strip() not in html  # shortened
        assert "Not sanitised yet" in html


def test_the_report_page_shows_the_sanitised_text_and_the_review_to_the_owning_team(
    analyst: User, supervisor: User, hub_team: Team, other_hub_member: User
) -> None:
    report = make_report(hub_team, analyst, reviewed=False, source_text=SOURCE,
                         sanitised_text="")
    html = page(client_for(analyst), _detail_url(report))
    assert "Not sanitised yet" in html and 'id="review"' not in html
    _review(supervisor, report)
    html = page(client_for(analyst), _detail_url(report))
    assert SOURCE in html and SANITISED in html
    assert "Reviewed by" in html and supervisor.display_name in html
    assert "Develop with the night team" in html and "Reviewer's note" in html

    partner_view = page(client_for(other_hub_member), _detail_url(report))
    assert SANITISED in partner_view and SOURCE not in partner_view
    assert "Develop with the night team" not in partner_view
    assert "Reviewer's note" not in partner_view


# --- Handling code C's conditions ---------------------------------------------------------


def test_the_conditions_are_revealed_with_handling_code_c_and_still_checked(
    analyst: User, hub_team: Team
) -> None:
    client = client_for(analyst)
    html = page(client, reverse("intelligence:record"))
    # GOV.UK Frontend's radios reveal: C controls the block, hidden until C is chosen.
    c_radio = html.index('id="id_handling_code_1"')
    assert 'data-aria-controls="conditional-id_handling_code_1"' in html[c_radio:c_radio + 200]
    reveal = html.index('id="conditional-id_handling_code_1"')
    assert "govuk-radios__conditional--hidden" in html[reveal - 80:reveal]
    for name in ("handling_conditions", "permitted_teams", "permitted_agencies"):
        assert html.index(f'name="{name}"') > reveal
    response = client.post(reverse("intelligence:record"), {
        "source_text": "Seen at the park", "source_evaluation": "2",
        "intelligence_assessment": "B", "handling_code": "C",
        "security_marking": "official_sensitive", "priority": "low",
    })
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter the conditions of handling code C" in html
    assert 'value="C" checked' in html
    reveal = html.index('id="conditional-id_handling_code_1"')
    assert "govuk-radios__conditional--hidden" not in html[reveal - 80:reveal]
    assert html.index("Enter the conditions of handling code C", reveal) > reveal
    assert not IntelligenceReport.objects.exists()


# --- Street names -------------------------------------------------------------------------


def _link_person(client: object, report: IntelligenceReport, **fields: str) -> object:
    url = reverse("intelligence:add_link", kwargs={"intel_report_pk": report.pk})
    return client.post(f"{url}?kind=person", {  # type: ignore[attr-defined]
        "existing": "new", "role": "suspect", "q": "", **fields})


def test_a_person_known_only_by_a_street_name(
    analyst: User, supervisor: User, hub_team: Team
) -> None:
    report = make_report(hub_team, analyst)
    client = client_for(supervisor)
    refused = _link_person(client, report)
    assert refused.status_code == 200  # type: ignore[attr-defined]
    assert "or the nickname or street name they are known by" in (
        refused.content.decode())  # type: ignore[attr-defined]
    assert not Person.objects.exists()

    response = _link_person(client, report, nickname="Kaz")
    assert response.status_code == 302  # type: ignore[attr-defined]
    person = Person.objects.get()
    assert (person.given_name, person.family_name) == ("", "")
    alias = person.aliases.get()
    assert (alias.kind, alias.given_name) == (AliasKind.NICKNAME, "Kaz")
    assert person.full_name == "Kaz (street name)"
    assert not Person.objects.filter(given_name__iexact="unknown").exists()
    assert "Kaz (street name)" in page(client, _detail_url(report))

    assert [m.person for m in search_people(user=supervisor, text="kaz")] == [person]
    found = search_entities(user=supervisor, text="Kaz")
    assert [hit.entity for hit in found.people] == [person]


def test_a_street_name_beside_a_real_name_is_kept_as_their_alias(
    analyst: User, supervisor: User, hub_team: Team
) -> None:
    report = make_report(hub_team, analyst)
    response = _link_person(client_for(supervisor), report, given_name="Karim",
                            family_name="Azad", nickname="Kaz")
    assert response.status_code == 302  # type: ignore[attr-defined]
    person = Person.objects.get()
    assert person.full_name == "Karim Azad"
    assert person.aliases.get().kind == AliasKind.NICKNAME
    assert [m.person for m in search_people(user=supervisor, text="Kaz")] == [person]


def test_the_service_refuses_a_person_with_no_name_at_all(
    analyst: User, supervisor: User, hub_team: Team
) -> None:
    from macehub.people.services import PersonDetails

    report = make_report(hub_team, analyst)
    with pytest.raises(ServiceRefused):
        services.link_entity(actor=supervisor, report_pk=report.pk, request=services.LinkRequest(
            kind="person", role="suspect", new_person=PersonDetails(given_name="",
                                                                    family_name="")))
    assert not Person.objects.exists()


# --- Registrations typed with one slip ----------------------------------------------------


def test_one_slip_apart() -> None:
    assert one_slip_apart("XB01ABC", "XB01ABD")  # changed
    assert one_slip_apart("XB01ABC", "XB01AB")  # missed
    assert one_slip_apart("XB01ABC", "XB01ABCD")  # added
    assert one_slip_apart("XB01ABC", "XB011ABC")
    assert not one_slip_apart("XB01ABC", "XB02ABD")
    assert not one_slip_apart("XB01ABC", "XB0ABCDE")
    assert registration_keys("AB1") == " AB1 B1 A1 AB "


def test_the_longest_registration_keeps_all_its_keys() -> None:
    longest = "XB01ABC123"
    assert len(longest) == Vehicle._meta.get_field("registration").max_length
    vehicle = Vehicle.objects.create(registration=longest)
    vehicle.refresh_from_db()
    assert vehicle.registration_keys == registration_keys(longest)
    assert len(vehicle.registration_keys.split()) == len(longest) + 1


@pytest.mark.parametrize("typed", ["XB01ABD", "xb01 abd", "XB01 AB", "XB01ABCD", "XB0 1ABC",
                                   "XB1ABC", "XC01ABC"])
def test_a_registration_typed_with_one_slip_is_found(
    typed: str, analyst: User, hub_team: Team
) -> None:
    report = make_report(hub_team, analyst)
    vehicle = Vehicle.objects.create(registration="XB01ABC", make="Ford")
    far = Vehicle.objects.create(registration="XY09QRS")
    link(report, vehicle)
    link(report, far)
    assert vehicle.registration_keys.startswith(" XB01ABC ")
    found = search_entities(user=analyst, text=typed).vehicles
    assert [hit.entity for hit in found] == [vehicle]


def test_two_slips_are_not_a_match(analyst: User, hub_team: Team) -> None:
    report = make_report(hub_team, analyst)
    link(report, Vehicle.objects.create(registration="XB01ABC"))
    assert search_entities(user=analyst, text="XB02ABD").vehicles == []


def test_a_slip_finds_only_vehicles_the_user_may_see(
    analyst: User, hub_team: Team, outsider: User
) -> None:
    report = make_report(hub_team, analyst, handling_code="C", teams=[hub_team])
    link(report, Vehicle.objects.create(registration="XB01ABC"))
    assert search_entities(user=outsider, text="XB01ABD").vehicles == []


# --- Sharing with several agencies, and the recipients told --------------------------------


@pytest.fixture
def reviewed(analyst: User, hub_team: Team) -> IntelligenceReport:
    return make_report(hub_team, analyst, source_text=SOURCE, sanitised_text=SANITISED,
                       reference="INT-S-1")


def test_sharing_with_several_agencies_at_once(
    supervisor: User, reviewed: IntelligenceReport, partner_agency: Agency,
    named_agency: Agency,
) -> None:
    client = client_for(supervisor)
    hub_agency = supervisor.agency
    assert hub_agency is not None
    agreement = make_agreement(hub_agency, partner_agency, named_agency, created_by=supervisor,
                               title="Westmoor MACE agreement")
    make_agreement(partner_agency, named_agency, created_by=supervisor,
                   reference="ISA-NOT-OURS", title="Between two others")
    url = reverse("intelligence:disseminate", kwargs={"intel_report_pk": reviewed.pk})
    html = page(client, url)
    assert 'type="checkbox"' in html and "Agencies to share it with" in html
    # Offered only the agreements in force that the report's agency is party to.
    assert "Westmoor MACE agreement" in html and "Between two others" not in html
    refused = client.post(url, {"to_agency": [str(partner_agency.pk), str(named_agency.pk)],
                                "lawful_basis": "dpa_s35"})
    assert refused.status_code == 200
    assert "Choose the sharing agreement that covers" in refused.content.decode()
    response = client.post(url, {"to_agency": [str(partner_agency.pk), str(named_agency.pk)],
                                 "lawful_basis": "dpa_s35", "agreements": [str(agreement.pk)]})
    assert response.status_code == 302
    shared = Dissemination.objects.filter(report=reviewed).order_by("to_agency__name")
    assert {d.to_agency for d in shared} == {partner_agency, named_agency}
    assert {d.agreement for d in shared} == {agreement}
    assert "Westmoor MACE agreement" in page(client, _detail_url(reviewed))
    assert {(d.shared_text, d.lawful_basis, d.shared_by) for d in shared} == {
        (SANITISED, "dpa_s35", supervisor)}
    assert len({d.shared_at for d in shared}) == 1


def test_sharing_a_c_report_is_all_or_nothing(
    analyst: User, supervisor: User, hub_team: Team, partner_agency: Agency,
    named_agency: Agency,
) -> None:
    report = make_report(hub_team, analyst, handling_code="C", agencies=[named_agency])
    with pytest.raises(ServiceRefused, match=partner_agency.name):
        services.disseminate_to_agencies(actor=supervisor, report_pk=report.pk,
                                         to_agency_pks=[named_agency.pk, partner_agency.pk],
                                         lawful_basis="dpa_s35")
    assert not Dissemination.objects.exists()
    response = client_for(supervisor).post(
        reverse("intelligence:disseminate", kwargs={"intel_report_pk": report.pk}),
        {"to_agency": [], "lawful_basis": "dpa_s35"})
    assert "Choose the agencies to share it with" in response.content.decode()


def test_recipients_are_told_on_their_work_queue_until_they_read_it(
    supervisor: User, reviewed: IntelligenceReport, named_agency: Agency,
    named_agency_member: User, partner_worker: User, partner_agency: Agency,
) -> None:
    advocate = make_user("vic.advocate", Role.VICTIM_ADVOCATE, agency=named_agency,
                         team=make_team(named_agency, "Advocacy", is_hub_team=False))
    services.disseminate_to_agencies(actor=supervisor, report_pk=reviewed.pk,
                                     to_agency_pks=[named_agency.pk], lawful_basis="dpa_s35",
                                     reason_without_agreement=URGENT)
    now = timezone.now()
    items = intelligence_shared(named_agency_member, now)
    assert len(items) == 1
    assert items[0].title.startswith("INT-S-1: Children are being collected")
    assert items[0].link == _detail_url(reviewed)
    assert "Shared with Westmoor Council Social Care" in items[0].detail
    queue = work_queue_for(named_agency_member, now)
    assert [work.source.label for work in queue.lists if work.items] == [
        "Intelligence shared with your agency"]
    # Not the sharer, not another agency, not a role that does not read intelligence.
    assert intelligence_shared(supervisor, now) == []
    assert intelligence_shared(partner_worker, now) == []
    assert intelligence_shared(advocate, now) == []

    home = client_for(named_agency_member).get(reverse("home"))
    assert "INT-S-1" in home.content.decode()
    assert intelligence_shared(named_agency_member, timezone.now())  # the home page is no read
    page(client_for(named_agency_member), _detail_url(reviewed))
    assert intelligence_shared(named_agency_member, timezone.now()) == []
    # Shared again later: news again.
    services.disseminate_to_agencies(
        actor=supervisor, report_pk=reviewed.pk, to_agency_pks=[named_agency.pk],
        lawful_basis="dpa_s35", reason_without_agreement=URGENT,
        now=timezone.now() + dt.timedelta(minutes=1))
    assert intelligence_shared(named_agency_member, timezone.now() + dt.timedelta(minutes=2))
