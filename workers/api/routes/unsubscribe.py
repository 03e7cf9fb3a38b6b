"""`/u/{token}`: the unsubscribe link of every email (RFC 8058 one-click and RFC 2369), outside `/api`, no API key.

`GET` shows a confirmation page with one button and changes nothing (link scanners and previews follow GETs). `POST`
unsubscribes: the RFC 8058 body `List-Unsubscribe=One-Click` (form-encoded, sent by mail providers) is answered with
200 text/plain, anything else (the page's own form) with the "done" page. A forged, tampered or unknown token gets a
404 "this link is not valid" page (the link names nothing we know); a deployment without UNSUBSCRIBE_SECRET a 503
"cannot be checked" page: never a trace. Requests count against the client address like unauthenticated API calls.
The page shows the address masked (`a***@hotel.example`), sends no Referer (the token is in the URL) and allows no
script.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from api.deps import get_services
from api.openapi import error_responses
from api.rate_limits import ApiRateLimits, client_ip
from shared.bootstrap import Services
from shared.messages.rate_limit import KeyClass
from shared.service_layer.unsubscribe import UnknownEmail

router = APIRouter(prefix="/u", tags=["unsubscribe"])

MAX_TOKEN = 200
ONE_CLICK = ("List-Unsubscribe", "One-Click")
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "no-store",
}
_TITLES = {
    "confirm": "Unsubscribe",
    "done": "You are unsubscribed",
    "invalid": "This link is not valid",
    "unavailable": "This link cannot be checked right now",
}
_TEXT = {
    "done": "You are unsubscribed.\n",
    "invalid": "This unsubscribe link is not valid.\n",
    "unavailable": "This unsubscribe link cannot be checked right now.\n",
}


class LinkInvalid(Exception):
    """The token does not verify, or names no email."""


class LinkUnchecked(Exception):
    """No usable UNSUBSCRIBE_SECRET: no token can be verified."""


@cache
def _template() -> Any:
    from jinja2 import Environment  # the page's own: loaded with the first unsubscribe request

    from api.pages.unsubscribe_page import TEMPLATE

    return Environment(autoescape=True, auto_reload=False).from_string(TEMPLATE)


def render(state: str, status: int, **context: Any) -> HTMLResponse:
    html = _template().render(state=state, title=_TITLES[state], **context)
    return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)


def _text(state: str, status: int) -> PlainTextResponse:
    return PlainTextResponse(_TEXT[state], status_code=status, headers=PAGE_HEADERS)


def email_id_of(services: Services, token: str) -> str:
    """The email id a token names (LinkInvalid / LinkUnchecked otherwise)."""
    from shared.domain.sending.unsubscribe_tokens import TokenInvalid, read_token, secrets_from

    try:
        secrets = secrets_from(services.settings.unsubscribe_secret)
    except ValueError as exc:
        raise LinkUnchecked() from exc
    if not secrets:
        raise LinkUnchecked()
    if not token or len(token) > MAX_TOKEN:
        raise LinkInvalid()
    try:
        return read_token(secrets, token)
    except TokenInvalid as exc:
        raise LinkInvalid() from exc


async def limited(request: Request, services: Annotated[Services, Depends(get_services)]) -> Services:
    """The client address's bucket, as for unauthenticated API calls (429 with Retry-After)."""
    ip = client_ip(request.scope, trust_forwarded_for=services.settings.is_local)
    await ApiRateLimits(services).enforce(ip, KeyClass.IP)
    return services


LimitedServices = Annotated[Services, Depends(limited)]

_HTML = {"text/html": {"schema": {"type": "string"}}}
_HTML_OR_TEXT = {**_HTML, "text/plain": {"schema": {"type": "string"}}}
_GET_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "the confirmation page (one button; nothing changes yet)", "content": _HTML},
    404: {"description": "this link is not valid (forged, changed, or its email is gone)", "content": _HTML},
    503: {"description": "no UNSUBSCRIBE_SECRET is configured: the link cannot be checked", "content": _HTML},
    **error_responses(429),
}
_POST_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "unsubscribed: text/plain for the RFC 8058 body, else the page", "content": _HTML_OR_TEXT},
    404: {"description": "this link is not valid", "content": _HTML_OR_TEXT},
    503: {"description": "no UNSUBSCRIBE_SECRET is configured: the link cannot be checked", "content": _HTML_OR_TEXT},
    **error_responses(429),
}
_POST_BODY = {
    "requestBody": {
        "required": False,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "List-Unsubscribe": {"type": "string", "enum": ["One-Click"], "description": "RFC 8058"},
                        "confirm": {"type": "string", "description": "the confirmation page's button"},
                    },
                }
            }
        },
    }
}


@router.get("/{token}", response_class=HTMLResponse, responses=_GET_RESPONSES)
async def unsubscribe_page(token: str, services: LimitedServices) -> Response:
    try:
        preview = await services.unsubscribe_service.preview(email_id_of(services, token))
    except LinkUnchecked:
        return render("unavailable", 503)
    except (LinkInvalid, UnknownEmail):
        return render("invalid", 404)
    if preview.already:
        return render("done", 200, masked=preview.masked_address, already=True)
    return render("confirm", 200, masked=preview.masked_address, action=f"/u/{token}")


def _is_one_click(body: bytes) -> bool:
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        return False
    return fields.get(ONE_CLICK[0]) == [ONE_CLICK[1]]


@router.post("/{token}", response_class=HTMLResponse, responses=_POST_RESPONSES, openapi_extra=_POST_BODY)
async def unsubscribe(token: str, request: Request, services: LimitedServices) -> Response:
    one_click = _is_one_click(await request.body())
    try:
        result = await services.unsubscribe_service.unsubscribe(
            email_id_of(services, token), source="one-click" if one_click else "page"
        )
    except LinkUnchecked:
        return _text("unavailable", 503) if one_click else render("unavailable", 503)
    except (LinkInvalid, UnknownEmail):
        return _text("invalid", 404) if one_click else render("invalid", 404)
    if one_click:
        return _text("done", 200)
    return render("done", 200, masked=result.masked_address, already=result.already)
