"""The problem profile's code lists for places: what an analyst may count on the map and
the area levels they may count it by."""

from django.db import models


class PlaceMeasure(models.TextChoices):
    """What is counted per area: each a kind of event with a place and a date."""

    INTELLIGENCE = "intelligence", "Places named in intelligence reports"
    MISSING_FROM = "missing_from", "Where children went missing from"
    FOUND = "found", "Where missing children were found"
    OFFENCES = "offences", "Where offences were committed"


class HotspotReading(models.TextChoices):
    """The plain reading of one area's Gi* result after the false-discovery-rate
    correction."""

    HOT = "hot", "Hot spot"
    COLD = "cold", "Cold spot"
    NOT_SIGNIFICANT = "none", "Not significant"


class WeightsKind(models.TextChoices):
    """How neighbouring areas were found for Gi*."""

    QUEEN = "queen", "Boundaries that touch (Queen contiguity)"
    KNN = "knn", "The nearest area centroids (k nearest neighbours)"
