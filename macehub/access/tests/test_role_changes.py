"""Changes of access (issue 10, defect 3): an administrator raised their own access
(analyst, information governance, the hub team) and read handling-code-C intelligence and
a restricted person.

Nobody changes their own roles, agency, team or sign-in; granting a role that reads
intelligence or people's records, information governance, administration or hub team
membership waits for a second administrator (neither the requester nor the user), who
approves it (applied only if the user's access is unchanged since) or rejects it; both
steps are audited, and information governance sees every request.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from macehub.access import account_services as services
from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import Agency, RoleAssignment, RoleChangeRequest, Team, User
from macehub.accounts.roles import Role, RoleChangeStatus
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.testing.factories import make_team, make_user, signed_in_client

pytestmark = pytest.mark.django_db

REASON = "Joining the intelligence cell from Monday"


@pytest.fixture
def information_team(hub_agency: Agency) -> Team:
    return make_team(hub_agency, "Information Management", is_hub_team=False)


@pytest.fixture
def partner_team(partner_agency: Agency) -> Team:
    return make_team(partner_agency, "District Social Work", is_hub_team=False)


@pytest.fixture
def first_admin(hub_agency: Agency, information_team: Team) -> User:
    return make_user("ada.admin", Role.ADMINISTRATOR, agency=hub_agency, team=information_team)


@pytest.fixture
def second_admin(hub_agency: Agency, information_team: Team) -> User:
    return make_user("bo.admin", Role.ADMINISTRATOR, agency=hub_agency, team=information_team)


@pytest.fixture
def worker(partner_agency: Agency, partner_team: Team) -> User:
    return make_user("pat.worker", Role.REFERRER, agency=partner_agency, team=partner_team)


@pytest.fixture
def governance(hub_agency: Agency, information_team: Team) -> User:
    return make_user("ingrid.governance", Role.INFORMATION_GOVERNANCE, agency=hub_agency,
                     team=information_team)


def access_of(user: User) -> tuple[frozenset[str], int | None, int | None, bool]:
    """The user's access as stored now."""
    stored = User.objects.get(pk=user.pk)
    return stored.role_codes, stored.agency_id, stored.team_id, stored.is_active


def change(actor: User, user: User, *roles: Role, reason: str = REASON,
           **fields: Any) -> services.UserSaved:
    """What the user page does: the stored account, changed as asked, saved by ``actor``."""
    account = User.objects.get(pk=user.pk)
    for name, value in fields.items():
        setattr(account, name, value)
    return services.save_user(actor=actor, user=account, roles=roles, reason=reason)


def events(event_type: EventType) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event_type=event_type).order_by("id"))


def user_form_data(user: User, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "username": user.username, "first_name": user.first_name, "last_name": user.last_name,
        "email": user.email, "job_title": user.job_title, "agency": user.agency_id or "",
        "team": user.team_id or "", "roles": sorted(user.role_codes), "reason": "",
    }
    if user.is_active:
        data["is_active"] = "on"
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


# --- Nobody changes their own access -------------------------------------------------------


@pytest.mark.parametrize("what", ["roles", "team", "agency", "is_active"])
def test_an_administrator_cannot_change_their_own_access(
    what: str, first_admin: User, hub_team: Team, partner_agency: Agency
) -> None:
    roles = {Role.ADMINISTRATOR}
    fields: dict[str, Any] = {}
    if what == "roles":
        roles |= {Role.ANALYST, Role.INFORMATION_GOVERNANCE}
    elif what == "team":
        fields["team"] = hub_team
    elif what == "agency":
        fields = {"agency": partner_agency, "team": None}
    else:
        fields["is_active"] = False
    before = access_of(first_admin)

    with pytest.raises(ValidationError) as refused:
        change(first_admin, first_admin, *roles, **fields)

    assert what in refused.value.message_dict
    assert "own" in refused.value.message_dict[what][0]
    assert access_of(first_admin) == before
    assert not RoleChangeRequest.objects.exists()
    denied = events(EventType.PERMISSION_DENIED)
    assert len(denied) == 1 and denied[0].record_id == str(first_admin.pk)
    assert what in denied[0].detail["fields"]


def test_the_escalation_in_the_issue_is_refused_on_the_page(
    first_admin: User, hub_team: Team
) -> None:
    """What admin.police did: analyst, information governance and the hub team on its own
    account. The page says why, keeps what was typed, and changes nothing; the admin's
    own details still save."""
    client = signed_in_client(first_admin)
    url = reverse("accounts:user_edit", args=[first_admin.pk])
    before = access_of(first_admin)

    response = client.post(url, user_form_data(
        first_admin, team=hub_team.pk, reason="I need to see the intelligence",
        roles=[Role.ADMINISTRATOR, Role.ANALYST, Role.INFORMATION_GOVERNANCE],
    ))

    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "You cannot change your own roles – ask another administrator" in html
    assert "You cannot change your own team – ask another administrator" in html
    assert 'value="analyst" checked' in html  # what was typed is kept
    assert "I need to see the intelligence" in html
    assert access_of(first_admin) == before
    assert not RoleChangeRequest.objects.exists()

    response = client.post(url, user_form_data(first_admin, job_title="Systems Administrator"))
    assert response.status_code == 302
    assert User.objects.get(pk=first_admin.pk).job_title == "Systems Administrator"
    assert access_of(first_admin) == before


def test_own_account_page_says_another_administrator_changes_access(first_admin: User) -> None:
    response = signed_in_client(first_admin).get(
        reverse("accounts:user_edit", args=[first_admin.pk])
    )
    assert "This is your own account" in response.content.decode()


# --- Granting needs a second administrator --------------------------------------------------


@pytest.mark.parametrize("granted", [Role.ANALYST, Role.SOCIAL_WORKER, Role.VICTIM_ADVOCATE,
                                     Role.FORENSICS, Role.INFORMATION_GOVERNANCE,
                                     Role.ADMINISTRATOR, "hub team"])
def test_granting_waits_for_a_second_administrator(
    granted: Role | str, first_admin: User, worker: User, hub_agency: Agency, hub_team: Team
) -> None:
    before = access_of(worker)
    if granted == "hub team":
        saved = change(first_admin, worker, Role.REFERRER, agency=hub_agency, team=hub_team)
    else:
        saved = change(first_admin, worker, Role.REFERRER, Role(granted))

    request = saved.request
    assert request is not None and request.is_pending
    assert access_of(worker) == before  # nothing applies yet
    assert request.subject == worker and request.requested_by == first_admin
    assert request.reason == REASON
    assert request.old_roles == ["referrer"]
    assert (request.old_agency_id, request.old_team_id) == before[1:3]
    if granted == "hub team":
        assert (request.new_agency, request.new_team) == (hub_agency, hub_team)
        assert request.new_roles == ["referrer"]
    else:
        assert request.new_roles == sorted(["referrer", str(granted)])
    [asked] = events(EventType.ROLE_CHANGE_REQUESTED)
    assert asked.actor_username == "ada.admin"
    assert (asked.record_type, asked.record_id) == ("accounts.user", str(worker.pk))
    assert asked.detail["request"] == request.pk
    assert asked.detail["reason"] == REASON
    assert asked.detail["changes"]
    assert asked.detail["changes"]["roles" if granted != "hub team" else "team"]["old"] \
        == (["referrer"] if granted != "hub team" else before[2])


def test_other_changes_apply_at_once(first_admin: User, worker: User) -> None:
    saved = change(first_admin, worker, Role.REFERRER, Role.TRAINING_LEAD, reason="")
    assert saved.request is None
    assert access_of(worker)[0] == {"referrer", "training_lead"}
    assert not RoleChangeRequest.objects.exists()
    [changed] = events(EventType.CHANGE)
    assert changed.detail["changes"]["roles"] == {
        "old": ["referrer"], "new": ["referrer", "training_lead"]
    }


def test_taking_access_away_applies_at_once(
    first_admin: User, hub_agency: Agency, hub_team: Team
) -> None:
    analyst = make_user("ana.lyst", Role.ANALYST, agency=hub_agency, team=hub_team)
    saved = change(first_admin, analyst, Role.REFERRER, reason="", team=None)
    assert saved.request is None
    assert access_of(analyst) == ({"referrer"}, hub_agency.pk, None, True)


def test_moving_an_analyst_to_another_team_or_switching_them_back_on_waits(
    first_admin: User, hub_agency: Agency, information_team: Team
) -> None:
    """What an analyst reads follows their team (its own reports, conditions naming it),
    and an account switched off holds nothing: moving or reactivating one is a grant."""
    analyst = make_user("ana.lyst", Role.ANALYST, agency=hub_agency, team=None)
    assert change(first_admin, analyst, Role.ANALYST, team=information_team).request
    User.objects.filter(pk=analyst.pk).update(is_active=False)
    assert change(first_admin, analyst, Role.ANALYST, is_active=True).request
    assert access_of(analyst) == ({"analyst"}, hub_agency.pk, None, False)


def test_a_new_account_with_an_intelligence_role_starts_with_no_access(
    first_admin: User, hub_agency: Agency, hub_team: Team
) -> None:
    account = User(username="new.analyst", email="new.analyst@example.invalid",
                   agency=hub_agency, team=hub_team)
    saved = services.save_user(actor=first_admin, user=account, roles=[Role.ANALYST],
                               password="a-long-synthetic-passphrase", reason=REASON)
    assert saved.request is not None
    created = User.objects.get(username="new.analyst")
    assert access_of(created) == (frozenset(), None, None, True)
    assert created.check_password("a-long-synthetic-passphrase")
    assert (saved.request.new_agency, saved.request.new_team) == (hub_agency, hub_team)
    assert saved.request.new_roles == ["analyst"]


def test_a_change_that_needs_approval_needs_a_reason(
    first_admin: User, worker: User, hub_agency: Agency, hub_team: Team
) -> None:
    client = signed_in_client(first_admin)
    response = client.post(
        reverse("accounts:user_edit", args=[worker.pk]),
        user_form_data(worker, agency=hub_agency.pk, team=hub_team.pk,
                       roles=[Role.REFERRER, Role.ANALYST], job_title="Analyst"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter why the user needs this access" in html
    assert 'value="analyst" checked' in html
    assert not RoleChangeRequest.objects.exists()
    assert User.objects.get(pk=worker.pk).job_title == ""  # nothing saved


def test_the_users_page_shows_the_change_waiting(
    first_admin: User, second_admin: User, worker: User
) -> None:
    request = change(first_admin, worker, Role.REFERRER, Role.ANALYST).request
    assert request is not None
    url = reverse("accounts:user_edit", args=[worker.pk])
    decide_url = reverse("accounts:role_change_decide", args=[request.pk])

    html = signed_in_client(first_admin).get(url).content.decode()
    assert "Change of access waiting for approval" in html
    assert "Referrer, Analyst" in html and REASON in html
    assert decide_url not in html  # the requester may not decide it

    html = signed_in_client(second_admin).get(url).content.decode()
    assert decide_url in html


def test_asking_through_the_page_creates_a_request_and_changes_nothing(
    first_admin: User, worker: User, hub_agency: Agency, hub_team: Team
) -> None:
    response = signed_in_client(first_admin).post(
        reverse("accounts:user_edit", args=[worker.pk]),
        user_form_data(worker, agency=hub_agency.pk, team=hub_team.pk, job_title="Analyst",
                       roles=[Role.REFERRER, Role.ANALYST], reason=REASON),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:user_edit", args=[worker.pk])
    stored = User.objects.get(pk=worker.pk)
    assert stored.job_title == "Analyst"  # details apply at once
    assert access_of(worker) == ({"referrer"}, worker.agency_id, worker.team_id, True)
    request = RoleChangeRequest.objects.get()
    assert (request.new_agency, request.new_team) == (hub_agency, hub_team)


# --- The second administrator decides -------------------------------------------------------


@pytest.fixture
def analyst_request(first_admin: User, worker: User, hub_agency: Agency,
                    hub_team: Team) -> RoleChangeRequest:
    request = change(first_admin, worker, Role.REFERRER, Role.ANALYST, agency=hub_agency,
                     team=hub_team).request
    assert request is not None
    return request


def test_approval_by_a_second_administrator_applies_the_change(
    analyst_request: RoleChangeRequest, second_admin: User, worker: User, hub_agency: Agency,
    hub_team: Team,
) -> None:
    services.approve_role_change(actor=second_admin, request_pk=analyst_request.pk,
                                 comment="Checked with the hub manager")

    assert access_of(worker) == ({"referrer", "analyst"}, hub_agency.pk, hub_team.pk, True)
    analyst_request.refresh_from_db()
    assert analyst_request.status == RoleChangeStatus.APPROVED
    assert analyst_request.decided_by == second_admin
    assert analyst_request.decided_at is not None
    assert analyst_request.decision_comment == "Checked with the hub manager"
    [approved] = events(EventType.ROLE_CHANGE_APPROVED)
    assert approved.actor_username == "bo.admin"
    assert approved.record_id == str(worker.pk)
    assert approved.detail["request"] == analyst_request.pk
    assert approved.detail["requested_by"] == "ada.admin"
    assert approved.detail["comment"] == "Checked with the hub manager"
    assert approved.detail["changes"]["roles"] == {
        "old": ["referrer"], "new": ["analyst", "referrer"]
    }
    assert approved.detail["changes"]["team"]["new"] == hub_team.pk
    assert events(EventType.ROLE_CHANGE_REQUESTED)[0].id < approved.id


def test_the_requester_cannot_approve_their_own_request(
    analyst_request: RoleChangeRequest, first_admin: User, worker: User
) -> None:
    before = access_of(worker)
    with pytest.raises(PermissionDenied):
        services.approve_role_change(actor=first_admin, request_pk=analyst_request.pk,
                                     comment="Looks fine to me")
    response = signed_in_client(first_admin).post(
        reverse("accounts:role_change_decide", args=[analyst_request.pk]),
        {"decision": "approve", "comment": "Looks fine to me"},
    )
    assert response.status_code == 403
    assert access_of(worker) == before
    analyst_request.refresh_from_db()
    assert analyst_request.is_pending
    assert not events(EventType.ROLE_CHANGE_APPROVED)


def test_nobody_decides_a_request_about_themselves(
    first_admin: User, second_admin: User, hub_agency: Agency, information_team: Team
) -> None:
    third_admin = make_user("cy.admin", Role.ADMINISTRATOR, agency=hub_agency,
                            team=information_team)
    request = change(first_admin, second_admin, Role.ADMINISTRATOR,
                     Role.INFORMATION_GOVERNANCE).request
    assert request is not None
    with pytest.raises(PermissionDenied):
        services.approve_role_change(actor=second_admin, request_pk=request.pk,
                                     comment="Yes please")
    assert access_of(second_admin)[0] == {"administrator"}
    services.approve_role_change(actor=third_admin, request_pk=request.pk,
                                 comment="Agreed with the data protection officer")
    assert access_of(second_admin)[0] == {"administrator", "information_governance"}


def test_rejection_changes_nothing(
    analyst_request: RoleChangeRequest, second_admin: User, worker: User
) -> None:
    before = access_of(worker)
    response = signed_in_client(second_admin).post(
        reverse("accounts:role_change_decide", args=[analyst_request.pk]),
        {"decision": "reject", "comment": "Not agreed by the hub manager"},
    )
    assert response.status_code == 302
    assert access_of(worker) == before
    analyst_request.refresh_from_db()
    assert analyst_request.status == RoleChangeStatus.REJECTED
    assert analyst_request.decided_by == second_admin
    [rejected] = events(EventType.ROLE_CHANGE_REJECTED)
    assert rejected.actor_username == "bo.admin"
    assert rejected.detail["comment"] == "Not agreed by the hub manager"
    assert rejected.detail["request"] == analyst_request.pk
    assert not events(EventType.ROLE_CHANGE_APPROVED)
    with pytest.raises(ValidationError):  # decided once, for good
        services.approve_role_change(actor=second_admin, request_pk=analyst_request.pk,
                                     comment="Changed my mind")
    assert access_of(worker) == before


def test_approving_through_the_page(
    analyst_request: RoleChangeRequest, second_admin: User, worker: User
) -> None:
    client = signed_in_client(second_admin)
    url = reverse("accounts:role_change_decide", args=[analyst_request.pk])
    response = client.post(url, {"decision": "approve", "comment": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter a comment on your decision" in html
    assert 'value="approve" checked' in html
    assert access_of(worker)[0] == {"referrer"}

    response = client.post(url, {"decision": "approve", "comment": "Checked"})
    assert response.status_code == 302
    assert access_of(worker)[0] == {"referrer", "analyst"}


def test_a_stale_request_is_refused(
    analyst_request: RoleChangeRequest, first_admin: User, second_admin: User, worker: User
) -> None:
    """Someone changed the user after the request was made: approving it would undo that
    change, so it is refused, and the page shows what changed."""
    change(first_admin, worker, Role.REFERRER, Role.TRAINING_LEAD, reason="")
    changed = access_of(worker)

    with pytest.raises(services.RoleChangeStale) as stale:
        services.approve_role_change(actor=second_admin, request_pk=analyst_request.pk,
                                     comment="Checked")
    assert stale.value.differences == [
        ("Roles", "Referrer", "Referrer, Training lead"),
    ]
    assert access_of(worker) == changed
    analyst_request.refresh_from_db()
    assert analyst_request.is_pending
    assert not events(EventType.ROLE_CHANGE_APPROVED)

    response = signed_in_client(second_admin).post(
        reverse("accounts:role_change_decide", args=[analyst_request.pk]),
        {"decision": "approve", "comment": "Checked"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "has changed since the request was made" in html
    assert "Referrer, Training lead" in html
    assert access_of(worker) == changed
    services.reject_role_change(actor=second_admin, request_pk=analyst_request.pk,
                                comment="Out of date")
    analyst_request.refresh_from_db()
    assert analyst_request.status == RoleChangeStatus.REJECTED


def test_the_database_keeps_four_eyes(analyst_request: RoleChangeRequest) -> None:
    for mistake in (
        {"decided_by_id": analyst_request.requested_by_id},
        {"decided_by_id": analyst_request.subject_id},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            RoleChangeRequest.objects.filter(pk=analyst_request.pk).update(
                status=RoleChangeStatus.APPROVED, decided_at=timezone.now(), **mistake
            )
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleChangeRequest.objects.filter(pk=analyst_request.pk).update(
            requested_by_id=analyst_request.subject_id
        )


# --- Information governance sees the requests ------------------------------------------------


def test_information_governance_sees_waiting_and_decided_requests(
    analyst_request: RoleChangeRequest, first_admin: User, second_admin: User, worker: User,
    governance: User,
) -> None:
    rejected = change(first_admin, worker, Role.REFERRER, Role.ADMINISTRATOR).request
    assert rejected is not None
    services.reject_role_change(actor=second_admin, request_pk=rejected.pk,
                                comment="Partners do not administer the hub")
    client = signed_in_client(governance)

    html = client.get(reverse("accounts:role_change_list")).content.decode()
    assert "pat.worker" in html
    assert "Roles: Referrer to Referrer, Analyst" in html  # waiting
    assert "Roles: Referrer to Referrer, Administrator" in html  # decided
    assert "by ada.admin" in html and "by bo.admin" in html
    assert "Rejected" in html
    assert reverse("accounts:role_change_decide", args=[analyst_request.pk]) not in html

    html = client.get(
        reverse("accounts:role_change_detail", args=[rejected.pk])
    ).content.decode()
    assert "Partners do not administer the hub" in html
    assert REASON in html
    assert client.get(
        reverse("accounts:role_change_decide", args=[analyst_request.pk])
    ).status_code == 403


def test_the_administrators_queue(
    analyst_request: RoleChangeRequest, first_admin: User, second_admin: User
) -> None:
    decide_url = reverse("accounts:role_change_decide", args=[analyst_request.pk])
    assert decide_url in signed_in_client(second_admin).get(
        reverse("accounts:role_change_list")).content.decode()
    assert decide_url not in signed_in_client(first_admin).get(
        reverse("accounts:role_change_list")).content.decode()
    assert "1 waiting for approval" in signed_in_client(second_admin).get(
        reverse("accounts:admin_home")).content.decode()


def test_other_roles_do_not_see_requests(
    analyst_request: RoleChangeRequest, hub_agency: Agency, hub_team: Team
) -> None:
    supervisor = make_user("sam.supervisor", Role.SUPERVISOR, agency=hub_agency, team=hub_team)
    client = signed_in_client(supervisor)
    assert client.get(reverse("accounts:role_change_list")).status_code == 403
    assert client.get(
        reverse("accounts:role_change_detail", args=[analyst_request.pk])
    ).status_code == 403
    assert client.get(
        reverse("accounts:role_change_decide", args=[analyst_request.pk])
    ).status_code == 404


# --- The rules themselves ----------------------------------------------------------------


def test_every_role_that_reads_records_or_intelligence_needs_approval() -> None:
    """If a rule comes to let another role read people, cases, referrals or intelligence,
    or decide access, granting that role must need a second administrator too."""
    readers = set()
    for action in (Action.PERSON_VIEW, Action.CASE_VIEW, Action.REFERRAL_VIEW,
                   Action.INTELLIGENCE_VIEW, Action.ENTITY_VIEW, Action.AUDIT_LOG_VIEW,
                   Action.ACCOUNTS_MANAGE, Action.ROLE_CHANGE_DECIDE):
        readers |= policy.RULES[action].roles
    assert readers <= policy.ROLES_GRANTED_WITH_APPROVAL
    assert Role.REFERRER not in policy.ROLES_GRANTED_WITH_APPROVAL


# --- A user without an agency holds no role ----------------------------------------------


def test_a_user_without_an_agency_holds_no_role(first_admin: User, worker: User) -> None:
    with pytest.raises(ValidationError) as refused:
        change(first_admin, worker, Role.REFERRER, agency=None, team=None)
    assert "agency" in refused.value.message_dict
    assert access_of(worker)[1] is not None

    loner = User.objects.create_user(username="no.agency", email="n@example.invalid")
    with pytest.raises(ValidationError):
        services.save_user(actor=first_admin, user=loner, roles=[Role.TRAINING_LEAD])
    with pytest.raises(ValidationError):
        RoleAssignment.objects.create(user=loner, role=Role.REFERRER)
    assert not loner.role_assignments.exists()

    worker.agency = None
    worker.team = None
    with pytest.raises(ValidationError):
        worker.save()
    assert access_of(worker)[1] is not None


# --- Teams --------------------------------------------------------------------------------


def test_a_team_with_members_cannot_become_a_hub_team(
    first_admin: User, worker: User, partner_team: Team
) -> None:
    """Marking a team as the hub's would make every member a hub member at a stroke."""
    client = signed_in_client(first_admin)
    response = client.post(reverse("accounts:team_edit", args=[partner_team.pk]), {
        "agency": partner_team.agency_id, "name": partner_team.name, "is_hub_team": "true",
        "is_active": "true",
    })
    assert response.status_code == 200
    assert "This team has members, so it cannot be made a hub team" in (
        response.content.decode()
    )
    partner_team.refresh_from_db()
    assert not partner_team.is_hub_team
    assert not User.objects.get(pk=worker.pk).is_hub_member

