"""The workforce app's records.

A ``TeamMonth`` is one team's staffing in one month, as its agency's senior leader (or
an administrator) records it or imports it: the funded establishment, the posts
actually filled (both in full-time equivalents), and any new posts added that month
with when and how they were funded. A month not recorded has no row and is shown as
"not recorded", never as zero.

``CaseloadWeighting`` is the one weighting of the kinds of work (``codes.WorkKind``)
that makes a worker's caseload one figure; a data migration sets the defaults and a
senior leader changes it (versioned, audited)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from macehub.workforce.codes import WorkKind


class TeamMonth(models.Model):
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT,
                             related_name="months_staffed")
    month = models.DateField(help_text="The first day of the month.")
    establishment = models.DecimalField(
        max_digits=6, decimal_places=2,
        help_text="Funded posts, in full-time equivalents.")
    filled = models.DecimalField(
        max_digits=6, decimal_places=2,
        help_text="Posts filled: full-time equivalents actually in post.")
    posts_added = models.DecimalField(
        max_digits=6, decimal_places=2, default=Decimal(0),
        help_text="New posts added to the establishment this month (full-time equivalents).")
    posts_added_funded_on = models.DateField(null=True, blank=True,
                                             help_text="When the new posts were funded.")
    posts_added_funding = models.CharField(
        max_length=300, blank=True, help_text="How the new posts were funded.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["team__name", "month"]
        constraints = [
            models.UniqueConstraint(fields=["team", "month"], name="team_month_once"),
            models.CheckConstraint(
                condition=models.Q(establishment__gte=0, filled__gte=0, posts_added__gte=0),
                name="team_month_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.team_id} {self.month:%Y-%m}"

    @property
    def vacancies(self) -> Decimal:
        """Establishment less posts filled: below zero when the team is over its
        establishment (shown as such, never as a vacancy)."""
        return self.establishment - self.filled

    @property
    def vacancies_text(self) -> str:
        vacancies = self.vacancies
        if vacancies < 0:
            return f"None ({fte_text(-vacancies)} over establishment)"
        return fte_text(vacancies)


def fte_text(value: Decimal) -> str:
    """A figure in full-time equivalents (or a weight) to at most two decimal places,
    without trailing zeros: 3, 2.5, 0.25."""
    return f"{value.quantize(Decimal('0.01')).normalize():f}"


# The weight of each kind of work when the weighting has not been changed.
DEFAULT_WEIGHTS: dict[str, Decimal] = {
    WorkKind.HIGH_CASE: Decimal("3"),
    WorkKind.MEDIUM_CASE: Decimal("2"),
    WorkKind.LOW_CASE: Decimal("1"),
    WorkKind.INVESTIGATION: Decimal("2"),
    WorkKind.EXHIBIT: Decimal("0.5"),
    WorkKind.MEETING_ACTION: Decimal("0.25"),
}


def _weight(kind: WorkKind) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(max_digits=5, decimal_places=2,
                               default=DEFAULT_WEIGHTS[kind], help_text=str(kind.label))


class CaseloadWeighting(models.Model):
    """The hub's one weighting (a single row): a weight per kind of work, each field
    named after its ``WorkKind`` value."""

    high_case = _weight(WorkKind.HIGH_CASE)
    medium_case = _weight(WorkKind.MEDIUM_CASE)
    low_case = _weight(WorkKind.LOW_CASE)
    investigation = _weight(WorkKind.INVESTIGATION)
    exhibit = _weight(WorkKind.EXHIBIT)
    meeting_action = _weight(WorkKind.MEETING_ACTION)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    changed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.CheckConstraint(
            condition=models.Q(high_case__gte=0, medium_case__gte=0, low_case__gte=0,
                               investigation__gte=0, exhibit__gte=0, meeting_action__gte=0),
            name="caseload_weights_not_negative")]

    def __str__(self) -> str:
        return f"Caseload weighting (version {self.version})"

    def weights(self) -> dict[str, Decimal]:
        return {kind: getattr(self, kind) for kind in WorkKind.values}
