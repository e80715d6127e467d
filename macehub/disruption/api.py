"""Disruptions in the REST API: the list a user may see and one disruption, scoped and
audited exactly as the pages are (the same selectors). A disruption carries its target
(kind, id and what it is called), and of its children those the user may open."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.disruption import selectors
from macehub.disruption.codes import DisruptionStatus
from macehub.disruption.models import TARGET_FIELDS, Breach, Disruption


class DisruptionSummarySerializer(serializers.ModelSerializer[Disruption]):
    tactic = serializers.CharField(source="tactic.name")
    tactic_code = serializers.CharField(source="tactic.code")
    target_id = serializers.SerializerMethodField()
    target = serializers.SerializerMethodField()
    lead_officer = serializers.CharField(source="lead_officer.display_name")
    lead_agency = serializers.CharField(source="lead_agency.name")

    class Meta:
        model = Disruption
        fields = ["id", "reference", "tactic", "tactic_code", "target_kind", "target_id",
                  "target", "status", "applied_on", "started_on", "expires_on",
                  "lead_officer", "lead_agency"]

    def get_target_id(self, disruption: Disruption) -> int:
        return int(getattr(disruption, f"{TARGET_FIELDS[disruption.target_kind]}_id"))

    def get_target(self, disruption: Disruption) -> str:
        return selectors.target_label(disruption)


class BreachSerializer(serializers.ModelSerializer[Breach]):
    recorded_by = serializers.CharField(source="recorded_by.display_name")

    class Meta:
        model = Breach
        fields = ["occurred_on", "what_happened", "action_taken", "recorded_by",
                  "recorded_at"]


class ChildSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField(source="full_name")


class DisruptionSerializer(DisruptionSummarySerializer):
    legal_basis = serializers.CharField(source="tactic.legal_basis")
    investigation_reference = serializers.CharField(source="investigation.reference",
                                                    default=None, allow_null=True)
    breaches = BreachSerializer(many=True)
    children = serializers.SerializerMethodField()

    class Meta(DisruptionSummarySerializer.Meta):
        fields = [*DisruptionSummarySerializer.Meta.fields, "legal_basis", "details",
                  "investigation_reference", "children", "breaches"]

    def get_children(self, disruption: Disruption) -> list[dict[str, Any]]:
        user = self.context["user"]
        shown = policy.scope(user, Action.PERSON_VIEW, disruption.children.all())
        return [{"id": child.pk, "name": child.full_name} for child in shown]


class DisruptionPageSerializer(serializers.Serializer[Any]):
    """One page of disruptions (``?page=2``), as the hub's API paginates every list."""

    count = serializers.IntegerField(help_text="Disruptions you may see that match")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = DisruptionSummarySerializer(many=True)


class DisruptionListApi(APIView):
    access_action = Action.DISRUPTION_VIEW

    @extend_schema(parameters=[OpenApiParameter("status", str,
                                                enum=DisruptionStatus.values),
                               OpenApiParameter("page", int)],
                   responses=DisruptionPageSerializer, operation_id="disruptions_list")
    def get(self, request: Request) -> Response:
        """Disruptions you may see, newest first; or those of one status (``status``)."""
        user = cast(User, request.user)
        policy.require(user, Action.DISRUPTION_VIEW)
        status = request.query_params.get("status", "")
        if status and status not in DisruptionStatus.values:
            raise ApiValidationError(
                {"status": f"Use one of {', '.join(DisruptionStatus.values)}"})
        listed = selectors.register(user, status=status)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(listed, request, view=self) or []
        record_event(event_type=EventType.VIEW, actor=user,
                     record_type="disruption.disruption",
                     detail={"list": "disruptions (API)", "shown": [d.pk for d in page]},
                     request=request._request)
        return paginator.get_paginated_response(
            DisruptionSummarySerializer(page, many=True).data)


class DisruptionDetailApi(APIView):
    access_action = Action.DISRUPTION_VIEW

    @extend_schema(responses=DisruptionSerializer, operation_id="disruptions_retrieve")
    def get(self, request: Request, disruption_pk: int) -> Response:
        user = cast(User, request.user)
        disruption = selectors.disruption_for(user, disruption_pk)
        record_event(event_type=EventType.VIEW, actor=user, record=disruption,
                     detail={"page": "disruption (API)"}, request=request._request)
        return Response(DisruptionSerializer(disruption, context={"user": user}).data)
