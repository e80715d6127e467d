"""The demo data generator: what a small data set holds, that a seed reproduces it, and
that the command protects an existing database."""

from __future__ import annotations

import datetime as dt
import io
import random
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db.models import F
from faker import Faker

from macehub.access.account_services import approve_role_change, save_user
from macehub.accounts.models import User
from macehub.accounts.roles import Role
from macehub.audit.models import AuditEvent
from macehub.demo import areas as demo_areas
from macehub.demo.accounts import ACCOUNTS, DEMO_PASSWORD, demo_accounts
from macehub.demo.digest import demo_data_digest, section_digests
from macehub.demo.duplicates import DISTINCT_LOOKALIKE, DUPLICATE_PERSON
from macehub.demo.models import PlantedTruth
from macehub.demo.names import british_family_name, typo
from macehub.demo.registry import (
    FAKER_LOCALE,
    DemoContext,
    DemoStep,
    register_step,
    registered_steps,
    unregister_step,
)
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

AS_OF = dt.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _demo_mode(settings: Any) -> Iterator[None]:
    """Demo mode, and the clock on ``AS_OF``: the data and "now" agree on any day."""
    settings.DEMO_MODE = True
    with on_demo_day(AS_OF):
        yield


def demo_data(*options: str, seed: int = 7) -> str:
    out = io.StringIO()
    call_command(
        "demo_data", "--scale=small", f"--seed={seed}", f"--as-of={AS_OF}", *options,
        stdout=out,
    )
    return out.getvalue()


@pytest.fixture
def small() -> str:
    return demo_data()


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

    demo_data("--reset")
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


def test_ts021_csv_has_the_census_headings() -> None:
    rows = [demo_areas.CensusRow("E05999001", "Test Ward", {"W1": 90, "A2": 7, "B2": 3})]
    header, line = demo_areas.ts021_csv(rows).splitlines()
    assert header.startswith(
        "date,geography,geography code,Ethnic group: Total: All usual residents,"
    )
    assert '"Ethnic group: Asian, Asian British or Asian Welsh: Pakistani"' in header
    assert "Ethnic group: White: Roma" in header
    assert line.startswith("2021,Test Ward,E05999001,100,")


def test_apportion_adds_up_exactly() -> None:
    rng = random.Random(3)
    for _ in range(50):
        weights = [rng.random() for _ in range(19)]
        total = rng.randrange(1, 10**7)
        assert sum(demo_areas.apportion(total, weights)) == total


def test_no_census_file_is_left_behind(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, db: None
) -> None:
    # A private temporary folder, so other demo runs on the machine cannot interfere.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    demo_data()
    assert list(tmp_path.glob("macehub-demo-census-*")) == []


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


def test_a_typo_always_changes_the_name() -> None:
    rng = random.Random(1)
    for name in ("Al", "Amy", "Mohammed", "Ffion", "Aaliyah", "Oo"):
        for _ in range(30):
            assert typo(name, rng) != name


def test_british_family_names_are_the_ones_faker_would_give() -> None:
    # The generator picks British family names from Faker's weighted table itself (much
    # faster); with the same seed it must give exactly what Faker's last_name() gives.
    ours, fakers = Faker(FAKER_LOCALE), Faker(FAKER_LOCALE)
    ours.seed_instance(7)
    fakers.seed_instance(7)
    picked = [british_family_name(ours) for _ in range(2_000)]
    assert picked == [fakers.last_name() for _ in range(2_000)]
    assert len(set(picked)) > 100


# --- Reproducible, protective, audited, visible ----------------------------------------


def test_the_same_seed_gives_the_same_data_and_another_seed_does_not() -> None:
    demo_data(seed=11)
    first = section_digests()
    first_overall = demo_data_digest()
    demo_data("--reset", seed=11)
    assert section_digests() == first
    assert demo_data_digest() == first_overall
    demo_data("--reset", seed=12)
    other = section_digests()
    assert other["people"] != first["people"]
    assert other["planted truth"] != first["planted truth"]


def test_a_step_added_later_does_not_change_what_other_steps_generate() -> None:
    demo_data(seed=5)
    before = section_digests()

    def draw_a_lot(ctx: DemoContext) -> None:
        ctx.results["test.draws"] = [ctx.rng.random() for _ in range(1000)]

    register_step(DemoStep(name="test-early-step", order=150, function=draw_a_lot))
    try:
        demo_data("--reset", seed=5)
    finally:
        unregister_step("test-early-step")
    assert section_digests() == before


def test_a_step_name_cannot_be_taken_twice() -> None:
    def one(ctx: DemoContext) -> None: ...

    def other(ctx: DemoContext) -> None: ...

    register_step(DemoStep(name="test-twice", order=2000, function=one))
    try:
        register_step(DemoStep(name="test-twice", order=2000, function=one))  # a re-import
        with pytest.raises(ImproperlyConfigured):
            register_step(DemoStep(name="test-twice", order=2000, function=other))
    finally:
        unregister_step("test-twice")


def test_steps_run_in_order_and_include_the_foundation() -> None:
    names = [step.name for step in registered_steps()]
    assert names[:5] == ["agencies", "users", "areas", "people", "duplicates"]


def test_refuses_to_run_on_a_database_with_people_unless_reset(small: str) -> None:
    people = Person.objects.count()
    with pytest.raises(CommandError, match="--reset"):
        demo_data()
    assert Person.objects.count() == people
    demo_data("--reset", seed=8)
    assert PlantedTruth.objects.exclude(seed=8).count() == 0


def test_one_audit_event_per_run_and_the_log_survives_a_reset(small: str) -> None:
    events = AuditEvent.objects.filter(record_type="demo.dataset")
    assert events.count() == 1
    event = events.get()
    assert event.event_type == "import"
    assert event.actor_id is None
    assert event.detail["scale"] == "small" and event.detail["seed"] == 7
    log_size = AuditEvent.objects.count()
    demo_data("--reset", seed=9)
    assert AuditEvent.objects.count() > log_size
    assert events.count() == 2
    assert events.order_by("-id").first().detail["deleted"]["people"] > 0


def test_progress_is_shown_per_step_and_in_counts(small: str) -> None:
    steps = len(registered_steps())
    assert f"[1/{steps}] agencies" in small
    assert f"[4/{steps}] people" in small
    assert "people: 300 of 300" in small
    assert "Every demo account's password" in small


def test_quiet_prints_nothing(small: str) -> None:
    assert demo_data("--reset", "--quiet") == ""


def test_refuses_outside_demo_mode_unless_told(settings: Any) -> None:
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="MACEHUB_DEMO"):
        demo_data()
    assert not User.objects.exists()
    demo_data("--outside-demo-mode", "--quiet")
    assert Person.objects.exists()


@pytest.mark.parametrize("seed", ["-1", "2147483648", "seven"])
def test_refuses_a_seed_it_cannot_store(seed: str) -> None:
    with pytest.raises(CommandError, match="--seed"):
        call_command("demo_data", f"--seed={seed}", stdout=io.StringIO())
