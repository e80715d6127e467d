"""Inspection recommendations and accountability (C15).

An ``Inspection`` (by an inspecting body) holds its ``Recommendation``s and areas for
improvement; each has the force's ``ImprovementAction``s (owner, agency, due date,
status, evidence) and the live measures linked to it as evidence
(``RecommendationMetric``). The force sets a recommendation's status and the Police and
Crime Commissioner's scrutiny officer its independent assessment; every change of either
is kept (``StatusChange``, ``AssessmentChange``). A ``ProgressStatement`` freezes, when
a scrutiny officer publishes it, what each recommendation stood at, for the PCC's
website: later changes never alter it."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from macehub.accountability.codes import (
    ActionStatus,
    Assessment,
    FindingKind,
    ForceStatus,
    InspectingBody,
    Theme,
)


class Inspection(models.Model):
    body = models.CharField(max_length=20, choices=InspectingBody.choices)
    title = models.CharField(max_length=300)
    published_on = models.DateField(help_text="The day the inspection report was published.")
    reference = models.CharField(max_length=100, blank=True,
                                 help_text="The report's own reference, if it has one.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-published_on", "-pk"]

    def __str__(self) -> str:
        return self.title


class Recommendation(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT,
                                   related_name="recommendations")
    kind = models.CharField(max_length=30, choices=FindingKind.choices)
    number = models.PositiveSmallIntegerField()
    text = models.TextField()
    addressed_to = models.CharField(max_length=200, blank=True,
                                    help_text='Whom it asks, such as "Chief Constables".')
    theme = models.CharField(max_length=30, choices=Theme.choices)
    status = models.CharField(max_length=20, choices=ForceStatus.choices,
                              default=ForceStatus.NOT_STARTED, db_index=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    assessment = models.CharField(max_length=20, choices=Assessment.choices,
                                  default=Assessment.NOT_ASSESSED)
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["inspection", "kind", "number"]
        constraints = [models.UniqueConstraint(fields=["inspection", "kind", "number"],
                                               name="one_finding_per_number")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @property
    def label(self) -> str:
        return str(self)


class RecommendationMetric(models.Model):
    """A live measure from the metric registry linked as evidence for a recommendation."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE,
                                       related_name="metric_links")
    metric_code = models.CharField(max_length=80)
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    linked_at = models.DateTimeField()

    class Meta:
        ordering = ["recommendation", "pk"]
        constraints = [models.UniqueConstraint(fields=["recommendation", "metric_code"],
                                               name="one_link_per_metric")]

    def __str__(self) -> str:
        return self.metric_code


class ImprovementAction(models.Model):
    """What the force (or a partner) does towards a recommendation."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT,
                                       related_name="actions")
    description = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="improvement_actions")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(db_index=True)
    status = models.CharField(max_length=10, choices=ActionStatus.choices,
                              default=ActionStatus.OPEN, db_index=True)
    done_on = models.DateField(null=True, blank=True,
                               help_text="The day it was done (or dropped).")
    evidence = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.description[:60]


class StatusChange(models.Model):
    """One change of the force's status of a recommendation, with its commentary."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE,
                                       related_name="status_changes")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    changed_at = models.DateTimeField()
    from_status = models.CharField(max_length=20, choices=ForceStatus.choices)
    to_status = models.CharField(max_length=20, choices=ForceStatus.choices)
    commentary = models.TextField()

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.from_status} to {self.to_status}"


class AssessmentChange(models.Model):
    """One scrutiny note of the PCC's office, with the assessment it left (the same as
    before when the note changes nothing)."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE,
                                       related_name="assessment_changes")
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    assessed_at = models.DateTimeField()
    from_assessment = models.CharField(max_length=20, choices=Assessment.choices)
    to_assessment = models.CharField(max_length=20, choices=Assessment.choices)
    note = models.TextField()

    class Meta:
        ordering = ["-assessed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.from_assessment} to {self.to_assessment}"


class ProgressStatement(models.Model):
    """A published progress statement: frozen when published, never changed."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT,
                                   related_name="statements")
    foreword = models.TextField(help_text="The Police and Crime Commissioner's foreword.")
    figures_month = models.DateField(help_text="The first day of the whole month whose "
                                               "figures it shows.")
    suppression_threshold = models.PositiveSmallIntegerField()
    content = models.JSONField(help_text="Each recommendation as published.")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return f"Progress statement of {self.published_at:%d %B %Y}"
