"""Samples for the URL x role test: a referral about the sample child, made by the
sample referrer (so every other user's "my referral" page is not found)."""

from __future__ import annotations

from typing import Any

from macehub.referrals.tests.factories import make_referral


def build(samples: dict[str, Any]) -> None:
    samples["referral_pk"] = make_referral(
        samples["person_pk"], samples["user_pk"], indicator_codes=("GROOMING_GIFTS",)
    )
