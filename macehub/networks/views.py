"""Network pages: the link graph around a person, a vehicle, phone, online account,
premises or location, or a group's members, as a graph beside a table of the same nodes
and links, filtered by the page's form; and its export for i2 Analyst's Notebook.

Thin: each page fetches the record it starts from through its app's selector (404 for a
record the user may not know exists), reads the network (``network_page``, which asks
``access``), audits the view or export and renders. The group pages are in
``views_groups``.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from macehub.access import opening, policy
from macehub.access.actions import Action
from macehub.access.typing import HubRequest
from macehub.access.views import requires
from macehub.core.csv_export import csv_download
from macehub.intelligence.selectors import entity_for
from macehub.networks.codes import EdgeKind, NodeKind
from macehub.networks.forms import NetworkFilterForm
from macehub.networks.groups import group_for
from macehub.networks.network_page import (
    EDGE_STYLES,
    ENTITY_MODELS,
    NODE_STYLES,
    NetworkStart,
    entity_start,
    group_start,
    i2_export,
    person_start,
    shown_network,
)
from macehub.people.selectors import person_for

PAGE = "network"


def _export_href(request: HubRequest, start: NetworkStart) -> str:
    """The export of the network as shown (its filters kept), for those who may."""
    if not policy.allows(request.user, Action.NETWORK_EXPORT):
        return ""
    query = request.GET.urlencode()
    return f"{start.export_url}?{query}" if query else start.export_url


def _network_page(request: HubRequest, start: NetworkStart) -> HttpResponse:
    user = request.user
    form = NetworkFilterForm(request.GET)
    shown = None
    if not form.errors:
        shown = shown_network(user, start, steps=form.steps_out(), filters=form.filters())
    # The heading names the record, so a refused filter is still a view of it.
    opening.record_viewed(request, start.record, page=PAGE,
                          detail=shown.audit_detail() if shown else {"filters refused": True})
    return render(request, "networks/network.html", {
        "start": start,
        "form": form,
        "shown": shown,
        "graph_data": shown.graph_data() if shown else None,
        "node_styles": [(NodeKind(kind).label, style) for kind, style in NODE_STYLES.items()],
        "edge_styles": [(EdgeKind(kind).label, style) for kind, style in EDGE_STYLES.items()],
        "export_href": _export_href(request, start),
    }, status=400 if form.errors else 200)


def _export(request: HubRequest, start: NetworkStart) -> HttpResponse:
    form = NetworkFilterForm(request.GET)
    if form.errors:
        return _network_page(request, start)
    shown = shown_network(request.user, start, steps=form.steps_out(), filters=form.filters())
    exported = i2_export(actor=request.user, shown=shown, request=request)
    return csv_download(exported.content, filename=exported.filename)


# --- People and groups -------------------------------------------------------------------


@requires(Action.NETWORK_VIEW)
def person_network(request: HubRequest, person_pk: int) -> HttpResponse:
    return _network_page(request, person_start(person_for(request.user, person_pk)))


@requires(Action.NETWORK_EXPORT)
def person_export(request: HubRequest, person_pk: int) -> HttpResponse:
    return _export(request, person_start(person_for(request.user, person_pk)))


@requires(Action.NETWORK_VIEW)
def group_network(request: HubRequest, group_pk: int) -> HttpResponse:
    return _network_page(request, group_start(group_for(request.user, group_pk)))


@requires(Action.NETWORK_EXPORT)
def group_export(request: HubRequest, group_pk: int) -> HttpResponse:
    return _export(request, group_start(group_for(request.user, group_pk)))


# --- Vehicles, phones, online accounts, premises and locations ---------------------------


def _entity(request: HubRequest, kind: NodeKind, pk: int) -> NetworkStart:
    return entity_start(kind, entity_for(request.user, ENTITY_MODELS[kind], pk))


@requires(Action.NETWORK_VIEW)
def vehicle_network(request: HubRequest, intel_vehicle_pk: int) -> HttpResponse:
    return _network_page(request, _entity(request, NodeKind.VEHICLE, intel_vehicle_pk))


@requires(Action.NETWORK_EXPORT)
def vehicle_export(request: HubRequest, intel_vehicle_pk: int) -> HttpResponse:
    return _export(request, _entity(request, NodeKind.VEHICLE, intel_vehicle_pk))


@requires(Action.NETWORK_VIEW)
def phone_network(request: HubRequest, intel_phone_pk: int) -> HttpResponse:
    return _network_page(request, _entity(request, NodeKind.PHONE, intel_phone_pk))


@requires(Action.NETWORK_EXPORT)
def phone_export(request: HubRequest, intel_phone_pk: int) -> HttpResponse:
    return _export(request, _entity(request, NodeKind.PHONE, intel_phone_pk))


@requires(Action.NETWORK_VIEW)
def account_network(request: HubRequest, intel_account_pk: int) -> HttpResponse:
    return _network_page(request, _entity(request, NodeKind.ACCOUNT, intel_account_pk))


@requires(Action.NETWORK_EXPORT)
def account_export(request: HubRequest, intel_account_pk: int) -> HttpResponse:
    return _export(request, _entity(request, NodeKind.ACCOUNT, intel_account_pk))


@requires(Action.NETWORK_VIEW)
def premises_network(request: HubRequest, intel_premises_pk: int) -> HttpResponse:
    return _network_page(request, _entity(request, NodeKind.PREMISES, intel_premises_pk))


@requires(Action.NETWORK_EXPORT)
def premises_export(request: HubRequest, intel_premises_pk: int) -> HttpResponse:
    return _export(request, _entity(request, NodeKind.PREMISES, intel_premises_pk))


@requires(Action.NETWORK_VIEW)
def location_network(request: HubRequest, intel_location_pk: int) -> HttpResponse:
    return _network_page(request, _entity(request, NodeKind.LOCATION, intel_location_pk))


@requires(Action.NETWORK_EXPORT)
def location_export(request: HubRequest, intel_location_pk: int) -> HttpResponse:
    return _export(request, _entity(request, NodeKind.LOCATION, intel_location_pk))
