"""The dashboard's rendering (layout context, escaping, fragments, headers, error pages) and its pure session rules
(tokens, expiry, CSRF comparison, same-site checks, safe `next` paths)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.responses import Response
from jinja2 import UndefinedError
from starlette.requests import Request

from api.dashboard.auth import login_url, set_session_cookie
from api.dashboard.render import (
    NAV,
    environment,
    error_page,
    fragment,
    is_dashboard_path,
    nav_items,
    page,
    render,
)
from shared.domain.dashboard_sessions import (
    ABSOLUTE_LIFETIME,
    IDLE_TIMEOUT,
    MAX_USER_AGENT,
    cross_site,
    csrf_matches,
    format_token,
    hash_token,
    looks_like_token,
    new_session,
    safe_next,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CHILD = (
    '{% extends "base.html" %}{% block title %}Child{% endblock %}{% block content %}<p>{{ body }}</p>{% endblock %}'
)


def request(path: str = "/app/") -> Request:
    scope = {"type": "http", "method": "GET", "path": path, "query_string": b"", "headers": [], "state": {},
             "scheme": "http", "server": ("127.0.0.1", 8787)}  # fmt: skip
    return Request(scope)


def current(path: str) -> list[str]:
    return [item["label"] for item in nav_items(path) if item["current"]]


@pytest.mark.parametrize(
    ("path", "expected"),
    [("/app/", ["Overview"]), ("/app/prospects", ["Prospects"]), ("/app/prospects/p-1", ["Prospects"]),
     ("/app/prospectsx", []), ("/app/settings/webhooks", ["Settings"]), ("/login", [])],
)  # fmt: skip
def test_the_nav_marks_the_current_section_only(path: str, expected: list[str]) -> None:
    assert current(path) == expected
    assert [item["href"] for item in nav_items(path)] == [href for _, href in NAV]


def test_the_layout_has_landmarks_a_skip_link_and_aria_current() -> None:
    html = render(request("/app/prospects"), "login.html", next_path="/app/", error=None, title="Sign in")
    assert '<a class="skip-link" href="#main">' in html and '<main id="main"' in html
    assert '<link rel="stylesheet" href="/static/app.css">' in html
    assert '<script src="/static/vendor/htmx.min.js" defer></script>' in html
    assert 'aria-label="Main"' not in html  # signed out: no nav, no logout form
    assert "Emergency stop" not in html


def test_text_is_escaped() -> None:
    html = render(request("/login"), "login.html", next_path='/app/"><script>', error="<b>x</b>", title="T")
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    assert 'value="/app/&#34;&gt;&lt;script&gt;"' in html


def test_a_missing_variable_is_an_error_not_a_blank() -> None:
    with pytest.raises(UndefinedError):
        render(request(), "overview.html", title="Overview")  # key_name missing


def test_a_fragment_is_the_content_block_without_the_layout() -> None:
    template = environment().from_string(CHILD)
    full = template.render(**{**_context(fragment=False), "body": "<hi>"})
    part = template.render(**{**_context(fragment=True), "body": "<hi>"})
    assert full.startswith("<!doctype html>") and "<title>Child</title>" in full and "<p>&lt;hi&gt;</p>" in full
    assert part.strip() == "<p>&lt;hi&gt;</p>"


def _context(*, fragment: bool) -> dict:
    from api.dashboard.render import layout_context

    return layout_context(request(), fragment=fragment)


def test_the_emergency_stop_banner_shows_when_on() -> None:
    html = render(request(), "error.html", status_code=503, heading="H", message="M", title="T", emergency_stop=True)
    assert 'role="alert"><strong>Emergency stop is on:</strong>' in html


async def test_pages_and_fragments_carry_the_security_headers() -> None:
    for response in (
        await page(request(), "error.html", status=404, status_code=404, heading="H", message="M", title="T"),
        await fragment(request(), "error.html", heading="H", message="M", title="T", status_code=200),
    ):
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and response.headers["cache-control"] == "no-store"
    assert (
        await page(request(), "error.html", status=404, status_code=404, heading="H", message="M", title="T")
    ).status_code == 404


def test_an_error_page_names_its_status_and_keeps_given_headers() -> None:
    response = error_page(request("/app/x"), 429, "Slow down.", headers={"Retry-After": "7"})
    body = bytes(response.body).decode()
    assert response.status_code == 429 and response.headers["retry-after"] == "7"
    assert "Error 429" in body and "Too many requests" in body and "Slow down." in body


@pytest.mark.parametrize(
    ("path", "dashboard"),
    [("/app", True), ("/app/", True), ("/app/prospects", True), ("/login", True), ("/logout", True),
     ("/api/prospects", False), ("/application", False), ("/loginx", False), ("/docs", False), ("/", False)],
)  # fmt: skip
def test_which_paths_get_html_errors(path: str, dashboard: bool) -> None:
    assert is_dashboard_path(path) is dashboard


def test_a_deployed_cookie_is_secure_httponly_lax() -> None:
    response = Response()
    set_session_cookie(response, "t" * 43, secure=True)
    flags = {part.strip().lower() for part in response.headers["set-cookie"].split(";")}
    assert {"secure", "httponly", "samesite=lax", "path=/"} <= flags


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, "/app/"), ("", "/app/"), ("/app/prospects?q=a&b=c", "/app/prospects?q=a&b=c"), ("/", "/"),
     ("//evil.example", "/app/"), ("/\\evil.example", "/app/"), ("https://evil.example/app/", "/app/"),
     ("javascript:alert(1)", "/app/"), ("app/", "/app/"), ("/app/\nx", "/app/"), ("/app/\x7f", "/app/"),
     ("/app/a\\b", "/app/"), ("/" + "a" * 2001, "/app/"), ("/app/#frag", "/app/#frag")],
)  # fmt: skip
def test_next_is_a_path_on_this_site_or_the_default(value: str | None, expected: str) -> None:
    assert safe_next(value) == expected


@pytest.mark.parametrize(
    ("origin", "site", "refused"),
    [(None, None, False), ("http://127.0.0.1:8787", None, False), ("http://127.0.0.1:8787/", "same-origin", False),
     (None, "none", False), ("HTTP://127.0.0.1:8787", None, False), ("https://127.0.0.1:8787", None, True),
     ("null", None, True), ("http://evil.example", None, True), (None, "cross-site", True), (None, "same-site", True),
     ("http://127.0.0.1:8787", "cross-site", True)],
)  # fmt: skip
def test_cross_site_requests(origin: str | None, site: str | None, refused: bool) -> None:
    assert cross_site(origin=origin, sec_fetch_site=site, own_origin="http://127.0.0.1:8787") is refused


def test_tokens_are_hashed_and_shaped() -> None:
    token = format_token(bytes(range(32)))
    assert looks_like_token(token) and len(token) == 43
    assert hash_token(token) != token and len(hash_token(token)) == 64
    assert not looks_like_token(token[:-1]) and not looks_like_token(token[:-1] + "!") and not looks_like_token(None)
    with pytest.raises(ValueError):
        format_token(b"short")


def test_csrf_comparison() -> None:
    assert csrf_matches("abc", "abc")
    assert not csrf_matches("abc", "abd") and not csrf_matches("abc", None) and not csrf_matches("", "")


def test_a_session_lives_12_idle_hours_within_7_days() -> None:
    session = new_session("t" * 43, api_key_id="k1", csrf="c", now=NOW, user_agent="  x" * 500)
    assert session.expires_at == NOW + ABSOLUTE_LIFETIME and session.token_hash == hash_token("t" * 43)
    assert session.user_agent is not None and len(session.user_agent) == MAX_USER_AGENT
    assert session.active_at(NOW + IDLE_TIMEOUT - timedelta(seconds=1))
    assert not session.active_at(NOW + IDLE_TIMEOUT)
    late = session.seen(NOW + ABSOLUTE_LIFETIME - timedelta(hours=1))
    assert late.active_at(NOW + ABSOLUTE_LIFETIME - timedelta(seconds=1)) and not late.active_at(late.expires_at)
    assert not session.due_for_touch(NOW + timedelta(seconds=59)) and session.due_for_touch(NOW + timedelta(minutes=1))
    from dataclasses import replace

    assert not replace(session, revoked_at=NOW).active_at(NOW)


def test_login_url_keeps_the_page_to_come_back_to() -> None:
    assert login_url("/app/") == "/login"
    assert login_url("/app/prospects?q=a b") == "/login?next=/app/prospects%3Fq%3Da%20b"


async def test_a_failing_page_is_the_500_page_and_refusals_keep_their_status() -> None:
    import httpx
    from fastapi import APIRouter, FastAPI, HTTPException

    from api.dashboard.render import DashboardRoute, install_dashboard_errors
    from api.errors import install_error_handlers

    router = APIRouter(route_class=DashboardRoute)

    @router.get("/app/boom")
    async def boom() -> Response:
        raise RuntimeError("secret detail")

    @router.get("/app/gone")
    async def gone() -> Response:
        raise HTTPException(410, "it went")

    app = FastAPI()
    install_error_handlers(app)
    app.include_router(router)
    install_dashboard_errors(app)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        failed = await client.get("/app/boom")
        assert failed.status_code == 500 and failed.headers["content-type"].startswith("text/html")
        assert "Something went wrong" in failed.text and "secret detail" not in failed.text
        refused = await client.get("/app/gone")
        assert refused.status_code == 410 and "it went" in refused.text and "<h1" in refused.text
