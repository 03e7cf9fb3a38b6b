"""The dashboard under the same bad inputs as the API: any query string, any path id, any form, with and without a
session — never a 5xx, always an HTML page (or a redirect), and no input echoed unescaped."""

from __future__ import annotations

import string
import weakref
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.e2e.test_dashboard_session import as_session, dev_vars, signed_in

__all__ = ["dev_vars"]  # the fixture this module uses

PAGES = (
    "/app/", "/app/prospects", "/app/imports", "/app/campaigns", "/app/inboxes", "/app/replies",
    "/app/suppressions", "/app/settings", "/login",
)  # fmt: skip
WITH_ID = (
    "/app/prospects/{}", "/app/imports/{}", "/app/imports/{}/progress", "/app/campaigns/{}",
)  # fmt: skip
POSTS = (
    "/app/campaigns/{}/activate",
    "/app/campaigns/{}/pause",
    "/app/inboxes/{}/resume",
    "/app/replies/{}/reclassify",
    "/app/settings/emergency-stop",
    "/app/settings/webhooks",
    "/app/suppressions",
    "/login",
)  # fmt: skip  (not /logout: it would end the session the other examples use)
KEYS = ("q", "stage", "tier", "country", "has_email", "email_status", "cursor", "status", "kind", "reason", "next",
        "limit", "intent", "page", "x")  # fmt: skip
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300) | st.sampled_from(
    ["", "new", "hot", "DE", "true", "-1", "9" * 30, "%", "<script>alert(1)</script>", "' OR 1=1 --", "\x00", "é" * 40]
)
IDS = st.text(alphabet=string.ascii_letters + string.digits + "-_.%~", min_size=1, max_size=80) | st.sampled_from(
    ["x" * 65, "..", "%2e%2e", "0"]
)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


_SESSIONS: weakref.WeakKeyDictionary[httpx.AsyncClient, tuple[str, str]] = weakref.WeakKeyDictionary()


async def _session(http: httpx.AsyncClient) -> tuple[str, str]:
    """One sign-in per test (the client lives as long as the test's examples; sign-ins are rate limited)."""
    if http not in _SESSIONS:
        _SESSIONS[http] = await signed_in(http)
    return _SESSIONS[http]


def _ok(response: httpx.Response) -> None:
    assert response.status_code < 500, (response.request.url, response.status_code, response.text[:300])
    if response.status_code not in (301, 302, 303, 304, 307, 308):
        assert response.headers["content-type"].startswith("text/html"), response.request.url
    assert "<script>alert(1)</script>" not in response.text


@FUZZ
@given(data=st.data())
async def test_pages_take_any_query_string(http: httpx.AsyncClient, data: Any) -> None:
    token, _ = await _session(http)
    path = data.draw(st.sampled_from(PAGES))
    params = data.draw(st.lists(st.tuples(st.sampled_from(KEYS), TEXT), max_size=6))
    _ok(await http.get(path, params=params, headers=as_session(token)))
    _ok(await http.get(path, params=params))  # signed out: the sign-in page or a redirect to it


@FUZZ
@given(data=st.data())
async def test_pages_take_any_id(http: httpx.AsyncClient, data: Any) -> None:
    token, _ = await _session(http)
    path = data.draw(st.sampled_from(WITH_ID)).format(data.draw(IDS))
    _ok(await http.get(path, headers={**as_session(token), "HX-Request": data.draw(st.sampled_from(["true", ""]))}))


@FUZZ
@given(data=st.data())
async def test_forms_take_any_fields(http: httpx.AsyncClient, data: Any) -> None:
    token, csrf = await _session(http)
    path = data.draw(st.sampled_from(POSTS)).format(data.draw(IDS))
    fields = dict(data.draw(st.lists(st.tuples(st.sampled_from((*KEYS, "enabled", "confirm", "verdict", "value",
                                                                  "name-0", "url-0", "channel-0", "key")), TEXT),
                                     max_size=6)))  # fmt: skip
    if data.draw(st.booleans()):
        fields["csrf"] = csrf
    _ok(await http.post(path, data=fields, headers=as_session(token)))
