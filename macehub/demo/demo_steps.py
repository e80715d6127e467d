"""The foundation's demo data steps: agencies, staff, areas, people and planted
duplicates. Every other app registers its own steps the same way, in its own
``demo_steps.py`` (see ``macehub.demo.registry``)."""

from __future__ import annotations

from macehub.demo import accounts, areas, duplicates, people, places
from macehub.demo.registry import DemoContext, demo_step

AGENCIES_ORDER = 100
USERS_ORDER = 200
AREAS_ORDER = 300
PEOPLE_ORDER = 400
DUPLICATES_ORDER = 500


@demo_step("agencies", order=AGENCIES_ORDER, reset=accounts.delete_demo_agencies,
           description="Northshire's police force and partner agencies, with their teams")
def agencies(ctx: DemoContext) -> None:
    accounts.create_agencies(ctx)


@demo_step("users", order=USERS_ORDER, reset=accounts.delete_demo_users,
           description="one account per role in each agency that needs it")
def users(ctx: DemoContext) -> None:
    accounts.create_users(ctx)


@demo_step("areas", order=AREAS_ORDER, reset=areas.delete_demo_areas,
           description="the county, its districts and wards, with census populations (TS021)")
def county_areas(ctx: DemoContext) -> None:
    areas.create_areas(ctx)


@demo_step("people", order=PEOPLE_ORDER, reset=people.delete_demo_people,
           description="children and adults as the agencies hold them")
def demo_people(ctx: DemoContext) -> None:
    people.create_people(ctx)


@demo_step("duplicates", order=DUPLICATES_ORDER, reset=duplicates.delete_planted_truth,
           description="second records of some people, and twins, with the truth recorded")
def planted_duplicates(ctx: DemoContext) -> None:
    duplicates.create_duplicates(ctx)


PLACES_ORDER = 9550  # after every step that records a place (investigations: 9300)


@demo_step("places", order=PLACES_ORDER, reset=places.delete_places,
           description="a postcode directory and ward boundaries for Northshire; the places "
                       "of events, with planted hotspots and a near repeat")
def demo_places(ctx: DemoContext) -> None:
    places.create_places(ctx)
