"""Who a dashboard request is: the `jengu_session` cookie's session, its CSRF token, and the refusals.

Pages depend on `DashboardSession` (a `SignedIn`: the stored session, the API key's principal, this request's
services; also on `request.state.dashboard` for the layout). Without a live session a page request is redirected
(303) to `/login?next=<this page>`, an htmx request (`HX-Request: true`) gets 401 with `HX-Redirect` to the same.
A session lives until logout, 12 h idle or 7 days (shared/domain/dashboard_sessions.py), and stops at once when its
API key is revoked (the key is read with the session, in one query).

Every state-changing request (any method but GET/HEAD/OPTIONS) must be same-site (`Sec-Fetch-Site`/`Origin`, when
the browser sends them) and carry the session's CSRF token as the form field `csrf` or the `X-CSRF-Token` header;
otherwise 403. A route that reads its body as a stream (not as a form) must take the token in the header.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from api.dashboard.render import error_page
from api.deps import get_services
from shared.adapters.d1.sessions import D1DashboardSessionRepository
from shared.bootstrap import Services
from shared.domain.api_keys import BOOTSTRAP_KEY_ID, Principal
from shared.domain.dashboard_sessions import (
    ABSOLUTE_LIFETIME,
    COOKIE_NAME,
    DEFAULT_NEXT,
    TOKEN_BYTES,
    TOUCH_INTERVAL,
    StoredSession,
    cross_site,
    csrf_matches,
    format_token,
    hash_token,
    looks_like_token,
    new_session,
)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A live dashboard session: who it acts as and this request's services."""

    session: StoredSession
    principal: Principal
    services: Services

    @property
    def csrf(self) -> str:
        return self.session.csrf


class LoginRequired(Exception):
    def __init__(self, next_path: str) -> None:
        super().__init__("sign in to continue")
        self.next_path = next_path


class CsrfRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def session_store(services: Services) -> D1DashboardSessionRepository:
    assert services.db is not None, "the dashboard needs the D1 binding"
    return D1DashboardSessionRepository(services.db)


def login_url(next_path: str) -> str:
    return "/login" if next_path == DEFAULT_NEXT else f"/login?next={quote(next_path, safe='/')}"


def own_origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


async def current_session(request: Request, services: Services) -> SignedIn | None:
    """The live session the cookie names, or None (no cookie, unknown, revoked, expired, or its key revoked)."""
    token = request.cookies.get(COOKIE_NAME)
    if not looks_like_token(token):
        return None
    assert token is not None
    store = session_store(services)
    found = await store.get(hash_token(token))
    if found is None:
        return None
    session, principal = found
    now = services.clock.now()
    if principal is None or not session.active_at(now):
        return None
    if session.api_key_id == BOOTSTRAP_KEY_ID and not services.settings.api_key:
        return None  # the API_KEY secret was removed: the sessions it opened end with it
    if session.due_for_touch(now):
        try:
            await store.touch(session.token_hash, now, not_since=now - TOUCH_INTERVAL)
            session = session.seen(now)
        except Exception as exc:  # bookkeeping only: never fail a page over it
            services.log.warning("dashboard session last_seen_at not recorded", error=f"{type(exc).__name__}: {exc}")
    signed_in = SignedIn(session=session, principal=principal, services=services)
    request.state.dashboard = signed_in
    request.state.principal = principal  # the request log names the key, as for the API
    return signed_in


def refuse_cross_site(request: Request) -> None:
    if cross_site(
        origin=request.headers.get("origin"),
        sec_fetch_site=request.headers.get("sec-fetch-site"),
        own_origin=own_origin(request),
    ):
        raise CsrfRefused("This form was sent from another site, so it was refused.")


async def presented_csrf(request: Request) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    media = (request.headers.get("content-type") or "").split(";", 1)[0].strip().lower()
    if media not in _FORM_TYPES:
        return None
    value = (await request.form()).get(CSRF_FIELD)  # Starlette keeps the parsed form for the route
    return value if isinstance(value, str) else None


async def require_session(request: Request, services: Annotated[Services, Depends(get_services)]) -> SignedIn:
    changes_state = request.method not in SAFE_METHODS
    if changes_state:
        refuse_cross_site(request)
    signed_in = await current_session(request, services)
    if signed_in is None:
        query = request.url.query
        here = request.url.path + (f"?{query}" if query else "")
        raise LoginRequired(DEFAULT_NEXT if changes_state else here)
    if changes_state and not csrf_matches(signed_in.csrf, await presented_csrf(request)):
        raise CsrfRefused("This form has expired or was not sent from this dashboard. Reload the page and try again.")
    return signed_in


DashboardSession = Annotated[SignedIn, Depends(require_session)]


async def open_session(services: Services, principal: Principal, *, user_agent: str | None) -> str:
    """Store a new session for `principal`; returns the cookie token (random now, never at import)."""
    token = format_token(secrets.token_bytes(TOKEN_BYTES))
    csrf = format_token(secrets.token_bytes(TOKEN_BYTES))
    session = new_session(
        token, api_key_id=principal.key_id, csrf=csrf, now=services.clock.now(), user_agent=user_agent
    )
    await session_store(services).add(session)
    services.log.info("dashboard session opened", api_key_id=principal.key_id)
    return token


def set_session_cookie(response: Response, token: str, *, secure: bool) -> None:
    response.set_cookie(
        COOKIE_NAME, token, max_age=int(ABSOLUTE_LIFETIME.total_seconds()), path="/", secure=secure, httponly=True,
        samesite="lax",
    )  # fmt: skip


def clear_session_cookie(response: Response, *, secure: bool) -> None:
    response.delete_cookie(COOKIE_NAME, path="/", secure=secure, httponly=True, samesite="lax")


async def _login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    target = login_url(exc.next_path)
    if request.headers.get("hx-request", "").lower() == "true":
        return error_page(
            request, 401, "Your session has ended. Please sign in again.", headers={"HX-Redirect": target}
        )
    return RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})


async def _csrf_refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CsrfRefused)
    return error_page(request, 403, exc.message)


def install_session_handlers(app: FastAPI) -> None:
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(CsrfRefused, _csrf_refused)
