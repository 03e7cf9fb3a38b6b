"""The dashboard's sign-in, sessions and CSRF through the local runtime's dev server, as a browser meets them; `/`,
`/docs` served offline, and the assets the local server answers before the Worker (like Workers Static Assets)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from local.clock import ManualClock
from scripts.vendor_assets import ASSETS, vendor
from tests.e2e.conftest import ROOT, TEST_API_KEY

AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}
PUBLIC = ROOT / "public"
HOUR = 3600.0


@pytest.fixture
def dev_vars(tmp_path: Path) -> Path:
    """As the shared fixture, with a small per-address bucket so that the throttle is reachable."""
    path = tmp_path / ".dev.vars"
    path.write_text(
        f"APP_ENV=test\nENRICH_ON_CREATE=false\nLOG_LEVEL=warning\nAPI_KEY={TEST_API_KEY}\nRATE_LIMIT_IP_CAPACITY=8\n"
    )
    return path


async def sign_in(http: httpx.AsyncClient, key: str = TEST_API_KEY, next_path: str = "/app/") -> httpx.Response:
    response = await http.post("/login", data={"key": key, "next": next_path})
    http.cookies.clear()  # every request below names its cookie itself
    return response


def cookie_of(response: httpx.Response) -> str:
    match = re.match(r"jengu_session=([^;]+);", response.headers["set-cookie"])
    assert match, response.headers.get("set-cookie")
    return match.group(1)


def as_session(token: str, **headers: str) -> dict[str, str]:
    return {"Cookie": f"jengu_session={token}", **headers}


async def signed_in(http: httpx.AsyncClient) -> tuple[str, str]:
    """A new session's cookie and its CSRF token (read from the page's logout form)."""
    token = cookie_of(await sign_in(http))
    page = await http.get("/app/", headers=as_session(token))
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert page.status_code == 200 and match
    return token, match.group(1)


async def test_the_root_leads_to_the_dashboard_and_the_dashboard_to_sign_in(http: httpx.AsyncClient) -> None:
    root = await http.get("/")
    assert root.status_code == 303 and root.headers["location"] == "/app/"
    app = await http.get("/app/")
    assert app.status_code == 303 and app.headers["location"] == "/login"
    deep = await http.get("/app/?tab=alerts")
    assert deep.status_code == 303 and deep.headers["location"] == "/login?next=/app/%3Ftab%3Dalerts"
    form = await http.get("/login?next=/app/%3Ftab%3Dalerts")
    assert form.status_code == 200 and form.headers["content-type"].startswith("text/html")
    assert '<label for="key">API key</label>' in form.text and 'value="/app/?tab=alerts"' in form.text
    assert "default-src 'self'" in form.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in form.headers["content-security-policy"]


async def test_a_good_key_opens_a_session_with_a_safe_cookie(http: httpx.AsyncClient) -> None:
    response = await sign_in(http)
    assert response.status_code == 303 and response.headers["location"] == "/app/"
    flags = [part.strip().lower() for part in response.headers["set-cookie"].split(";")]
    assert {"httponly", "path=/", "samesite=lax", "max-age=604800"} <= set(flags)
    assert "secure" not in flags  # the local runtime is plain http; deployed, the cookie is Secure
    page = await http.get("/app/", headers=as_session(cookie_of(response)))
    assert page.status_code == 200 and "Signed in as bootstrap (API_KEY secret)" in page.text
    assert '<a href="/app/" aria-current="page">Overview</a>' in page.text
    again = await http.get("/login?next=/app/campaigns", headers=as_session(cookie_of(response)))
    assert again.status_code == 303 and again.headers["location"] == "/app/campaigns"


async def test_a_wrong_key_is_one_401_page_without_a_cookie(http: httpx.AsyncClient) -> None:
    for key in ("jengu_" + "x" * 43, "not-a-key", "", "k" * 500):
        response = await sign_in(http, key)
        assert response.status_code == 401 and "set-cookie" not in response.headers
        assert (
            "That API key was not accepted" in response.text and '<form method="post" action="/login"' in response.text
        )
    missing = await http.post("/login", data={})
    assert missing.status_code == 401
    json_body = await http.post("/login", json={"key": TEST_API_KEY})
    assert json_body.status_code == 415 and json_body.headers["content-type"].startswith("text/html")


async def test_wrong_keys_are_throttled_per_address_with_an_html_429(http: httpx.AsyncClient) -> None:
    statuses = [(await sign_in(http, "jengu_" + "y" * 43)).status_code for _ in range(9)]
    assert statuses[:8] == [401] * 8 and statuses[8] == 429
    throttled = await sign_in(http)  # even the right key waits: a throttled address may not try keys
    assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) >= 1
    assert throttled.headers["content-type"].startswith("text/html") and "Too many requests" in throttled.text


@pytest.mark.parametrize(
    "next_path",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "/app/\r\nSet-Cookie: x",
     "evil.example", "http:/evil.example", "/app/\tx"],
)  # fmt: skip
async def test_next_never_leaves_the_site(http: httpx.AsyncClient, next_path: str) -> None:
    response = await sign_in(http, next_path=next_path)
    assert response.status_code == 303 and response.headers["location"] == "/app/"
    form = await http.get("/login", params={"next": next_path})
    assert 'name="next" value="/app/"' in form.text


async def test_next_is_followed_within_the_site(http: httpx.AsyncClient) -> None:
    response = await sign_in(http, next_path="/app/campaigns?status=active")
    assert response.status_code == 303 and response.headers["location"] == "/app/campaigns?status=active"


async def test_logout_revokes_the_session_server_side(http: httpx.AsyncClient) -> None:
    token, csrf = await signed_in(http)
    out = await http.post("/logout", data={"csrf": csrf}, headers=as_session(token))
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert out.headers["set-cookie"].startswith('jengu_session="";') and "Max-Age=0" in out.headers["set-cookie"]
    stale = await http.get("/app/", headers=as_session(token))  # the old cookie, replayed
    assert stale.status_code == 303 and stale.headers["location"] == "/login"
    htmx = await http.get("/app/", headers=as_session(token, **{"HX-Request": "true"}))
    assert htmx.status_code == 401 and htmx.headers["hx-redirect"] == "/login"


async def test_a_revoked_api_key_ends_its_sessions(http: httpx.AsyncClient) -> None:
    created = (await http.post("/api/keys", json={"name": "Ada's laptop"}, headers=AUTH)).json()
    token = cookie_of(await sign_in(http, created["key"]))
    page = await http.get("/app/", headers=as_session(token))
    assert page.status_code == 200 and "Signed in as Ada&#39;s laptop" in page.text
    assert (await http.delete(f"/api/keys/{created['id']}", headers=AUTH)).status_code == 204
    assert (await http.get("/app/", headers=as_session(token))).status_code == 303
    assert (await sign_in(http, created["key"])).status_code == 401


async def test_sessions_end_after_12_idle_hours_and_7_days(http: httpx.AsyncClient, clock: ManualClock) -> None:
    idle = cookie_of(await sign_in(http))
    clock.advance(12 * HOUR + 1)
    assert (await http.get("/app/", headers=as_session(idle))).status_code == 303
    busy = cookie_of(await sign_in(http))
    for _ in range(15):  # used every 11 hours: alive until the 7th day after sign-in
        clock.advance(11 * HOUR)
        assert (await http.get("/app/", headers=as_session(busy))).status_code == 200
    clock.advance(4 * HOUR)  # 169 hours after sign-in
    assert (await http.get("/app/", headers=as_session(busy))).status_code == 303


async def test_state_changes_need_the_sessions_csrf_token(http: httpx.AsyncClient) -> None:
    token, csrf = await signed_in(http)
    for data in ({}, {"csrf": "x" * len(csrf)}, {"csrf": ""}):
        refused = await http.post("/logout", data=data, headers=as_session(token))
        assert refused.status_code == 403 and refused.headers["content-type"].startswith("text/html")
        assert "Reload the page and try again" in refused.text
    other_token, other_csrf = await signed_in(http)
    assert (await http.post("/logout", data={"csrf": other_csrf}, headers=as_session(token))).status_code == 403
    assert (await http.get("/app/", headers=as_session(token))).status_code == 200  # still signed in
    by_header = await http.post("/logout", headers=as_session(token, **{"X-CSRF-Token": csrf}))
    assert by_header.status_code == 303
    assert (await http.get("/app/", headers=as_session(other_token))).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [{"Origin": "https://evil.example"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"},
     {"Sec-Fetch-Site": "same-site"}, {"Origin": "http://127.0.0.1:8787.evil.example"}],
)  # fmt: skip
async def test_cross_site_posts_are_refused_even_with_the_token(http: httpx.AsyncClient, headers: dict) -> None:
    token, csrf = await signed_in(http)
    refused = await http.post("/logout", data={"csrf": csrf}, headers=as_session(token, **headers))
    assert refused.status_code == 403 and "another site" in refused.text
    login = await http.post("/login", data={"key": TEST_API_KEY}, headers=headers)  # login CSRF
    assert login.status_code == 403 and "set-cookie" not in login.headers
    same = {"Origin": "http://127.0.0.1:8787", "Sec-Fetch-Site": "same-origin"}
    assert (await http.post("/logout", data={"csrf": csrf}, headers=as_session(token, **same))).status_code == 303


async def test_dashboard_errors_are_pages_and_api_errors_stay_json(http: httpx.AsyncClient) -> None:
    token, _ = await signed_in(http)
    missing = await http.get("/app/no-such-page", headers=as_session(token))
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert "Page not found" in missing.text and "Traceback" not in missing.text
    assert "Signed in as" in missing.text  # an unknown page keeps the signed-in layout (nav, sign out)
    wrong_method = await http.put("/login")
    assert wrong_method.status_code == 405 and wrong_method.headers["allow"] == "GET, POST"
    assert "<h1" in wrong_method.text
    assert (await http.get("/logout")).status_code == 405
    api = await http.get("/api/no-such-route", headers=AUTH)
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"


async def test_docs_load_swagger_ui_from_this_sites_assets_only(http: httpx.AsyncClient) -> None:
    docs = await http.get("/docs")
    assert docs.status_code == 200 and "SwaggerUIBundle" in docs.text
    referenced = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert sorted(referenced) == [
        "/static/vendor/favicon-32x32.png", "/static/vendor/swagger-ui-bundle.js", "/static/vendor/swagger-ui.css",
    ]  # fmt: skip
    assert "cdn." not in docs.text and "'/openapi.json'" in docs.text
    assert (await http.get("/docs/oauth2-redirect")).status_code == 200


async def test_the_local_server_serves_the_assets_directory_before_the_worker(http: httpx.AsyncClient) -> None:
    css = await http.get("/static/app.css")
    assert css.status_code == 200 and css.headers["content-type"] == "text/css; charset=utf-8"
    assert css.content == (PUBLIC / "static" / "app.css").read_bytes() and "x-request-id" not in css.headers
    cached = await http.get("/static/app.css", headers={"If-None-Match": css.headers["etag"]})
    assert cached.status_code == 304
    head = await http.head("/static/app.js")
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) == (PUBLIC / "static" / "app.js").stat().st_size
    for outside in ("/static/../../wrangler.toml", "/static/%2e%2e/%2e%2e/wrangler.toml", "/static/", "/static"):
        answer = await http.get(outside)
        assert answer.status_code == 404 and "x-request-id" in answer.headers  # the Worker's 404, not a file
    assert (await http.post("/static/app.css")).status_code in (404, 405)


async def test_vendored_assets_are_served_after_vendoring(http: httpx.AsyncClient) -> None:
    if not (ROOT / "node_modules" / "htmx.org").is_dir():
        pytest.skip("node_modules not installed (npm ci)")
    vendor()
    assert vendor() == []  # idempotent: nothing to copy the second time
    for source, name in ASSETS:
        answer = await http.get(f"/static/vendor/{name}")
        assert answer.status_code == 200, name
        assert answer.content == (ROOT / "node_modules" / source).read_bytes()
    htmx = await http.get("/static/vendor/htmx.min.js")
    assert htmx.headers["content-type"] == "text/javascript; charset=utf-8"
