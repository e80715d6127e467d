"""Published monthly reports: the figures of a month frozen as they were published.

A published figure is never changed. When the same month is computed again later (late
recording, corrections), the difference is shown as a restatement beside it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class MonthlyReport(models.Model):
    month = models.DateField(unique=True, help_text="The first day of the month reported")
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    suppression_threshold = models.PositiveSmallIntegerField(
        help_text="Counts under this are hidden in what leaves the hub"
    )
    definitions = models.JSONField(
        default=dict, blank=True,
        help_text="Each metric's definition, numerator and denominator as published, by "
        "metric code",
    )

    class Meta:
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"Performance report for {self.month:%B %Y}"

    @property
    def title(self) -> str:
        return f"{self.month:%B %Y}"


class ReportFigure(models.Model):
    """One stored value: a metric's total or one category of one of its breakdowns."""

    report = models.ForeignKey(MonthlyReport, on_delete=models.PROTECT, related_name="figures")
    metric_code = models.CharField(max_length=80)
    metric_name = models.CharField(max_length=200)
    unit = models.CharField(max_length=20)
    breakdown = models.CharField(max_length=20)
    category = models.CharField(max_length=200, blank=True)
    label = models.CharField(max_length=200)
    numerator = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    denominator = models.IntegerField(null=True, blank=True)
    sort_order = models.PositiveIntegerField()

    class Meta:
        ordering = ["report", "sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "metric_code", "breakdown", "category"],
                name="one_figure_per_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.metric_code} {self.breakdown} {self.category}"
