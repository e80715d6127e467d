"""Ground truth planted by the demo generator, so analytics can be checked against it."""

from django.db import models


class PlantedTruth(models.Model):
    """One fact the generator planted: e.g. two person records that are the same child."""

    kind = models.CharField(max_length=40, db_index=True)
    seed = models.IntegerField()
    data = models.JSONField()

    class Meta:
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return f"{self.kind} (seed {self.seed})"
