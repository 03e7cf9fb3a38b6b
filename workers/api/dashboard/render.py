"""Rendering dashboard pages: one jinja2 environment (built on first use), the layout's context, security headers,
and HTML error pages for the dashboard's paths.

`page(request, "x.html", **context)` renders a full page extending base.html; `fragment(...)` the same template for
an htmx swap (`{% if fragment %}` leaves the layout out). Every template sees `session` (the signed-in
`SignedIn`, or None), `csrf` (its token, "" when signed out), `path`, `nav` (label, href, current), `fragment`,
`emergency_stop` (True/False, or None when unknown: the banner slot) and `title`.

The pages' CSP allows this site's scripts, styles, images and forms only (no inline script or `style=""`
attributes: use classes from app.css; inline `<svg>` is fine), and no framing. Errors on `/app`, `/login` and
`/logout` are HTML pages with their status; `/api` keeps its JSON errors (`install_dashboard_errors`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.routing import APIRoute

TEMPLATES = Path(__file__).resolve().parent / "templates"
NAV: tuple[tuple[str, str], ...] = (
    ("Overview", "/app/"),
    ("Prospects", "/app/prospects"),
    ("Imports", "/app/imports"),
    ("Campaigns", "/app/campaigns"),
    ("Inboxes", "/app/inboxes"),
    ("Replies", "/app/replies"),
    ("Suppressions", "/app/suppressions"),
    ("Settings", "/app/settings"),
)
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'"
)
PAGE_HEADERS = {"Content-Security-Policy": CSP, "Referrer-Policy": "same-origin", "Cache-Control": "no-store"}
_DASHBOARD_PREFIXES = ("/app/", "/login/", "/logout/")
_DASHBOARD_PATHS = frozenset({"/app", "/login", "/logout"})
_ERROR_TITLES = {
    400: "Bad request",
    401: "Please sign in",
    403: "Not allowed",
    404: "Page not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Too large",
    415: "Unsupported upload",
    422: "Some fields are not valid",
    428: "Reload and try again",
    429: "Too many requests",
    500: "Something went wrong",
    503: "Temporarily unavailable",
}


@cache
def environment() -> Any:
    """The dashboard's jinja2 environment (jinja2 loads with the first page, never at import)."""
    from jinja2 import BaseLoader, DictLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

    loader: BaseLoader
    try:  # the deploy bundle embeds the templates as a module (scripts/build_bundle.py)
        from api.dashboard._templates import TEMPLATES as EMBEDDED  # type: ignore[import-not-found]

        loader = DictLoader(EMBEDDED)
    except ImportError:  # the source tree: the files themselves
        loader = FileSystemLoader(str(TEMPLATES))
    env = Environment(
        loader=loader, autoescape=select_autoescape(["html"], default=True),
        undefined=StrictUndefined, auto_reload=False, trim_blocks=True, lstrip_blocks=True,
    )  # fmt: skip
    env.filters["when"] = when
    return env


def when(value: Any) -> str:
    """An ISO-8601 instant as a person reads it ("2026-12-01 15:50 UTC"); anything else as it is."""
    from datetime import UTC, datetime

    try:
        at = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value or "")
    return (at.astimezone(UTC) if at.tzinfo else at).strftime("%Y-%m-%d %H:%M UTC")


def is_dashboard_path(path: str) -> bool:
    return path in _DASHBOARD_PATHS or path.startswith(_DASHBOARD_PREFIXES)


def nav_items(path: str) -> list[dict[str, Any]]:
    """The nav with the current section marked: Overview for /app/ only, a section for its own subpaths."""

    def current(href: str) -> bool:
        return path == href if href == "/app/" else path == href or path.startswith(href + "/")

    return [{"label": label, "href": href, "current": current(href)} for label, href in NAV]


def layout_context(request: Request, *, fragment: bool) -> dict[str, Any]:
    signed_in = getattr(request.state, "dashboard", None)
    path = request.url.path
    return {
        "session": signed_in,
        "csrf": signed_in.csrf if signed_in is not None else "",
        "path": path,
        "nav": nav_items(path),
        "fragment": fragment,
        "emergency_stop": None,
        "title": "Jengu",
    }


def render(request: Request, template: str, *, fragment: bool = False, **context: Any) -> str:
    return str(environment().get_template(template).render({**layout_context(request, fragment=fragment), **context}))


def _html(body: str, status: int, headers: Mapping[str, str] | None = None) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers={**PAGE_HEADERS, **(headers or {})})


async def page(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """A full page (`template` extends base.html). A signed-in page shows the emergency-stop banner when sending is
    stopped (read once per page; unknown when the setting cannot be read)."""
    if "emergency_stop" not in context:
        context["emergency_stop"] = await _emergency_stop(request)
    return _html(render(request, template, **context), status)


async def _emergency_stop(request: Request) -> bool | None:
    signed_in = getattr(request.state, "dashboard", None)
    if signed_in is None:
        return None
    try:
        return bool((await signed_in.services.send_gate.emergency_stop()).get("enabled"))
    except Exception:  # the banner is a hint; the page renders without it
        return None


async def fragment(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """The same template for an htmx swap: `fragment` is True, so it renders without the layout."""
    return _html(render(request, template, fragment=True, **context), status)


def error_page(
    request: Request, status: int, message: str, *, headers: Mapping[str, str] | None = None
) -> HTMLResponse:
    """The error page (its status and a sentence; never a traceback)."""
    title = _ERROR_TITLES.get(status, "Error")
    body = render(request, "error.html", status_code=status, heading=title, message=message, title=f"{title} · Jengu")
    return _html(body, status, headers)


def too_large_message(limit: int) -> str:
    return f"The upload is larger than this page takes: at most {limit:,} bytes."


def _message(exc: Exception, status: int) -> str:
    message = getattr(exc, "message", None) or getattr(exc, "detail", None)
    if status == 404:
        return "There is no page at this address."
    if status == 405:
        return "This page does not take that kind of request."
    if status == 422:
        return "The request had fields that are missing or not valid."
    if status == 413 and isinstance(getattr(exc, "limit", None), int):
        return too_large_message(exc.limit)  # type: ignore[attr-defined]
    if status >= 500:
        return "The page could not be shown. Please try again in a moment."
    return message if isinstance(message, str) and message else _ERROR_TITLES.get(status, "Error")


Handler = Callable[[Request, Any], Response | Awaitable[Response]]


async def _answer(original: Handler, request: Request, exc: Exception) -> Response:
    answer = original(request, exc)
    return await answer if isinstance(answer, Awaitable) else answer


def _dashboard_first(original: Handler) -> Handler:
    async def handler(request: Request, exc: Exception) -> Response:
        json_answer = await _answer(original, request, exc)  # its headers (Allow, Retry-After) carry over
        if not is_dashboard_path(request.url.path):
            return json_answer
        if not json_answer.headers.get("content-type", "").startswith("application/json"):
            return json_answer  # already a page or a redirect
        status = json_answer.status_code
        kept = {k: v for k, v in json_answer.headers.items() if k.lower() in ("allow", "retry-after")}
        if status == 404:
            await _resolve_session(request)  # an unknown page keeps the signed-in layout (nav, sign out)
        return error_page(request, status, _message(exc, status), headers=kept)

    return handler


async def _resolve_session(request: Request) -> None:
    if getattr(request.state, "dashboard", None) is not None:
        return
    try:
        from api.dashboard.auth import current_session
        from api.deps import get_services

        await current_session(request, await get_services(request))
    except Exception:  # the error page renders signed out
        return


def install_dashboard_errors(app: FastAPI) -> None:
    """Wrap the API's error handlers (installed first): on the dashboard's paths they answer an HTML page."""
    for kind, original in list(app.exception_handlers.items()):
        if isinstance(kind, type) and issubclass(kind, Exception):
            app.exception_handlers[kind] = _dashboard_first(original)


class DashboardRoute(APIRoute):
    """`APIRouter(route_class=DashboardRoute)`: an unexpected exception in a page becomes the 500 page (logged),
    not the API's JSON 500. Refusals with their own handlers (HTTP errors, validation, ApiError, domain errors,
    login redirects) pass through to them."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await handle(request)
            except Exception as exc:
                if _has_handler(request, exc):
                    raise
                from shared.observability.log import Logger

                Logger("dashboard").error("dashboard page failed", path=request.url.path, error=f"{type(exc).__name__}")
                return error_page(request, 500, _message(exc, 500))

        return handler


def _has_handler(request: Request, exc: Exception) -> bool:
    handlers = request.app.exception_handlers
    return any(isinstance(kind, type) and isinstance(exc, kind) for kind in handlers)
