"""The API's OpenAPI schema declares every answer a call can get, not only the happy one,
so a partner system's developers can handle each and schemathesis can hold the hub to it
(its status code check fails on any code the schema does not list).

What every operation can answer, whatever its view says: 401 when the caller is not
signed in or its token is unknown, revoked or expired (with the scheme to use in
``WWW-Authenticate``), 403 when the access policy refuses the caller, and 429 when a
partner system calls faster than its limit (with ``Retry-After``). An operation with a
record in its path, and every read (the API's lists are paginated: a page past the
last), can answer 404; one that takes a body or a filter can answer 400 with what was
wrong. A view that declares one of these itself keeps its own."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH"})


class ErrorDetailSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField(help_text="What went wrong, in words")


def _text_header(description: str) -> dict[str, Any]:
    return {"schema": {"type": "string"}, "description": description}


class HubAutoSchema(AutoSchema):
    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation: dict[str, Any] | None = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses: dict[str, Any] = operation["responses"]

        def add(code: str, response: OpenApiResponse, headers: dict[str, Any] | None = None,
                ) -> None:
            if code in responses:
                return
            responses[code] = self._get_response_for_code(  # type: ignore[no-untyped-call]
                response, code)
            if headers:
                responses[code]["headers"] = {**responses[code].get("headers", {}),
                                              **headers}

        filters = [parameter for parameter in operation.get("parameters", [])
                   if parameter["in"] == "query" and parameter["name"] != "page"]
        if self.method in WRITE_METHODS or filters:
            add("400", OpenApiResponse(OpenApiTypes.OBJECT, description=(
                "What was wrong, by field or filter; nothing was saved")))
        add("401", OpenApiResponse(ErrorDetailSerializer, description=(
            "Not signed in, or the token is unknown, revoked or expired")),
            {"WWW-Authenticate": _text_header("The scheme to authenticate with")})
        add("403", OpenApiResponse(ErrorDetailSerializer, description=(
            "The access policy does not let the caller do this")))
        # Every list the API reads is paginated (``?page=``): a page past the last is 404.
        if "{" in self.path or self.method == "GET":
            add("404", OpenApiResponse(ErrorDetailSerializer, description=(
                "No such record that the caller may know of, or no such page")))
        add("429", OpenApiResponse(ErrorDetailSerializer, description=(
            "Too many calls: wait as long as Retry-After says")),
            {"Retry-After": _text_header("Seconds to wait before calling again")})
        operation["responses"] = dict(sorted(responses.items()))
        return operation
