"""Groups: people the link graph shows together around children, proposed as possible
group-based child sexual exploitation and confirmed or rejected by a person.

The group-based flag is a ``Group`` a supervisor confirmed: it is derived from linked
evidence (two or more suspected offenders linked around at least one child), never set
on a person by hand, and nothing about a person's ethnicity or any other protected
characteristic is read to propose it (``networks.groups``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from macehub.cases.codes import ExploitationModel, exploitation_model_label
from macehub.networks.codes import GroupStatus, MemberPart


class Group(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=12, choices=GroupStatus.choices,
                              default=GroupStatus.PROPOSED, db_index=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    proposed_at = models.DateTimeField()
    # The team whose view of the intelligence the group was found in.
    proposing_team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT,
                                       null=True, blank=True, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Why it was confirmed or rejected.")
    exploitation_model = models.CharField(
        max_length=30, choices=ExploitationModel.choices, blank=True,
        help_text="How the group exploits children (cases.codes.ExploitationModel), set by "
        "whoever decides it; blank when not recorded.",
    )
    first_intelligence_at = models.DateTimeField(
        null=True, blank=True,
        help_text="When the earliest report in its evidence was received.")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-proposed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"

    @property
    def is_open(self) -> bool:
        return self.status == GroupStatus.PROPOSED


    @property
    def exploitation_model_label(self) -> str:
        return exploitation_model_label(self.exploitation_model)


class GroupMember(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT,
                               related_name="group_memberships")
    part = models.CharField(max_length=12, choices=MemberPart.choices)

    class Meta:
        ordering = ["part", "person__family_name", "person__given_name"]
        constraints = [models.UniqueConstraint(fields=["group", "person"],
                                               name="group_member_once")]

    def __str__(self) -> str:
        return f"{self.group_id}: person {self.person_id} ({self.part})"


class GroupEvidence(models.Model):
    """A report that links the group's members: what the proposal rests on."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="evidence")
    report = models.ForeignKey("intelligence.IntelligenceReport", on_delete=models.PROTECT,
                               related_name="+")
    members_named = models.JSONField(
        default=list, help_text="The members the report names, with their roles there.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "report"],
                                               name="group_evidence_once")]

    def __str__(self) -> str:
        return f"{self.group_id}: report {self.report_id}"
