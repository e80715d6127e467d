"""THE access policy of MACE Hub: who may do what, to which records.

Everything that decides access lives in this module. A rule names the roles that may
take an action and, for actions on records, how the user's relation to the record
(own agency, allocated, shared with, restricted) narrows what they may touch.

Two kinds of refusal, as users experience them:
- a record the user may not know exists is *not found* (404);
- a record the user may see, but may not change, is *forbidden* (403).

``scope`` returns the records a user may act on as a queryset filter, and ``can`` checks
one record against the very same filter, so a list and a detail page can never
disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from macehub.access.actions import Action
from macehub.accounts.roles import Role

if TYPE_CHECKING:
    from macehub.accounts.models import User, UserAccess

M = TypeVar("M", bound=Model)

ALL_ROLES = frozenset(Role)

# Roles whose work is with individual children, suspects and their records.
PEOPLE_WORK_ROLES = frozenset(
    {
        Role.TRIAGE,
        Role.ANALYST,
        Role.INVESTIGATOR,
        Role.SUPERVISOR,
        Role.VICTIM_ADVOCATE,
        Role.MEETING_CHAIR,
        Role.FORENSICS,
        Role.INFORMATION_GOVERNANCE,
    }
)
PEOPLE_RECORDING_ROLES = frozenset(
    {Role.TRIAGE, Role.ANALYST, Role.INVESTIGATOR, Role.SUPERVISOR}
)

REFERRING_ROLES = frozenset(
    {Role.REFERRER, Role.TRIAGE, Role.INVESTIGATOR, Role.SUPERVISOR, Role.VICTIM_ADVOCATE}
)
CASE_WORK_ROLES = PEOPLE_WORK_ROLES
# Missing episodes are the child's: those who record work on cases record them (and the
# return home interview) for any child they may see, with or without an open case.
MISSING_EPISODE_RECORDING_ROLES = frozenset(
    {Role.TRIAGE, Role.INVESTIGATOR, Role.SUPERVISOR, Role.VICTIM_ADVOCATE, Role.MEETING_CHAIR}
)
INTELLIGENCE_ROLES = frozenset(
    {Role.TRIAGE, Role.ANALYST, Role.INVESTIGATOR, Role.SUPERVISOR, Role.MEETING_CHAIR,
     Role.VICTIM_ADVOCATE, Role.FORENSICS}
)
INTELLIGENCE_RECORDING_ROLES = frozenset({Role.ANALYST, Role.INVESTIGATOR, Role.SUPERVISOR})
INTELLIGENCE_RESEARCH_ROLES = frozenset({Role.ANALYST, Role.SUPERVISOR})

# Access one administrator may not grant alone: a second administrator approves it (see
# ``grants_needing_approval``). The roles that read intelligence (every role that reads
# people's records does too), information governance (every record, restricted ones
# included) and administration itself. Granting the rest (referrer, training lead,
# senior leader, scrutiny: their own referrals and aggregates) applies at once.
ROLES_GRANTED_WITH_APPROVAL = INTELLIGENCE_ROLES | {
    Role.INFORMATION_GOVERNANCE, Role.ADMINISTRATOR,
}


def _agency_term(user: User, lookup: str, prefix: str = "") -> Q:
    """A relation term that depends on the user's agency. A user without an agency
    matches nothing through it: ``lookup=None`` would match every record not shared
    with anyone."""
    if user.agency_id is None:
        return _never(prefix)
    return Q(**{f"{prefix}{lookup}": user.agency_id})


def _works_on_case(user: User, prefix: str = "") -> Q:
    """The case's key worker, a worker allocated to it, or the child's current advocate."""
    return (
        Q(**{f"{prefix}key_worker": user})
        | Q(**{f"{prefix}allocations__user": user})
        | Q(**{f"{prefix}advocacy__advocate": user, f"{prefix}advocacy__ended_on__isnull": True})
    )


def _may_know_person(user: User, prefix: str = "") -> Q:
    """The restriction on a person's record, as a term on that record (``prefix`` is the
    path to it): an unrestricted person, or a restricted one the user is allocated to or
    works a case of. Every record that names a person (their cases, their referrals)
    carries this term, so a restricted child is not named on any page their own record
    would refuse."""
    return (
        Q(**{f"{prefix}is_restricted": False})
        | Q(**{f"{prefix}allocations__user": user})
        | _works_on_case(user, prefix=f"{prefix}cases__")
    )


def person_relation(user: User) -> Q:
    """People a user may know exist, by their relation to each record.

    - Information governance may see every record (they answer subject access requests
      and audit who saw what).
    - A restricted record is seen only by the users allocated to it, and by those who
      work on one of the person's cases (key worker, allocated worker, current advocate).
    - Otherwise hub team members see every record; partner staff see the records their
      agency holds, the ones shared with their agency, those allocated to them, and the
      children whose cases they are linked to. A user with no agency holds nothing.
    """
    if Role.INFORMATION_GOVERNANCE in user.role_codes:
        return Q()
    if user.is_hub_member:
        return _may_know_person(user)
    own_or_shared = (
        _agency_term(user, "owning_agency_id")
        | _agency_term(user, "shares__agency_id")
        | _partner_case_links(user, prefix="cases__")
    )
    return _may_know_person(user) & (Q(allocations__user=user) | own_or_shared)


def _partner_case_links(user: User, prefix: str = "") -> Q:
    """A partner's links to a case: allocated to it, its key worker or current advocate,
    its lead agency, or an agency it is shared with."""
    return (
        _works_on_case(user, prefix=prefix)
        | _agency_term(user, "lead_agency_id", prefix)
        | _agency_term(user, "shares__agency_id", prefix)
    )


def case_relation(user: User) -> Q:
    """Cases a user may know exist.

    Information governance sees every case. Hub team members see every case whose child
    they may know exists (a restricted case asks them for a reason when they open it);
    partner staff see the cases they are linked to, on the same condition.
    """
    if Role.INFORMATION_GOVERNANCE in user.role_codes:
        return Q()
    child = _may_know_person(user, prefix="child__")
    if user.is_hub_member:
        return child
    return _partner_case_links(user) & child


def reason_required(user: User) -> Q:
    """Restricted cases the user must say why they open (break glass, audited): every
    restricted case they do not work on, whoever they are."""
    return Q(is_restricted=True) & ~_works_on_case(user)


def referral_relation(user: User) -> Q:
    """Hub staff and information governance see every referral whose child they may know
    exists; anyone else sees only the referrals they made themselves."""
    if Role.INFORMATION_GOVERNANCE in user.role_codes:
        return Q()
    if user.is_hub_member:
        return _may_know_person(user, prefix="child__")
    return Q(referrer=user)


def own_referrals(user: User) -> Q:
    return Q(referrer=user)


def _never(prefix: str) -> Q:
    return Q(**{f"{prefix}pk__in": []})


def report_relation(user: User, prefix: str = "") -> Q:
    """Intelligence reports a user may know exist: handling codes enforced here.

    - The owning team sees its own reports (and only it sees source details).
    - Handling code C: only the teams and agencies its conditions name.
    - Handling code P: hub team members, and agencies it was disseminated to.
    Nobody else, whatever their role: information governance included.
    """
    p = prefix
    owning = Q(**{f"{p}owning_team_id": user.team_id}) if user.team_id else _never(p)
    named = Q(**{f"{p}permitted_agencies": user.agency_id}) if user.agency_id else _never(p)
    if user.team_id:
        named |= Q(**{f"{p}permitted_teams": user.team_id})
    disseminated = (
        Q(**{f"{p}disseminations__to_agency_id": user.agency_id}) if user.agency_id
        else _never(p)
    )
    permitted = Q(**{f"{p}handling_code": "P"})
    if not user.is_hub_member:
        permitted &= disseminated
    conditional = Q(**{f"{p}handling_code": "C"}) & named
    return owning | permitted | conditional


def owning_team_relation(user: User) -> Q:
    return Q(owning_team_id=user.team_id) if user.team_id else _never("")


def entity_relation(user: User) -> Q:
    """An entity (place, vehicle, phone, account, premises) is known to a user only
    through a report they may see: otherwise its mere existence could leak."""
    return report_relation(user, prefix="report_links__report__")


def own_submissions(user: User) -> Q:
    return Q(submitted_by=user)


def grants_needing_approval(access: UserAccess, *, in_hub_team: bool) -> frozenset[str]:
    """What in a user's access one administrator may not grant alone, as tokens to compare
    before and after a change: each role in ``ROLES_GRANTED_WITH_APPROVAL``, membership of
    a hub team, and, for a user who holds either, their team and agency (what those roles
    open follows the team and agency: its own reports, handling conditions naming them).
    Nothing while the user cannot sign in; switching them back on grants it all again.

    A change that adds a token needs a second administrator; one that only takes away
    (or touches nothing here) applies at once.
    """
    if not access.is_active:
        return frozenset()
    grants = {f"role:{role}" for role in access.roles if role in ROLES_GRANTED_WITH_APPROVAL}
    if in_hub_team:
        grants.add(f"hub team:{access.team_id}")
    if grants:
        grants |= {f"team:{access.team_id}", f"agency:{access.agency_id}"}
    return frozenset(grants)


def role_change_decidable(user: User) -> Q:
    """Requests to change access that this administrator may decide: a second pair of
    eyes, so never one they asked for, nor one about their own account."""
    return ~Q(requested_by=user) & ~Q(subject=user)


@dataclass(frozen=True)
class Rule:
    """Who may take one action.

    ``relation`` narrows the records for record-level actions. ``seen_through`` names
    the action that decides whether the user may know a record exists at all; when the
    user may see a record but this action is not theirs, the answer is 403, not 404.
    """

    roles: frozenset[Role]
    description: str
    relation: Callable[[User], Q] | None = None
    seen_through: Action | None = None


RULES: dict[Action, Rule] = {
    Action.USE_HUB: Rule(ALL_ROLES, "Any signed-in member of staff"),
    Action.PERSON_SEARCH: Rule(
        PEOPLE_WORK_ROLES, "Search for people; results only show people the user may see"
    ),
    Action.PERSON_VIEW: Rule(
        PEOPLE_WORK_ROLES, "Open a person's record", relation=person_relation
    ),
    Action.PERSON_CREATE: Rule(PEOPLE_RECORDING_ROLES, "Record a new person"),
    Action.PERSON_CHANGE: Rule(
        PEOPLE_RECORDING_ROLES,
        "Change a person's details",
        relation=person_relation,
        seen_through=Action.PERSON_VIEW,
    ),
    Action.PERSON_ACCESS_LOG: Rule(
        frozenset({Role.INFORMATION_GOVERNANCE}),
        "See who viewed or changed a person's record",
        relation=person_relation,
        seen_through=Action.PERSON_VIEW,
    ),
    Action.REFERRAL_SUBMIT: Rule(REFERRING_ROLES, "Refer a child to the hub"),
    Action.REFERRAL_VIEW_OWN: Rule(
        REFERRING_ROLES,
        "See the status and outcome of one's own referrals",
        relation=own_referrals,
    ),
    Action.REFERRAL_VIEW: Rule(
        frozenset({Role.TRIAGE, Role.SUPERVISOR, Role.ANALYST, Role.MEETING_CHAIR,
                   Role.INVESTIGATOR, Role.INFORMATION_GOVERNANCE}),
        "Read referrals in full",
        relation=referral_relation,
    ),
    Action.REFERRAL_TRIAGE: Rule(
        frozenset({Role.TRIAGE, Role.SUPERVISOR}),
        "Screen referrals and record triage decisions",
        relation=referral_relation,
        seen_through=Action.REFERRAL_VIEW,
    ),
    Action.CASE_LIST: Rule(CASE_WORK_ROLES, "List the child safeguarding cases one may see"),
    Action.CASE_VIEW: Rule(CASE_WORK_ROLES, "Open a child's case", relation=case_relation),
    Action.CASE_OPEN: Rule(
        frozenset({Role.TRIAGE, Role.SUPERVISOR}), "Open a MACE case for a child"
    ),
    Action.CASE_RECORD_WORK: Rule(
        frozenset({Role.TRIAGE, Role.INVESTIGATOR, Role.SUPERVISOR, Role.VICTIM_ADVOCATE,
                   Role.MEETING_CHAIR}),
        "Record contacts, plan items, missing episodes and outcomes on a case",
        relation=case_relation,
        seen_through=Action.CASE_VIEW,
    ),
    Action.MISSING_EPISODE_RECORD: Rule(
        MISSING_EPISODE_RECORDING_ROLES,
        "Record a child's missing episodes and return home interviews, with or without a case",
        relation=person_relation,
        seen_through=Action.PERSON_VIEW,
    ),
    Action.MISSING_EPISODE_LIST: Rule(
        PEOPLE_WORK_ROLES,
        "List missing episodes; only those of children the user may see",
    ),
    Action.CASE_CHANGE: Rule(
        frozenset({Role.TRIAGE, Role.SUPERVISOR, Role.MEETING_CHAIR}),
        "Change a case's risk tier, workers, sharing, or close it",
        relation=case_relation,
        seen_through=Action.CASE_VIEW,
    ),
    Action.CASE_RESTRICT: Rule(
        frozenset({Role.SUPERVISOR, Role.INFORMATION_GOVERNANCE}),
        "Mark a case restricted or lift the restriction",
        relation=case_relation,
        seen_through=Action.CASE_VIEW,
    ),
    Action.INTELLIGENCE_SUBMIT: Rule(ALL_ROLES - {Role.SCRUTINY},
                                     "Submit information to the hub"),
    Action.INTELLIGENCE_SUBMISSION_VIEW_OWN: Rule(
        ALL_ROLES - {Role.SCRUTINY},
        "See one's own submissions and whether they have been reviewed",
        relation=own_submissions,
    ),
    Action.INTELLIGENCE_RECORD: Rule(
        INTELLIGENCE_RECORDING_ROLES, "Record a graded intelligence report"
    ),
    Action.INTELLIGENCE_REVIEW: Rule(
        INTELLIGENCE_RESEARCH_ROLES,
        "Review, grade, sanitise and link submissions and reports",
        relation=report_relation,
        seen_through=Action.INTELLIGENCE_VIEW,
    ),
    Action.INTELLIGENCE_VIEW: Rule(
        INTELLIGENCE_ROLES, "Read intelligence reports", relation=report_relation
    ),
    Action.INTELLIGENCE_VIEW_SOURCE: Rule(
        INTELLIGENCE_ROLES,
        "Read a report's unsanitised text (the owning team only)",
        relation=owning_team_relation,
        seen_through=Action.INTELLIGENCE_VIEW,
    ),
    Action.INTELLIGENCE_DISSEMINATE: Rule(
        INTELLIGENCE_RESEARCH_ROLES,
        "Share a report with a partner agency",
        relation=owning_team_relation,
        seen_through=Action.INTELLIGENCE_VIEW,
    ),
    Action.INTELLIGENCE_EXPORT: Rule(
        INTELLIGENCE_RESEARCH_ROLES, "Export intelligence reports to CSV"
    ),
    Action.ENTITY_VIEW: Rule(
        INTELLIGENCE_ROLES, "Open a place, vehicle, phone, account or premises",
        relation=entity_relation,
    ),
    Action.ENTITY_SEARCH: Rule(
        INTELLIGENCE_ROLES, "Search people, places, vehicles, phones, accounts and premises"
    ),
    Action.CASE_ACCESS_LOG: Rule(
        frozenset({Role.INFORMATION_GOVERNANCE}),
        "See who viewed or changed a case, and why",
        relation=case_relation,
        seen_through=Action.CASE_VIEW,
    ),
    Action.PERFORMANCE_VIEW: Rule(
        frozenset({Role.SENIOR_LEADER, Role.ANALYST, Role.SUPERVISOR}),
        "See the live performance dashboard (aggregates; drill-down asks the record rules)",
    ),
    Action.PERFORMANCE_PUBLISH: Rule(
        frozenset({Role.SENIOR_LEADER}), "Publish (freeze) a month's performance report"
    ),
    Action.PERFORMANCE_PUBLISHED_VIEW: Rule(
        frozenset({Role.SENIOR_LEADER, Role.ANALYST, Role.SUPERVISOR, Role.SCRUTINY}),
        "Read published monthly reports (small numbers suppressed for scrutiny)",
    ),
    Action.EQUALITY_VIEW: Rule(
        frozenset({Role.ANALYST, Role.SENIOR_LEADER, Role.INFORMATION_GOVERNANCE}),
        "See disproportionality and data-quality analysis (aggregates only)",
    ),
    Action.EQUALITY_PUBLISHED_VIEW: Rule(
        frozenset({Role.ANALYST, Role.SENIOR_LEADER, Role.INFORMATION_GOVERNANCE,
                   Role.SCRUTINY}),
        "See the published disproportionality analysis, small numbers suppressed",
    ),
    Action.AREA_VIEW: Rule(
        frozenset(
            {Role.ANALYST, Role.SENIOR_LEADER, Role.SCRUTINY, Role.INFORMATION_GOVERNANCE}
        ),
        "See areas and their census populations",
    ),
    Action.AUDIT_LOG_VIEW: Rule(
        frozenset({Role.INFORMATION_GOVERNANCE}), "Read the audit log and check its chain"
    ),
    Action.ACCOUNTS_MANAGE: Rule(
        frozenset({Role.ADMINISTRATOR}), "Manage agencies, teams, users and their roles"
    ),
    Action.ROLE_CHANGE_VIEW: Rule(
        frozenset({Role.ADMINISTRATOR, Role.INFORMATION_GOVERNANCE}),
        "See requests to change users' access, waiting and decided, and who decided them",
    ),
    Action.ROLE_CHANGE_DECIDE: Rule(
        frozenset({Role.ADMINISTRATOR}),
        "Approve or reject a change of access another administrator asked for",
        relation=role_change_decidable,
        seen_through=Action.ROLE_CHANGE_VIEW,
    ),
}


def _roles_of(user: User) -> frozenset[str]:
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    return user.role_codes


def allows(user: User, action: Action) -> bool:
    """May this user take this action at all (before looking at any record)?"""
    return bool(_roles_of(user) & RULES[action].roles)


def require(user: User, action: Action) -> None:
    """Refuse with 403 when the user's roles do not include the action."""
    if not allows(user, action):
        raise PermissionDenied(RULES[action].description)


def scope(user: User, action: Action, queryset: QuerySet[M]) -> QuerySet[M]:
    """The records in ``queryset`` this user may take ``action`` on."""
    rule = RULES[action]
    if not allows(user, action):
        return queryset.none()
    if rule.relation is None:
        return queryset
    # The relation may cross many-valued joins; filter by id so rows are not repeated.
    visible_ids = queryset.model._default_manager.filter(rule.relation(user)).values("pk")
    return queryset.filter(pk__in=visible_ids)


def can(user: User, action: Action, record: Model) -> bool:
    """The single-record form of ``scope``: the same filter, asked of one row."""
    return scope(user, action, type(record)._default_manager.filter(pk=record.pk)).exists()


def get_or_404(user: User, action: Action, queryset: QuerySet[M], **lookup: Any) -> M:
    """Fetch one record for an action: 404 if the user may not know it exists, 403 if
    they may see it but may not take this action."""
    rule = RULES[action]
    seen_through = rule.seen_through or action
    try:
        record = scope(user, seen_through, queryset).get(**lookup)
    except ObjectDoesNotExist as exc:
        raise Http404("No such record") from exc
    if seen_through != action and not can(user, action, record):
        raise PermissionDenied(rule.description)
    return record
