"""Samples for the URL x role test: a reviewed intelligence report with handling code P,
owned by the sample hub team (so hub members may see it), linked to one of each entity;
and a partner submission made by the sample user (so everyone else's "my submission"
page is not found)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from macehub.intelligence.models import (
    Location,
    OnlineAccount,
    PhoneNumber,
    Premises,
    Submission,
    Vehicle,
)
from macehub.intelligence.tests.factories import link, make_report


def build(samples: dict[str, Any]) -> None:
    team, author = samples["hub_team"], samples["user_pk"]
    report = make_report(team, author, handling_code="P", reference="INT-SAMPLE-0001")
    samples["intel_report_pk"] = report
    location = Location.objects.create(description="Sample car park", postcode="XB1 1AA")
    samples["intel_location_pk"] = location
    vehicle = Vehicle.objects.create(registration="XB01ABC", make="Sample", colour="Grey")
    samples["intel_vehicle_pk"] = vehicle
    phone = PhoneNumber.objects.create(number="+447700900001")
    samples["intel_phone_pk"] = phone
    account = OnlineAccount.objects.create(platform="snapchat", handle="sample.account")
    samples["intel_account_pk"] = account
    premises = Premises.objects.create(name="Sample Takeaway", kind="takeaway")
    samples["intel_premises_pk"] = premises
    samples["intel_link_pk"] = link(report, vehicle)
    for entity in (location, phone, account, premises, samples["person_pk"]):
        link(report, entity)
    samples["intel_submission_pk"] = Submission.objects.create(
        reference="SUB-SAMPLE-0001", submitted_by=author, agency=samples["hub_agency"],
        received_at=timezone.now(), what="Sample information", how_known="Saw it",
    )
