"""Tracking (opt-in per campaign): the open pixel `GET /t/o/{token}.gif` and the click redirect `GET /t/c/{token}?u=`.

No API key (mail clients fetch these). A token we did not sign, or a URL that was not signed for that email (or is
not among the links of its stored body), gets a 404 (the API's error body) and no redirect: never an open redirect.
Each valid request is recorded as an `opened` / `clicked` event, flagged as probably automated near the send time or
from a scanner.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Annotated, Any, NoReturn

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import get_services
from api.openapi import error_responses
from shared.bootstrap import Services
from shared.domain.errors import NotFound

router = APIRouter(prefix="/t", tags=["tracking"])

ServicesDep = Annotated[Services, Depends(get_services)]
Token = Annotated[str, Path(min_length=3, max_length=100, pattern=r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")]
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")  # 1x1 transparent GIF
_NO_STORE = {"Cache-Control": "no-store, private", "Referrer-Policy": "no-referrer"}
_NOT_FOUND = error_responses(404)


def _keys(services: Services) -> list[bytes] | None:
    """The verifying keys of UNSUBSCRIBE_SECRET (rotation: every secret verifies); None when it is not set."""
    from shared.domain.sending.unsubscribe_tokens import secrets_from
    from shared.domain.tracking import tracking_keys

    try:
        return tracking_keys(secrets_from(services.settings.unsubscribe_secret))
    except ValueError:
        return None


def _parse(value: Any) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def _record(services: Services, email: dict[str, Any], kind: str, request: Request, **detail: Any) -> None:
    from shared.domain.tracking import probably_automated

    now = services.clock.now()
    agent = request.headers.get("user-agent")
    automated = probably_automated(agent, now, _parse(email.get("sent_at")))
    try:
        await services.email_events.record(
            email, kind, at=now, detail={**detail, "user_agent": (agent or "")[:300]}, automated=automated,
            trace_id=str(getattr(request.state, "request_id", None) or email["id"]),
        )  # fmt: skip
    except Exception as exc:  # the reader's pixel or redirect never fails because of bookkeeping
        services.log.error("tracking event not recorded", email_id=email["id"], kind=kind, error=f"{exc}")


def _gone() -> NoReturn:
    raise NotFound("not a tracking link of ours (or no UNSUBSCRIBE_SECRET is set)")


@router.get(
    "/o/{token}.gif",
    response_class=Response,
    responses={
        200: {"content": {"image/gif": {"schema": {"type": "string", "format": "binary"}}}, "description": "1x1 GIF"},
        **_NOT_FOUND,
    },
)
async def open_pixel(token: Token, request: Request, services: ServicesDep) -> Response:
    from shared.domain.tracking import InvalidToken, verify_open

    key = _keys(services)
    try:
        email_id = verify_open(key, token) if key else None
    except InvalidToken:
        email_id = None
    email = await services.emails.get(email_id) if email_id else None
    if email is None:
        _gone()
    await _record(services, email, "opened", request)
    return Response(PIXEL, media_type="image/gif", headers=_NO_STORE)


@router.get(
    "/c/{token}",
    response_class=RedirectResponse,
    status_code=302,
    responses={302: {"description": "to the link of the email"}, **_NOT_FOUND},
)
async def click(
    token: Token, request: Request, services: ServicesDep, u: Annotated[str, Query(min_length=1, max_length=2048)]
) -> Response:
    from shared.domain.tracking import InvalidToken, links, verify_click

    key = _keys(services)
    try:
        email_id = verify_click(key, token, u) if key else None
    except InvalidToken:
        email_id = None
    email = await services.emails.get(email_id) if email_id else None
    if email is None:
        _gone()
    bodies = [b for b in (email.get("body_text"), email.get("body_html")) if b]
    if bodies and u not in {url for body in bodies for url in links(body)}:
        _gone()  # signed, yet not a link of the email as stored: refuse rather than redirect blindly
    await _record(services, email, "clicked", request, url=u)
    return RedirectResponse(u, status_code=302, headers=_NO_STORE)
