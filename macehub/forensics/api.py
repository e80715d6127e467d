"""Exhibits in the REST API: the list a user may see and one exhibit, scoped and audited
exactly as the pages are (the same selectors). Of the investigation, an exhibit carries
what its page shows: reference, title, offences and the officer in the case; of the
person it was seized from, their name and date of birth."""

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
from macehub.forensics import selectors
from macehub.forensics.codes import ExhibitPriority, ExhibitStage
from macehub.forensics.models import Exhibit
from macehub.investigations.offences import offence_label


class SeizedFromSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(source="full_name")
    date_of_birth = serializers.DateField(allow_null=True)


class ExhibitSummarySerializer(serializers.ModelSerializer[Exhibit]):
    investigation_reference = serializers.CharField(source="investigation.reference")
    current_due = serializers.DateTimeField(allow_null=True, source="current_due_at")

    class Meta:
        model = Exhibit
        fields = ["id", "reference", "investigation_reference", "device_type", "description",
                  "seized_at", "owner", "priority", "legal_authority", "stage",
                  "triage_due_at", "triaged_at", "full_examination_needed",
                  "full_examination_due_at", "full_report_on", "returned_on",
                  "retained_on", "disposed_on", "current_due"]


class InvestigationBriefSerializer(serializers.Serializer[Any]):
    """What an exhibit shows of its investigation (all an examiner may read of it)."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    offences = serializers.SerializerMethodField()
    officer_in_case = serializers.CharField(source="officer_in_case.display_name",
                                            default=None, allow_null=True)
    officer_in_case_email = serializers.CharField(source="officer_in_case.email",
                                                  default=None, allow_null=True)

    def get_offences(self, investigation: Any) -> list[str]:
        return [offence_label(crime.offence_code) for crime in investigation.crimes.all()]


class ExhibitSerializer(ExhibitSummarySerializer):
    investigation = InvestigationBriefSerializer()
    seized_from = SeizedFromSerializer(allow_null=True)
    triaged_by = serializers.CharField(source="triaged_by.display_name", default=None,
                                       allow_null=True)
    examiner = serializers.CharField(source="examiner.display_name", default=None, allow_null=True)

    seized_from_withheld = serializers.BooleanField(
        read_only=True, default=False,
        help_text="The device was seized from a restricted record you may not open: its "
                  "name and date of birth are withheld (seized_from is null).")

    class Meta(ExhibitSummarySerializer.Meta):
        fields = [*ExhibitSummarySerializer.Meta.fields, "investigation", "seized_from",
                  "seized_from_withheld",
                  "triage_findings", "triaged_by", "examiner", "full_report_summary",
                  "returned_to", "retained_reason"]


class ExhibitPageSerializer(serializers.Serializer[Any]):
    """One page of exhibits (``?page=2``), as the hub's API paginates every list."""

    count = serializers.IntegerField(help_text="Exhibits you may see that match")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ExhibitSummarySerializer(many=True)


class ExhibitListApi(APIView):
    access_action = Action.EXHIBIT_VIEW

    @extend_schema(parameters=[OpenApiParameter("stage", str, enum=ExhibitStage.values),
                               OpenApiParameter("priority", str,
                                                enum=ExhibitPriority.values),
                               OpenApiParameter("page", int)],
                   responses=ExhibitPageSerializer, operation_id="exhibits_list")
    def get(self, request: Request) -> Response:
        """Exhibits you may see: by default the backlog, least time left first; or
        those at one stage (``stage``) or of one priority (``priority``)."""
        user = cast(User, request.user)
        policy.require(user, Action.EXHIBIT_VIEW)
        stage = request.query_params.get("stage", "")
        priority = request.query_params.get("priority", "")
        if stage and stage not in ExhibitStage.values:
            raise ApiValidationError({"stage": f"Use one of {', '.join(ExhibitStage.values)}"})
        if priority and priority not in ExhibitPriority.values:
            raise ApiValidationError(
                {"priority": f"Use one of {', '.join(ExhibitPriority.values)}"})
        listed = selectors.exhibit_queue(user, stage=stage, priority=priority)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(listed, request, view=self) or []
        record_event(event_type=EventType.VIEW, actor=user, record_type="forensics.exhibit",
                     detail={"list": "exhibits (API)",
                             "shown": [exhibit.pk for exhibit in page]},
                     request=request._request)
        return paginator.get_paginated_response(
            ExhibitSummarySerializer(page, many=True).data)


class ExhibitDetailApi(APIView):
    access_action = Action.EXHIBIT_VIEW

    @extend_schema(responses=ExhibitSerializer, operation_id="exhibits_retrieve")
    def get(self, request: Request, exhibit_pk: int) -> Response:
        user = cast(User, request.user)
        exhibit = selectors.exhibit_for(user, exhibit_pk)
        record_event(event_type=EventType.VIEW, actor=user, record=exhibit,
                     detail={"page": "exhibit (API)"}, request=request._request)
        data = ExhibitSerializer(exhibit).data
        if selectors.seized_from_withheld(user, exhibit):
            data["seized_from"] = None  # a restricted record: see seized_from_withheld
        data["seized_from_withheld"] = selectors.seized_from_withheld(user, exhibit)
        return Response(data)
