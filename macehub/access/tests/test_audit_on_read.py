"""Every page that shows a personal record audits the read: a GET by a user allowed to
open it writes an audit entry naming the record.

Like the URL×role test it walks the URL configuration, so a new record page is covered
the moment it is routed. A URL keyword names a personal record unless it is listed in
``NOT_PERSONAL`` with the reason: new kinds of record are personal until shown not to be.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client

from macehub.access.policy import RULES, can
from macehub.access.tests.routes import ROUTES, Route, build_samples, url_for
from macehub.accounts.models import Agency, Team, User
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.audit.services import record_type_of
from macehub.testing.factories import verified_login

if TYPE_CHECKING:
    from macehub.conftest import StandardUsers

# URL keywords that do not name a record about a person, and why.
NOT_PERSONAL = {
    "agency_pk": "an agency's name and kind",
    "team_pk": "a team's name",
    "user_pk": "a member of staff's account (administration, not a person the hub holds)",
    "role_change_pk": "a request to change a member of staff's access (administration, as "
                      "user_pk; its asking and deciding are audited)",
    "area_code": "an area and its census counts",
    "metric_code": "a performance measure (aggregates)",
    "report_pk": "a monthly performance report (aggregates, frozen)",
    "course_pk": "a training course of the catalogue (no person's training)",
    "requirement_pk": "a rule of who must take a training course (no person's training)",
    "record_kind": "a kind of record under retention review: the record is the next keyword, "
                   "whose model depends on the kind; its review page's audited read is "
                   "tested in governance/tests/test_retention_pages.py",
    "api_client_pk": "a partner system's API client (administration: its name, agency and "
                     "token's dates; issuing and revoking it are audited)",
    "identity_provider_pk": "an agency's identity provider (administration: its endpoints, "
                            "client ID and the name of its secret's variable, never the "
                            "secret; its changes audited)",
    "agreement_pk": "an information-sharing agreement between agencies (its parties, "
                    "purpose and basis; counts of what relies on it; its changes audited)",
    "mapping_pk": "how a partner system's export reads: its column headings and code "
                  "translations (its changes audited)",
}
# Pages about a personal record that show none of its personal data, and why.
SHOWS_NO_PERSONAL_DATA = {
    # Asks why before a restricted case is opened: shows its reference only.
    "cases:open_restricted",
    # The merge form's action: a GET is sent on to the pair's review page, audited there.
    "people:merge_pair",
}
READ_EVENTS = {EventType.VIEW, EventType.EXPORT}


def record_routes() -> list[Route]:
    return [
        route for route in ROUTES
        if route.kwargs and route.kwargs[0] not in NOT_PERSONAL
        and not route.is_public and route.name not in SHOWS_NO_PERSONAL_DATA
    ]


def test_the_walk_finds_the_record_pages() -> None:
    names = {route.name for route in record_routes()}
    # A guard that the walk ran on something: one page of each kind the hub holds.
    for expected in ("people:detail", "people:edit", "people:access_log", "cases:detail",
                     "cases:access_log", "referrals:detail", "intelligence:review",
                     "intelligence:disseminate", "intelligence:vehicle_detail",
                     "intelligence:submission_detail", "api:person_detail"):
        assert expected in names


def _allowed(user: User, route: Route, record: Any) -> bool:
    rule = RULES[route.action]  # type: ignore[index]
    return can(user, rule.seen_through or route.action, record) and can(
        user, route.action, record)  # type: ignore[arg-type]


@pytest.mark.django_db
def test_every_read_of_a_personal_record_is_audited(
    hub_agency: Agency, hub_team: Team, users: StandardUsers
) -> None:
    samples = build_samples(hub_agency, hub_team)
    samples_by_user = {"sample.user": samples["user_pk"],  # the sample submission's author
                       "sample.analyst": samples["link_job_owner"],  # the linking job's
                       "sample.picker": samples["import_owner"],  # the partner import's
                       # the published report's PDF drawn in the background
                       "sample.publisher": samples["report_publisher"],
                       # the child victim's advocate (the journey's confidential notes)
                       "sample.journey.advocate": samples["journey_advocate"]}
    checked, unaudited, nobody = [], [], []
    clients: dict[int, Client] = {}  # one signed-in session per reader (the walk only reads)
    for route in record_routes():
        record = samples[route.kwargs[0]]
        readers = [u for u in [*users.every_role(), *samples_by_user.values()]
                   if _allowed(u, route, record)]
        if not readers:
            nobody.append(route.name)
            continue
        if readers[0].pk not in clients:
            clients[readers[0].pk] = Client()
            verified_login(clients[readers[0].pk], readers[0])
        client = clients[readers[0].pk]
        before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        response = client.get(url_for(route, samples))
        if response.status_code == 405:
            continue  # a form's POST-only action shows nothing
        assert response.status_code == 200, f"{route.name}: {response.status_code}"
        checked.append(route.name)
        if not AuditEvent.objects.filter(
            id__gt=before, event_type__in=READ_EVENTS,
            record_type=record_type_of(record), record_id=str(record.pk),
        ).exists():
            unaudited.append(f"{route.name} (as {readers[0].username})")
    assert not nobody, f"No test user may open: {nobody}"
    assert not unaudited, "Reads not audited:\n" + "\n".join(unaudited)
    assert len(checked) >= 30, checked
