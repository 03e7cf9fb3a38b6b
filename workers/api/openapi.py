"""The OpenAPI document states what the API really does: every status a route can answer, with the uniform error
body, so a contract fuzzer (tests/contract/) can hold the API to it.

Statuses that follow from how a route is built are added to every operation here, so a new route gets them
without repeating itself: an operation with the bearer scheme can answer 401 (with `WWW-Authenticate`) and 429
(with `Retry-After`); one that takes a body 400 (malformed JSON, bad `Content-Length`), 413 and 415; one with
parameters or a body 422. FastAPI's own 422 schema is replaced by ours. Route-specific statuses (403 admin scope,
404, 409, 428) are declared on the route with `error_responses(...)`.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

_DESCRIPTIONS = {
    400: "Malformed request: a body that is not valid JSON, an unreadable CSV, an invalid Content-Length",
    401: "Missing, malformed, unknown or revoked API key",
    403: "The API key lacks the scope this route needs",
    404: "No such resource",
    409: "Conflict: a duplicate, or the resource changed since the ETag you sent (details.current_version)",
    413: "The request body is over this route's size limit (details.limit_bytes)",
    415: "The request body's Content-Type is not one this route takes",
    422: "Validation failed: a parameter, header or body field is invalid (details lists them)",
    428: "This change needs If-Match with the ETag from your last read",
    429: "Rate limited: retry after Retry-After seconds",
    503: "A dependency is unavailable",
}
_HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"description": "Bearer challenge", "schema": {"type": "string"}}},
    429: {"Retry-After": {"description": "seconds until a token is available", "schema": {"type": "string"}}},
}
ERROR_SCHEMA_NAME = "ErrorResponse"


# "Not blank" as a pattern both regex engines read alike (pydantic-core's Rust regex, and Python's `re` that
# schemathesis and hypothesis use): `\S` differs between them on U+001C-U+001F. Pydantic's str_strip_whitespace
# trims Unicode White_Space; Python's str.strip() also trims U+001C-U+001F.
_WHITE_SPACE = r"\t\n\u000b\u000c\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
PYTHON_WHITE_SPACE = rf"{_WHITE_SPACE}\u001c-\u001f"  # what str.strip() and str.split() remove, for a [...] class
HAS_TEXT = rf"[^{_WHITE_SPACE}]"  # survives pydantic's strip
HAS_TEXT_AFTER_STRIP = rf"[^{PYTHON_WHITE_SPACE}]"  # survives str.strip()

CSV_MEDIA_TYPES = ("text/csv", "application/csv", "text/plain", "application/vnd.ms-excel", "text/tab-separated-values")


def csv_upload(*, field: str = "file") -> dict[str, Any]:
    """`openapi_extra=` for a route reading a CSV itself (from `request.stream()` or a multipart form): the
    request body it takes, as FastAPI cannot infer it from the signature."""
    text = {"schema": {"type": "string", "minLength": 1, "description": "the CSV file (UTF-8, UTF-16 or cp1252)"}}
    example = "first_name,last_name,email,company_name\nAda,Lovelace,ada@hotel-lovelace.example,Hotel Lovelace\n"
    form = {
        "schema": {
            "type": "object",
            "properties": {
                field: {"type": "string", "format": "binary", "minLength": 1, "description": "the CSV file"}
            },
            "required": [field],
        }
    }
    return {
        "requestBody": {
            "required": True,
            "content": {
                **{media: text for media in CSV_MEDIA_TYPES},
                "text/csv": {**text, "example": example},
                "multipart/form-data": form,
            },
        }
    }


class CsvStream(StreamingResponse):
    """`response_class=` of a route streaming CSV (documents `text/csv` instead of JSON)."""

    media_type = "text/csv"


class ErrorInfo(BaseModel):
    code: str = Field(description="machine-readable: not_found, conflict, validation_failed, rate_limited, ...")
    message: str
    details: Any = Field(default=None, description="what went wrong, when there is more to say")
    request_id: str | None = Field(description="the X-Request-Id of this request")


class ErrorResponse(BaseModel):
    """Every error the API answers has this body."""

    error: ErrorInfo


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: these statuses, each with the uniform error body."""
    return {status: {"model": ErrorResponse, "description": _DESCRIPTIONS[status]} for status in statuses}


def _error_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": _DESCRIPTIONS[status],
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA_NAME}"}}},
    }
    if status in _HEADERS:
        response["headers"] = _HEADERS[status]
    return response


def _implied_statuses(operation: dict[str, Any]) -> list[int]:
    statuses = []
    if operation.get("security"):
        statuses += [401, 429]
    if "requestBody" in operation:
        statuses += [400, 413, 415]
    if "requestBody" in operation or operation.get("parameters"):
        statuses.append(422)
    return statuses


def _not_nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """`anyOf: [X, null]` -> X. A query, header or path value is a string or absent; it is never JSON null."""
    options = schema.get("anyOf")
    if isinstance(options, list):
        kept = [o for o in options if o.get("type") != "null"]
        if len(kept) == 1 and len(kept) < len(options):
            rest = {k: v for k, v in schema.items() if k != "anyOf"}
            return {**kept[0], **rest}
    return schema


def _is_error_response(status_text: str, response: dict[str, Any]) -> bool:
    """An error status whose body is ours (or FastAPI's validation error, which ours replaces)."""
    if not status_text.isdigit() or int(status_text) not in _DESCRIPTIONS or int(status_text) < 400:
        return False
    if "content" in response and "application/json" not in response["content"]:
        return False  # an HTML page (e.g. /u/{token}): its own document, not our JSON error body
    schema = response.get("content", {}).get("application/json", {}).get("schema")
    return schema is None or str(schema.get("$ref", "")).rsplit("/", 1)[-1] in (
        ERROR_SCHEMA_NAME,
        "HTTPValidationError",
    )


def complete_document(document: dict[str, Any]) -> dict[str, Any]:
    """Add the implied error statuses to every operation and use our error body for all of them (in place)."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas[ERROR_SCHEMA_NAME] = ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas[ERROR_SCHEMA_NAME].pop("$defs", None)
    schemas["ErrorInfo"] = ErrorInfo.model_json_schema()
    schemas[ERROR_SCHEMA_NAME]["properties"]["error"] = {"$ref": "#/components/schemas/ErrorInfo"}
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for parameter in operation.get("parameters", []):
                if "schema" in parameter:
                    parameter["schema"] = _not_nullable(parameter["schema"])
            responses = operation["responses"]
            for status in _implied_statuses(operation):
                responses.setdefault(str(status), {})
            for status_text in list(responses):
                if _is_error_response(status_text, responses[status_text]):
                    described = responses[status_text].get("description")
                    responses[status_text] = _error_response(int(status_text))
                    if described and described not in ("Validation Error", "Successful Response"):
                        responses[status_text]["description"] = described
    return document


def install_openapi(app: FastAPI) -> None:
    """Serve the completed document at the app's openapi_url (FastAPI builds it once; we complete it once)."""
    generate = app.openapi
    completed: list[int] = []

    def openapi() -> dict[str, Any]:
        document = generate()
        if id(document) not in completed:
            complete_document(document)
            completed[:] = [id(document)]
        return document

    app.openapi = openapi  # type: ignore[method-assign]
