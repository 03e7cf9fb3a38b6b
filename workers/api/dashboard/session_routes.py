"""Signing in and out of the dashboard: `GET /login` (the form), `POST /login` (an API key for a session cookie),
`POST /logout` (revokes the session server-side and clears the cookie).

The key is checked as the API checks a bearer key (the API_KEY secret or a stored, unrevoked key) and under the same
per-address rate limit: a throttled address may not even try a key, a wrong key spends a token. A wrong key is one
401 page that never says what was wrong. The cookie is HttpOnly, SameSite=Lax, Path=/, and Secure unless the
deployment is local. `next` is followed only when it is a path on this site (else /app/).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from api.dashboard.auth import (
    DashboardSession,
    clear_session_cookie,
    current_session,
    open_session,
    refuse_cross_site,
    session_store,
    set_session_cookie,
)
from api.dashboard.render import DashboardRoute, error_page, page
from api.deps import get_services
from api.rate_limits import ApiRateLimits, client_ip
from shared.bootstrap import Services
from shared.domain.api_keys import MAX_KEY_LENGTH
from shared.domain.dashboard_sessions import COOKIE_NAME, hash_token, looks_like_token, safe_next
from shared.messages.rate_limit import KeyClass
from shared.service_layer.api_keys import authenticate

router = APIRouter(include_in_schema=False, route_class=DashboardRoute)
Deps = Annotated[Services, Depends(get_services)]
_FORM = "application/x-www-form-urlencoded"
_REFUSED = "That API key was not accepted. Check it and try again."


def _see_other(target: str) -> RedirectResponse:
    return RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})


@router.get("/login")
async def login_form(request: Request, services: Deps) -> Response:
    next_path = safe_next(request.query_params.get("next"))
    if await current_session(request, services) is not None:
        return _see_other(next_path)
    return await page(request, "login.html", next_path=next_path, error=None, title="Sign in · Jengu")


@router.post("/login")
async def login(request: Request, services: Deps) -> Response:
    refuse_cross_site(request)  # login CSRF: another site may not sign a visitor in to its own key
    media = (request.headers.get("content-type") or "").split(";", 1)[0].strip().lower()
    if media not in ("", _FORM, "multipart/form-data"):  # no type: an empty form
        return error_page(request, 415, "Sign in with the form on the sign-in page.")
    form = await request.form()
    key = str(form.get("key") or "").strip()
    next_path = safe_next(str(form.get("next") or ""))
    limits = ApiRateLimits(services)
    ip = client_ip(request.scope, trust_forwarded_for=services.settings.is_local)
    await limits.enforce(ip, KeyClass.IP, tokens=0)  # a throttled address may not even try a key
    principal = None
    if key and len(key) <= MAX_KEY_LENGTH:
        principal = await authenticate(
            key, bootstrap_key=services.settings.api_key, api_keys=services.api_keys, clock=services.clock,
            log=services.log,
        )  # fmt: skip
    if principal is None:
        await limits.charge(ip, KeyClass.IP)
        return await page(
            request, "login.html", status=401, next_path=next_path, error=_REFUSED, title="Sign in · Jengu"
        )
    previous = request.cookies.get(COOKIE_NAME)
    if looks_like_token(previous):  # no session fixation: a cookie set before sign-in never becomes a session
        assert previous is not None
        await session_store(services).revoke(hash_token(previous), services.clock.now())
    token = await open_session(services, principal, user_agent=request.headers.get("user-agent"))
    response = _see_other(next_path)
    set_session_cookie(response, token, secure=not services.settings.is_local)
    return response


@router.post("/logout")
async def logout(signed_in: DashboardSession) -> Response:
    services = signed_in.services
    await session_store(services).revoke(signed_in.session.token_hash, services.clock.now())
    services.log.info("dashboard session closed", api_key_id=signed_in.principal.key_id)
    response = _see_other("/login")
    clear_session_cookie(response, secure=not services.settings.is_local)
    return response
