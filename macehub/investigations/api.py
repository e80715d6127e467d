"""Investigations in the REST API: the list a user may see and one investigation, scoped
and audited exactly as the pages are (the same selectors)."""

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
from macehub.investigations import journey, selectors
from macehub.investigations.codes import InvestigationStatus
from macehub.investigations.models import (
    ChargingDecisionRecord,
    Crime,
    Investigation,
    InvestigationVictim,
    JourneyStep,
    LineOfEnquiry,
    SupervisoryReview,
    VictimEntitlement,
)
from macehub.investigations.offences import offence_label


class InvestigationSummarySerializer(serializers.ModelSerializer[Investigation]):
    officer_in_case = serializers.CharField(source="officer_in_case.display_name",
                                            default=None, allow_null=True)
    supervisor = serializers.CharField(source="supervisor.display_name", default=None,
                                       allow_null=True)
    next_review_due = serializers.DateTimeField(allow_null=True)

    class Meta:
        model = Investigation
        fields = ["id", "reference", "title", "status", "reported_on", "officer_in_case",
                  "supervisor", "allocated_at", "charging_requested_at", "outcome",
                  "outcome_on", "closed_at", "next_review_due"]


class CrimeSerializer(serializers.ModelSerializer[Crime]):
    offence = serializers.SerializerMethodField()

    class Meta:
        model = Crime
        fields = ["offence_code", "offence", "committed_on", "location"]

    def get_offence(self, crime: Crime) -> str:
        return offence_label(crime.offence_code)


class ReviewSerializer(serializers.ModelSerializer[SupervisoryReview]):
    reviewer = serializers.CharField(source="reviewer.display_name", default=None, allow_null=True)

    class Meta:
        model = SupervisoryReview
        fields = ["id", "point", "due_at", "reviewed_at", "reviewer", "victim_safeguarding",
                  "lines_of_enquiry", "suspect_management", "evidence_and_disclosure",
                  "next_review_on"]


class EnquirySerializer(serializers.ModelSerializer[LineOfEnquiry]):
    owner = serializers.CharField(source="owner.display_name", default=None, allow_null=True)

    class Meta:
        model = LineOfEnquiry
        fields = ["id", "description", "owner", "due_on", "status", "result"]


class ChargingDecisionSerializer(serializers.ModelSerializer[ChargingDecisionRecord]):
    class Meta:
        model = ChargingDecisionRecord
        fields = ["decision", "decided_by", "decided_on", "note"]


class InvestigationSerializer(InvestigationSummarySerializer):
    crimes = CrimeSerializer(many=True)
    charging_decisions = ChargingDecisionSerializer(many=True)
    victims = serializers.SerializerMethodField()
    suspects = serializers.SerializerMethodField()
    enquiries = EnquirySerializer(many=True)
    reviews = ReviewSerializer(many=True)

    class Meta(InvestigationSummarySerializer.Meta):
        fields = [*InvestigationSummarySerializer.Meta.fields, "summary", "crimes",
                  "victims", "suspects", "enquiries", "reviews", "charging_decisions"]

    def get_victims(self, investigation: Investigation) -> list[dict[str, Any]]:
        """Each child, and their case only if the user may open it."""
        shown: set[int] = self.context["cases_shown"]
        return [{"person_id": victim.person_id, "name": victim.person.full_name,
                 "case_id": victim.case_id if victim.case_id in shown else None,
                 "journey_id": victim.pk, "withdrew_on": victim.withdrew_on}
                for victim in investigation.victims.all()]

    def get_suspects(self, investigation: Investigation) -> list[dict[str, Any]]:
        return [{"person_id": suspect.person_id, "name": suspect.person.full_name}
                for suspect in investigation.suspects.all()]


class InvestigationPageSerializer(serializers.Serializer[Any]):
    """One page of investigations (``?page=2``), as the hub's API paginates every list."""

    count = serializers.IntegerField(help_text="Investigations you may see that match")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = InvestigationSummarySerializer(many=True)


class InvestigationListApi(APIView):
    access_action = Action.INVESTIGATION_VIEW

    @extend_schema(parameters=[OpenApiParameter("status", str,
                                                enum=InvestigationStatus.values),
                               OpenApiParameter("page", int)],
                   responses=InvestigationPageSerializer,
                   operation_id="investigations_list")
    def get(self, request: Request) -> Response:
        user = cast(User, request.user)
        policy.require(user, Action.INVESTIGATION_VIEW)
        listed = selectors.investigation_list(user).order_by("-reported_on", "-pk")
        status = request.query_params.get("status", "")
        if status:
            if status not in InvestigationStatus.values:
                raise ApiValidationError(
                    {"status": f"Use one of {', '.join(InvestigationStatus.values)}"})
            listed = listed.filter(status=status)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(listed, request, view=self) or []
        record_event(event_type=EventType.VIEW, actor=user,
                     record_type="investigations.investigation",
                     detail={"list": "investigations (API)",
                             "shown": [investigation.pk for investigation in page]},
                     request=request._request)
        return paginator.get_paginated_response(
            InvestigationSummarySerializer(page, many=True).data)


class InvestigationDetailApi(APIView):
    access_action = Action.INVESTIGATION_VIEW

    @extend_schema(responses=InvestigationSerializer, operation_id="investigations_retrieve")
    def get(self, request: Request, investigation_pk: int) -> Response:
        user = cast(User, request.user)
        investigation = selectors.investigation_for(user, investigation_pk)
        investigation.next_review_due = min(  # type: ignore[attr-defined]
            (review.due_at for review in investigation.reviews.all() if not review.is_done),
            default=None)
        record_event(event_type=EventType.VIEW, actor=user, record=investigation,
                     detail={"page": "investigation (API)"}, request=request._request)
        return Response(InvestigationSerializer(investigation, context={
            "cases_shown": selectors.cases_shown(user, investigation)}).data)


class EntitlementSerializer(serializers.ModelSerializer[VictimEntitlement]):
    class Meta:
        model = VictimEntitlement
        fields = ["right", "offered_on", "response"]


class JourneyStepSerializer(serializers.ModelSerializer[JourneyStep]):
    class Meta:
        model = JourneyStep
        fields = ["kind", "what", "on", "status", "place", "who", "intermediary",
                  "arrangements"]


class VictimJourneySerializer(serializers.ModelSerializer[InvestigationVictim]):
    """A child victim's journey, without the advocate's notes (their service's alone,
    read on the page) and without the rest of the investigation."""

    name = serializers.CharField(source="person.full_name")
    investigation_reference = serializers.CharField(source="investigation.reference")
    investigation_status = serializers.ChoiceField(source="investigation.status",
                                                   choices=InvestigationStatus.choices)
    entitlements = EntitlementSerializer(many=True)
    steps = JourneyStepSerializer(many=True)

    class Meta:
        model = InvestigationVictim
        fields = ["id", "person_id", "name", "investigation_reference",
                  "investigation_status", "needs_assessed_on", "needs_assessment",
                  "pre_trial_therapy", "withdrew_on", "withdrawal_reason", "withdrawal_note",
                  "entitlements", "steps"]


class VictimJourneyApi(APIView):
    access_action = Action.VICTIM_JOURNEY_VIEW

    @extend_schema(responses=VictimJourneySerializer, operation_id="victim_journeys_retrieve")
    def get(self, request: Request, victim_pk: int) -> Response:
        user = cast(User, request.user)
        victim = journey.victim_for(user, victim_pk)
        record_event(event_type=EventType.VIEW, actor=user, record=victim,
                     detail={"page": "victim journey (API)"}, request=request._request)
        return Response(VictimJourneySerializer(victim).data)
