"""Meetings in the REST API: the meetings a user may read and one meeting with its
attendance and the agenda items (with decisions and actions) they may see, scoped and
audited exactly as the pages are (the same selectors, the same need to know)."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.meetings import selectors
from macehub.meetings.models import Attendance, Meeting, MeetingAction


class MeetingSummarySerializer(serializers.ModelSerializer[Meeting]):
    series = serializers.CharField(source="series.name")
    chair = serializers.CharField(source="chair.display_name")
    minutes_approved = serializers.BooleanField(source="is_frozen")

    class Meta:
        model = Meeting
        fields = ["id", "reference", "series", "held_on", "chair", "agenda_prepared_at",
                  "minutes_approved", "minutes_approved_at"]


class AttendanceSerializer(serializers.ModelSerializer[Attendance]):
    agency = serializers.CharField(source="agency.name")

    class Meta:
        model = Attendance
        fields = ["agency", "status", "attendee"]


class MeetingActionSerializer(serializers.ModelSerializer[MeetingAction]):
    owner = serializers.CharField(source="owner.display_name")
    agency = serializers.CharField(source="agency.name")

    class Meta:
        model = MeetingAction
        fields = ["id", "reference", "description", "owner", "agency", "due_on", "status",
                  "completed_on"]


class AgendaItemSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="item.pk")
    position = serializers.IntegerField(source="item.position")
    agenda_source = serializers.CharField(source="item.source")
    title = serializers.CharField(source="item.title")
    link = serializers.CharField(source="item.link")
    summary = serializers.CharField(source="item.summary")
    decision = serializers.CharField(source="item.decision")
    actions = MeetingActionSerializer(many=True)


class MeetingSerializer(MeetingSummarySerializer):
    attendance = serializers.SerializerMethodField()
    items = serializers.SerializerMethodField()

    class Meta(MeetingSummarySerializer.Meta):
        fields = [*MeetingSummarySerializer.Meta.fields, "attendance", "items"]

    @extend_schema_field(AttendanceSerializer(many=True))
    def get_attendance(self, meeting: Meeting) -> Any:
        return AttendanceSerializer(selectors.attendance(meeting), many=True).data

    @extend_schema_field(AgendaItemSerializer(many=True))
    def get_items(self, meeting: Meeting) -> Any:
        return AgendaItemSerializer(self.context["items"], many=True).data


class MeetingPageSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField(help_text="Meetings you may read")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = MeetingSummarySerializer(many=True)


class MeetingListApi(APIView):
    access_action = Action.MEETING_VIEW

    @extend_schema(parameters=[OpenApiParameter("page", int)],
                   responses=MeetingPageSerializer, operation_id="meetings_list")
    def get(self, request: Request) -> Response:
        """The hub's meetings you may read, latest first."""
        user = cast(User, request.user)
        policy.require(user, Action.MEETING_VIEW)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(selectors.meetings_for(user), request,
                                           view=self) or []
        return paginator.get_paginated_response(
            MeetingSummarySerializer(page, many=True).data)


class MeetingDetailApi(APIView):
    access_action = Action.MEETING_VIEW

    @extend_schema(responses=MeetingSerializer, operation_id="meetings_retrieve")
    def get(self, request: Request, meeting_pk: int) -> Response:
        """One meeting: attendance and the agenda items you may see (an item about a
        record you may not read is left out, with its actions)."""
        user = cast(User, request.user)
        meeting = selectors.meeting_for(user, meeting_pk)
        items = selectors.visible_items(user, meeting)
        record_event(event_type=EventType.VIEW, actor=user, record=meeting,
                     detail={"page": "meeting (API)",
                             "items_shown": [view.item.pk for view in items]},
                     request=request._request)
        return Response(MeetingSerializer(meeting, context={"items": items}).data)
