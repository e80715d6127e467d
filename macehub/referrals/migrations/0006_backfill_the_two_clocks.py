"""Existing referrals keep the due time their BRAG clock gave them as the partner-check
due time (or, where triage gave another rating, the new rating's: the clock follows
it), and get the decision clock every referral now has: one working day from
receipt (the same Europe/London wall-clock time on the next working day; weekends and
England and Wales bank holidays skipped), from ``settings.REFERRAL_DECISION_CLOCK``.

The working-day arithmetic is copied here, not imported, so this migration does not
change when the application's code does. Undone, the decision clock is the BRAG clock
again.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.db import migrations

LONDON = ZoneInfo("Europe/London")
DEFAULT_PARTNER_CHECK_CLOCKS = {"red": {"hours": 2}, "amber": {"hours": 6},
                                "green": {"hours": 24}, "blue": {"working_days": 1}}


def _is_working_day(day, bank_holidays):
    return day.weekday() < 5 and day not in bank_holidays


def _one_clock(received_at, spec):
    (kind, value), = spec.items()
    if kind == "hours":
        return received_at.astimezone(dt.UTC) + dt.timedelta(hours=value)
    local = received_at.astimezone(LONDON)
    day = local.date()
    bank_holidays = holidays.country_holidays("GB", subdiv="ENG",
                                              years=range(day.year, day.year + 2))
    remaining = value
    while remaining > 0:
        day += dt.timedelta(days=1)
        if _is_working_day(day, bank_holidays):
            remaining -= 1
    wall_clock = dt.datetime.combine(day, local.time().replace(tzinfo=None, fold=0))
    return wall_clock.replace(tzinfo=LONDON).astimezone(dt.UTC)


def forwards(apps, schema_editor):
    Referral = apps.get_model("referrals", "Referral")
    spec = getattr(settings, "REFERRAL_DECISION_CLOCK", {"working_days": 1})
    check_specs = getattr(settings, "PARTNER_CHECK_CLOCKS", DEFAULT_PARTNER_CHECK_CLOCKS)
    fields = ("pk", "received_at", "decision_due_at", "partner_check_brag", "brag")
    for referral in Referral.objects.only(*fields).iterator():
        # A rating triage changed: the partner-check clock follows it.
        follows = referral.brag and referral.brag != referral.partner_check_brag
        Referral.objects.filter(pk=referral.pk).update(
            partner_check_brag=referral.brag if follows else referral.partner_check_brag,
            partner_checks_due_at=(_one_clock(referral.received_at, check_specs[referral.brag])
                                   if follows else referral.decision_due_at),
            decision_due_at=_one_clock(referral.received_at, spec),
        )


def backwards(apps, schema_editor):
    Referral = apps.get_model("referrals", "Referral")
    # The BRAG clock had run on the suggested rating: it becomes the decision clock again.
    spec = getattr(settings, "PARTNER_CHECK_CLOCKS", DEFAULT_PARTNER_CHECK_CLOCKS)
    fields = ("pk", "received_at", "suggested_brag")
    for referral in Referral.objects.only(*fields).iterator():
        Referral.objects.filter(pk=referral.pk).update(
            partner_check_brag=referral.suggested_brag,
            decision_due_at=_one_clock(referral.received_at, spec[referral.suggested_brag]))


class Migration(migrations.Migration):

    dependencies = [
        ('referrals', '0005_two_clocks_and_partner_checks'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
