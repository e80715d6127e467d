"""The demo's training: a year of it for every demo account, with known truth planted.

Every demo user holds the awareness course, completed on a day of the last year; the
frontline course is held by those who must take it, except the children's services hub
social worker (so that hub team's frontline compliance is 50%); the investigator and the
supervisor of the police hub hold the specialist CSE investigation course, and nobody
holds ABE interviewing (so choosing ``investigator.police`` as an ABE interviewer shows
the warning). Outside the hub teams, the school's awareness expires within the notice
days and the council licensing officer's expired a year ago; the health hub nurse's
frontline course expires within them too.

Records are written directly as a learning system's import for each agency (the police
force's entered by its training lead), dated as the training happened, never after the
demo's day."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from macehub.accounts.models import User
from macehub.demo.accounts import DEMO_AGENCY_CODES, demo_users_filter
from macehub.demo.progress import Progress
from macehub.demo.registry import DemoContext, demo_step
from macehub.training.codes import RecordSource
from macehub.training.models import Course, TrainingImport, TrainingRecord
from macehub.training.services import add_months, usual_expiry

TRAINING_ORDER = 9700
FRONTLINE_HOLDERS = ("triage.police", "triage.socialcare", "triage.health",
                     "advocate.voluntary", "referrer.police")
SPECIALIST_HOLDERS = ("investigator.police", "supervisor.police")
# Planted: awareness expiring within the notice days, and awareness long expired.
AWARENESS_EXPIRING = "referrer.school"
AWARENESS_EXPIRED = "referrer.council"
FRONTLINE_EXPIRING = "triage.health"
WITHOUT_FRONTLINE = "socialworker.socialcare"


def delete_demo_training(progress: Progress) -> dict[str, int]:
    deleted, _ = TrainingRecord.objects.filter(
        person__in=User.objects.filter(demo_users_filter())).delete()
    imports, _ = TrainingImport.objects.filter(agency__code__in=DEMO_AGENCY_CODES).delete()
    return {"training records": deleted, "training imports": imports}


@demo_step("training", order=TRAINING_ORDER, reset=delete_demo_training,
           description="a year of training for every demo account (awareness for all, "
                       "frontline and specialist courses; some expiring, some expired)")
def demo_training(ctx: DemoContext) -> None:
    rng, now = ctx.rng, timezone.now()
    today = timezone.localdate(now)
    courses = {course.code: course for course in Course.objects.all()}
    lead = ctx.users.get("training.police")
    planned: list[tuple[User, Course, dt.date]] = []
    for username in sorted(ctx.users):
        user = ctx.users[username]
        if not user.is_active:
            continue
        awareness = today - dt.timedelta(days=rng.randint(20, 360))
        if username == AWARENESS_EXPIRING:
            awareness = add_months(today, -36) + dt.timedelta(days=30)
        elif username == AWARENESS_EXPIRED:
            awareness = add_months(today, -48)
        planned.append((user, courses["cse_awareness"], awareness))
        if username in FRONTLINE_HOLDERS:
            frontline = (add_months(today, -24) + dt.timedelta(days=45)
                         if username == FRONTLINE_EXPIRING
                         else today - dt.timedelta(days=rng.randint(20, 360)))
            planned.append((user, courses["cse_frontline"], frontline))
        if username in SPECIALIST_HOLDERS:
            planned.append((user, courses["cse_specialist_investigation"],
                            today - dt.timedelta(days=rng.randint(20, 360))))
    imports: dict[int, TrainingImport] = {}
    records: list[TrainingRecord] = []
    for user, course, completed_on in planned:
        agency = user.agency
        if agency is None:
            continue
        if agency.pk not in imports:
            imports[agency.pk] = TrainingImport.objects.create(
                agency=agency, file_name=f"{agency.code}-learning-system.csv", records=0,
                imported_by=lead if lead is not None and lead.agency_id == agency.pk
                else None, imported_at=now)
        done = imports[agency.pk]
        done.records += 1
        records.append(TrainingRecord(
            person=user, course=course, completed_on=completed_on,
            expires_on=usual_expiry(course, completed_on), evidence=f"LMS-{len(records) + 1:05d}",
            source=RecordSource.IMPORTED, training_import=done, recorded_by=done.imported_by,
            recorded_at=now))
    TrainingRecord.objects.bulk_create(records)
    for done in imports.values():
        done.save(update_fields=["records"])
    ctx.count("training records", len(records))
