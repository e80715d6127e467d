"""THE access policy of MACE Hub: who may do what, to which records.

Everything that decides access lives in this module. A rule names the roles that may
take an action and, for actions on records, how the user's relation to the record
(own agency, allocated, shared with, restricted) narrows what they may touch.

Two kinds of refusal, as users experience them:
- a record the user may not know exists is *not found* (404);
- a record the user may see, but may not change, is *forbidden* (403).

``scope`` returns the records a user may act on as a queryset filter, and ``can`` checks
one record against the very same filter, so a list and a detail page can never
disagree. ``can_each`` asks it of many records at once and ``actions_allowed`` of many
actions on one record, each in one query, for pages that would otherwise ask row by row.

A relation is a filter on the record itself. What lies across a many-valued relation
(allocations, shares, a person's cases, handling conditions) is asked with ``_any``, and
a person's restriction from a record that names them with ``_record_at``: subqueries on
what the user is linked to, each worked out once per query and hashed, never joins that
repeat a record or read a million-row table to list a page (see ``_Related``).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache, reduce
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import BooleanField, Exists, Expression, F, Model, OuterRef, Q, QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.db.models.lookups import In
from django.db.models.sql.query import Query
from django.http import Http404

from macehub.access.actions import Action
from macehub.accounts.roles import AgencyKind, Role

if TYPE_CHECKING:
    from macehub.accounts.models import User, UserAccess

M = TypeVar("M", bound=Model)

ALL_ROLES = frozenset(Role)

# Roles whose work is with individual children, suspects and their records. Digital
# forensics examiners are not among them: they reach the exhibits they examine, not the
# people, cases and intelligence around them.
PEOPLE_WORK_ROLES = frozenset(
    {
        Role.TRIAGE,
        Role.ANALYST,
        Role.INVESTIGATOR,
        Role.SUPERVISOR,
        Role.SOCIAL_WORKER,
        Role.VICTIM_ADVOCATE,
        Role.MEETING_CHAIR,
        Role.INFORMATION_GOVERNANCE,
    }
)
# A social worker keeps the details of the children they hold cases for current.
PEOPLE_RECORDING_ROLES = frozenset(
    {Role.TRIAGE, Role.ANALYST, Role.INVESTIGATOR, Role.SUPERVISOR, Role.SOCIAL_WORKER}
)

# Deciding whether two records are one person: the hub's triage officers, analysts
# and supervisors, who see records across agencies.
MATCH_REVIEW_ROLES = frozenset({Role.TRIAGE, Role.ANALYST, Role.SUPERVISOR})
# The hub roles whose work a problem profile's restricted version informs.
PROFILE_RESTRICTED_READERS = frozenset({
    Role.ANALYST, Role.SENIOR_LEADER, Role.SUPERVISOR, Role.MEETING_CHAIR, Role.INVESTIGATOR,
    Role.SOCIAL_WORKER, Role.TRIAGE,
})

REFERRING_ROLES = frozenset(
    {Role.REFERRER, Role.TRIAGE, Role.INVESTIGATOR, Role.SUPERVISOR, Role.SOCIAL_WORKER,
     Role.VICTIM_ADVOCATE}
)
CASE_WORK_ROLES = PEOPLE_WORK_ROLES
REFERRAL_READING_ROLES = frozenset(
    {Role.TRIAGE, Role.SUPERVISOR, Role.ANALYST, Role.MEETING_CHAIR, Role.INVESTIGATOR,
     Role.SOCIAL_WORKER, Role.INFORMATION_GOVERNANCE}
)
# The hub members who check their own agency's records when triage asks (a partner
# check), and return what they found. Only for the agency the check names.
PARTNER_CHECK_ROLES = frozenset(
    {Role.TRIAGE, Role.ANALYST, Role.INVESTIGATOR, Role.SUPERVISOR, Role.MEETING_CHAIR,
     Role.SOCIAL_WORKER}
)
# The child's lead professional (the social worker) works the case as the hub's triage
# officers do: records the work and changes the case.
CASE_RECORDING_ROLES = frozenset(
    {Role.TRIAGE, Role.INVESTIGATOR, Role.SUPERVISOR, Role.SOCIAL_WORKER,
     Role.VICTIM_ADVOCATE, Role.MEETING_CHAIR}
)
CASE_CHANGING_ROLES = frozenset(
    {Role.TRIAGE, Role.SUPERVISOR, Role.SOCIAL_WORKER, Role.MEETING_CHAIR}
)
# Missing episodes are the child's: those who record work on cases record them (and the
# return home interview) for any child they may see, with or without an open case.
MISSING_EPISODE_RECORDING_ROLES = CASE_RECORDING_ROLES
# Victim advocates are independent of the police and do not read intelligence (they may
# still tell the hub what they know: ``INTELLIGENCE_SUBMIT``).
INTELLIGENCE_ROLES = frozenset(
    {Role.TRIAGE, Role.ANALYST, Role.INVESTIGATOR, Role.SUPERVISOR, Role.MEETING_CHAIR,
     Role.SOCIAL_WORKER}
)
INTELLIGENCE_RECORDING_ROLES = frozenset({Role.ANALYST, Role.INVESTIGATOR, Role.SUPERVISOR})
INTELLIGENCE_RESEARCH_ROLES = frozenset({Role.ANALYST, Role.SUPERVISOR})
# Who may read the notes of a contact a victim advocate recorded: the advocacy service
# that recorded it (see ``advocacy_notes_relation``) and information governance.
ADVOCACY_NOTES_ROLES = frozenset({Role.VICTIM_ADVOCATE, Role.INFORMATION_GOVERNANCE})
# Investigations are the police force's: its investigators and supervisors work them,
# its analysts read them, and information governance reads every one.
INVESTIGATION_READING_ROLES = frozenset(
    {Role.INVESTIGATOR, Role.SUPERVISOR, Role.ANALYST, Role.INFORMATION_GOVERNANCE})
INVESTIGATING_ROLES = frozenset({Role.INVESTIGATOR, Role.SUPERVISOR})
# Exhibits (devices seized for an investigation): read by whoever may read the
# investigation and by the force's digital forensics examiners, who examine them and see
# nothing else of the investigation's records (``exhibit_relation``).
EXHIBIT_READING_ROLES = INVESTIGATION_READING_ROLES | {Role.FORENSICS}
# Tactical meetings are hub business: hub team members with casework roles read them
# (``meeting_relation``); what an item links to is read through the linked record's own
# rule (``meetings.selectors``). The meeting chair runs them. Anyone may own an action and
# sees their own actions (``own_meeting_actions``).
MEETING_READING_ROLES = CASE_WORK_ROLES
MEETING_ACTION_OWNING_ROLES = ALL_ROLES - {Role.SCRUTINY}
# Disruptions: read by those whose work is with children and suspects (not victim
# advocates, who are independent of enforcement, nor forensics examiners); recorded and
# worked by the hub's and its partners' caseworkers, of a police force, a local authority
# (licensing, housing) or children's social care (``DISRUPTION_AGENCY_KINDS``); a police
# power only by police staff (the service checks the tactic).
DISRUPTION_READING_ROLES = PEOPLE_WORK_ROLES - {Role.VICTIM_ADVOCATE}
DISRUPTION_RECORDING_ROLES = frozenset(
    {Role.TRIAGE, Role.INVESTIGATOR, Role.SUPERVISOR, Role.SOCIAL_WORKER, Role.MEETING_CHAIR})
DISRUPTION_AGENCY_KINDS = frozenset(
    {AgencyKind.POLICE, AgencyKind.LOCAL_AUTHORITY, AgencyKind.CHILDRENS_SOCIAL_CARE})

# The inspection recommendations tracker (not records about children): read by senior
# leaders, the PCC's scrutiny officers, information governance and meeting chairs; the
# force's senior leaders manage it (``agency_kinds``: a police force); the PCC's office
# (its scrutiny officers: the role is the PCC office's) assesses and publishes. Anyone
# may own an action and sees and updates their own.
INSPECTION_READING_ROLES = frozenset(
    {Role.SENIOR_LEADER, Role.SCRUTINY, Role.INFORMATION_GOVERNANCE, Role.MEETING_CHAIR})

# Access one administrator may not grant alone: a second administrator approves it (see
# ``grants_needing_approval``). The roles that read people's records or intelligence,
# digital forensics (the exhibits they examine are taken from children's devices),
# information governance (every record, restricted ones included) and administration
# itself. Granting the rest (referrer, training lead, senior leader, scrutiny: their own
# referrals and aggregates) applies at once.
ROLES_GRANTED_WITH_APPROVAL = PEOPLE_WORK_ROLES | INTELLIGENCE_ROLES | {
    Role.FORENSICS, Role.INFORMATION_GOVERNANCE, Role.ADMINISTRATOR,
}


class _Related(Expression):
    """True when the record at the end of ``path`` meets ``condition`` or, when the
    path ends in a many-valued relation (a reverse foreign key or a many-to-many field),
    when some record across it does: ``path`` IN (the records that meet it), a subquery
    worked out when the filter is applied to a model.

    ``path`` leads from the filtered model through single-valued relations (none or
    more) and may end in one many-valued relation; ``condition`` is a term on the
    records at its far end. The conditions of one term are met by one and the same
    record (an advocate's allocation that has not ended), as in one ``filter`` call
    across the relation.

    Relations are written with these terms rather than with joins: a join across a
    many-valued relation fans each record out into one row per related record, which
    forces ``scope`` to filter by id through a subquery over the whole table, and an OR
    across joins cannot use an index. The records a term names depend on the user, not
    on the record asked about (their allocations, the restricted people they may not
    know), so PostgreSQL works each subquery out once, from its index, and looks the
    record up in the answer (a hashed subplan).
    """

    conditional = True

    def __init__(self, path: str, condition: Q, correlated: bool = False) -> None:
        super().__init__(output_field=BooleanField())
        self.path = path
        self.condition = condition
        self.correlated = correlated

    def resolve_expression(self, query: Any = None, allow_joins: bool = True,
                           reuse: Any = None, summarize: bool = False,
                           for_save: bool = False) -> Any:
        try:
            term = _term_from(query.model, self.path, self.condition, self.correlated)
        except TypeError:  # a value that cannot be a key (an unsaved record): built afresh
            term = _term_from.__wrapped__(query.model, self.path, self.condition,
                                          self.correlated)
        return term.resolve_expression(query, allow_joins, reuse, summarize, for_save)


@lru_cache(maxsize=4096)
def _term_from(model: Any, path: str, condition: Q, correlated: bool) -> Any:
    """The subquery a ``_Related`` term stands for, asked of ``model``'s records.

    Kept for the life of the process: the same user's terms are built on every request
    (each page asks several), and a term is only its SQL, which depends on nothing but
    the values it names (the user's id, their agency's): never on what the tables hold.
    Each use resolves its own copy into the query asking."""
    hops = path.split(LOOKUP_SEP)
    for depth, hop in enumerate(hops):
        field = model._meta.get_field(hop)
        if field.many_to_one or field.one_to_one:
            model = field.related_model
            continue
        if depth != len(hops) - 1:
            raise ValueError(f"{path}: only the last step may be many-valued")
        at = LOOKUP_SEP.join([*hops[:-1], "pk"])
        here = F(at)
        if field.one_to_many:
            if correlated and not field.field.null:
                # Of a few records: does one of this record's own (index look-ups),
                # rather than listing every record the user is linked to. The same
                # answer, negated too, while the link can never be empty (NOT IN a
                # list holding NULL would refuse every record).
                return Exists(field.related_model._default_manager.filter(
                    condition, **{field.field.name: OuterRef(at)}))
            linked = field.related_model._default_manager.filter(
                condition).order_by().values(field.field.name)
        elif field.many_to_many and not field.auto_created:
            # A many-to-many field of the model: ask its table of pairs.
            pairs = field.remote_field.through._default_manager.filter(
                _prefixed(condition, field.m2m_reverse_field_name()))
            if correlated:  # a table of pairs names both ends
                return Exists(pairs.filter(**{field.m2m_field_name(): OuterRef(at)}))
            linked = pairs.order_by().values(field.m2m_field_name())
        else:
            raise ValueError(f"{path}: {hop} is not a relation this term follows")
        break
    else:
        if correlated:
            return Exists(model._default_manager.filter(
                condition, pk=OuterRef(LOOKUP_SEP.join([*hops, "pk"]))))
        here = F(LOOKUP_SEP.join([*hops, "pk"]))
        linked = model._default_manager.filter(condition).order_by().values("pk")
    return In(here, linked)


def _prefixed(condition: Q, prefix: str) -> Q:
    """``condition`` with every lookup read from ``prefix`` (a relation name)."""
    copy = Q()
    copy.connector, copy.negated = condition.connector, condition.negated
    for child in condition.children:
        if isinstance(child, Q):
            copy.children.append(_prefixed(child, prefix))
        elif isinstance(child, tuple):
            lookup, value = child
            copy.children.append((f"{prefix}{LOOKUP_SEP}{lookup}", value))
        else:
            raise ValueError(f"Only lookups can be read from {prefix}: {child!r}")
    return copy


def _any(path: str, condition: Q) -> Q:
    """Some record across the many-valued relation ``path`` meets ``condition``: as the
    set of records linked to one that meets it (a hashed subplan), or, asked of few
    records ``links_too`` (``asked_of_few_records``), as each record's own links
    (EXISTS, correlated: an index look-up, where the set lists everything the user is
    linked to, thousands of allocations for a busy worker)."""
    return Q(_Related(path, condition, correlated=_FEW_RECORDS.get() >= _EACH_LINK))


# How few the records a question is asked of are: see ``asked_of_few_records``.
_A_LIST, _EACH_RESTRICTION, _EACH_LINK = 0, 1, 2
_FEW_RECORDS: ContextVar[int] = ContextVar("policy_few_records", default=_A_LIST)


@contextmanager
def asked_of_few_records(*, links_too: bool = False) -> Iterator[None]:
    """Relations built inside ask about one record or a handful (``can``,
    ``get_or_404``, ``actions_allowed``, the sections of one record's page): each
    record's restriction is asked of that record, not looked up in the set of every
    restricted record (see ``_record_at``). The same answer, by a plan for few rows.

    ``links_too``: each record's links as well (its allocations, a person's cases; see
    ``_any``), for a question asked in the select list of a query over a handful of
    rows (an annotation), where PostgreSQL would rather hash every record the relation
    could name than look each row's up through sets built from the user's links. Not
    the default: a correlated term costs about twice the Python to compile, and a
    single record's page gains nothing by it (the sets are built only when the record
    is restricted)."""
    level = max(_FEW_RECORDS.get(), _EACH_LINK if links_too else _EACH_RESTRICTION)
    token = _FEW_RECORDS.set(level)
    try:
        yield
    finally:
        _FEW_RECORDS.reset(token)


def _record_at(path: str, condition: Q) -> Q:
    """The record the single-valued relation ``path`` leads to meets ``condition``,
    asked without joining its table. Of a list, as the set of records that meet it
    (worked out once and looked up, a hashed subplan); of one record or a few
    (``asked_of_few_records``), as each record's own (EXISTS, correlated: one index
    look-up each rather than listing every record that meets the condition, thousands
    of restricted people at national scale)."""
    return Q(_Related(path, condition, correlated=_FEW_RECORDS.get() >= _EACH_RESTRICTION))


def _fans_out(query: Query, beyond: Query | None = None) -> bool:
    """Does the query join across a many-valued relation (one row per related record)?
    With ``beyond``: does it through a join ``beyond`` (the query it was made from)
    does not hold?"""
    held = beyond.alias_map if beyond is not None else {}
    fields = (getattr(join, "join_field", None) for alias, join in query.alias_map.items()
              if alias not in held)
    return any(getattr(field, "one_to_many", False) or getattr(field, "many_to_many", False)
               for field in fields)


def _agency_term(user: User, lookup: str, prefix: str = "") -> Q:
    """A relation term that depends on the user's agency. A user without an agency
    matches nothing through it: ``lookup=None`` would match every record not shared
    with anyone."""
    if user.agency_id is None:
        return _never(prefix)
    return Q(**{f"{prefix}{lookup}": user.agency_id})


def _ways_of_working_on_case(user: User, prefix: str = "") -> list[Q]:
    """The case's key worker, a worker allocated to it, or the child's current advocate:
    each way a term of its own."""
    return [
        Q(**{f"{prefix}key_worker": user}),
        _any(f"{prefix}allocations", Q(user=user)),
        _any(f"{prefix}advocacy", Q(advocate=user, ended_on__isnull=True)),
    ]


def _works_on_case(user: User, prefix: str = "") -> Q:
    """The case's key worker, a worker allocated to it, or the child's current advocate."""
    return reduce(operator.or_, _ways_of_working_on_case(user, prefix))


def _may_know_person(user: User, prefix: str = "") -> Q:
    """The restriction on a person's record, as a term on that record (``prefix`` is the
    path to it): an unrestricted person, or a restricted one the user is allocated to or
    works a case of. Every record that names a person (their cases, their referrals)
    carries this term, so a restricted child is not named on any page their own record
    would refuse."""
    # The cases they work on, asked one way at a time: each from its own index (the
    # three ways OR-ed in one question would read every case).
    known_if_restricted = reduce(operator.or_, [
        _any("allocations", Q(user=user)),
        *(_any("cases", way) for way in _ways_of_working_on_case(user))])
    if not prefix:
        return Q(is_restricted=False) | known_if_restricted
    # From a record that names the person, the other way round: not one of the (few)
    # restricted people the user may not know. A join to the people table to read
    # their restriction would cost a look-up per record listed.
    return ~_record_at(prefix.removesuffix(LOOKUP_SEP),
                       Q(is_restricted=True) & ~known_if_restricted)


def person_relation(user: User, prefix: str = "") -> Q:
    """People a user may know exist, by their relation to each record (``prefix`` is
    the path to the person from a record that names them: see ``people_named``).

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
        return _may_know_person(user, prefix)
    own_or_shared = (
        _agency_term(user, "owning_agency_id", prefix)
        | _shared_with_agency(user, f"{prefix}shares")
        | _any(f"{prefix}cases", _partner_case_links(user))
    )
    return _may_know_person(user, prefix) & (
        _any(f"{prefix}allocations", Q(user=user)) | own_or_shared)


def person_change_relation(user: User) -> Q:
    """Records a user may change: those they may open, except a record merged into
    another (the kept record is the one worked on; unmerging makes it changeable
    again), so the two cannot drift apart while the merge stands."""
    return person_relation(user) & Q(merged_into__isnull=True)


def person_share_relation(user: User) -> Q:
    """Records a user may share with a partner agency, or stop sharing: those they may
    change that their own agency holds. A partner the record is shared with does not
    pass it on; the agency that holds it decides who else sees it."""
    return person_change_relation(user) & _agency_term(user, "owning_agency_id")


def match_candidate_relation(user: User) -> Q:
    """Pairs of person records proposed as one person that a user may review: only a
    pair whose both records they may open (so a restricted record only to those
    allocated to it or working on its cases), or the pair would tell them of a record
    they may not know exists."""
    return person_relation(user, "first__") & person_relation(user, "second__")


def person_merge_relation(user: User) -> Q:
    """Merges a user may see and undo: only those whose both records they may open."""
    return person_relation(user, "kept__") & person_relation(user, "merged__")


def own_link_jobs(user: User) -> Q:
    """A list linking job is its requester's alone: its pairs name the people they may
    see, which a colleague may not."""
    return Q(requested_by=user)


def own_partner_imports(user: User) -> Q:
    """An import of a partner's file is its requester's: its report names the children
    it recorded and the people they may be."""
    return Q(requested_by=user)


def own_requested_jobs(user: User) -> Q:
    """Long work asked for from a page (a month published, a PDF drawn) is its
    requester's alone: the file it made is drawn for what they may see."""
    return Q(requested_by=user)


def people_named(user: User, path: str) -> Q:
    """Records that name a person (``path`` leads to them: ``"child"``) whose record the
    user may open: ``scope(user, PERSON_VIEW, ...)`` asked of the record that names
    them. A filter ``child__in=<the people the user may see>`` would have the database
    list every person the user may see first (a million, at national scale)."""
    if not allows(user, Action.PERSON_VIEW):
        return _never("")
    return person_relation(user, prefix=f"{path}{LOOKUP_SEP}")


def _partner_case_links(user: User, prefix: str = "") -> Q:
    """A partner's links to a case: allocated to it, its key worker or current advocate,
    its lead agency, or an agency it is shared with."""
    return (
        _works_on_case(user, prefix=prefix)
        | _agency_term(user, "lead_agency_id", prefix)
        | _shared_with_agency(user, f"{prefix}shares")
    )


def _shared_with_agency(user: User, shares: str) -> Q:
    """The record is shared with the user's agency (``shares`` is the path to its
    shares). A user without an agency has nothing shared with them."""
    if user.agency_id is None:
        return _never("")
    return _any(shares, Q(agency_id=user.agency_id))


def case_relation(user: User, prefix: str = "") -> Q:
    """Cases a user may know exist (``prefix`` is the path to the case from a record
    that belongs to one).

    Information governance sees every case. Hub team members see every case whose child
    they may know exists (a restricted case asks them for a reason when they open it);
    partner staff see the cases they are linked to, on the same condition.
    """
    if Role.INFORMATION_GOVERNANCE in user.role_codes:
        return Q()
    child = _may_know_person(user, prefix=f"{prefix}child__")
    if user.is_hub_member:
        return child
    return _partner_case_links(user, prefix) & child


def case_decision_relation(user: User) -> Q:
    """Requests for a decision on a case: known to those who may know the case."""
    return case_relation(user, prefix="case__")


def case_decision_decidable(user: User) -> Q:
    """Requests this supervisor or chair may approve or reject: on a case they may know,
    and never one they asked for themselves (a second pair of eyes)."""
    return case_decision_relation(user) & ~Q(requested_by=user)


def reason_required(user: User) -> Q:
    """Restricted cases the user must say why they open (break glass, audited): every
    restricted case they do not work on, whoever they are."""
    return Q(is_restricted=True) & ~_works_on_case(user)


def referral_relation(user: User, prefix: str = "") -> Q:
    """Hub staff and information governance see every referral whose child they may know
    exists; anyone else sees only the referrals they made themselves. (``prefix`` is the
    path to the referral from a record that hangs off it.)"""
    if Role.INFORMATION_GOVERNANCE in user.role_codes:
        return Q()
    if user.is_hub_member:
        return _may_know_person(user, prefix=f"{prefix}child__")
    return Q(**{f"{prefix}referrer": user})


def own_referrals(user: User) -> Q:
    return Q(referrer=user)


def own_referrals_status(user: User) -> Q:
    """The referrals whose status and outcome a referrer reads: their own; for a partner
    system's API client, every referral its agency made (they came from the agency's own
    systems, which hold them already)."""
    if user.is_partner_system and user.agency_id is not None:
        return Q(referrer_agency_id=user.agency_id)
    return own_referrals(user)


def partner_check_addressed(user: User) -> Q:
    """Partner checks asked of the user's own agency, for its hub members, about a child
    they may know exists. Nobody else has them in their queue: not even another agency's
    hub members, who see a check only on the referral, if they may read it."""
    if not user.is_hub_member or user.agency_id is None:
        return _never("")
    return Q(agency_id=user.agency_id) & _may_know_person(user, prefix="referral__child__")


def partner_check_relation(user: User) -> Q:
    """Partner checks a user may see: every check on a referral they may read in full
    (triage see what came back), and, for an agency's hub members who return checks,
    the checks asked of their agency."""
    roles = _roles_of(user)
    terms = []
    if roles & REFERRAL_READING_ROLES:
        terms.append(referral_relation(user, prefix="referral__"))
    if roles & PARTNER_CHECK_ROLES:
        terms.append(partner_check_addressed(user))
    return _one_of(terms)


def _never(prefix: str) -> Q:
    return Q(**{f"{prefix}pk__in": []})


def _one_of(terms: list[Q]) -> Q:
    """A record met by any of ``terms`` (none: no record). An empty ``Q()`` is every
    record, and makes the whole every record: Django leaves an empty Q out of an OR,
    which would turn "every record" into "only what the other terms match"."""
    if any(not term for term in terms):
        return Q()
    return reduce(operator.or_, terms, _never(""))


def advocacy_notes_relation(user: User) -> Q:
    """Contacts whose notes a user may read, of those a victim advocate recorded (the
    ``advocacy_service`` is set): the advocacy service's own advocates (victim advocates
    of the agency that recorded them), and information governance, who answer the
    child's subject access request. Nobody else, whatever their role or relation to the
    case: the child tells an independent advocate things they tell no one else."""
    if Role.INFORMATION_GOVERNANCE in user.role_codes:
        return Q()
    return _agency_term(user, "advocacy_service_id")


def report_relation(user: User, prefix: str = "") -> Q:
    """Intelligence reports a user may know exist: handling codes enforced here.

    - The owning team sees its own reports (and only it sees source details).
    - Handling code C: only the teams and agencies its conditions name.
    - Handling code P: hub team members, and agencies it was disseminated to.
    Nobody else, whatever their role: information governance included.
    """
    p = prefix
    owning = Q(**{f"{p}owning_team_id": user.team_id}) if user.team_id else _never(p)
    named = (_any(f"{p}permitted_agencies", Q(pk=user.agency_id)) if user.agency_id
             else _never(p))
    if user.team_id:
        named |= _any(f"{p}permitted_teams", Q(pk=user.team_id))
    disseminated = (
        _any(f"{p}disseminations", Q(to_agency_id=user.agency_id)) if user.agency_id
        else _never(p)
    )
    permitted = Q(**{f"{p}handling_code": "P"})
    if not user.is_hub_member:
        permitted &= disseminated
    conditional = Q(**{f"{p}handling_code": "C"}) & named
    return owning | permitted | conditional


def report_reviewable(user: User) -> Q:
    """Reports this researcher may review, grade and sanitise: any they may see,
    and never one they recorded or submitted themselves (a second pair of eyes)."""
    return report_relation(user) & ~Q(created_by=user)


def group_relation(user: User) -> Q:
    """Groups a user may know exist: every member a person they may know exists, and
    every report in its evidence one they may see. A group found in code C intelligence
    is that intelligence: nobody outside its named teams learns of it."""
    member_known = person_relation(user, "person__")
    hidden_member = _any("members", ~member_known) if member_known else _never("")
    hidden_evidence = _any("evidence", ~report_relation(user, prefix="report__"))
    return ~hidden_member & ~hidden_evidence


def group_decidable(user: User) -> Q:
    """A proposed group is confirmed or rejected by someone other than who proposed it."""
    return group_relation(user) & ~Q(proposed_by=user)


def investigation_relation(user: User, prefix: str = "") -> Q:
    """Investigations a user may know exist (``prefix`` is the path to the investigation
    from a record that belongs to one): their own force's, and only those whose every
    victim and suspect is a person they may know exists (a restricted child's
    investigation is not named to someone their record would refuse). Information
    governance reads every one."""
    if Role.INFORMATION_GOVERNANCE in user.role_codes:
        return Q()
    known = person_relation(user, "person__")
    hidden = _any(f"{prefix}victims", ~known) | _any(f"{prefix}suspects", ~known)
    return _agency_term(user, "owning_agency_id", prefix) & ~hidden


def investigation_open_relation(user: User) -> Q:
    """Investigations a user may work on: those they may know, while open (a closed
    investigation's record stands as it was closed)."""
    return investigation_relation(user) & ~Q(status="closed")


def investigation_reviewable(user: User) -> Q:
    """Investigations this supervisor may review: open ones they may know, never one
    they are the officer in the case for (a second pair of eyes)."""
    return investigation_open_relation(user) & ~Q(officer_in_case=user)


def victim_journey_relation(user: User) -> Q:
    """Child victims whose journey a user may read (on ``InvestigationVictim``): the
    police reader of the investigation (its force's investigators, supervisors and
    analysts, and information governance), and the child's current victim advocate, who
    reads this child's journey and nothing else of the investigation."""
    terms = []
    if user.role_codes & INVESTIGATION_READING_ROLES:
        terms.append(investigation_relation(user, "investigation__"))
    if Role.VICTIM_ADVOCATE in user.role_codes:
        terms.append(_advocate_of_the_child(user) & person_relation(user, "person__"))
    return _one_of(terms)


def victim_journey_recording(user: User) -> Q:
    """Child victims whose journey a user may record: the officers of the force whose
    investigation it is (after a charge too: the journey goes on through court) and the
    child's current victim advocate."""
    terms = []
    if user.role_codes & INVESTIGATING_ROLES:
        terms.append(investigation_relation(user, "investigation__"))
    if Role.VICTIM_ADVOCATE in user.role_codes:
        terms.append(_advocate_of_the_child(user) & person_relation(user, "person__"))
    return _one_of(terms)


def victim_journey_notes(user: User) -> Q:
    """Child victims whose advocate's notes a user may read and write: their current
    advocate (the notes read are still only their own service's: see
    ``advocate_notes_readable``), and information governance for subject access."""
    if Role.INFORMATION_GOVERNANCE in user.role_codes:
        return Q()
    return _advocate_of_the_child(user) & person_relation(user, "person__")


def _advocate_of_the_child(user: User) -> Q:
    """The user is the current advocate on one of the child's cases."""
    return _any("person__cases", Q(advocacy__advocate=user, advocacy__ended_on__isnull=True))


def _examiners_force(user: User, prefix: str = "") -> Q:
    """The exhibits of a digital forensics examiner's own police force: every one, for
    they examine the force's devices whoever the investigation names. Nothing for anyone
    else, nor for an examiner outside a police force."""
    if (Role.FORENSICS not in _roles_of(user) or user.agency is None
            or user.agency.kind != AgencyKind.POLICE):
        return _never(prefix)
    return _agency_term(user, "investigation__owning_agency_id", prefix)


def exhibit_relation(user: User) -> Q:
    """Exhibits a user may know exist: those of investigations they may know (an
    investigator, supervisor, analyst or information governance, as for the
    investigation), and for a digital forensics examiner every exhibit of their force.
    What of the investigation an examiner sees stops at the exhibit's page."""
    terms = [_examiners_force(user)]
    if _roles_of(user) & INVESTIGATION_READING_ROLES:
        terms.append(investigation_relation(user, prefix="investigation__"))
    return _one_of(terms)


def exhibit_examinable(user: User) -> Q:
    """Exhibits an examiner may record triage, examination, return or retention on:
    their own force's."""
    return _examiners_force(user)


def meeting_relation(user: User) -> Q:
    """Meetings (and their series) a user may read: every one, for a member of a hub
    team; none for anyone else."""
    return Q() if user.is_hub_member else _never("")


def own_meeting_actions(user: User) -> Q:
    """Meeting actions a user may read: their own, and for a reader of meetings every
    action of a meeting (each still shown only with an item they may see)."""
    terms = [Q(owner=user)]
    if _roles_of(user) & MEETING_READING_ROLES and user.is_hub_member:
        terms.append(Q())
    return _one_of(terms)


def own_meeting_actions_to_update(user: User) -> Q:
    """Meeting actions whose status a user may record: their own; and, for a meeting
    chair of the hub, any (the chair records what an owner reported at the meeting)."""
    if Role.MEETING_CHAIR in _roles_of(user) and user.is_hub_member:
        return Q()
    return Q(owner=user)


_DISRUPTION_ENTITY_TARGETS = ("target_premises", "target_vehicle", "target_location",
                               "target_account")


def disruption_relation(user: User) -> Q:
    """Disruptions a user may know exist: those of the hub (for a hub team member) or
    whose lead agency is the user's, and only where the user may know its target and
    every child it names exist (a person or group as their own records and groups are
    seen; premises, a vehicle, a location or an account only through a report the user
    may see, so a code C entity stays hidden)."""
    in_reach = Q() if user.is_hub_member else _agency_term(user, "lead_agency_id")
    known = person_relation(user, "person__")
    children_known = ~_any("child_links", ~known) if known else Q()
    target_known = (
        _one_of([Q(target_person__isnull=True), person_relation(user, "target_person__")])
        & _one_of([Q(target_group__isnull=True), _any("target_group", group_relation(user))]))
    for field in _DISRUPTION_ENTITY_TARGETS:
        target_known &= _one_of([
            Q(**{f"{field}__isnull": True}),
            _any(f"{field}__report_links", report_relation(user, prefix="report__"))])
    return in_reach & children_known & target_known


def own_improvement_actions(user: User) -> Q:
    """Inspection actions a user may read: their own, and for a reader of the tracker
    every one."""
    if _roles_of(user) & INSPECTION_READING_ROLES:
        return Q()
    return Q(owner=user)


def own_improvement_actions_to_update(user: User) -> Q:
    """Inspection actions whose progress a user may record: their own."""
    return Q(owner=user)


def owning_team_relation(user: User) -> Q:
    return Q(owning_team_id=user.team_id) if user.team_id else _never("")


def entity_relation(user: User) -> Q:
    """An entity (place, vehicle, phone, account, premises) is known to a user only
    through a report they may see: otherwise its mere existence could leak."""
    return _any("report_links", report_relation(user, prefix="report__"))


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


def training_person_relation(user: User) -> Q:
    """Whose training a user may read: their own; a training lead or senior leader, the
    people of their agency; a supervisor, the people of their team. A relation on users."""
    roles = _roles_of(user)
    relation = Q(pk=user.pk)
    if user.agency_id is not None and roles & {Role.TRAINING_LEAD, Role.SENIOR_LEADER}:
        relation |= Q(agency_id=user.agency_id)
    if user.team_id is not None and Role.SUPERVISOR in roles:
        relation |= Q(team_id=user.team_id)
    return relation


def training_compliance_relation(user: User) -> Q:
    """Whose training counts in the compliance a user reads: the people of a training
    lead's or senior leader's agency, of a supervisor's team."""
    roles = _roles_of(user)
    relation = Q(pk__in=[])
    if user.agency_id is not None and roles & {Role.TRAINING_LEAD, Role.SENIOR_LEADER}:
        relation |= Q(agency_id=user.agency_id)
    if user.team_id is not None and Role.SUPERVISOR in roles:
        relation |= Q(team_id=user.team_id)
    return relation


def training_recording_relation(user: User) -> Q:
    """Whose training records a training lead keeps: the people of their agency."""
    if user.agency_id is None:
        return Q(pk__in=[])
    return Q(agency_id=user.agency_id)


def disposal_decidable(user: User) -> Q:
    """Disposal requests this officer may approve or reject: a second pair of eyes, so
    never one they asked for."""
    return ~Q(requested_by=user)


def subject_access_relation(user: User) -> Q:
    """Every subject access request: the hub answers each as one controller, so any
    information governance officer may take one up; the relation makes a request's pages
    not found (404) to everyone else."""
    return Q(pk__isnull=False)


@dataclass(frozen=True)
class Rule:
    """Who may take one action.

    ``relation`` narrows the records for record-level actions. ``seen_through`` names
    the action that decides whether the user may know a record exists at all; when the
    user may see a record but this action is not theirs, the answer is 403, not 404.
    ``agency_kinds``, when given, narrows the action to staff of those kinds of agency
    (a decision in law belongs to one agency, whoever else holds the role).
    """

    roles: frozenset[Role]
    description: str
    relation: Callable[[User], Q] | None = None
    seen_through: Action | None = None
    agency_kinds: frozenset[AgencyKind] | None = None


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
        "Change a person's details (not a record merged into another)",
        relation=person_change_relation,
        seen_through=Action.PERSON_VIEW,
    ),
    Action.PERSON_SHARE: Rule(
        PEOPLE_RECORDING_ROLES,
        "Share a person's record with a partner agency, and stop sharing it (records "
        "the user's own agency holds)",
        relation=person_share_relation,
        seen_through=Action.PERSON_VIEW,
    ),
    Action.PERSON_ACCESS_LOG: Rule(
        frozenset({Role.INFORMATION_GOVERNANCE}),
        "See who viewed or changed a person's record",
        relation=person_relation,
        seen_through=Action.PERSON_VIEW,
    ),
    Action.PERSON_MATCH_REVIEW: Rule(
        MATCH_REVIEW_ROLES,
        "Review pairs of records the matching model proposes as one person, and decide "
        "whether they are; only pairs whose both records the user may open",
        relation=match_candidate_relation,
    ),
    # Asked of a merge (to see or undo it); merging a pair asks the role of this action
    # and the pair's relation of PERSON_MATCH_REVIEW: either way, both records must be
    # ones the user may open.
    Action.PERSON_MERGE: Rule(
        MATCH_REVIEW_ROLES,
        "Merge two records decided to be one person, and undo a merge; only records the "
        "user may open both of",
        relation=person_merge_relation,
    ),
    Action.NETWORK_VIEW: Rule(
        INTELLIGENCE_ROLES,
        "See the link graph around a person, entity or group: only the intelligence and "
        "people the user may see",
    ),
    Action.NETWORK_EXPORT: Rule(
        INTELLIGENCE_RESEARCH_ROLES,
        "Export a network as it is shown, for i2 Analyst's Notebook (audited)",
    ),
    Action.GROUP_VIEW: Rule(
        INTELLIGENCE_ROLES,
        "See groups proposed or confirmed as group-based CSE: only groups whose every "
        "member and report the user may see",
        relation=group_relation,
    ),
    Action.GROUP_PROPOSE: Rule(
        INTELLIGENCE_RESEARCH_ROLES,
        "Run group detection on the link graph the user may see, proposing groups",
    ),
    Action.GROUP_DECIDE: Rule(
        frozenset({Role.SUPERVISOR}),
        "Confirm or reject a proposed group, with a reason; never one they proposed",
        relation=group_decidable,
        seen_through=Action.GROUP_VIEW,
    ),
    Action.GROUP_MODEL_CHANGE: Rule(
        INTELLIGENCE_RESEARCH_ROLES,
        "Record or correct how a group the user may see exploits children (its "
        "exploitation model)",
        relation=group_relation,
        seen_through=Action.GROUP_VIEW,
    ),
    Action.PERSON_LIST_LINK: Rule(
        INTELLIGENCE_RESEARCH_ROLES,
        "Link a partner's list of people against another list or the hub's people the "
        "user may see, and download the pairs; only their own linking jobs",
        relation=own_link_jobs,
    ),
    Action.REFERRAL_SUBMIT: Rule(REFERRING_ROLES, "Refer a child to the hub"),
    # Triage officers take the partners' referrals in and record children; a mapping says
    # how a partner's file reads, so the hub's administrators keep them too (no personal
    # data). There is no "triage lead" role.
    Action.PARTNER_MAPPING_MANAGE: Rule(
        frozenset({Role.TRIAGE, Role.ADMINISTRATOR}),
        "Record and change how each partner system's export reads (its columns and codes)",
    ),
    Action.PARTNER_IMPORT: Rule(
        frozenset({Role.TRIAGE}),
        "Import children or referrals from a partner system's file, and read the report of "
        "their own imports",
        relation=own_partner_imports,
    ),
    Action.REFERRAL_VIEW_OWN: Rule(
        REFERRING_ROLES,
        "See the status and outcome of one's own referrals (a partner system: its "
        "agency's)",
        relation=own_referrals_status,
    ),
    Action.REFERRAL_ADD_INFORMATION: Rule(
        REFERRING_ROLES,
        "Add information to one's own sent referral (appended: what was sent is not edited)",
        relation=own_referrals,
        seen_through=Action.REFERRAL_VIEW_OWN,
    ),
    Action.REFERRAL_VIEW: Rule(
        REFERRAL_READING_ROLES,
        "Read referrals in full",
        relation=referral_relation,
    ),
    Action.REFERRAL_TRIAGE: Rule(
        frozenset({Role.TRIAGE, Role.SUPERVISOR}),
        "Screen referrals and record triage decisions",
        relation=referral_relation,
        seen_through=Action.REFERRAL_VIEW,
    ),
    Action.REFERRAL_STATUTORY_OUTCOME: Rule(
        frozenset({Role.TRIAGE, Role.SUPERVISOR}),
        "Record a section 47 enquiry or strategy discussion as the triage outcome: the "
        "local authority's decisions, so children's social care staff only",
        relation=referral_relation,
        seen_through=Action.REFERRAL_VIEW,
        agency_kinds=frozenset({AgencyKind.CHILDRENS_SOCIAL_CARE}),
    ),
    Action.PARTNER_CHECK_REQUEST: Rule(
        frozenset({Role.TRIAGE, Role.SUPERVISOR}),
        "Ask partner agencies to check what they hold about a referred child",
        relation=referral_relation,
        seen_through=Action.REFERRAL_VIEW,
    ),
    Action.PARTNER_CHECK_VIEW: Rule(
        REFERRAL_READING_ROLES | PARTNER_CHECK_ROLES,
        "See partner checks: on referrals one may read, and those asked of one's agency",
        relation=partner_check_relation,
    ),
    Action.PARTNER_CHECK_RETURN: Rule(
        PARTNER_CHECK_ROLES,
        "See and return the partner checks asked of one's own agency (its hub members)",
        relation=partner_check_addressed,
    ),
    Action.CASE_LIST: Rule(CASE_WORK_ROLES, "List the child safeguarding cases one may see"),
    Action.CASE_VIEW: Rule(CASE_WORK_ROLES, "Open a child's case", relation=case_relation),
    Action.CASE_OPEN: Rule(
        frozenset({Role.TRIAGE, Role.SUPERVISOR}), "Open a MACE case for a child"
    ),
    Action.CASE_RECORD_WORK: Rule(
        CASE_RECORDING_ROLES,
        "Record contacts, plan items, missing episodes and outcomes on a case",
        relation=case_relation,
        seen_through=Action.CASE_VIEW,
    ),
    Action.CASE_ASSESS_RISK: Rule(
        frozenset({Role.TRIAGE, Role.INVESTIGATOR, Role.SUPERVISOR, Role.SOCIAL_WORKER,
                   Role.MEETING_CHAIR}),
        "Record a structured exploitation risk assessment on a case (a professional "
        "judgement: not the independent advocate's)",
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
        CASE_CHANGING_ROLES,
        "Change a case's workers and sharing, raise its risk tier, ask to close it or "
        "lower its tier",
        relation=case_relation,
        seen_through=Action.CASE_VIEW,
    ),
    Action.CASE_RESTRICT: Rule(
        frozenset({Role.SUPERVISOR, Role.INFORMATION_GOVERNANCE}),
        "Mark a case restricted, or ask to lift the restriction",
        relation=case_relation,
        seen_through=Action.CASE_VIEW,
    ),
    Action.CASE_DECISION_VIEW: Rule(
        CASE_WORK_ROLES,
        "See the requests to close a case, lower its risk tier or lift its restriction",
        relation=case_decision_relation,
    ),
    Action.CASE_DECIDE: Rule(
        frozenset({Role.SUPERVISOR, Role.MEETING_CHAIR}),
        "Approve or reject a request to close a case, lower its risk tier or lift its "
        "restriction that someone else asked for",
        relation=case_decision_decidable,
        seen_through=Action.CASE_DECISION_VIEW,
    ),
    Action.CASE_ADVOCACY_END: Rule(
        frozenset({Role.TRIAGE, Role.SUPERVISOR, Role.MEETING_CHAIR, Role.VICTIM_ADVOCATE}),
        "End the victim advocate's allocation (open or closed case)",
        relation=case_relation,
        seen_through=Action.CASE_VIEW,
    ),
    Action.CASE_READ_ADVOCACY_NOTES: Rule(
        ADVOCACY_NOTES_ROLES,
        "Read the notes of a contact a victim advocate recorded (their advocacy service, "
        "and information governance for subject access)",
        relation=advocacy_notes_relation,
    ),
    Action.INVESTIGATION_VIEW: Rule(
        INVESTIGATION_READING_ROLES,
        "Read the investigations of one's own force whose victims and suspects one may "
        "know (information governance: every one)",
        relation=investigation_relation,
    ),
    Action.INVESTIGATION_RECORD: Rule(
        INVESTIGATING_ROLES,
        "Record a new investigation for one's own force (police staff only)",
        agency_kinds=frozenset({AgencyKind.POLICE}),
    ),
    Action.INVESTIGATION_CHANGE: Rule(
        INVESTIGATING_ROLES,
        "Record crimes, victims, suspects and lines of enquiry on an open investigation, "
        "ask for a review before charge or closure, send it for a charging decision and "
        "record its outcome",
        relation=investigation_open_relation,
        seen_through=Action.INVESTIGATION_VIEW,
        agency_kinds=frozenset({AgencyKind.POLICE}),
    ),
    Action.INVESTIGATION_ALLOCATE: Rule(
        frozenset({Role.SUPERVISOR}),
        "Allocate an open investigation to an officer in the case and a supervisor",
        relation=investigation_open_relation,
        seen_through=Action.INVESTIGATION_VIEW,
        agency_kinds=frozenset({AgencyKind.POLICE}),
    ),
    Action.INVESTIGATION_REVIEW: Rule(
        frozenset({Role.SUPERVISOR}),
        "Sign a supervisory review of an open investigation; never one they are the "
        "officer in the case for",
        relation=investigation_reviewable,
        seen_through=Action.INVESTIGATION_VIEW,
        agency_kinds=frozenset({AgencyKind.POLICE}),
    ),
    Action.VICTIM_JOURNEY_VIEW: Rule(
        INVESTIGATION_READING_ROLES | {Role.VICTIM_ADVOCATE},
        "Read a child victim's journey through an investigation (Victims' Code, ABE "
        "interview, special measures, court, withdrawal): the force's investigation readers "
        "and the child's current victim advocate",
        relation=victim_journey_relation,
    ),
    Action.VICTIM_JOURNEY_RECORD: Rule(
        INVESTIGATING_ROLES | {Role.VICTIM_ADVOCATE},
        "Record a child victim's journey: the force's investigators and supervisors, and "
        "the child's current victim advocate",
        relation=victim_journey_recording,
        seen_through=Action.VICTIM_JOURNEY_VIEW,
    ),
    Action.VICTIM_JOURNEY_NOTES: Rule(
        ADVOCACY_NOTES_ROLES,
        "Read and write the advocate's confidential notes on a child victim's journey "
        "(the advocacy service's own; information governance reads them for subject "
        "access)",
        relation=victim_journey_notes,
        seen_through=Action.VICTIM_JOURNEY_VIEW,
    ),
    Action.VICTIM_JOURNEY_WRITE_NOTE: Rule(
        frozenset({Role.VICTIM_ADVOCATE}),
        "Write a confidential note on a child victim's journey, for one's advocacy "
        "service (the child's current advocate)",
        relation=victim_journey_notes,
        seen_through=Action.VICTIM_JOURNEY_VIEW,
    ),
    Action.EXHIBIT_VIEW: Rule(
        EXHIBIT_READING_ROLES,
        "Read the devices seized for the investigations one may read; a digital "
        "forensics examiner, every exhibit of their own force (and of its investigation "
        "only what the examination needs)",
        relation=exhibit_relation,
    ),
    Action.EXHIBIT_RECORD: Rule(
        INVESTIGATING_ROLES,
        "Record a device seized for an open investigation one may change",
        relation=investigation_open_relation,
        seen_through=Action.INVESTIGATION_VIEW,
        agency_kinds=frozenset({AgencyKind.POLICE}),
    ),
    Action.EXHIBIT_EXAMINE: Rule(
        frozenset({Role.FORENSICS}),
        "Record a seized device's triage, its full examination report, and its return, "
        "retention or disposal (the force's digital forensics examiners)",
        relation=exhibit_examinable,
        seen_through=Action.EXHIBIT_VIEW,
        agency_kinds=frozenset({AgencyKind.POLICE}),
    ),
    Action.MEETING_VIEW: Rule(
        MEETING_READING_ROLES,
        "Read the hub's tactical meetings: agendas, attendance, decisions and actions "
        "(a hub team member; each item only where one may read the record it links to)",
        relation=meeting_relation,
    ),
    Action.MEETING_RUN: Rule(
        frozenset({Role.MEETING_CHAIR}),
        "Run the hub's meetings: create series and meetings, prepare the agenda, record "
        "attendance, decisions and actions, and approve the minutes",
        relation=meeting_relation,
        seen_through=Action.MEETING_VIEW,
    ),
    Action.MEETING_ACTION_VIEW: Rule(
        MEETING_ACTION_OWNING_ROLES,
        "Read the actions a meeting gave one (and, for a reader of meetings, others')",
        relation=own_meeting_actions,
    ),
    Action.MEETING_ACTION_UPDATE: Rule(
        MEETING_ACTION_OWNING_ROLES,
        "Record that one's own meeting action is done (a meeting chair: any action)",
        relation=own_meeting_actions_to_update,
        seen_through=Action.MEETING_ACTION_VIEW,
    ),
    Action.DISRUPTION_VIEW: Rule(
        DISRUPTION_READING_ROLES,
        "Read the disruptions of the hub or one's agency whose target and children one "
        "may know exist",
        relation=disruption_relation,
    ),
    Action.DISRUPTION_RECORD: Rule(
        DISRUPTION_RECORDING_ROLES,
        "Record a disruption (a police power only by police staff)",
        agency_kinds=DISRUPTION_AGENCY_KINDS,
    ),
    Action.DISRUPTION_CHANGE: Rule(
        DISRUPTION_RECORDING_ROLES,
        "Move a disruption one may see on (applied, granted, served, ended...) and record "
        "its breaches",
        relation=disruption_relation,
        seen_through=Action.DISRUPTION_VIEW,
        agency_kinds=DISRUPTION_AGENCY_KINDS,
    ),
    Action.DISRUPTION_EFFECTIVENESS_VIEW: Rule(
        INTELLIGENCE_ROLES,
        "See whether disruptions work: counts of intelligence and missing episodes before "
        "and after each, and breach rates (counts only, to those who read intelligence)",
    ),
    Action.DISRUPTION_TACTIC_ADD: Rule(
        frozenset({Role.ADMINISTRATOR}), "Add a disruption tactic the hub uses"),
    Action.TRAINING_COURSE_VIEW: Rule(
        ALL_ROLES, "Read the training courses, their tiers and who must take each"),
    Action.TRAINING_PERSON_VIEW: Rule(
        ALL_ROLES,
        "Read a person's training (audited): one's own; a training lead or senior leader, "
        "their agency's people; a supervisor, their team's",
        relation=training_person_relation,
    ),
    Action.TRAINING_RECORD: Rule(
        frozenset({Role.TRAINING_LEAD}),
        "Enter the training records of one's agency's people",
        relation=training_recording_relation,
        seen_through=Action.TRAINING_PERSON_VIEW,
    ),
    Action.TRAINING_IMPORT: Rule(
        frozenset({Role.TRAINING_LEAD}),
        "Import a learning system's training records for one's agency (all or nothing)",
    ),
    Action.TRAINING_COURSE_MANAGE: Rule(
        frozenset({Role.TRAINING_LEAD}),
        "Add and change the training courses and who must take each (version-checked)",
    ),
    Action.TRAINING_COMPLIANCE_VIEW: Rule(
        frozenset({Role.TRAINING_LEAD, Role.SUPERVISOR, Role.SENIOR_LEADER}),
        "Read training compliance and what expires: a training lead or senior leader, of "
        "their agency; a supervisor, of their team",
        relation=training_compliance_relation,
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
        "Review, grade and sanitise submissions and reports that someone else recorded or "
        "submitted",
        relation=report_reviewable,
        seen_through=Action.INTELLIGENCE_VIEW,
    ),
    Action.INTELLIGENCE_LINK: Rule(
        INTELLIGENCE_RESEARCH_ROLES,
        "Link the people, places and things a report mentions (its author too)",
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
    Action.PROFILE_VIEW: Rule(
        frozenset({Role.ANALYST, Role.SENIOR_LEADER, Role.SUPERVISOR, Role.MEETING_CHAIR}),
        "See the problem profile's live hotspots and patterns (aggregates; points on a map "
        "only from records the user may see)",
    ),
    Action.PROFILE_DRAFT: Rule(
        frozenset({Role.ANALYST}),
        "Draft a problem profile and write its assessments and recommendations",
    ),
    Action.PROFILE_PUBLISH: Rule(
        frozenset({Role.SENIOR_LEADER}),
        "Publish (freeze) a problem profile an analyst drafted",
    ),
    Action.PROFILE_RESTRICTED_VIEW: Rule(
        PROFILE_RESTRICTED_READERS,
        "Read a published problem profile's restricted version (for the hub)",
    ),
    Action.PROFILE_PARTNERSHIP_VIEW: Rule(
        PROFILE_RESTRICTED_READERS | {Role.SCRUTINY, Role.INFORMATION_GOVERNANCE},
        "Read a published problem profile's partnership version (small numbers suppressed, "
        "no one named)",
    ),
    Action.INSPECTION_VIEW: Rule(
        INSPECTION_READING_ROLES,
        "Read the inspection recommendations tracker: inspections, recommendations, "
        "actions, the force's status and the PCC's assessment",
    ),
    Action.INSPECTION_MANAGE: Rule(
        frozenset({Role.SENIOR_LEADER}),
        "Record inspections, their recommendations and actions, link measures as "
        "evidence and set the force's status (a police force's senior leaders)",
        seen_through=Action.INSPECTION_VIEW,
        agency_kinds=frozenset({AgencyKind.POLICE}),
    ),
    Action.RECOMMENDATION_ASSESS: Rule(
        frozenset({Role.SCRUTINY}),
        "Write scrutiny notes and the PCC's independent assessment of a recommendation",
        seen_through=Action.INSPECTION_VIEW,
    ),
    Action.PROGRESS_STATEMENT_PUBLISH: Rule(
        frozenset({Role.SCRUTINY}),
        "Publish (freeze) an inspection's public progress statement",
        seen_through=Action.INSPECTION_VIEW,
    ),
    Action.PROGRESS_STATEMENT_VIEW: Rule(
        ALL_ROLES,
        "Read published progress statements (public: small numbers suppressed, no one "
        "named)",
    ),
    Action.IMPROVEMENT_ACTION_VIEW: Rule(
        ALL_ROLES,
        "Read one's own inspection actions (a reader of the tracker: every one)",
        relation=own_improvement_actions,
    ),
    Action.IMPROVEMENT_ACTION_UPDATE: Rule(
        ALL_ROLES,
        "Record progress on one's own inspection action: done, dropped, evidence",
        relation=own_improvement_actions_to_update,
        seen_through=Action.IMPROVEMENT_ACTION_VIEW,
    ),
    Action.WORKFORCE_ESTABLISHMENT: Rule(
        frozenset({Role.SENIOR_LEADER, Role.ADMINISTRATOR}),
        "See and record teams' establishment and posts filled by month (a senior leader "
        "for the teams of their own agency, an administrator for any team)",
    ),
    Action.WORKFORCE_WEIGHTING_CHANGE: Rule(
        frozenset({Role.SENIOR_LEADER}),
        "Change the weighting of the kinds of work in a caseload",
    ),
    Action.WORKFORCE_CASELOAD_VIEW: Rule(
        frozenset({Role.SENIOR_LEADER, Role.SUPERVISOR}),
        "See named workers' live caseloads (a senior leader their agency's staff, a "
        "supervisor their team's)",
    ),
    Action.WORKFORCE_REPORT_VIEW: Rule(
        frozenset({Role.SENIOR_LEADER, Role.SCRUTINY}),
        "Read the resourcing evidence report: demand against capacity, caseloads against "
        "a safe level (no one named; small numbers suppressed for scrutiny)",
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
    Action.BACKGROUND_JOBS_VIEW: Rule(
        frozenset({Role.INFORMATION_GOVERNANCE, Role.ADMINISTRATOR}),
        "See the background jobs: their state, progress and outcome",
    ),
    Action.REQUESTED_JOB_VIEW: Rule(
        ALL_ROLES,
        "Follow the long work the user asked for from a page (publishing a month, "
        "drawing a PDF) and take its result; only their own, while they may still do "
        "what the work did",
        relation=own_requested_jobs,
    ),
    Action.RETENTION_RULES_VIEW: Rule(
        frozenset({Role.ADMINISTRATOR, Role.INFORMATION_GOVERNANCE}),
        "See the retention rules each kind of record is reviewed under",
    ),
    Action.RETENTION_REVIEW: Rule(
        frozenset({Role.INFORMATION_GOVERNANCE}),
        "Review records due for review: keep them, or ask for their disposal",
    ),
    Action.DISPOSAL_DECIDE: Rule(
        frozenset({Role.INFORMATION_GOVERNANCE}),
        "Approve or reject another officer's request to dispose of a record",
        relation=disposal_decidable,
    ),
    Action.LEGAL_HOLD_MANAGE: Rule(
        frozenset({Role.INFORMATION_GOVERNANCE}),
        "Place and release legal holds that stop records being disposed of",
    ),
    Action.SHARING_AGREEMENT_VIEW: Rule(
        ALL_ROLES,
        "Read the register of information-sharing agreements: parties, purpose, lawful "
        "basis, data categories, dates (it holds no personal data)",
    ),
    Action.SHARING_AGREEMENT_MANAGE: Rule(
        frozenset({Role.INFORMATION_GOVERNANCE}),
        "Record information-sharing agreements and change them (review, end)",
    ),
    Action.SUBJECT_ACCESS_MANAGE: Rule(
        frozenset({Role.INFORMATION_GOVERNANCE}),
        "Log subject access requests, gather what the hub holds about the person, mark "
        "redactions and produce the disclosure bundle",
        relation=subject_access_relation,
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
    rule = RULES[action]
    if not _roles_of(user) & rule.roles:
        return False
    if rule.agency_kinds is not None:
        return user.agency is not None and user.agency.kind in rule.agency_kinds
    return True


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
    relation = rule.relation(user)
    scoped = queryset.filter(relation)
    if _fans_out(scoped.query, beyond=queryset.query):
        # A relation joined across a many-valued relation would repeat records: filter
        # by id instead.
        return queryset.filter(pk__in=queryset.model._default_manager.filter(relation)
                               .values("pk"))
    return scoped


# What ``get_or_404`` proved of a record it fetched: the relations the record met, for
# the user it was fetched for. On a page that changes nothing (``reading_only``), asked
# again of that record (``can``, ``actions_allowed``, ``scope_of``: the buttons and
# sections of the page that fetched it), a relation it met needs no query. Kept on the
# instance, and read only while the page is being drawn: a page that changes the record
# (ends an advocacy, moves a worker) asks again afterwards, and is answered afresh.
_MET = "_policy_relations_met"
_READING_ONLY: ContextVar[bool] = ContextVar("policy_reading_only", default=False)


@contextmanager
def reading_only() -> Iterator[None]:
    """A page that reads and changes nothing (an overview, a record's sections): what
    ``get_or_404`` found a record it fetched meets holds for the rest of the page, so
    ``can``, ``actions_allowed`` and ``scope_of`` of the same relation ask nothing more.
    Never around a page that writes: a change to an allocation, a share or a restriction
    must be asked of the database again."""
    token = _READING_ONLY.set(True)
    try:
        yield
    finally:
        _READING_ONLY.reset(token)


def _relations_met(user: User, record: Model) -> frozenset[Callable[[User], Q]]:
    if not _READING_ONLY.get():
        return frozenset()
    met: tuple[Any, frozenset[Callable[[User], Q]]] | None = getattr(record, "__dict__",
                                                                      {}).get(_MET)
    if met is None or met[0] != user.pk or user.pk is None:
        return frozenset()
    return met[1]


def _note_met(user: User, record: Model, *actions: Action) -> None:
    if not _READING_ONLY.get() or not isinstance(record, Model):
        return  # kept for a page that changes nothing; a row of values has nowhere
    relations: set[Callable[[User], Q]] = set()
    for action in actions:
        relation = RULES[action].relation
        if relation is not None:
            relations.add(relation)
    record.__dict__[_MET] = (user.pk, _relations_met(user, record) | relations)
    for relation in relations:
        for name, implied in _MET_BY_WHAT_IT_NAMES.get(relation, ()):
            named = record._state.fields_cache.get(name)  # fetched with it: no query
            if named is not None:
                named.__dict__[_MET] = (user.pk, _relations_met(user, named) | {implied})


# A record that meets the first relation names a record that meets the second (through
# the single-valued relation named): a case the user may know is of a child they may
# know (``case_relation`` asks ``_may_know_person`` of the child, and a partner's link to
# the case is a link to the child through their cases). Checked for every standard user
# and case in ``cases/tests/test_policy_answers_at_once.py``.
_MET_BY_WHAT_IT_NAMES: dict[Callable[[User], Q], tuple[tuple[str, Callable[[User], Q]], ...]] = {
    case_relation: (("child", person_relation),),
}


# Relations that are another record's relation asked through the path to it: a request
# for a decision on a case is known to those who may know the case.
_THROUGH: dict[Callable[[User], Q], tuple[str, Callable[[User], Q]]] = {
    case_decision_relation: ("case", case_relation),
}


# Relations that are another relation narrowed by the record's own fields, with that
# narrowing as a test of a record already fetched: on a page that fetched the record
# through the other relation, the answer is the test, and nothing more is asked (the
# person page's change buttons). The test says what the relation's own Q says; checked
# against the database in ``tests/test_person_merge.py``.
_NARROWED: dict[Callable[[User], Q], tuple[Callable[[User], Q], Callable[[Any], bool]]] = {
    person_change_relation: (person_relation, lambda person: person.merged_into_id is None),
}


def _answered_by_narrowing(user: User, relation: Callable[[User], Q] | None,
                           record: Model) -> bool | None:
    """Whether ``record`` meets ``relation``, when what it met when fetched answers it;
    None when the database must be asked."""
    narrowed = _NARROWED.get(relation) if relation is not None else None
    if narrowed is None or narrowed[0] not in _relations_met(user, record):
        return None
    return narrowed[1](record)


def scope_of(user: User, action: Action, queryset: QuerySet[M], *, path: str,
             record: Model) -> QuerySet[M]:
    """The records of ``queryset`` that belong to ``record`` (``path`` leads to it) this
    user may take ``action`` on: ``scope`` of ``record``'s records. Where the action's
    relation is ``record``'s own asked through ``path``, and ``get_or_404`` fetched
    ``record`` through it for this user, every one of them meets it: nothing more is
    asked (the decisions waiting on the case a page has opened)."""
    held = queryset.filter(**{path: record})
    relation = RULES[action].relation
    if (allows(user, action) and relation is not None and relation in _THROUGH
            and _THROUGH[relation][0] == path
            and _THROUGH[relation][1] in _relations_met(user, record)):
        return held
    return scope(user, action, held)


def can(user: User, action: Action, record: Model) -> bool:
    """The single-record form of ``scope``: the same filter, asked of one row (no query
    when ``get_or_404`` fetched the record through the same relation)."""
    relation = RULES[action].relation
    if relation is not None and relation in _relations_met(user, record):
        return allows(user, action)
    narrowed = _answered_by_narrowing(user, relation, record)
    if narrowed is not None:
        return narrowed and allows(user, action)
    with asked_of_few_records():
        return scope(user, action,
                     type(record)._default_manager.filter(pk=record.pk)).exists()


def can_each(user: User, action: Action, records: Iterable[M]) -> set[Any]:
    """The pks of those of ``records`` (of one model) the user may take ``action`` on:
    ``can`` for a whole list in one query (none when the roles alone refuse)."""
    rows = list(records)
    if not rows or not allows(user, action):
        return set()
    model = type(rows[0])
    return set(scope(user, action, model._default_manager.filter(
        pk__in=[row.pk for row in rows])).values_list("pk", flat=True))


def actions_allowed(user: User, actions: Iterable[Action], record: Model) -> frozenset[Action]:
    """Which of ``actions`` the user may take on one record: ``can`` for each, answered
    in at most one query. An action the roles alone refuse, or that needs no relation
    to the record, is answered without asking the database."""
    allowed: set[Action] = set()
    # Actions that share a relation (most actions on a case ask ``case_relation``) are
    # one question; one the record met when ``get_or_404`` fetched it is answered.
    met = _relations_met(user, record)
    by_relation: dict[Callable[[User], Q], list[Action]] = {}
    for action in dict.fromkeys(actions):
        rule = RULES[action]
        if not allows(user, action):
            continue
        if rule.relation is None or rule.relation in met:
            allowed.add(action)
            continue
        narrowed = _answered_by_narrowing(user, rule.relation, record)
        if narrowed is not None:
            if narrowed:
                allowed.add(action)
            continue
        by_relation.setdefault(rule.relation, []).append(action)
    with asked_of_few_records():
        asked = {
            f"may_{number}": Exists(type(record)._default_manager.filter(relation(user))
                                    .filter(pk=OuterRef("pk")))
            for number, relation in enumerate(by_relation)
        }
    if asked:
        answers = (type(record)._default_manager.filter(pk=record.pk)
                   .annotate(**asked).values(*asked).first())
        if answers is not None:
            for name, actions_of in zip(asked, by_relation.values(), strict=True):
                if answers[name]:
                    allowed.update(actions_of)
    return frozenset(allowed)


def get_or_404(user: User, action: Action, queryset: QuerySet[M], **lookup: Any) -> M:
    """Fetch one record for an action: 404 if the user may not know it exists, 403 if
    they may see it but may not take this action. The record remembers the relations it
    met, for this user: the page's ``can`` and ``actions_allowed`` of them ask nothing
    more."""
    rule = RULES[action]
    seen_through = rule.seen_through or action
    try:
        with asked_of_few_records():
            found = scope(user, seen_through, queryset)
        record = found.get(**lookup)
    except ObjectDoesNotExist as exc:
        raise Http404("No such record") from exc
    _note_met(user, record, seen_through)
    if seen_through != action:
        if not can(user, action, record):
            raise PermissionDenied(rule.description)
        _note_met(user, record, action)
    return record
