"""schemathesis against the hub's own OpenAPI schema, in process (WSGI, no server): every
operation, called as a partner system with a bearer token, with input its schema allows
and input it does not, answers without a server error and as its schema says (body and
content type).

The client's service account holds every role in a hub team, so each operation does its
work rather than refuse. Generated values seldom name a record that exists or make a
referral the intake service accepts, so each operation is also called once with the URL
samples' records (and a referral the service takes), and those calls must succeed.
Generation is small and derandomised so the run is short and the same every time."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from macehub.access.tests.routes import build_samples, url_value
from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import Role
from macehub.referrals.tests.factories import make_referral
from macehub.referrals.tests.test_api import REFERRAL
from macehub.testing.factories import make_api_client

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance,
          content_type_conformance]
EXAMPLES_PER_OPERATION = 12
POST_BODIES = {
    "/api/referrals/": REFERRAL,
    "/api/intelligence/submissions/": {"what": "A red car at the school gate",
                                       "how_known": "Seen by staff"},
}


@pytest.fixture
def in_process_app() -> Iterator[Any]:
    """The hub's WSGI application, called inside the test's transaction: as Django's test
    client does, it does not close the database connection around each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_every_operation_answers_as_its_schema_says(
    hub_agency: Agency, hub_team: Team, in_process_app: Any
) -> None:
    samples = build_samples(hub_agency, hub_team)
    client, token = make_api_client("conformance", *Role, agency=hub_agency, team=hub_team)
    # A referral of its own, so that the partner's status read finds one.
    samples["referral_pk"] = make_referral(samples["person_pk"], client.service_account)
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", in_process_app,
                                            headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15, "the schema lost its operations"
    failures: list[str] = []
    for operation in operations:
        known_input: dict[str, Any] = {"path_parameters": {
            name: url_value(samples[name], name)
            for name in re.findall(r"{(\w+)}", operation.path)
        }}
        if operation.path == "/api/people/":
            known_input["query"] = {"q": "Jordan"}
        if operation.method.upper() == "POST":
            known_input["media_type"] = "application/json"
            known_input["body"] = POST_BODIES[operation.path]
        known = operation.Case(**known_input)
        response = known.call(headers=headers)
        if response.status_code not in (200, 201):
            failures.append(f"{operation.label} with the samples: {response.status_code}")
        try:
            known.validate_response(response, checks=CHECKS)
        except Exception as failure:
            failures.append(f"{operation.label} with the samples: {str(failure)[:1500]}")

        @hypothesis.given(case=operation.as_strategy(GenerationMode.POSITIVE)
                          | operation.as_strategy(GenerationMode.NEGATIVE))
        @hypothesis.settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None,
                             derandomize=True, database=None,
                             suppress_health_check=list(HealthCheck), phases=[
                                 hypothesis.Phase.explicit, hypothesis.Phase.generate])
        def check(case: Any) -> None:
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS)

        try:
            check()
        except Exception as failure:
            failures.append(f"{operation.label}: {str(failure)[:1500]}")
    assert not failures, "\n\n".join(failures)
