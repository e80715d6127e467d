"""The problem profile's records: what an analyst drafts and publishes (C11).

A ``ProblemProfile`` covers a period and an area (none: the whole force). While it is a
draft its figures are worked out from live data each time it is read; each section row
holds the analyst's own assessment and recommendations. Publishing freezes it, as the
monthly performance report is frozen: the figures and the definitions they were made
with are stored, in the restricted version (for the hub) and the partnership version
(small numbers suppressed, no person or premises named), and never computed again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ProfileStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class ProblemProfile(models.Model):
    title = models.CharField(max_length=200)
    period_start = models.DateField()
    period_end = models.DateField()
    area = models.ForeignKey(
        "people.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="The area profiled, with every area inside it; none is the whole force.",
    )
    status = models.CharField(max_length=10, choices=ProfileStatus.choices,
                              default=ProfileStatus.DRAFT, db_index=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    created_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    suppression_threshold = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Counts under this are hidden in the partnership "
        "version; set at publication")
    restricted_figures = models.JSONField(
        default=dict, blank=True,
        help_text="Each section's figures as published, by section key (restricted version)")
    partnership_figures = models.JSONField(
        default=dict, blank=True,
        help_text="Each section's figures as published for partners: suppressed, no one named")
    definitions = models.JSONField(
        default=dict, blank=True,
        help_text="Each section's title and definition as published, by section key")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-period_end", "-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == ProfileStatus.PUBLISHED


class ProfileSection(models.Model):
    """One section of a profile: which registered section (``sections.SECTIONS``) and the
    analyst's words on it."""

    profile = models.ForeignKey(ProblemProfile, on_delete=models.CASCADE,
                                related_name="sections")
    key = models.CharField(max_length=60)
    sort_order = models.PositiveSmallIntegerField()
    assessment = models.TextField(blank=True)
    recommendations = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["profile", "sort_order"]
        constraints = [models.UniqueConstraint(fields=["profile", "key"],
                                               name="one_section_of_a_kind_per_profile")]

    def __str__(self) -> str:
        return f"{self.profile_id} {self.key}"
