"""The demo data generator run by each test on an empty database: a seed reproduces the
data, steps keep their own randomness, and what the command refuses. The census helpers
the demo writes its areas with."""

from __future__ import annotations

import io
import random
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from faker import Faker

from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.conftest import DEMO_AS_OF
from macehub.demo import areas as demo_areas
from macehub.demo.digest import demo_data_digest, section_digests
from macehub.demo.models import PlantedTruth
from macehub.demo.names import british_family_name, typo
from macehub.demo.progress import Progress
from macehub.demo.registry import (
    DEMO_STEPS,
    FAKER_LOCALE,
    DemoContext,
    DemoStep,
    register_step,
    registered_steps,
    unregister_step,
)
from macehub.intelligence.demo_steps import INTELLIGENCE_ORDER, delete_demo_intelligence
from macehub.intelligence.models import (
    IntelligenceReport,
    Location,
    OnlineAccount,
    PhoneNumber,
    Premises,
    ReportLink,
    Submission,
    Vehicle,
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


def demo_data(*options: str, seed: int = 7) -> str:
    out = io.StringIO()
    call_command(
        "demo_data", "--scale=small", f"--seed={seed}", f"--as-of={AS_OF}", *options,
        stdout=out,
    )
    return out.getvalue()


# --- Census files ------------------------------------------------------------------------


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


# --- Names -------------------------------------------------------------------------------


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


def _what_each_step_decided() -> dict[str, Any]:
    """Each app's own fingerprint of what its demo step decided (ids and database clocks
    left out), beside the people and planted-truth digests."""
    from macehub.accountability.tests.test_demo_steps import fingerprint as accountability
    from macehub.cases.tests.test_demo_risk_and_status import fingerprint as assessments
    from macehub.cases.tests.test_demo_steps import fingerprint as cases
    from macehub.disruption.tests.test_demo_steps import fingerprint as disruptions
    from macehub.forensics.tests.test_demo_steps import fingerprint as devices
    from macehub.governance.tests.test_demo_steps import fingerprint as retention
    from macehub.investigations.tests.test_demo_steps import fingerprint as investigations
    from macehub.referrals.tests.test_demo_referrals import fingerprint as referrals
    from macehub.training.tests.test_demo_steps import fingerprint as training

    intelligence = (
        sorted(IntelligenceReport.objects.values_list(
            "reference", "source_text", "handling_code", "status", "received_at")),
        sorted(Vehicle.objects.values_list("registration", flat=True)),
        sorted(PlantedTruth.objects.filter(kind__in=("offender_group", "hotspot"))
               .values_list("kind", "data__report_references")),
    )
    return {
        **section_digests(), "referrals": referrals(), "cases": cases(),
        "risk assessments and statuses": assessments(), "intelligence": intelligence,
        "investigations": investigations(), "devices": devices(),
        "disruptions": disruptions(), "training": training(),
        "inspection tracker": accountability(), "retention review": retention(),
    }


def test_the_same_seed_gives_the_same_data_and_another_seed_does_not(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """One check of the whole generator: every app's step, run again with the same seed
    after a reset, decides the same; another seed decides otherwise. No run leaves a
    census file behind."""
    # A private temporary folder, so other demo runs on the machine cannot interfere.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    demo_data(seed=11)
    assert list(tmp_path.glob("macehub-demo-census-*")) == []
    first = _what_each_step_decided()
    first_overall = demo_data_digest()
    assert all(first.values()), [name for name, value in first.items() if not value]
    output = demo_data("--reset", seed=11)
    for step in ("referrals", "cases", "risk_assessments", "statutory_status"):
        assert f"Deleting previous demo data: {step}" in output
    assert _what_each_step_decided() == first
    assert demo_data_digest() == first_overall
    run = AuditEvent.objects.filter(event_type=EventType.IMPORT,
                                    record_type="demo.dataset").last()
    assert run is not None
    assert run.detail["deleted"]["referrals"] == run.detail["created"]["referrals"] == 150
    demo_data("--reset", seed=12)
    other = _what_each_step_decided()
    for name in ("people", "planted truth", "referrals", "cases", "intelligence"):
        assert other[name] != first[name], name
    # A reset leaves nothing of the intelligence step behind: the steps after it, which
    # may hold on to its reports, reset first, as a full reset does.
    for step in sorted(DEMO_STEPS.values(), key=lambda step: step.order, reverse=True):
        if step.order > INTELLIGENCE_ORDER and step.reset is not None:
            step.reset(Progress())
    counts = delete_demo_intelligence(Progress())
    assert counts["intelligence reports"] > 0
    for model in (IntelligenceReport, ReportLink, Submission, Vehicle, PhoneNumber,
                  OnlineAccount, Premises, Location):
        assert not model.objects.exists(), model


def test_a_step_added_later_does_not_change_what_other_steps_generate(settings: Any) -> None:
    # Outside demo mode the command refuses unless told (then it runs as in demo mode).
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="MACEHUB_DEMO"):
        demo_data(seed=5)
    assert not User.objects.exists()
    demo_data("--outside-demo-mode", seed=5)
    before = section_digests()

    def draw_a_lot(ctx: DemoContext) -> None:
        ctx.results["test.draws"] = [ctx.rng.random() for _ in range(1000)]

    register_step(DemoStep(name="test-early-step", order=150, function=draw_a_lot))
    try:
        demo_data("--reset", "--outside-demo-mode", seed=5)
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


@pytest.mark.parametrize("seed", ["-1", "2147483648", "seven"])
def test_refuses_a_seed_it_cannot_store(seed: str) -> None:
    with pytest.raises(CommandError, match="--seed"):
        call_command("demo_data", f"--seed={seed}", stdout=io.StringIO())
