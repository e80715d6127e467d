"""Samples for the URL-by-role walk: a draft problem profile (with its sections) and a
published one, for the whole force over a fixed month."""

from __future__ import annotations

import datetime as dt
from typing import Any

from macehub.accounts.roles import Role
from macehub.core.metrics import Period
from macehub.profile import document
from macehub.testing.factories import make_user


def build(samples: dict[str, Any]) -> None:
    analyst = make_user("sample.profile.analyst", Role.ANALYST, agency=samples["hub_agency"],
                        team=samples["hub_team"])
    leader = make_user("sample.profile.leader", Role.SENIOR_LEADER,
                       agency=samples["hub_agency"], team=samples["hub_team"])
    month = Period.month(2024, 1)
    draft = document.start_draft(actor=analyst, title="Sample draft profile", period=month,
                                 area=None)
    to_publish = document.start_draft(actor=analyst, title="Sample published profile",
                                      period=Period(dt.date(2024, 1, 1), dt.date(2024, 3, 31)),
                                      area=None)
    published = document.publish(actor=leader, profile_pk=to_publish.pk,
                                 expected_version=to_publish.version)
    samples["draft_profile_pk"] = draft
    samples["profile_section_key"] = "venues"
    samples["profile_pk"] = published
