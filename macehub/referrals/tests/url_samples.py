"""Samples for the URL x role test: a referral about the sample child, made by the
sample referrer (so every other user's "my referral" page is not found), with
information the referrer added later, picked up by a triage officer of the hub (so anyone
else who triages is asked to confirm a take-over), and a partner check on it asked of the
hub's own agency (so its hub members may return it). A partner's file mapping, and an
import with it made by another triage officer (an import is its requester's alone)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from macehub.accounts.roles import Role
from macehub.referrals.codes import ImmediateStepKind
from macehub.referrals.models import (
    PartnerCheck,
    PartnerImport,
    PartnerMapping,
    ReferralAddition,
)
from macehub.referrals.tests.factories import make_referral
from macehub.testing.factories import make_user


def build(samples: dict[str, Any]) -> None:
    referral = make_referral(
        samples["person_pk"], samples["user_pk"], indicator_codes=("GROOMING_GIFTS",)
    )
    samples["referral_pk"] = referral
    now = timezone.now()
    referral.picked_up_by = make_user("sample.picker", Role.TRIAGE, agency=samples["hub_agency"],
                                      team=samples["hub_team"])
    referral.picked_up_at = now
    referral.save(update_fields=["picked_up_by", "picked_up_at"])
    # Information the referrer added later: on the referral and in the child's chronology.
    ReferralAddition.objects.create(referral=referral, text="Seen again with the same car.",
                                    added_by=samples["user_pk"], added_at=now)
    samples["kind"] = ImmediateStepKind.POLICE_NOTIFICATION.value
    samples["check_pk"] = PartnerCheck.objects.create(
        referral=referral, agency=samples["hub_agency"], requested_by=samples["user_pk"],
        requested_at=now, brag=referral.partner_check_brag,
        due_at=now + dt.timedelta(hours=24),
    )
    mapping = PartnerMapping.objects.create(
        agency=samples["hub_agency"], name="Sample system", kind="children",
        columns={"given_name": "Forename", "family_name": "Surname",
                 "date_of_birth": "DOB"}, updated_by=samples["user_pk"])
    samples["mapping_pk"] = mapping
    samples["import_owner"] = referral.picked_up_by
    samples["import_pk"] = PartnerImport.objects.create(
        mapping=mapping, requested_by=referral.picked_up_by, requested_at=now,
        file_name="children.csv", status="done", rows_total=1, rows_done=1,
        report={"rows": 1, "people_created": 1, "matched_rows": 0, "new_rows": 1,
                "pairs_proposed": 0, "matches": [], "people": [samples["person_pk"].pk]})
