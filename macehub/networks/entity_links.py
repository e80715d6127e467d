"""The link from an entity's page to the network around it, for those who may see
networks."""

from __future__ import annotations

from django.db.models import Model
from django.urls import reverse

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.intelligence.entity_pages import EntityLink, entity_link
from macehub.networks.codes import NodeKind
from macehub.networks.network_page import ENTITY_MODELS, NETWORK_PAGES

KIND_OF_MODEL = {model: kind for kind, model in ENTITY_MODELS.items()}


@entity_link("network")
def network_link(user: User, entity: Model) -> EntityLink | None:
    kind = KIND_OF_MODEL.get(type(entity))
    if kind is None or not policy.allows(user, Action.NETWORK_VIEW):
        return None
    return EntityLink(f"See the network around this {entity._meta.verbose_name}",
                      reverse(NETWORK_PAGES[NodeKind(kind)], args=[entity.pk]))
