"""The demo's seized devices: one to three for most of the demo's investigations (mostly
mobile phones), seized from its children and suspects in the weeks after it was
recorded, and worked as a digital forensics unit works them, with known truth for the
measures and the queue to find:

- triage by each priority's clock (a group's investigation is group-based CSE; about a
  third of the others a child at immediate risk); about one in six triaged late, and
  the newest few still waiting, some of them past their time;
- three in five triaged devices need a full examination, reported ten to fifty days after
  triage (some past the 28-day target); those not yet due wait in the queue;
- examined devices are mostly returned, some retained for trial, a few disposed of; a
  closed investigation's devices were triaged in time and examined within weeks;
- at least one device seized more than ``FORENSICS_OLD_EXHIBIT_DAYS`` ago (90) is still
  waiting for its full examination: the old exhibit the dashboard and queues flag.

Rows are written directly, dated as the work happened (never after the demo's day), with
the due times the settings give (``forensics.clocks``).
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from macehub.accounts.models import User
from macehub.demo.people import Weighted
from macehub.demo.progress import Progress
from macehub.demo.registry import DemoContext, demo_step
from macehub.forensics import clocks
from macehub.forensics.codes import (
    DeviceOwner,
    DeviceType,
    ExhibitPriority,
    ExhibitStage,
    LegalAuthority,
)
from macehub.forensics.models import Exhibit
from macehub.investigations.models import Investigation

# After the investigations (9300), whose devices they are.
FORENSICS_ORDER = 9400
EXAMINER, INVESTIGATOR = "forensics.police", "investigator.police"
DEVICES = Weighted([(DeviceType.MOBILE_PHONE, 70), (DeviceType.TABLET, 8),
                    (DeviceType.COMPUTER, 10), (DeviceType.STORAGE_MEDIA, 6),
                    (DeviceType.GAMES_CONSOLE, 4), (DeviceType.OTHER, 2)])
HOW_MANY = Weighted([(0, 10), (1, 45), (2, 30), (3, 15)])
AUTHORITIES = Weighted([(LegalAuthority.PACE_S19, 25), (LegalAuthority.PACE_S32, 25),
                        (LegalAuthority.PACE_S18, 15), (LegalAuthority.WARRANT, 15),
                        (LegalAuthority.CONSENT, 20)])
MODELS = {
    DeviceType.MOBILE_PHONE: ("Samsung Galaxy A15", "Apple iPhone 12", "Apple iPhone SE",
                              "Motorola Moto G54", "Xiaomi Redmi Note 13"),
    DeviceType.TABLET: ("Apple iPad (9th generation)", "Samsung Galaxy Tab A9"),
    DeviceType.COMPUTER: ("Lenovo IdeaPad 3 laptop", "HP desktop tower", "Apple MacBook Air"),
    DeviceType.STORAGE_MEDIA: ("SanDisk 64GB microSD card", "Kingston USB stick"),
    DeviceType.GAMES_CONSOLE: ("Sony PlayStation 5", "Nintendo Switch"),
    DeviceType.OTHER: ("Smart watch",),
}
FINDINGS = ("Contacts and messages with the suspect found; images flagged for grading.",
            "Messages arranging meetings found; location history downloaded.",
            "Nothing of evidential value found at triage.",
            "Social media accounts linked to the suspect identified.")
REPORT = "Full download examined; the report and exhibits are on the file."


def delete_demo_exhibits(progress: Progress) -> dict[str, int]:
    deleted, _ = Exhibit.objects.all().delete()
    return {"exhibits": deleted}


def _work(exhibit: Exhibit, rng: random.Random, now: dt.datetime, examiner: User) -> None:
    """Date the device's triage, full examination and what became of it, as far as the
    demo's day allows. A closed investigation's devices were dealt with in time for it
    to close."""
    hours = clocks.triage_hours(exhibit.priority)
    closed = exhibit.investigation.closed_at is not None
    late = not closed and rng.random() < 1 / 6
    triaged = exhibit.seized_at + dt.timedelta(
        hours=hours * (rng.uniform(1.05, 1.6) if late else rng.uniform(0.2, 0.95)))
    if triaged > now:
        return  # waiting for triage (past its time, if it is)
    exhibit.triaged_at, exhibit.triaged_by = triaged, examiner
    exhibit.triage_findings = rng.choice(FINDINGS)
    needed = rng.random() < 0.6
    exhibit.full_examination_needed = needed
    if not needed:
        exhibit.stage = ExhibitStage.TRIAGED_NO_FULL
        done = triaged
    else:
        exhibit.full_examination_due_at = clocks.full_examination_due(triaged)
        reported = triaged + dt.timedelta(days=rng.randint(5, 20) if closed
                                          else rng.randint(10, 50), hours=rng.randint(1, 8))
        if reported > now:
            exhibit.stage = ExhibitStage.WAITING_FULL
            return
        exhibit.stage = ExhibitStage.FULL_DONE
        exhibit.examiner, exhibit.full_report_at = examiner, reported
        exhibit.full_report_on = timezone.localdate(reported)
        exhibit.full_report_summary = REPORT
        done = reported
    after = done + dt.timedelta(days=rng.randint(3, 30))
    if after > now:
        return
    roll = rng.random()
    if roll < 0.6:
        exhibit.stage, exhibit.returned_on = ExhibitStage.RETURNED, timezone.localdate(after)
        exhibit.returned_to = ("The child's parent" if exhibit.owner == DeviceOwner.VICTIM
                               else "The owner")
    elif roll < 0.85:
        exhibit.stage, exhibit.retained_on = ExhibitStage.RETAINED, timezone.localdate(after)
        exhibit.retained_reason = "Needed as evidence at trial."
    else:
        exhibit.stage, exhibit.disposed_on = ExhibitStage.DISPOSED, timezone.localdate(after)


@demo_step("forensics", order=FORENSICS_ORDER, reset=delete_demo_exhibits,
           description="one to three seized devices for most investigations, triaged and "
                       "examined (some late, some waiting, one old exhibit)")
def demo_forensics(ctx: DemoContext) -> None:
    examiner, investigator = ctx.users.get(EXAMINER), ctx.users.get(INVESTIGATOR)
    if examiner is None or investigator is None:
        ctx.progress.write("    no demo examiner or investigator: no seized devices")
        return
    rng, now = ctx.rng, timezone.now()
    investigations = list(Investigation.objects.order_by("reference").prefetch_related(
        "victims", "suspects"))
    exhibits: list[Exhibit] = []
    numbers: dict[int, int] = {}
    for investigation in investigations:
        group_based = investigation.title.startswith("Operation")
        victims = [v.person_id for v in investigation.victims.all()]
        suspects = [s.person_id for s in investigation.suspects.all()]
        for _ in range(HOW_MANY.pick(rng)):
            seized = investigation.created_at + dt.timedelta(
                days=rng.randint(0, 40), hours=rng.randint(0, 10))
            if seized > now:
                seized = now - dt.timedelta(hours=rng.randint(1, 60))
            if seized < investigation.created_at:
                continue
            owner = rng.choice([DeviceOwner.VICTIM] * 5 + [DeviceOwner.SUSPECT] * 4
                               + [DeviceOwner.OTHER])
            people = {DeviceOwner.VICTIM: victims, DeviceOwner.SUSPECT: suspects}.get(owner)
            if owner != DeviceOwner.OTHER and not people:
                owner = DeviceOwner.OTHER
            priority = (ExhibitPriority.GROUP_BASED if group_based
                        else ExhibitPriority.IMMEDIATE_RISK if rng.random() < 0.35
                        else ExhibitPriority.OTHER)
            device = DEVICES.pick(rng)
            year = seized.year
            numbers[year] = numbers.get(year, 0) + 1
            exhibit = Exhibit(
                reference=f"EXH-{year}-{numbers[year]:06d}", investigation=investigation,
                device_type=device, description=rng.choice(MODELS[device]),
                seized_at=seized, owner=owner,
                seized_from_id=rng.choice(people) if people and owner != DeviceOwner.OTHER
                else None,
                priority=priority, legal_authority=AUTHORITIES.pick(rng),
                triage_due_at=clocks.triage_due(seized, priority),
                created_by=investigator, created_at=seized + dt.timedelta(hours=2))
            if exhibit.created_at > now:
                exhibit.created_at = now
            _work(exhibit, rng, now, examiner)
            exhibits.append(exhibit)
    exhibits += _seized_this_week(investigations, rng, now, investigator, numbers)
    _leave_one_old(exhibits, now)
    Exhibit.objects.bulk_create(exhibits, batch_size=ctx.scale.batch_size)
    waiting = sum(1 for e in exhibits if e.stage in (ExhibitStage.WAITING_TRIAGE,
                                                     ExhibitStage.WAITING_FULL))
    old = sum(1 for e in exhibits if e.stage in (ExhibitStage.WAITING_TRIAGE,
                                                 ExhibitStage.WAITING_FULL)
              and e.seized_at < clocks.old_before(now))
    ctx.count("exhibits", len(exhibits))
    ctx.progress.write(f"    {len(exhibits)} seized devices, {waiting} waiting for the "
                       f"forensics unit, {old} of them old")


def _seized_this_week(investigations: list[Investigation], rng: random.Random,
                      now: dt.datetime, investigator: User, numbers: dict[int, int]
                      ) -> list[Exhibit]:
    """The latest seizures, still waiting for triage on the demo's day: one device for
    about one open investigation in eight (two at least), seized in the last few days;
    the first a child at immediate risk seized more than two days ago, so past its
    time."""
    open_ones = sorted((i for i in investigations if i.closed_at is None),
                       key=lambda i: (i.created_at, i.reference), reverse=True)
    fresh = []
    for number, investigation in enumerate(open_ones[:max(2, len(open_ones) // 8)]):
        hours = rng.randint(60, 90) if number == 0 else rng.randint(2, 60)
        seized = max(investigation.created_at, now - dt.timedelta(hours=hours))
        priority = (ExhibitPriority.IMMEDIATE_RISK if number == 0 or rng.random() < 0.4
                    else ExhibitPriority.OTHER)
        victims = [v.person_id for v in investigation.victims.all()]
        numbers[seized.year] = numbers.get(seized.year, 0) + 1
        fresh.append(Exhibit(
            reference=f"EXH-{seized.year}-{numbers[seized.year]:06d}",
            investigation=investigation, device_type=DeviceType.MOBILE_PHONE,
            description=rng.choice(MODELS[DeviceType.MOBILE_PHONE]), seized_at=seized,
            owner=DeviceOwner.VICTIM if victims else DeviceOwner.OTHER,
            seized_from_id=victims[0] if victims else None, priority=priority,
            legal_authority=LegalAuthority.CONSENT,
            triage_due_at=clocks.triage_due(seized, priority), created_by=investigator,
            created_at=min(now, seized + dt.timedelta(hours=1))))
    return fresh


def _leave_one_old(exhibits: list[Exhibit], now: dt.datetime) -> None:
    """The old exhibit: the device seized longest ago (more than the old-exhibit limit)
    that went on to a full examination is left waiting for it, its report never
    written."""
    limit = clocks.old_before(now) - dt.timedelta(days=5)
    candidates = sorted((e for e in exhibits if e.full_examination_needed
                         and e.seized_at < limit
                         and e.investigation.closed_at is None),
                        key=lambda e: (e.seized_at, e.reference), reverse=True)
    if not candidates:
        # None went on to a full examination: the oldest seized is left untriaged.
        candidates = sorted((e for e in exhibits if e.seized_at < limit
                             and e.investigation.closed_at is None),
                            key=lambda e: (e.seized_at, e.reference))
        if not candidates:
            return
        exhibit = candidates[0]
        exhibit.triaged_at = exhibit.triaged_by = exhibit.full_examination_needed = None
        exhibit.full_examination_due_at = None
        exhibit.triage_findings = ""
    else:
        exhibit = candidates[0]
    exhibit.stage = (ExhibitStage.WAITING_FULL if exhibit.full_examination_needed
                     else ExhibitStage.WAITING_TRIAGE)
    exhibit.examiner = exhibit.full_report_at = exhibit.full_report_on = None
    exhibit.full_report_summary = ""
    exhibit.returned_on = exhibit.retained_on = exhibit.disposed_on = None
    exhibit.returned_to = exhibit.retained_reason = ""
