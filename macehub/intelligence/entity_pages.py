"""Links other apps add to an entity's page (a vehicle, a phone, premises...), without
``intelligence`` knowing those apps: the network around the entity, say.

An app puts an ``entity_links.py`` module in its package (found by the registries' one
discovery rule, ``macehub.core.registry``) and registers a function with
``@entity_link(...)``. The function is given the viewing user and the entity and returns
the link's text and address, or None to leave it out; it asks ``access`` itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from django.db.models import Model

from macehub.accounts.models import User
from macehub.core.registry import Registry


class EntityLink(NamedTuple):
    text: str
    href: str


EntityLinkSource = Callable[[User, Model], EntityLink | None]

ENTITY_LINKS: Registry[EntityLinkSource] = Registry("entity page link",
                                                    module_name="entity_links")


def entity_link(name: str) -> Callable[[EntityLinkSource], EntityLinkSource]:
    """Register a source of a link on entity pages (in an app's ``entity_links.py``)."""
    return ENTITY_LINKS.register(name)


def links_for(user: User, entity: Model) -> list[EntityLink]:
    """The links to show on this entity's page for this user, in registration order."""
    return [link for source in ENTITY_LINKS.values()
            if (link := source(user, entity)) is not None]
