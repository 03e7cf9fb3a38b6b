"""The uniform error body `{"error": {"code", "message", "details", "request_id"}}` and the handlers that emit it.

Every failure leaves the API as JSON with a machine-readable code: unknown routes (404), wrong methods (405, with
`Allow`), malformed JSON (400), a JSON body sent without a JSON content type (415), validation errors (422), domain
errors mapped to their status with their `details` (404, 409, 428 for a missing If-Match, 422), the API's own
refusals (`ApiError`: 403, 413, 415, 429 with their headers), and anything unexpected as 500 `internal_error`.
Pure-ASGI middleware that answers before FastAPI runs (the body size limit) uses `error_bytes` for the same shape.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request, params
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from shared.domain.errors import Conflict, JenguError, NotFound, PreconditionRequired, ValidationFailed

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    428: "precondition_required",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    """A refusal by the API layer itself, with its status, code, details and response headers."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        details: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or _STATUS_CODES.get(status, "error")
        self.details = details
        self.headers = dict(headers or {})


def error_body(status: int, message: str, request: Request, *, code: str | None = None, details: Any = None) -> dict:
    return {
        "error": {
            "code": code or _STATUS_CODES.get(status, "error"),
            "message": message,
            "details": details,
            "request_id": getattr(request.state, "request_id", None),
        }
    }


def error_response(
    status: int, message: str, request: Request, *, code: str | None = None, details: Any = None
) -> JSONResponse:
    return JSONResponse(error_body(status, message, request, code=code, details=details), status_code=status)


def error_bytes(
    status: int, message: str, request_id: str | None, *, code: str | None = None, details: Any = None
) -> bytes:
    """The uniform body, encoded, for middleware that answers without a `Request`."""
    body = {
        "error": {
            "code": code or _STATUS_CODES.get(status, "error"),
            "message": message,
            "details": details,
            "request_id": request_id,
        }
    }
    return json.dumps(body, separators=(",", ":")).encode()


def is_json_media_type(content_type: str | None) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def _route_takes_json(request: Request) -> bool:
    body_field = getattr(request.scope.get("route"), "body_field", None)
    return body_field is not None and not isinstance(body_field.field_info, params.Form)  # File is a Form


def _has_body(request: Request) -> bool:
    length = request.headers.get("content-length")
    return "transfer-encoding" in request.headers or (length is not None and length.strip() not in ("", "0"))


def _sent_non_json_body(request: Request, errors: Sequence[Any]) -> bool:
    """A route taking a JSON body got a body declared as something else (or undeclared). FastAPI leaves such a body
    unparsed and reports it as invalid or missing fields, which is really a 415."""
    if is_json_media_type(request.headers.get("content-type")) or not _has_body(request):
        return False
    return _route_takes_json(request) and any(tuple(e.get("loc", ()))[:1] == ("body",) for e in errors)


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    response = error_response(exc.status, exc.message, request, code=exc.code, details=exc.details)
    for name, value in exc.headers.items():
        response.headers[name] = value
    return response


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    message = exc.detail if isinstance(exc.detail, str) else _STATUS_CODES.get(exc.status_code, "error")
    if exc.status_code == 404 and exc.detail == "Not Found":
        message = f"no route for {request.method} {request.url.path}"
    response = error_response(exc.status_code, message, request, details=getattr(exc, "details", None))
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    if exc.status_code == 405:
        response.headers["Allow"] = ", ".join(allowed_methods(request))
    return response


def allowed_methods(request: Request) -> list[str]:
    """Every method the resource at this path takes. Starlette's 405 names only the first matching route's, and a
    path such as /api/prospects/{id} has one route per method. When a literal path (/api/prospects/bulk) also fits a
    template (/api/prospects/{id}), the resource is the most literal one: the fewest path parameters."""
    by_specificity: dict[int, set[str]] = {}
    for route in _effective_routes(request.app):
        match, _ = route.matches({**request.scope, "method": "\x00"})  # no route serves this: partial matches
        if match is not Match.NONE:
            params = len(getattr(route, "param_convertors", None) or {})
            by_specificity.setdefault(params, set()).update(getattr(route, "methods", None) or ())
    return sorted(by_specificity[min(by_specificity)]) if by_specificity else []


def _effective_routes(app: Any) -> list[Any]:
    try:
        from fastapi.routing import iter_route_contexts  # fastapi >= 0.16x keeps included routers lazily
    except ImportError:  # pragma: no cover - older fastapi copies routes into app.routes
        return list(app.routes)
    return list(iter_route_contexts(app.routes))


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return error_response(400, "request body is not valid JSON", request, code="malformed_json")
    if errors and all(e.get("type") == "missing" and tuple(e.get("loc", ())) == ("header", "if-match") for e in errors):
        return error_response(428, "send If-Match with the ETag from your last read (or *)", request)
    if _sent_non_json_body(request, errors):
        return error_response(
            415,
            "this endpoint takes a JSON body: send it with Content-Type: application/json",
            request,
            details={"content_type": request.headers.get("content-type"), "allowed": ["application/json"]},
        )
    details = [
        {"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"), "message": e.get("msg", "")}
        for e in errors
    ]
    return error_response(422, "request validation failed", request, details=details)


_DOMAIN_STATUS: tuple[tuple[type[JenguError], int], ...] = (
    (NotFound, 404),
    (Conflict, 409),
    (PreconditionRequired, 428),
    (ValidationFailed, 422),
)


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, JenguError)
    for kind, status in _DOMAIN_STATUS:
        if isinstance(exc, kind):
            return error_response(status, str(exc), request, details=exc.details)
    return error_response(503, "a dependency is unavailable", request, code="unavailable")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(JenguError, _domain_error)
