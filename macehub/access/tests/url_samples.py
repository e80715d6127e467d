"""Records for the URL x role test: a change of access waiting for a second
administrator (a sample referrer asked to become an analyst in the hub team), asked for by
a sample administrator, so that any other administrator may decide it; and a partner
system's API client; an agency's own identity provider (its secret not in the
environment, so not offered: its start address is not found)."""

from __future__ import annotations

from typing import Any

from macehub.access.account_services import save_user
from macehub.accounts.roles import Role
from macehub.testing.factories import make_api_client, make_identity_provider, make_user


def build(samples: dict[str, Any]) -> None:
    agency, team = samples["hub_agency"], samples["hub_team"]
    requester = make_user("sample.role.requester", Role.ADMINISTRATOR, agency=agency)
    subject = make_user("sample.role.subject", Role.REFERRER, agency=agency)
    subject.team = team
    saved = save_user(actor=requester, user=subject, roles=[Role.REFERRER, Role.ANALYST],
                      reason="Sample request for the URL test")
    assert saved.request is not None, "joining the hub team as an analyst needs approval"
    samples["role_change_pk"] = saved.request
    samples["api_client_pk"], _token = make_api_client("sample-partner", Role.REFERRER,
                                                       agency=agency)
    identity_provider = make_identity_provider(agency, "sample-provider")
    samples["slug"] = identity_provider.slug
    samples["identity_provider_pk"] = identity_provider
