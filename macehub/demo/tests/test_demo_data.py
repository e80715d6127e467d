"""The demo data generator: what a small data set holds (generated once for the module:
every test here reads it, and what a test changes is rolled back), and that the command
protects an existing database."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import CommandError
from django.db.models import F

from macehub.access.account_services import approve_role_change, save_user
from macehub.accounts.models import User
from macehub.accounts.roles import Role
from macehub.audit.models import AuditEvent
from macehub.conftest import DEMO_AS_OF
from macehub.demo import areas as demo_areas
from macehub.demo.accounts import ACCOUNTS, DEMO_PASSWORD, demo_accounts
from macehub.demo.duplicates import DISTINCT_LOOKALIKE, DUPLICATE_PERSON
from macehub.demo.models import PlantedTruth
from macehub.demo.registry import (
    registered_steps,
)
from macehub.demo.tests.test_demo_runs import demo_data
from macehub.people.codes import AreaKind, RecordingState
from macehub.people.identifiers import normalise_identifier, normalise_postcode
from macehub.people.models import (
    Area,
    AreaPopulation,
    Person,
    PersonAddress,
    PersonAllocation,
    PersonIdentifier,
    PersonShare,
)
from macehub.testing.clock import on_demo_day

pytestmark = pytest.mark.django_db

AS_OF = DEMO_AS_OF


@pytest.fixture(autouse=True)
def _demo_mode(settings: Any) -> Iterator[None]:
    """Demo mode, and the clock on ``AS_OF``: the data and "now" agree on any day."""
    settings.DEMO_MODE = True
    with on_demo_day(AS_OF):
        yield


@pytest.fixture
def small(small_demo_for_module: str) -> str:
    """The small demo (seed 7, as of ``AS_OF``), generated once for this module."""
    return small_demo_for_module



# --- Accounts ----------------------------------------------------------------------------


def test_every_role_has_a_demo_account_with_the_demo_password(small: str) -> None:
    held = Counter(role for spec in ACCOUNTS for role in spec.roles)
    assert set(held) == set(Role)
    for spec in ACCOUNTS:
        user = User.objects.get(username=spec.username)
        assert user.check_password(DEMO_PASSWORD)
        assert user.role_codes == frozenset(spec.roles)
        assert spec.username in small  # the table printed at the end


def test_a_second_administrator_approves_the_firsts_change_of_access(small: str) -> None:
    """Granting a role that reads intelligence needs two administrators: the demo has
    them, and a reset clears the requests between demo accounts."""
    first, second = (
        User.objects.get(username=spec.username)
        for spec in ACCOUNTS if Role.ADMINISTRATOR in spec.roles
    )
    referrer = User.objects.get(username="referrer.police")
    saved = save_user(actor=first, user=referrer, roles=[Role.REFERRER, Role.ANALYST],
                      reason="Demo: joining the intelligence cell")
    assert saved.request is not None
    approve_role_change(actor=second, request_pk=saved.request.pk, comment="Demo: agreed")
    assert User.objects.get(username="referrer.police").role_codes == {"referrer", "analyst"}
    assert "admin2.police" in small  # in the table printed at the end

    # A reset (told to be quiet: it prints nothing) clears the requests.
    assert demo_data("--reset", "--quiet") == ""
    assert User.objects.get(username="referrer.police").role_codes == {"referrer"}


def test_hub_team_has_police_and_seconded_partner_members(small: str) -> None:
    hub = {a.username: a for a in demo_accounts() if a.is_hub_member}
    assert {"triage.police", "analyst.police", "investigator.police", "supervisor.police",
            "forensics.police", "chair.police"} <= set(hub)
    assert hub["triage.socialcare"].agency == "Northshire County Council Children's Services"
    assert hub["triage.health"].agency == "Northshire Healthcare NHS Foundation Trust"
    partners = {a.username for a in demo_accounts() if not a.is_hub_member}
    assert {"referrer.school", "referrer.socialcare", "scrutiny.pcc"} <= partners


# --- Areas and census populations -----------------------------------------------------


def test_areas_form_a_county_of_districts_and_wards_with_populations(small: str) -> None:
    county = Area.objects.get(code=demo_areas.COUNTY_CODE)
    assert county.kind == AreaKind.COUNTY
    districts = list(county.children.all())
    assert 4 <= len(districts) <= 6
    for district in districts:
        assert district.kind == AreaKind.DISTRICT
        wards = list(district.children.all())
        assert len(wards) >= 3
        assert all(ward.kind == AreaKind.WARD for ward in wards)
        assert district.census_total == sum(ward.census_total or 0 for ward in wards)
    for area in Area.objects.all():
        counted = sum(area.populations.values_list("population", flat=True))
        assert counted == area.census_total


def share(area_code: str, *groups: str) -> float:
    area = Area.objects.get(code=area_code)
    counted = AreaPopulation.objects.filter(area=area, ethnic_group_id__in=groups)
    return sum(counted.values_list("population", flat=True)) / (area.census_total or 1)


def test_districts_have_different_ethnic_mixes(small: str) -> None:
    brackenford, stennock, ashdale = "E07999901", "E07999902", "E07999905"
    south_asian, black = ("A1", "A2", "A3"), ("B1", "B2", "B9")
    assert share(brackenford, *south_asian) > 0.25
    assert share(stennock, *black) > 3 * share(brackenford, *black)
    assert share(ashdale, "W1") > 0.9


# --- People -------------------------------------------------------------------------------


def test_people_have_all_three_ethnicity_and_nationality_states(small: str) -> None:
    people = list(Person.objects.all())
    assert 280 <= len(people) <= 400
    assert {p.ethnicity_state for p in people} == set(RecordingState)
    assert {p.nationality_state for p in people} == set(RecordingState)
    assert any(p.officer_defined_ethnicity for p in people)
    assert any(p.self_defined_ethnicity_id not in (None, "NS", "W1") for p in people)


def test_recording_habits_are_planted_and_show_in_the_data(small: str) -> None:
    habits = PlantedTruth.objects.get(kind="recording_habits").data
    assert habits["northshire-police"]["ethnicity_not_recorded"] > 0.5
    assert PlantedTruth.objects.filter(kind="ethnicity_relative_rates").exists()

    def unrecorded_share(agency_code: str) -> float:
        held = Person.objects.filter(owning_agency__code=agency_code)
        return held.filter(self_defined_ethnicity__isnull=True).count() / held.count()

    assert unrecorded_share("northshire-police") > unrecorded_share("northshire-education")


def test_children_and_adults_have_plausible_ages(small: str) -> None:
    ages = [p.age_on(AS_OF) for p in Person.objects.all()]
    known = [age for age in ages if age is not None]
    assert min(known) >= 7 and max(known) <= 61
    children = sum(1 for age in known if age < 18)
    assert children > len(known) / 2


def test_identifiers_are_valid_and_stored_normalised(small: str) -> None:
    kinds = Counter()
    for kind, value in PersonIdentifier.objects.values_list("kind", "value"):
        assert normalise_identifier(kind, value) == value
        kinds[kind] += 1
    assert set(kinds) == {"nhs", "upn", "pnc", "la_child"}
    for postcode in PersonAddress.objects.values_list("postcode", flat=True):
        assert normalise_postcode(postcode) == postcode
        assert postcode.startswith("X")  # no real postcode area starts with X


def test_an_nhs_number_is_shared_only_by_a_planted_duplicate(small: str) -> None:
    holders: dict[str, set[int]] = {}
    for person_id, value in PersonIdentifier.objects.filter(kind="nhs").values_list(
        "person_id", "value"
    ):
        holders.setdefault(value, set()).add(person_id)
    same_person = {
        frozenset(t.data["person_ids"]) for t in PlantedTruth.objects.filter(kind=DUPLICATE_PERSON)
    }
    for ids in holders.values():
        assert len(ids) == 1 or frozenset(ids) in same_person


def test_addresses_link_to_demo_wards(small: str) -> None:
    ward_ids = set(Area.objects.filter(kind=AreaKind.WARD).values_list("pk", flat=True))
    area_ids = set(PersonAddress.objects.values_list("area_id", flat=True))
    assert area_ids and area_ids <= ward_ids


def test_some_records_are_restricted_with_an_allocation_and_some_shared(small: str) -> None:
    restricted = Person.objects.filter(is_restricted=True)
    assert restricted.count() >= 3
    for person in restricted:
        allocation = PersonAllocation.objects.get(person=person)
        assert allocation.user.agency_id == person.owning_agency_id
        assert not PersonShare.objects.filter(person=person).exists()
    assert PersonShare.objects.exists()
    assert not PersonShare.objects.filter(agency_id=F("person__owning_agency_id")).exists()
    assert Person.objects.values("owning_agency").distinct().count() >= 5


# --- Planted truth --------------------------------------------------------------------


def test_planted_duplicates_name_existing_people_of_another_agency(small: str) -> None:
    duplicates = list(PlantedTruth.objects.filter(kind=DUPLICATE_PERSON))
    assert len(duplicates) >= 5
    for truth in duplicates:
        assert truth.seed == 7
        first, second = (Person.objects.get(pk=pk) for pk in truth.data["person_ids"])
        assert first.owning_agency_id != second.owning_agency_id
        assert truth.data["variation"]
    variations = {v.split(":")[1] for t in duplicates for v in t.data["variation"]}
    assert variations & {"nickname", "spelling", "typo", "hyphenation", "swapped"}


def test_planted_twins_are_different_people_who_look_alike(small: str) -> None:
    for truth in PlantedTruth.objects.filter(kind=DISTINCT_LOOKALIKE):
        first, second = (Person.objects.get(pk=pk) for pk in truth.data["person_ids"])
        assert first.family_name == second.family_name
        assert first.date_of_birth == second.date_of_birth
        assert first.given_name != second.given_name


# --- Reproducible, protective, audited, visible ----------------------------------------


def test_refuses_to_run_on_people_unless_reset_and_each_run_is_one_audit_event(
        small: str) -> None:
    events = AuditEvent.objects.filter(record_type="demo.dataset")
    assert events.count() == 1
    event = events.get()
    assert event.event_type == "import"
    assert event.actor_id is None
    assert event.detail["scale"] == "small" and event.detail["seed"] == 7
    people = Person.objects.count()
    with pytest.raises(CommandError, match="--reset"):
        demo_data()
    assert Person.objects.count() == people
    log_size = AuditEvent.objects.count()
    demo_data("--reset", seed=8)
    assert PlantedTruth.objects.exclude(seed=8).count() == 0
    # The log survives the reset, which is one more entry.
    assert AuditEvent.objects.count() > log_size
    assert events.count() == 2
    assert events.order_by("-id").first().detail["deleted"]["people"] > 0


def test_progress_is_shown_per_step_and_in_counts(small: str) -> None:
    steps = len(registered_steps())
    assert f"[1/{steps}] agencies" in small
    assert f"[4/{steps}] people" in small
    assert "people: 300 of 300" in small
    assert "Every demo account's password" in small
