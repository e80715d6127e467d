"""Sexual activity with a child aged 12 or under is rape in law (Sexual Offences Act 2003
s.5): the referral is Red and prompts telling the police at once and a strategy
discussion, each recorded on the referral as done (when, by whom) or not (why). The age
is the child's on the day the referral was received."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.cases.codes import Brag
from macehub.core.service_errors import ServiceRefused
from macehub.referrals.codes import ImmediateStepKind
from macehub.referrals.models import ImmediateStep
from macehub.referrals.services import (
    ReferralSubmission,
    record_immediate_step,
    submit_referral,
)
from macehub.testing.factories import make_person

pytestmark = pytest.mark.django_db


def _years_ago(years: int, days: int = 0) -> dt.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - dt.timedelta(days=days)


def _refer(referrer, child, *, sexual_activity: bool):
    return submit_referral(actor=referrer, submission=ReferralSubmission(
        concerns="Synthetic: seen with an adult man at night.", exploitation_model="not_known",
        immediate_risk=False, disclosure=False, child_pk=child.pk,
        sexual_activity=sexual_activity))


def test_a_12_year_old_with_sexual_activity_is_red_with_the_prompts(
    referrer, school, triage_officer, client_for
) -> None:
    child = make_person(school, given_name="Ruby", date_of_birth=_years_ago(13, days=-1))
    referral = _refer(referrer, child, sexual_activity=True)  # 12 until tomorrow
    assert referral.suggested_brag == Brag.RED and referral.partner_check_brag == Brag.RED
    assert referral.prompts_immediate_steps
    page = client_for(triage_officer).get(
        reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "rape in law" in page and "Not recorded yet" in page
    assert "Police notified" in page and "Strategy discussion held" in page


def test_a_13_year_old_is_not_forced_red_by_this_rule(referrer, school) -> None:
    child = make_person(school, given_name="Tia", date_of_birth=_years_ago(13))
    referral = _refer(referrer, child, sexual_activity=True)
    assert referral.suggested_brag == Brag.BLUE  # no indicators
    assert not referral.prompts_immediate_steps


def test_a_12_year_old_with_no_sexual_activity_has_no_prompts(referrer, school) -> None:
    child = make_person(school, given_name="Kai", date_of_birth=_years_ago(12))
    referral = _refer(referrer, child, sexual_activity=False)
    assert referral.suggested_brag == Brag.BLUE and not referral.prompts_immediate_steps


def test_each_step_is_recorded_done_or_not_when_and_by_whom(
    referrer, school, triage_officer, client_for
) -> None:
    child = make_person(school, given_name="Ruby", date_of_birth=_years_ago(11))
    referral = _refer(referrer, child, sexual_activity=True)
    triage = client_for(triage_officer)
    url = reverse("referrals:immediate_step",
                  args=[referral.pk, ImmediateStepKind.POLICE_NOTIFICATION.value])
    assert triage.get(url).status_code == 200
    refused = triage.post(url, {"done": "yes"})
    assert "Enter the date it was done" in refused.content.decode()
    now = timezone.localtime()
    done = triage.post(url, {"done": "yes", "done_on_day": str(now.day),
                             "done_on_month": str(now.month), "done_on_year": str(now.year),
                             "done_time": f"{now:%H:%M}", "note": "CAD 1234, PC Example"})
    assert done.status_code == 302
    step = ImmediateStep.objects.get(referral=referral, kind="police_notification")
    assert step.done and step.recorded_by == triage_officer and step.done_at is not None
    assert AuditEvent.objects.filter(event_type=EventType.CREATE,
                                     record_type="referrals.immediatestep").exists()
    # Not done needs a reason.
    with pytest.raises(ServiceRefused):
        record_immediate_step(actor=triage_officer, referral_pk=referral.pk,
                              kind=ImmediateStepKind.STRATEGY_DISCUSSION, done=False)
    record_immediate_step(actor=triage_officer, referral_pk=referral.pk,
                          kind=ImmediateStepKind.STRATEGY_DISCUSSION, done=False,
                          note="Social care duty manager arranging it for 3pm")
    page = triage.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "Done" in page and "Not done" in page and "duty manager" in page


def test_a_referral_that_prompts_nothing_has_no_steps_to_record(
    referrer, school, triage_officer, client_for
) -> None:
    child = make_person(school, given_name="Tia", date_of_birth=_years_ago(15))
    referral = _refer(referrer, child, sexual_activity=True)
    triage = client_for(triage_officer)
    url = reverse("referrals:immediate_step", args=[referral.pk, "police_notification"])
    page = triage.get(url).content.decode()
    assert "prompts no step to record here" in page and "<form" not in page.split("<main")[1]
    assert triage.post(url, {"done": "no", "note": "x"}).status_code == 200
    assert not ImmediateStep.objects.exists()
    assert triage.get(reverse("referrals:immediate_step",
                              args=[referral.pk, "something_else"])).status_code == 404
    with pytest.raises(ServiceRefused):
        record_immediate_step(actor=triage_officer, referral_pk=referral.pk,
                              kind=ImmediateStepKind.POLICE_NOTIFICATION, done=True,
                              done_at=timezone.now())
