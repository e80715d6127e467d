"""Intelligence in the REST API: the report list, one report, and the all-entity search,
scoped, audited and redacted exactly as the pages are (same selectors)."""

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

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.core.figures import exact_hours, round_half_up
from macehub.core.search_text import MAX_SEARCH_CHARACTERS, MAX_SEARCH_WORDS, search_text_errors
from macehub.core.service_errors import service_error_fields
from macehub.intelligence import selectors
from macehub.intelligence.codes import HandlingCode, Priority, ReportStatus
from macehub.intelligence.models import IntelligenceReport, Submission
from macehub.intelligence.search import search_entities
from macehub.intelligence.services.submissions import SubmittedInformation, submit_information


class ReportSummarySerializer(serializers.ModelSerializer[IntelligenceReport]):
    """A report as the requesting user may read it: ``text`` is the source text only for
    the owning team (``text_kind`` "source"), otherwise the sanitised text."""

    owning_team = serializers.CharField(source="owning_team.name")
    grading = serializers.CharField()
    hours_to_review = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField()
    text_kind = serializers.SerializerMethodField()

    class Meta:
        model = IntelligenceReport
        fields = ["id", "reference", "received_at", "occurred_on", "status", "grading",
                  "source_evaluation", "intelligence_assessment", "handling_code",
                  "handling_conditions", "security_marking", "priority", "owning_team",
                  "is_legacy_5x5x5", "legacy_source_evaluation",
                  "legacy_intelligence_evaluation", "legacy_handling_code", "review_action",
                  "reviewed_at", "hours_to_review", "text_kind", "text"]

    def _text(self, report: IntelligenceReport) -> selectors.ReportText:
        with_source: set[int] = self.context["with_source"]
        return selectors.report_text(report, show_source=report.pk in with_source)

    def get_hours_to_review(self, report: IntelligenceReport) -> float | None:
        waited = report.time_to_review
        if waited is None:
            return None
        return float(round_half_up(exact_hours(waited), 2))

    def get_text(self, report: IntelligenceReport) -> str:
        text = self._text(report)
        return text.text if (text.is_source or text.is_sanitised) else ""

    def get_text_kind(self, report: IntelligenceReport) -> str:
        text = self._text(report)
        return "source" if text.is_source else ("sanitised" if text.is_sanitised else "none")


class LinkSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    role = serializers.CharField(source="link.role")
    entity_id = serializers.SerializerMethodField()
    name = serializers.CharField(source="label")
    description = serializers.CharField(source="link.description")

    def get_entity_id(self, view: selectors.LinkView) -> int | None:
        if not view.visible:
            return None
        return cast(int, getattr(view.link, f"{view.kind}_id"))


class ReportSerializer(ReportSummarySerializer):
    links = serializers.SerializerMethodField()

    class Meta(ReportSummarySerializer.Meta):
        fields = [*ReportSummarySerializer.Meta.fields, "links"]

    def get_links(self, report: IntelligenceReport) -> list[dict[str, Any]]:
        return list(LinkSerializer(self.context["links"], many=True).data)


class ReportPageSerializer(serializers.Serializer[Any]):
    """One page of reports (``?page=2``), as the hub's API paginates every list."""

    count = serializers.IntegerField(help_text="Reports you may see that match")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ReportSummarySerializer(many=True)


REPORT_FILTERS = [
    OpenApiParameter("status", str, enum=ReportStatus.values),
    OpenApiParameter("priority", str, enum=Priority.values),
    OpenApiParameter("handling_code", str, enum=HandlingCode.values),
    OpenApiParameter("reference", str, description="Part of a reference"),
]


class ReportListApi(APIView):
    access_action = Action.INTELLIGENCE_VIEW

    @extend_schema(parameters=[*REPORT_FILTERS, OpenApiParameter("page", int)],
                   responses=ReportPageSerializer, operation_id="intelligence_reports_list")
    def get(self, request: Request) -> Response:
        user = cast(User, request.user)
        policy.require(user, Action.INTELLIGENCE_VIEW)
        params = request.query_params
        choices = {"status": ReportStatus.values, "priority": Priority.values,
                   "handling_code": HandlingCode.values}
        for name, allowed in choices.items():
            if params.get(name) and params[name] not in allowed:
                raise ApiValidationError({name: f"Use one of {', '.join(allowed)}"})
        filters = selectors.ReportFilters(
            status=params.get("status", ""), priority=params.get("priority", ""),
            handling_code=params.get("handling_code", ""),
            reference=params.get("reference", ""),
        )
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(selectors.report_list(user, filters), request,
                                           view=self) or []
        selectors.record_listed(user=user, listing="intelligence reports (API)", records=page,
                                request=request._request)
        context = {"with_source": selectors.source_visible_ids(user, [r.pk for r in page])}
        return paginator.get_paginated_response(
            ReportSummarySerializer(page, many=True, context=context).data
        )


class ReportDetailApi(APIView):
    access_action = Action.INTELLIGENCE_VIEW

    @extend_schema(responses=ReportSerializer, operation_id="intelligence_reports_retrieve")
    def get(self, request: Request, intel_report_pk: int) -> Response:
        user = cast(User, request.user)
        report = selectors.report_for(user, intel_report_pk)
        text = selectors.report_text_for(user, report)
        selectors.record_viewed(user=user, record=report, request=request._request,
                                source_shown=text.is_source)
        context = {
            "with_source": {report.pk} if text.is_source else set(),
            "links": selectors.links_of(user, report),
        }
        return Response(ReportSerializer(report, context=context).data)


class EntityHitSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    id = serializers.IntegerField(source="entity.pk")
    name = serializers.CharField(source="label")
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())
    reports = serializers.IntegerField(help_text="Reports you may see that mention it")


class EntitySearchApi(APIView):
    access_action = Action.ENTITY_SEARCH

    @extend_schema(
        parameters=[OpenApiParameter("q", str,
                                     description="Name, address, postcode, registration, "
                                     "phone number, handle or business. Without it the "
                                     "answer is an empty list; beyond "
                                     f"{MAX_SEARCH_CHARACTERS} characters or "
                                     f"{MAX_SEARCH_WORDS} words it is 400.")],
        responses=EntityHitSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        text = request.query_params.get("q", "")
        errors = search_text_errors({"q": text})
        if errors:
            raise ApiValidationError(errors)
        if not text.strip():
            return Response([])  # nothing asked, nothing searched (and nothing audited)
        results = search_entities(user=cast(User, request.user), text=text,
                                  request=request._request)
        rows = [
            {"kind": kind, "entity": hit.entity, "score": hit.score, "reasons": hit.reasons,
             "reports": hit.reports,
             "label": hit.entity.full_name if kind == "person" else str(hit.entity)}
            for _label, kind, hits in results.sections() for hit in hits
        ]
        return Response(EntityHitSerializer(rows, many=True).data)


class SubmissionInSerializer(serializers.Serializer[Any]):
    """What a partner tells the hub, in their own words (the "Tell the hub what you know"
    form's questions)."""

    what = serializers.CharField(help_text="What happened")
    how_known = serializers.CharField(help_text="How you know it")
    when = serializers.CharField(max_length=200, required=False, default="")
    where = serializers.CharField(max_length=300, required=False, default="")
    who = serializers.CharField(required=False, default="", help_text="Who was involved")


class SubmissionSerializer(serializers.ModelSerializer[Submission]):
    """A submission as its submitter sees it: received, or reviewed by the hub."""

    status = serializers.SerializerMethodField()

    class Meta:
        model = Submission
        fields = ["id", "reference", "received_at", "status"]

    def get_status(self, submission: Submission) -> str:
        report = submission.report
        return "reviewed" if report is not None and report.status == "reviewed" else "received"


class SubmissionPageSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField(help_text="Submissions you made")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = SubmissionSerializer(many=True)


class SubmissionErrorSerializer(serializers.Serializer[Any]):
    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


class SubmissionListApi(APIView):
    """The information you sent the hub (GET); send it information (POST)."""

    access_action = Action.INTELLIGENCE_SUBMISSION_VIEW_OWN

    @extend_schema(parameters=[OpenApiParameter("page", int)],
                   responses=SubmissionPageSerializer,
                   operation_id="intelligence_submissions_list")
    def get(self, request: Request) -> Response:
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(selectors.own_submissions(cast(User, request.user)),
                                           request, view=self) or []
        return paginator.get_paginated_response(SubmissionSerializer(page, many=True).data)

    @extend_schema(
        request=SubmissionInSerializer,
        responses={201: SubmissionSerializer,
                   400: OpenApiResponse(SubmissionErrorSerializer,
                                        description="Messages by field, nothing saved")},
        operation_id="intelligence_submissions_create",
    )
    def post(self, request: Request) -> Response:
        serializer = SubmissionInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            submission = submit_information(actor=cast(User, request.user),
                                            info=SubmittedInformation(**serializer.validated_data))
        except ValidationError as error:
            raise ApiValidationError(service_error_fields(error)) from error
        return Response(SubmissionSerializer(submission).data, status=201)
