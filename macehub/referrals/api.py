"""Referrals in the REST API, for partner systems: refer a child (through the same intake
service as the referral form, so the same checks, screening and clocks), and read the
status and outcome of one's own referrals (a partner system: its agency's), as the
referrer's own pages show them."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.cases.codes import ExploitationModel, ExploitationType
from macehub.core.service_errors import service_error_fields
from macehub.people.codes import IdentifierKind, Sex
from macehub.people.models import EthnicGroup
from macehub.people.services import PersonDetails
from macehub.referrals import selectors
from macehub.referrals.codes import ConsentStatus, OnlinePlatform, YearGroup
from macehub.referrals.models import Referral
from macehub.referrals.rules import MAX_MISSING_EPISODES
from macehub.referrals.services import submission as intake

# The intake service names the question page at fault; the API names its own fields.
SERVICE_FIELDS = {"concern": "concerns", "indicators": "indicator_codes", "child": "child_id",
                  "home_and_school": "year_group", "family": "consent"}
MAX_PK = 2**31 - 1


class NewChildSerializer(serializers.Serializer[Any]):
    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)
    middle_names = serializers.CharField(max_length=200, required=False, default="")
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    estimated_age = serializers.IntegerField(required=False, allow_null=True, default=None,
                                             min_value=0, max_value=17)
    sex = serializers.ChoiceField(Sex.choices, required=False, default="")
    self_defined_ethnicity = serializers.CharField(
        max_length=4, required=False, default="",
        help_text="A self-defined ethnic group's code (the 2021 Census 18+1)")


class IdentifierInSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(IdentifierKind.choices)
    value = serializers.CharField(max_length=40)


class ChildAddressSerializer(serializers.Serializer[Any]):
    line_1 = serializers.CharField(max_length=200, required=False, default="")
    line_2 = serializers.CharField(max_length=200, required=False, default="")
    town = serializers.CharField(max_length=100, required=False, default="")
    postcode = serializers.CharField(max_length=8, required=False, default="")


class ParentCarerSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200, required=False, default="")
    relationship = serializers.CharField(max_length=100, required=False, default="")
    contact = serializers.CharField(max_length=200, required=False, default="")
    aware = serializers.BooleanField(required=False, allow_null=True, default=None,
                                     help_text="null: the referrer does not know")


class ReferralInSerializer(serializers.Serializer[Any]):
    """A referral as a partner system sends it: the referral form's questions. The child
    is either one the hub holds (``child_id``) or a new record (``new_child``)."""

    concerns = serializers.CharField(help_text="What happened and why you are worried")
    exploitation_types = serializers.ListField(
        child=serializers.ChoiceField(ExploitationType.choices),
        default=[ExploitationType.CSE.value])
    exploitation_model = serializers.ChoiceField(ExploitationModel.choices)
    immediate_risk = serializers.BooleanField(allow_null=True,
                                              help_text="null: the referrer does not know")
    disclosure = serializers.BooleanField(allow_null=True,
                                          help_text="null: the referrer does not know")
    sexual_activity = serializers.BooleanField(allow_null=True, required=False, default=False)
    missing_episodes = serializers.IntegerField(allow_null=True, required=False, default=0,
                                                min_value=0, max_value=MAX_MISSING_EPISODES)
    indicator_codes = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list,
        help_text="Codes of the hub's catalogue of exploitation indicators")
    online_platforms = serializers.ListField(
        child=serializers.ChoiceField(OnlinePlatform.choices), required=False, default=list)
    child_id = serializers.IntegerField(required=False, allow_null=True, default=None,
                                        min_value=1, max_value=MAX_PK)
    new_child = NewChildSerializer(required=False, allow_null=True, default=None)
    child_identifiers = IdentifierInSerializer(many=True, required=False, default=list)
    child_address = ChildAddressSerializer(required=False, default=dict)
    school = serializers.CharField(max_length=200, required=False, default="")
    year_group = serializers.ChoiceField(YearGroup.choices, required=False, default="")
    parent_carer = ParentCarerSerializer(required=False, default=dict)
    consent = serializers.ChoiceField(ConsentStatus.choices)
    consent_not_sought_reason = serializers.CharField(required=False, default="")
    referrer_phone = serializers.CharField(max_length=30, required=False, default="")

    def submission(self) -> intake.ReferralSubmission:
        data = self.validated_data
        child = data["new_child"]
        new_child = None
        if child is not None:
            ethnicity = None
            if child["self_defined_ethnicity"]:
                ethnicity = EthnicGroup.objects.filter(
                    pk=child["self_defined_ethnicity"]).first()
                if ethnicity is None:
                    raise ApiValidationError({"new_child": {"self_defined_ethnicity": [
                        "Use the code of one of the hub's ethnic groups"]}})
            new_child = PersonDetails(
                given_name=child["given_name"], family_name=child["family_name"],
                middle_names=child["middle_names"], date_of_birth=child["date_of_birth"],
                estimated_age=child["estimated_age"], sex=child["sex"],
                self_defined_ethnicity=ethnicity,
            )
        address, carer = data["child_address"], data["parent_carer"]
        return intake.ReferralSubmission(
            concerns=data["concerns"], exploitation_model=data["exploitation_model"],
            immediate_risk=data["immediate_risk"], disclosure=data["disclosure"],
            indicator_codes=tuple(data["indicator_codes"]),
            exploitation_types=tuple(data["exploitation_types"]),
            sexual_activity=data["sexual_activity"], missing_episodes=data["missing_episodes"],
            online_platforms=tuple(data["online_platforms"]), child_pk=data["child_id"],
            new_child=new_child,
            child_identifiers=tuple((i["kind"], i["value"]) for i in data["child_identifiers"]),
            child_address=intake.ChildAddress(**address),
            school=data["school"], year_group=data["year_group"],
            parent_carer=intake.ParentCarer(**carer), consent=data["consent"],
            consent_not_sought_reason=data["consent_not_sought_reason"],
            referrer_phone=data["referrer_phone"],
        )


class ReferralStatusSerializer(serializers.ModelSerializer[Referral]):
    """A referral as its referrer sees it: its reference, where triage has got to and,
    once decided, the outcome in the hub's words. Never the screening or triage reasons."""

    outcome_in_plain_words = serializers.CharField(read_only=True)

    class Meta:
        model = Referral
        fields = ["id", "reference", "received_at", "status", "decision_due_at", "decided_at",
                  "outcome", "outcome_in_plain_words"]


class ReferralPageSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField(help_text="Your referrals (a partner system: its "
                                                "agency's)")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ReferralStatusSerializer(many=True)


class ValidationErrorSerializer(serializers.Serializer[Any]):
    """What was wrong, by field: each field's messages (``non_field_errors``: the request
    as a whole)."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


BAD_REQUEST = OpenApiResponse(ValidationErrorSerializer,
                              description="Messages by field, nothing saved")


class ReferralListApi(APIView):
    """Your referrals, newest first (a partner system: its agency's) (GET); refer a child
    (POST)."""

    access_action = Action.REFERRAL_VIEW_OWN

    @extend_schema(parameters=[OpenApiParameter("page", int)],
                   responses=ReferralPageSerializer, operation_id="referrals_list")
    def get(self, request: Request) -> Response:
        user = cast(User, request.user)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(selectors.own_referrals(user), request,
                                           view=self) or []
        selectors.record_referrals_listed(
            user=user, listing="my referrals (API)",
            referral_ids=[referral.pk for referral in page], request=request._request)
        return paginator.get_paginated_response(
            ReferralStatusSerializer(page, many=True).data)

    @extend_schema(request=ReferralInSerializer,
                   responses={201: ReferralStatusSerializer, 400: BAD_REQUEST},
                   operation_id="referrals_create")
    def post(self, request: Request) -> Response:
        user = cast(User, request.user)
        serializer = ReferralInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            referral = intake.submit_referral(actor=user, submission=serializer.submission(),
                                              request=request._request)
        except ValidationError as error:
            raise ApiValidationError(service_error_fields(error, fields=SERVICE_FIELDS)) \
                from error
        referral = selectors.own_referral(user, referral.pk)
        return Response(ReferralStatusSerializer(referral).data, status=201)


class ReferralDetailApi(APIView):
    """One of your referrals (a partner system: its agency's): its status and outcome;
    404 for any other."""

    access_action = Action.REFERRAL_VIEW_OWN

    @extend_schema(responses=ReferralStatusSerializer, operation_id="referrals_retrieve")
    def get(self, request: Request, referral_pk: int) -> Response:
        user = cast(User, request.user)
        referral = selectors.own_referral(user, referral_pk)
        record_event(event_type=EventType.VIEW, actor=user, record=referral,
                     detail={"page": "referrer's own view (API)"}, request=request._request)
        return Response(ReferralStatusSerializer(referral).data)
