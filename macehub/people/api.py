"""People in the REST API: search and read, scoped and audited exactly as the pages."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.core.search_text import MAX_SEARCH_CHARACTERS, MAX_SEARCH_WORDS, search_text_errors
from macehub.people import selectors
from macehub.people.models import Person, PersonAddress, PersonAlias, PersonIdentifier


class AliasSerializer(serializers.ModelSerializer[PersonAlias]):
    class Meta:
        model = PersonAlias
        fields = ["kind", "given_name", "family_name"]


class IdentifierSerializer(serializers.ModelSerializer[PersonIdentifier]):
    class Meta:
        model = PersonIdentifier
        fields = ["kind", "value"]


class AddressSerializer(serializers.ModelSerializer[PersonAddress]):
    area: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = PersonAddress
        fields = ["line_1", "line_2", "town", "postcode", "area", "is_current"]


class PersonSummarySerializer(serializers.ModelSerializer[Person]):
    owning_agency = serializers.CharField(source="owning_agency.name")

    class Meta:
        model = Person
        fields = ["id", "given_name", "middle_names", "family_name", "date_of_birth",
                  "estimated_age", "sex", "owning_agency"]


class PersonSerializer(PersonSummarySerializer):
    self_defined_ethnicity = serializers.CharField(
        source="self_defined_ethnicity_id", allow_null=True
    )
    ethnicity_state = serializers.CharField()
    nationality_state = serializers.CharField()
    aliases = AliasSerializer(many=True)
    identifiers = IdentifierSerializer(many=True)
    addresses = AddressSerializer(many=True)

    class Meta(PersonSummarySerializer.Meta):
        fields = [*PersonSummarySerializer.Meta.fields, "self_defined_ethnicity",
                  "ethnicity_state", "officer_defined_ethnicity", "nationality",
                  "nationality_state", "is_restricted", "version", "aliases", "identifiers",
                  "addresses"]


class PersonSearchMatchSerializer(serializers.Serializer[Any]):
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())
    person = PersonSummarySerializer()


class PersonSearchApi(APIView):
    access_action = Action.PERSON_SEARCH

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Name or alias (spelling-tolerant); at "
                             f"most {MAX_SEARCH_CHARACTERS} characters and "
                             f"{MAX_SEARCH_WORDS} words, or the answer is 400"),
            OpenApiParameter("date_of_birth", str, description="YYYY-MM-DD"),
            OpenApiParameter("identifier", str, description="NHS number, UPN, PNC ID... "
                             "(the same limits as q)"),
        ],
        responses=PersonSearchMatchSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        text = request.query_params.get("q", "")
        identifier = request.query_params.get("identifier", "")
        dob_text = request.query_params.get("date_of_birth", "")
        date_of_birth = None
        if dob_text:
            field = serializers.DateField()
            try:
                date_of_birth = field.to_internal_value(dob_text)
            except (ValidationError, serializers.ValidationError) as exc:
                raise ApiValidationError({"date_of_birth": "Use the form YYYY-MM-DD"}) from exc
        errors = search_text_errors({"q": text, "identifier": identifier})
        if errors:
            raise ApiValidationError(errors)
        if not (text.strip() or identifier.strip() or date_of_birth):
            raise ApiValidationError(
                {"detail": "Give at least one of q, date_of_birth or identifier"}
            )
        matches = selectors.search_people(
            user=cast(User, request.user),
            text=text,
            date_of_birth=date_of_birth,
            identifier=identifier,
            request=request._request,
        )
        return Response(PersonSearchMatchSerializer(matches, many=True).data)


class PersonDetailApi(APIView):
    access_action = Action.PERSON_VIEW

    @extend_schema(responses=PersonSerializer)
    def get(self, request: Request, person_pk: int) -> Response:
        user = cast(User, request.user)  # PolicyPermission has admitted only hub users
        person = selectors.person_for(user, person_pk)
        selectors.record_person_viewed(user=user, person=person,
                                       request=request._request)
        return Response(PersonSerializer(person).data)
