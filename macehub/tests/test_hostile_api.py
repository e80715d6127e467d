"""The API's write endpoints given hostile JSON (Hypothesis), as a partner system with a
bearer token: a good body with some of its values replaced by hostile ones (text with NUL,
lone surrogates, control and right-to-left characters; huge numbers; lists, objects and
nulls where a value is expected). The answer is never a server error; a refusal (400)
saves nothing; an accepted body is stored as it was sent (text with leading and trailing
whitespace trimmed, as the API's text fields do).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import example, given, settings
from hypothesis import strategies as st

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import Role
from macehub.intelligence.models import Submission
from macehub.referrals.models import Referral
from macehub.referrals.tests.test_api import REFERRAL
from macehub.testing.factories import make_api_client
from macehub.testing.hostile import HOSTILE_NUMBERS, examples, hostile_text

SUBMISSION = {"what": "A red car at the school gate", "how_known": "Seen by staff",
              "when": "Fridays after school", "where": "Park Road", "who": "Two men"}

ODD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(HOSTILE_NUMBERS),
    st.just(["a", "b"]), st.just({"value": "x"}), st.just([]), st.just({}),
    st.just("\ud800 lone surrogate"), st.just("\udfff"),
)


def _hostile_body(good: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    keys = sorted(good)

    @st.composite
    def body(draw: st.DrawFn) -> dict[str, Any]:
        made = json.loads(json.dumps(good))
        for key in draw(st.lists(st.sampled_from(keys), max_size=3, unique=True)):
            made[key] = draw(st.one_of(hostile_text(), ODD_VALUES))
        return made

    return body()


def _post(client: Client, url: str, token: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def partner_token(hub_agency: Agency, hub_team: Team) -> str:
    _client, token = make_api_client("hostile", Role.REFERRER, agency=hub_agency,
                                     team=hub_team)
    return token


@pytest.mark.django_db
def test_hostile_submissions_are_stored_as_sent_or_refused(partner_token: str) -> None:
    client = Client()
    accepted = []

    @settings(max_examples=examples(25))
    @given(body=_hostile_body(SUBMISSION))
    @example(body={**SUBMISSION, "what": "nul\x00byte"})
    @example(body={**SUBMISSION, "who": "\ud800"})
    @example(body={**SUBMISSION, "when": "W" * 201})
    @example(body={**SUBMISSION, "what": "  =cmd|' /C calc'!A0\u202e  "})
    def check(body: dict[str, Any]) -> None:
        with transaction.atomic():
            before = Submission.objects.count()
            response = _post(client, "/api/intelligence/submissions/", partner_token, body)
            assert response.status_code in (201, 400), (response.status_code, body)
            if response.status_code == 400:
                assert Submission.objects.count() == before
            else:
                accepted.append(body)
                stored = Submission.objects.get(pk=response.json()["id"])
                for key in SUBMISSION:
                    assert getattr(stored, key) == str(body.get(key, "")).strip(), key
            transaction.set_rollback(True)

    check()
    assert accepted, "no hostile submission was accepted: the read-back never ran"


@pytest.mark.django_db
def test_hostile_referrals_are_stored_as_sent_or_refused(partner_token: str) -> None:
    client = Client()
    accepted = []

    @settings(max_examples=examples(25))
    @given(body=_hostile_body(REFERRAL))
    @example(body={**REFERRAL, "concerns": "nul\x00byte"})
    @example(body={**REFERRAL, "concerns": "\ud800"})
    @example(body={**REFERRAL, "missing_episodes": 2**63})
    @example(body={**REFERRAL, "child_id": 2**63})
    @example(body={**REFERRAL, "new_child": {**REFERRAL["new_child"], "estimated_age": 2**40}})
    @example(body={**REFERRAL, "child_identifiers": [{"kind": "upn", "value": "\x00"}]})
    @example(body={**REFERRAL, "concerns": "  \u202eleft to right\u202c \U0001f469\u200d  "})
    def check(body: dict[str, Any]) -> None:
        with transaction.atomic():
            before = Referral.objects.count()
            response = _post(client, "/api/referrals/", partner_token, body)
            assert response.status_code in (201, 400), (response.status_code, body)
            if response.status_code == 400:
                assert Referral.objects.count() == before
            else:
                accepted.append(body)
                stored = Referral.objects.get(reference=response.json()["reference"])
                assert stored.concerns == str(body["concerns"]).strip()
                assert stored.consent_not_sought_reason == str(
                    body.get("consent_not_sought_reason", "")).strip()
            transaction.set_rollback(True)

    check()
    assert accepted, "no hostile referral was accepted: the read-back never ran"
