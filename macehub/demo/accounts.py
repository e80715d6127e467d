"""The demo's organisations and staff: the agencies of the fictional county of
Northshire, their teams (the MACE hub team in the police force, with seconded hub
members in social care and health), and one account per role per relevant agency.

Every demo account shares ``DEMO_PASSWORD``: it is for a laptop with synthetic data
only. ``demo_accounts`` lists them for ``make demo`` and the end of ``demo_data``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db.models import Q

from macehub.accounts.models import Agency, RoleAssignment, RoleChangeRequest, Team, User
from macehub.accounts.roles import AgencyKind, Role
from macehub.demo.progress import Progress
from macehub.demo.registry import DemoContext

DEMO_PASSWORD = "demo-password-change-me"  # noqa: S105 - demo only, printed on purpose
DEMO_EMAIL_DOMAIN = "demo.macehub.invalid"


@dataclass(frozen=True)
class TeamSpec:
    key: str
    name: str
    is_hub_team: bool = False


@dataclass(frozen=True)
class AgencySpec:
    code: str
    name: str
    kind: AgencyKind
    teams: tuple[TeamSpec, ...]


@dataclass(frozen=True)
class AccountSpec:
    username: str
    roles: tuple[Role, ...]
    agency_code: str
    team_key: str
    job_title: str


POLICE = "northshire-police"
CHILDRENS_SERVICES = "northshire-childrens-services"
HEALTH = "northshire-health"
EDUCATION = "northshire-education"
DISTRICT_COUNCIL = "brackenford-council"
CHARITY = "lantern-project"
PCC = "northshire-pcc"

AGENCIES: tuple[AgencySpec, ...] = (
    AgencySpec(POLICE, "Northshire Police", AgencyKind.POLICE, (
        TeamSpec("police-hub", "MACE Hub", is_hub_team=True),
        TeamSpec("police-neighbourhood", "Brackenford Neighbourhood Policing Team"),
        TeamSpec("police-chief-officers", "Chief Officer Team"),
        TeamSpec("police-learning", "Learning and Development"),
        TeamSpec("police-information", "Information Management"),
    )),
    AgencySpec(
        CHILDRENS_SERVICES, "Northshire County Council Children's Services",
        AgencyKind.CHILDRENS_SOCIAL_CARE, (
            TeamSpec("social-care-hub", "MACE Hub (Children's Services)", is_hub_team=True),
            TeamSpec("social-care-district", "Brackenford Social Work Team"),
        ),
    ),
    AgencySpec(HEALTH, "Northshire Healthcare NHS Foundation Trust", AgencyKind.HEALTH, (
        TeamSpec("health-hub", "MACE Hub (Health)", is_hub_team=True),
        TeamSpec("health-sexual-health", "Sexual Health Service"),
    )),
    AgencySpec(
        EDUCATION, "Northshire County Council Education Service", AgencyKind.EDUCATION, (
            TeamSpec("education-school", "Brackenford Academy Safeguarding"),
            TeamSpec("education-safeguarding", "Education Safeguarding Team"),
        ),
    ),
    AgencySpec(DISTRICT_COUNCIL, "Brackenford District Council", AgencyKind.LOCAL_AUTHORITY, (
        TeamSpec("council-licensing", "Licensing"),
        TeamSpec("council-community-safety", "Community Safety"),
    )),
    AgencySpec(CHARITY, "Lantern Project (Northshire children's charity)",
               AgencyKind.VOLUNTARY_SECTOR, (
        TeamSpec("charity-advocacy", "Child Exploitation Advocacy Service"),
    )),
    AgencySpec(PCC, "Office of the Northshire Police and Crime Commissioner",
               AgencyKind.PCC_OFFICE, (
        TeamSpec("pcc-scrutiny", "Scrutiny and Assurance"),
    )),
)

ACCOUNTS: tuple[AccountSpec, ...] = (
    # Police: the MACE hub team, plus a neighbourhood officer who refers.
    AccountSpec("triage.police", (Role.TRIAGE,), POLICE, "police-hub",
                "Detective Constable, MACE triage"),
    AccountSpec("analyst.police", (Role.ANALYST,), POLICE, "police-hub", "Intelligence Analyst"),
    AccountSpec("investigator.police", (Role.INVESTIGATOR,), POLICE, "police-hub",
                "Detective Constable, CSE investigations"),
    AccountSpec("supervisor.police", (Role.SUPERVISOR,), POLICE, "police-hub",
                "Detective Sergeant"),
    AccountSpec("forensics.police", (Role.FORENSICS,), POLICE, "police-hub",
                "Digital Forensics Examiner"),
    AccountSpec("chair.police", (Role.MEETING_CHAIR,), POLICE, "police-hub",
                "Detective Inspector, MACE chair"),
    AccountSpec("referrer.police", (Role.REFERRER,), POLICE, "police-neighbourhood",
                "Police Constable"),
    AccountSpec("senior.police", (Role.SENIOR_LEADER,), POLICE, "police-chief-officers",
                "Assistant Chief Constable"),
    AccountSpec("training.police", (Role.TRAINING_LEAD,), POLICE, "police-learning",
                "Learning and Development Lead"),
    AccountSpec("ig.police", (Role.INFORMATION_GOVERNANCE,), POLICE, "police-information",
                "Information Governance Officer"),
    AccountSpec("admin.police", (Role.ADMINISTRATOR,), POLICE, "police-information",
                "System Administrator"),
    # Children's social care: seconded hub social workers (one triages, one holds cases as
    # the children's lead professional) and a district team.
    AccountSpec("triage.socialcare", (Role.TRIAGE,), CHILDRENS_SERVICES, "social-care-hub",
                "Social Worker, MACE hub"),
    AccountSpec("socialworker.socialcare", (Role.SOCIAL_WORKER,), CHILDRENS_SERVICES,
                "social-care-hub", "Exploitation Social Worker"),
    AccountSpec("referrer.socialcare", (Role.REFERRER,), CHILDRENS_SERVICES,
                "social-care-district", "Social Worker"),
    # Health: a seconded safeguarding nurse and a clinic that refers.
    AccountSpec("triage.health", (Role.TRIAGE,), HEALTH, "health-hub",
                "Safeguarding Nurse, MACE hub"),
    AccountSpec("referrer.health", (Role.REFERRER,), HEALTH, "health-sexual-health",
                "Sexual Health Nurse"),
    # Education.
    AccountSpec("referrer.school", (Role.REFERRER,), EDUCATION, "education-school",
                "Designated Safeguarding Lead"),
    # Local authority: licensing (disruption partner) refers too.
    AccountSpec("referrer.council", (Role.REFERRER,), DISTRICT_COUNCIL, "council-licensing",
                "Licensing Enforcement Officer"),
    # Voluntary sector: the independent advocacy service (its notes are its own).
    AccountSpec("advocate.voluntary", (Role.VICTIM_ADVOCATE,), CHARITY, "charity-advocacy",
                "Independent Child Exploitation Advocate"),
    AccountSpec("referrer.voluntary", (Role.REFERRER,), CHARITY, "charity-advocacy",
                "Youth Worker"),
    # Police and Crime Commissioner's office.
    AccountSpec("scrutiny.pcc", (Role.SCRUTINY,), PCC, "pcc-scrutiny",
                "Policy and Scrutiny Officer"),
    # A second administrator: granting a role that reads records or intelligence, or hub
    # team membership, needs one administrator to ask and another to approve. Last, so
    # the names drawn for the accounts above stay as they were.
    AccountSpec("admin2.police", (Role.ADMINISTRATOR,), POLICE, "police-information",
                "System Administrator"),
    # A second advocate of the same service, so that a child's advocate can change (the
    # continuity measure) and the notes are shared within the service.
    AccountSpec("advocate2.voluntary", (Role.VICTIM_ADVOCATE,), CHARITY, "charity-advocacy",
                "Independent Child Exploitation Advocate"),
)

DEMO_USERNAMES: tuple[str, ...] = tuple(account.username for account in ACCOUNTS)
DEMO_AGENCY_CODES: tuple[str, ...] = tuple(agency.code for agency in AGENCIES)


def create_agencies(ctx: DemoContext) -> None:
    for spec in AGENCIES:
        agency = Agency.objects.create(code=spec.code, name=spec.name, kind=spec.kind)
        ctx.agencies[spec.code] = agency
        for team_spec in spec.teams:
            ctx.teams[team_spec.key] = Team.objects.create(
                agency=agency, name=team_spec.name, is_hub_team=team_spec.is_hub_team
            )
    ctx.count("agencies", len(ctx.agencies))
    ctx.count("teams", len(ctx.teams))


def create_users(ctx: DemoContext) -> None:
    password = make_password(DEMO_PASSWORD)  # hashed once: the hasher is slow on purpose
    users = []
    for spec in ACCOUNTS:
        first_name, last_name = ctx.faker.first_name(), ctx.faker.last_name()
        users.append(
            User(
                username=spec.username,
                password=password,
                first_name=first_name,
                last_name=last_name,
                email=f"{spec.username}@{DEMO_EMAIL_DOMAIN}",
                agency=ctx.agencies[spec.agency_code],
                team=ctx.teams[spec.team_key],
                job_title=spec.job_title,
            )
        )
    User.objects.bulk_create(users)
    ctx.users = {user.username: user for user in User.objects.filter(username__in=DEMO_USERNAMES)}
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user=ctx.users[spec.username], role=role)
        for spec in ACCOUNTS
        for role in spec.roles
    )
    ctx.count("users", len(users))


@dataclass(frozen=True)
class DemoAccount:
    username: str
    roles: str
    agency: str
    team: str
    is_hub_member: bool


def demo_accounts() -> list[DemoAccount]:
    """The demo accounts that exist in the database, in the order of ``ACCOUNTS``."""
    users = {
        user.username: user
        for user in User.objects.filter(username__in=DEMO_USERNAMES)
        .select_related("agency", "team")
        .prefetch_related("role_assignments")
    }
    accounts = []
    for spec in ACCOUNTS:
        user = users.get(spec.username)
        if user is None:
            continue
        accounts.append(
            DemoAccount(
                username=user.username,
                roles=", ".join(
                    Role(a.role).label for a in user.role_assignments.all()
                ),
                agency=user.agency.name if user.agency else "",
                team=user.team.name if user.team else "",
                is_hub_member=user.is_hub_member,
            )
        )
    return accounts


def accounts_table(accounts: list[DemoAccount]) -> str:
    """The accounts as an aligned plain-text table, with the shared password."""
    headings = ("Username", "Roles", "Agency", "Team")
    rows = [
        (a.username, a.roles, a.agency, a.team + (" [hub]" if a.is_hub_member else ""))
        for a in accounts
    ]
    widths = [max(len(row[i]) for row in (headings, *rows)) for i in range(len(headings))]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))

    lines = [line(row).rstrip() for row in (headings, tuple("-" * w for w in widths), *rows)]
    lines.append(f"Every demo account's password: {DEMO_PASSWORD}")
    return "\n".join(lines)


def demo_users_filter() -> Q:
    """Users the demo made: its usernames, or anyone in one of its agencies."""
    return Q(username__in=DEMO_USERNAMES) | Q(agency__code__in=DEMO_AGENCY_CODES)


def delete_demo_users(progress: Progress) -> dict[str, int]:
    # Requests to change a demo user's access, or made or decided by one, or naming a demo
    # agency or team, point at them with PROTECT; the audit log keeps their history.
    demo_users = User.objects.filter(demo_users_filter()).values("pk")
    demo_teams = Team.objects.filter(agency__code__in=DEMO_AGENCY_CODES).values("pk")
    demo_agencies = Agency.objects.filter(code__in=DEMO_AGENCY_CODES).values("pk")
    requests, _ = RoleChangeRequest.objects.filter(
        Q(subject__in=demo_users) | Q(requested_by__in=demo_users)
        | Q(decided_by__in=demo_users) | Q(old_team__in=demo_teams) | Q(new_team__in=demo_teams)
        | Q(old_agency__in=demo_agencies) | Q(new_agency__in=demo_agencies)
    ).delete()
    deleted, _ = User.objects.filter(demo_users_filter()).delete()
    return {"requests to change access": requests, "users and their roles": deleted}


def delete_demo_agencies(progress: Progress) -> dict[str, int]:
    teams, _ = Team.objects.filter(agency__code__in=DEMO_AGENCY_CODES).delete()
    agencies, _ = Agency.objects.filter(code__in=DEMO_AGENCY_CODES).delete()
    return {"teams": teams, "agencies": agencies}
