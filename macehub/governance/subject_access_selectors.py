"""Reads of subject access requests, through the access policy (information governance
only: to everyone else a request does not exist)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.governance.subject_access_codes import CLOSED_STATUSES
from macehub.governance.subject_access_models import DisclosureItem, SubjectAccessRequest


def requests_for(user: User, *, status: str = "") -> QuerySet[SubjectAccessRequest]:
    """The register: the requests in one status, or every open one, oldest first (the
    soonest due first, as each is due a month after receipt)."""
    requests = SubjectAccessRequest.objects.defer("bundle_pdf")
    requests = (requests.filter(status=status) if status
                else requests.exclude(status__in=CLOSED_STATUSES))
    return policy.scope(user, Action.SUBJECT_ACCESS_MANAGE, requests)


def request_for(user: User, request_pk: int) -> SubjectAccessRequest:
    return policy.get_or_404(user, Action.SUBJECT_ACCESS_MANAGE,
                             SubjectAccessRequest.objects.all(), pk=request_pk)


def item_for(request: SubjectAccessRequest, item_pk: int) -> DisclosureItem:
    """One item of a request the user has already been allowed to open."""
    item = request.items.prefetch_related("redactions").filter(pk=item_pk).first()
    if item is None:
        raise Http404("No such item")
    return item
