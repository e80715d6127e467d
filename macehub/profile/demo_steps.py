"""The demo's problem profile: exploitation models on the demo's cases and offender groups,
then one published profile (the last whole quarter, drafted by the demo's analyst and
published by its senior leader) and one draft (the last whole month), so the profile
pages have something to show.

Runs after every step whose records the profile counts (disruption and meetings at 9500).
A case takes the exploitation model of the referral that opened it (a case opened without
a referral keeps none: "Not recorded" on the profile). A confirmed group made of a planted
offender group's suspects is group-based, or, for every third planted group, party-based
(children taken to parties where they are abused); a group found that no plant made stays
not recorded."""

from __future__ import annotations

import datetime as dt

from macehub.cases.codes import ExploitationModel
from macehub.cases.models import Case
from macehub.core.metrics import Period
from macehub.demo.intelligence_truth import planted_offender_groups
from macehub.demo.progress import Progress
from macehub.demo.registry import DemoContext, demo_step
from macehub.networks.codes import GroupStatus
from macehub.networks.models import Group, GroupMember
from macehub.profile import document
from macehub.profile.models import ProblemProfile
from macehub.referrals.models import Referral

PROFILE_ORDER = 9600  # after the places (9550): its hotspots count them
ANALYST = "analyst.police"
SENIOR_LEADER = "senior.police"
PUBLISHED_WORDS = {
    "time_patterns": (
        "Children go missing most often in the evening and at weekends; intelligence "
        "follows the same days.",
        "Target return home interviews and patrols at Friday and Saturday evenings."),
    "venues": (
        "Hotels and takeaways are linked to more intelligence than any other kind of venue.",
        "Renew Operation Makesafe visits to hotels and takeaways; consider hotel "
        "guest-information notices where intelligence repeats."),
    "exploitation_models": (
        "Most confirmed groups exploit children together; parties recur in the planted "
        "networks.",
        "Record an exploitation model on every case: too many are not recorded."),
}


def delete_demo_profiles(progress: Progress) -> dict[str, int]:
    deleted, _ = ProblemProfile.objects.all().delete()
    Case.objects.exclude(exploitation_model="").update(exploitation_model="")
    Group.objects.exclude(exploitation_model="").update(exploitation_model="")
    return {"problem profiles": deleted}


def _last_quarter(as_of: dt.date) -> Period:
    first_month = ((as_of.month - 1) // 3) * 3 + 1
    end = dt.date(as_of.year, first_month, 1) - dt.timedelta(days=1)
    return Period(dt.date(end.year, end.month - 2, 1), end)


def _last_month(as_of: dt.date) -> Period:
    end = as_of.replace(day=1) - dt.timedelta(days=1)
    return Period.month(end.year, end.month)


def _case_models() -> int:
    """Each case takes the model of the earliest referral that opened or joined it."""
    models: dict[int, str] = {}
    for case_id, model in (Referral.objects.filter(case__isnull=False)
                           .order_by("received_at", "pk")
                           .values_list("case_id", "exploitation_model")):
        models.setdefault(case_id, model)
    for model in ExploitationModel.values:
        Case.objects.filter(pk__in=[pk for pk, m in models.items() if m == model]).update(
            exploitation_model=model)
    return len(models)


def _group_models() -> int:
    planted = planted_offender_groups()
    members: dict[int, set[int]] = {}
    for group_id, person_id in GroupMember.objects.filter(
            group__status=GroupStatus.CONFIRMED).order_by("pk").values_list(
            "group_id", "person_id"):
        members.setdefault(group_id, set()).add(person_id)
    set_models = 0
    for group_id, people in sorted(members.items()):
        for truth in planted:
            if people & set(truth.suspect_ids):
                model = (ExploitationModel.PARTY if truth.number % 3 == 2
                         else ExploitationModel.GROUP_BASED)
                Group.objects.filter(pk=group_id).update(exploitation_model=model)
                set_models += 1
                break
    return set_models


@demo_step("problem profile", order=PROFILE_ORDER, reset=delete_demo_profiles,
           description="exploitation models on cases and groups; one published problem "
                       "profile and one draft")
def demo_profiles(ctx: DemoContext) -> None:
    cases, groups = _case_models(), _group_models()
    ctx.progress.write(f"    exploitation models on {cases} cases and {groups} groups")
    analyst, leader = ctx.users.get(ANALYST), ctx.users.get(SENIOR_LEADER)
    if analyst is None or leader is None:
        ctx.progress.write("    no demo analyst or senior leader: no problem profiles")
        return
    quarter = _last_quarter(ctx.as_of)
    published = document.start_draft(
        actor=analyst, title=f"Child exploitation problem profile, {quarter.label()}",
        period=quarter, area=None)
    for key, (assessment, recommendations) in PUBLISHED_WORDS.items():
        document.save_section(actor=analyst, profile_pk=published.pk, key=key,
                              expected_version=1, assessment=assessment,
                              recommendations=recommendations)
    document.publish(actor=leader, profile_pk=published.pk, expected_version=published.version)
    month = _last_month(ctx.as_of)
    document.start_draft(actor=analyst,
                         title=f"Child exploitation problem profile, {month.label()}",
                         period=month, area=None)
    ctx.count("problem profiles", 2)
