"""Demo data for children's statutory status, first language and interpreter need,
the search indexes and the match review queue.

Runs after the cases (so the children the hub works with are the ones with a status):
most children with a case have their status recorded, some as none; some are children in
need, some have a child protection plan, some are looked after (in each kind of
placement, placed by the home county or by a council elsewhere), some older ones are care
leavers. Most speak English first; some need an interpreter. Drawn from the step's own
seeded generator, written with ``update_rows``.
"""

from __future__ import annotations

import datetime as dt

from macehub.accounts.models import User
from macehub.accounts.roles import Role
from macehub.demo.batches import update_rows
from macehub.demo.progress import Progress
from macehub.demo.registry import DemoContext, demo_step
from macehub.people.codes import PlacementType
from macehub.people.matching import propose_matches
from macehub.people.models import MatchCandidate, MatchRun, Person
from macehub.people.search_index import SEARCH_INDEXES

STATUTORY_STATUS_ORDER = 1260
# Last of all: every step that writes people or aliases in bulk has run.
SEARCH_INDEX_ORDER = 9000
# After every person is written: the pairs for the match review queue.
MATCHING_ORDER = 9100

# Fictional councils: the demo county places most of its own looked-after children;
# others are placed into the county by councils elsewhere.
HOME_AUTHORITY = "Northshire County Council"
OTHER_AUTHORITIES = ("Eastmoor Borough Council", "Westvale City Council",
                     "Southdown County Council", "Riverbend District Council")
LANGUAGES = {
    "English": 80, "Polish": 4, "Romanian": 3, "Urdu": 3, "Arabic": 3, "Kurdish": 2,
    "Tigrinya": 1, "Pashto": 1, "Albanian": 1, "Vietnamese": 1, "British Sign Language": 1,
}
STATUS_FIELDS = ["child_in_need", "child_protection_plan", "looked_after", "placement_type",
                 "placing_authority", "care_leaver", "statutory_status_recorded_at",
                 "statutory_status_recorded_by", "first_language", "interpreter_needed"]


def delete_demo_statutory_status(progress: Progress) -> dict[str, int]:
    cleared = Person.objects.exclude(statutory_status_recorded_at__isnull=True).update(
        child_in_need=False, child_protection_plan=False, looked_after=False,
        placement_type="", placing_authority="", care_leaver=False,
        statutory_status_recorded_at=None, statutory_status_recorded_by=None,
        first_language="", interpreter_needed=None,
    )
    return {"statutory statuses": cleared}


@demo_step("statutory_status", order=STATUTORY_STATUS_ORDER,
           reset=delete_demo_statutory_status,
           description="children's statutory status (in need, protection plan, looked after "
                       "with placements, care leavers), first language and interpreters")
def demo_statutory_status(ctx: DemoContext) -> None:
    recorders = list(User.objects.filter(
        is_active=True, role_assignments__role__in=(Role.TRIAGE, Role.INVESTIGATOR))
        .distinct().order_by("username"))
    if not recorders:
        ctx.progress.write("    no one to record a status: run the users step first")
        return
    rng = ctx.rng
    as_of = dt.datetime.combine(ctx.as_of, dt.time(12), tzinfo=dt.UTC)
    # The few people with a case, kept if they are children: naming every child in the
    # query would send a national-sized list of ids.
    child_ids = set(ctx.child_ids)
    children = [person for person in Person.objects.filter(cases__isnull=False).distinct()
                .order_by("pk") if person.pk in child_ids]
    languages, weights = list(LANGUAGES), list(LANGUAGES.values())
    placements = list(PlacementType)
    changed = []
    for child in children:
        if rng.random() < 0.15:
            continue  # never recorded
        age = child.age_on(ctx.as_of)
        roll = rng.random()
        if roll < 0.14:
            child.looked_after = True
            child.placement_type = rng.choice(placements)
            child.placing_authority = (HOME_AUTHORITY if rng.random() < 0.7
                                       else rng.choice(OTHER_AUTHORITIES))
            child.child_protection_plan = rng.random() < 0.15
        elif roll < 0.18 and age is not None and age >= 16:
            child.care_leaver = True
        elif roll < 0.33:
            child.child_protection_plan = True
        elif roll < 0.58:
            child.child_in_need = True
        child.first_language = rng.choices(languages, weights=weights)[0]
        child.interpreter_needed = (child.first_language != "English" and rng.random() < 0.6)
        if rng.random() < 0.05:
            child.interpreter_needed = None  # language known, not yet asked
        child.statutory_status_recorded_at = as_of - dt.timedelta(days=rng.randint(1, 200))
        child.statutory_status_recorded_by = rng.choice(recorders)
        changed.append(child)
    _show_each_status(changed, ctx)
    update_rows(changed, STATUS_FIELDS)
    ctx.count("statutory statuses recorded", len(changed))
    ctx.count("children looked after", sum(child.looked_after for child in changed))
    ctx.count("interpreters needed", sum(bool(child.interpreter_needed) for child in changed))


def _holds_none(child: Person) -> bool:
    return not (child.child_in_need or child.child_protection_plan or child.looked_after
                or child.care_leaver)


def _show_each_status(changed: list[Person], ctx: DemoContext) -> None:
    """However the draw fell, the demo shows each status and an interpreter needed: the
    first children holding none are given the missing ones (a care leaver the oldest)."""
    spare = [child for child in changed if _holds_none(child)]
    if not any(child.care_leaver for child in changed) and spare:
        oldest = max(spare, key=lambda child: child.age_on(ctx.as_of) or 0)
        oldest.care_leaver = True
        spare.remove(oldest)
    if not any(child.looked_after for child in changed) and spare:
        child = spare.pop(0)
        child.looked_after = True
        child.placement_type = PlacementType.FOSTER_CARE
        child.placing_authority = HOME_AUTHORITY
    if not any(child.child_protection_plan for child in changed) and spare:
        spare.pop(0).child_protection_plan = True
    if not any(child.child_in_need for child in changed) and spare:
        spare.pop(0).child_in_need = True
    if not any(child.interpreter_needed for child in changed) and changed:
        changed[0].first_language = "Polish"
        changed[0].interpreter_needed = True


# No reset of its own: each index's rows go with the records they index.
@demo_step("search_index", order=SEARCH_INDEX_ORDER,
           description="the search indexes (person names, the entities intelligence "
                       "mentions), built in bulk from what the steps before wrote")
def demo_search_index(ctx: DemoContext) -> None:
    for what, rebuild in SEARCH_INDEXES.items():
        rows = rebuild(alone=True)  # the run holds its tables until it commits
        ctx.count(what, rows)
        ctx.progress.write(f"    {rows} {what} indexed")


def delete_demo_matching(progress: Progress) -> dict[str, int]:
    pairs, _ = MatchCandidate.objects.all().delete()
    runs, _ = MatchRun.objects.all().delete()
    return {"match candidates": pairs, "matching runs": runs}


@demo_step("matching", order=MATCHING_ORDER, reset=delete_demo_matching,
           description="the matching model run over every person, as find_matches does: "
                       "the planted duplicates wait in the match review queue")
def demo_matching(ctx: DemoContext) -> None:
    run, result = propose_matches(actor=None)
    ctx.count("match candidates", run.pairs_proposed)
    ctx.progress.write(f"    {run.records} records linked in {result.seconds:.1f} s: "
                       f"{run.pairs_proposed} pairs to review.{result.training_note}")
