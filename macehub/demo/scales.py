"""The sizes of a generated data set: ``small`` for the demo and tests, ``force`` for one
police force's year, ``national`` for benchmarks at the scale of the country.

A step that belongs to a later capability sizes its own records from the scale it is
given, either in proportion to the people generated or with ``Scale.pick``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Scale:
    """How much to generate. Counts are before planted duplicates are added."""

    name: str
    description: str
    # Usual residents of the fictional county, split across its districts and wards.
    county_population: int
    neighbourhoods_per_district: int
    # Children (mostly 10-17) and adults (suspects and associates, 16-60).
    children: int
    adults: int
    # Share of people who get a second record, as another agency would hold it.
    duplicate_fraction: float
    # Share of children who get a twin: a different person who looks like a duplicate.
    twin_fraction: float
    # Rows written per bulk insert, and how often long steps report a count.
    batch_size: int
    progress_every: int

    @property
    def people(self) -> int:
        return self.children + self.adults

    def pick(self, *, small: T, force: T, national: T) -> T:
        """A value per scale, for steps whose sizes are not proportional to people."""
        return {"small": small, "force": force, "national": national}[self.name]


SMALL = Scale(
    name="small",
    description="About 300 people: the demo and the test suite (seconds)",
    county_population=1_120_000,
    neighbourhoods_per_district=4,
    children=200,
    adults=100,
    duplicate_fraction=0.08,
    twin_fraction=0.02,
    batch_size=100,
    progress_every=100,
)

FORCE = Scale(
    name="force",
    description="About 50,000 people: one police force's year (minutes)",
    county_population=1_120_000,
    neighbourhoods_per_district=10,
    children=32_000,
    adults=16_000,
    duplicate_fraction=0.03,
    twin_fraction=0.005,
    batch_size=5_000,
    progress_every=10_000,
)

NATIONAL = Scale(
    name="national",
    description="About 1,000,000 people: benchmarks at national scale",
    county_population=56_500_000,
    neighbourhoods_per_district=40,
    children=650_000,
    adults=330_000,
    duplicate_fraction=0.02,
    twin_fraction=0.003,
    batch_size=10_000,
    progress_every=100_000,
)

SCALES: dict[str, Scale] = {scale.name: scale for scale in (SMALL, FORCE, NATIONAL)}
