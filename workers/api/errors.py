"""The uniform error body `{"error": {"code", "message", "details", "request_id"}}` and the handlers that emit it.

Every failure leaves the API as JSON with a machine-readable code: unknown routes (404), malformed JSON (400),
validation errors (422), domain errors mapped to their status, and anything unexpected as 500 `internal_error`.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.domain.errors import Conflict, JenguError, NotFound, ValidationFailed

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
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


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


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    message = exc.detail if isinstance(exc.detail, str) else _STATUS_CODES.get(exc.status_code, "error")
    if exc.status_code == 404 and exc.detail == "Not Found":
        message = f"no route for {request.method} {request.url.path}"
    response = error_response(exc.status_code, message, request)
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return error_response(400, "request body is not valid JSON", request, code="malformed_json")
    details = [
        {"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"), "message": e.get("msg", "")}
        for e in errors
    ]
    return error_response(422, "request validation failed", request, details=details)


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, NotFound):
        return error_response(404, str(exc), request)
    if isinstance(exc, Conflict):
        return error_response(409, str(exc), request)
    if isinstance(exc, ValidationFailed):
        return error_response(422, str(exc), request)
    return error_response(503, "a dependency is unavailable", request, code="unavailable")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(JenguError, _domain_error)
