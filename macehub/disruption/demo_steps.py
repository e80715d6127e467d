"""The demo's disruptions: for each confirmed (planted) offender group, a disruption on
each suspect (a Child Abduction Warning Notice protecting the group's victims, or now and
then a Sexual Risk Order), on the premises and vehicles the intelligence about its
members names (a hotel guest-information notice on a hotel, a closure notice on other
premises, a taxi licence action on a vehicle), started over the year before the demo's
day so that "Do disruptions work?" has figures before and after; about one in four
breached (a breach after it started), those past their expiry date expired, the rest
granted or served; and one expiring within the notice period for the work queues.

Rows are written directly, dated as the work happened (never after the demo's day), as
the investigation and forensics steps write theirs."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from macehub.accounts.models import User
from macehub.demo.progress import Progress
from macehub.demo.registry import DemoContext, demo_step
from macehub.disruption.codes import DisruptionStatus, TargetKind
from macehub.disruption.models import TARGET_FIELDS, Breach, Disruption, DisruptionChild, Tactic
from macehub.intelligence.models import ReportLink
from macehub.networks.codes import GroupStatus
from macehub.networks.models import Group

# After the forensics step (9400).
DISRUPTION_ORDER = 9500
LEAD = "investigator.police"
BREACHES = ("Seen with a child named in the notice at a takeaway late at night.",
            "Found in a car with a child named in the order.",
            "Stayed at the premises with a child despite the notice.")
ACTIONS = ("Arrested and interviewed; file passed to the CPS.",
           "Warning given and the breach recorded; the order's conditions reviewed.",
           "Arrested; remanded pending charge.")


def delete_demo_disruptions(progress: Progress) -> dict[str, int]:
    deleted, _ = Disruption.objects.all().delete()
    return {"disruptions": deleted}


@demo_step("disruption", order=DISRUPTION_ORDER, reset=delete_demo_disruptions,
           description="disruptions on the offender groups' suspects, premises and "
                       "vehicles over the last year (some breached, some expired)")
def demo_disruptions(ctx: DemoContext) -> None:
    lead = ctx.users.get(LEAD)
    if lead is None or lead.agency is None:
        ctx.progress.write("    no demo investigator: no disruptions")
        return
    rng, now = ctx.rng, timezone.now()
    today = timezone.localdate(now)
    tactics = {tactic.code: tactic for tactic in Tactic.objects.all()}
    planned: list[tuple[Tactic, str, int, list[int]]] = []
    for group in Group.objects.filter(status=GroupStatus.CONFIRMED).order_by("reference"):
        members = list(group.members.order_by("person_id").values_list("person_id", "part"))
        victims = [person for person, part in members if part == "victim"]
        suspects = [person for person, part in members if part == "suspect"]
        for suspect in suspects:
            tactic = tactics["sro"] if rng.random() < 0.25 else tactics["cawn"]
            planned.append((tactic, TargetKind.PERSON, suspect, victims))
        reports = ReportLink.objects.filter(person_id__in=suspects).values("report_id")
        links = ReportLink.objects.filter(report_id__in=reports)
        for premises_id, kind in sorted(set(links.filter(premises__isnull=False).values_list(
                "premises_id", "premises__kind"))):
            tactic = tactics["hotel_notice" if kind == "hotel" else "closure_nuisance"]
            planned.append((tactic, TargetKind.PREMISES, premises_id, victims))
        for vehicle_id in sorted(set(links.filter(vehicle__isnull=False).values_list(
                "vehicle_id", flat=True)))[:2]:
            planned.append((tactics["taxi_licence"], TargetKind.VEHICLE, vehicle_id, victims))
    made = _write(planned, ctx, lead, today, now)
    ctx.count("disruptions", made)


def _write(planned: list[tuple[Tactic, str, int, list[int]]], ctx: DemoContext, lead: User,
           today: dt.date, now: dt.datetime) -> int:
    rng = ctx.rng
    disruptions, children, breaches = [], [], []
    seen: set[tuple[str, int]] = set()
    for number, (tactic, kind, target, victims) in enumerate(planned, start=1):
        if (kind, target) in seen:
            continue
        seen.add((kind, target))
        started = today - dt.timedelta(days=rng.randint(20, 330))
        applied = started - dt.timedelta(days=rng.randint(1, 14))
        length = tactic.usual_length_days or 365
        expires = started + dt.timedelta(days=length)
        status = DisruptionStatus.SERVED if tactic.code in {"cawn", "hotel_notice"} \
            else DisruptionStatus.GRANTED
        breach_on = None
        if expires <= today:
            status = DisruptionStatus.EXPIRED
        elif rng.random() < 0.25:
            breach_on = started + dt.timedelta(days=rng.randint(1, max(1, (today - started).days)))
            status = DisruptionStatus.BREACHED
        created = min(now, timezone.make_aware(dt.datetime.combine(applied, dt.time(10))))
        disruption = Disruption(
            reference=f"DIS-{applied.year}-{number:06d}", tactic=tactic, target_kind=kind,
            status=status, applied_on=applied, started_on=started, expires_on=expires,
            lead_officer=lead, lead_agency=lead.agency,
            created_by=lead, created_at=created,
            details="Demo disruption (synthetic).")
        setattr(disruption, f"{TARGET_FIELDS[kind]}_id", target)
        disruptions.append((disruption, victims, breach_on))
    # One granted order expiring within the notice period, for the work queues.
    for disruption, _, breach_on in disruptions:
        if disruption.status == DisruptionStatus.GRANTED and breach_on is None:
            disruption.expires_on = today + dt.timedelta(days=14)
            break
    Disruption.objects.bulk_create([d for d, _, _ in disruptions],
                                   batch_size=ctx.scale.batch_size)
    for disruption, victims, breach_on in disruptions:
        children += [DisruptionChild(disruption=disruption, person_id=person)
                     for person in victims if person != getattr(disruption,
                                                                "target_person_id", None)]
        if breach_on is not None:
            breaches.append(Breach(
                disruption=disruption, occurred_on=breach_on,
                what_happened=rng.choice(BREACHES), action_taken=rng.choice(ACTIONS),
                recorded_by=disruption.lead_officer,
                recorded_at=min(now, timezone.make_aware(
                    dt.datetime.combine(breach_on, dt.time(18))))))
    DisruptionChild.objects.bulk_create(children, batch_size=ctx.scale.batch_size)
    Breach.objects.bulk_create(breaches, batch_size=ctx.scale.batch_size)
    ctx.progress.write(f"    {len(disruptions)} disruptions, {len(breaches)} breached")
    return len(disruptions)
