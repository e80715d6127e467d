"""The disruptions aimed at premises, a vehicle, a location or an online account, on
its page."""

from __future__ import annotations

from typing import Any

from macehub.accounts.models import User
from macehub.disruption.codes import TargetKind
from macehub.disruption.sections import section_context
from macehub.intelligence.models import Location, OnlineAccount, Premises, Vehicle
from macehub.intelligence.sections import entity_section

KINDS = {Premises: (TargetKind.PREMISES, "these premises"),
         Vehicle: (TargetKind.VEHICLE, "this vehicle"),
         Location: (TargetKind.LOCATION, "this location"),
         OnlineAccount: (TargetKind.ACCOUNT, "this account")}


@entity_section("disruptions", template="disruption/_disruptions.html", order=100)
def entity_disruptions(user: User, entity: Any) -> dict[str, Any] | None:
    kind = KINDS.get(type(entity))
    if kind is None:
        return None
    return section_context(user, kind[0], entity.pk, kind[1])
