"""The networks app's code lists: the kinds of node and edge in the link graph, a group's
status and each member's part in it."""

from __future__ import annotations

from django.db import models


class NodeKind(models.TextChoices):
    PERSON = "person", "Person"
    VEHICLE = "vehicle", "Vehicle"
    PHONE = "phone", "Phone"
    ACCOUNT = "account", "Online account"
    PREMISES = "premises", "Premises"
    LOCATION = "location", "Location"
    REPORT = "report", "Intelligence report"


class EdgeKind(models.TextChoices):
    INTELLIGENCE = "intelligence", "Named in intelligence"
    SHARED_IDENTIFIER = "shared_identifier", "Shared identifier"
    SHARED_ADDRESS = "shared_address", "Shared address"
    PREMISES_AT = "premises_at", "Premises at a location"


class GroupStatus(models.TextChoices):
    PROPOSED = "proposed", "Possible group-based CSE"
    CONFIRMED = "confirmed", "Confirmed group-based CSE"
    REJECTED = "rejected", "Not a group"


class MemberPart(models.TextChoices):
    SUSPECT = "suspect", "Suspected offender"
    VICTIM = "victim", "Victim"
    ASSOCIATE = "associate", "Associate"
