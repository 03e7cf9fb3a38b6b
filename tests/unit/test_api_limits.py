"""Request limits of the API: body size (413), content types (415), CORS, rate limits (429), uniform errors."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

import httpx
import pytest
from fastapi import Body, Depends, FastAPI, Request

from api.app import create_app
from api.auth import AuthorizedServices
from api.deps import get_services
from api.limits import BodySizeLimitMiddleware, body_limit_for, require_content_type
from api.rate_limits import client_ip
from shared.bootstrap import Services
from shared.config import Settings
from shared.domain.errors import Conflict, PreconditionRequired
from shared.domain.token_bucket import BucketLimit
from tests.fakes import FakeRateLimiter, FixedClock, fake_services

KEY = "jengu_unit_limits_key"
AUTH = {"Authorization": f"Bearer {KEY}"}
ORIGIN = "https://app.jengu.example"
LIMITS = Settings(app_env="test", api_key=KEY, max_body_bytes=64, max_import_bytes=256)


@pytest.fixture
def lines() -> list[str]:
    return []


@pytest.fixture
def limiter() -> FakeRateLimiter:
    return FakeRateLimiter()


@pytest.fixture
def services(lines: list[str], limiter: FakeRateLimiter) -> Services:
    return fake_services(lines, settings=LIMITS, rate_limiter=limiter)


def build_app(services: Services, **kwargs: Any) -> FastAPI:
    app = create_app(settings=LIMITS, **kwargs)
    app.dependency_overrides[get_services] = lambda: services

    @app.post("/api/__test/echo")
    async def echo(body: dict[str, Any], _: AuthorizedServices) -> dict[str, Any]:
        return body

    @app.post("/api/__test/embedded")
    async def embedded(a: Annotated[int, Body(embed=True)], _: AuthorizedServices) -> dict[str, int]:
        return {"a": a}

    @app.patch("/api/__test/conflict")
    async def conflict(request: Request, _: AuthorizedServices) -> None:
        if "if-match" not in request.headers:
            raise PreconditionRequired("send If-Match")
        raise Conflict("stale version", details={"current_version": 3})

    @app.post("/api/__test/csv", dependencies=[Depends(require_content_type("text/csv"))])
    async def csv(request: Request, _: AuthorizedServices) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    return app


@pytest.fixture
async def client(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_app(services, cors_origins=(ORIGIN,)), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


def assert_uniform(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details", "request_id"}
    assert error["code"] == code
    assert error["request_id"] == response.headers["x-request-id"]
    return error


async def chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


# -- 413 ---------------------------------------------------------------------------------------------------------


async def test_a_declared_length_over_the_limit_is_413_before_reading(client: httpx.AsyncClient) -> None:
    body = json.dumps({"a": "x" * 100}).encode()
    response = await client.post("/api/__test/echo", content=body, headers={**AUTH, "content-type": "application/json"})
    error = assert_uniform(response, 413, "payload_too_large")
    assert error["details"] == {"limit_bytes": 64}


async def test_a_chunked_body_is_counted_as_it_streams(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/__test/echo",
        content=chunks(b'{"a": "', b"x" * 40, b"x" * 40, b'"}'),
        headers={**AUTH, "content-type": "application/json"},
    )
    assert "content-length" not in response.request.headers
    error = assert_uniform(response, 413, "payload_too_large")
    assert error["details"] == {"limit_bytes": 64}


async def test_bodies_within_the_limit_pass(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/__test/echo", content=chunks(b'{"a": ', b"1}"), headers={**AUTH, "content-type": "application/json"}
    )
    assert response.status_code == 200 and response.json() == {"a": 1}
    assert (await client.post("/api/__test/echo", json={"a": "x" * 50}, headers=AUTH)).status_code == 200


async def test_a_bad_content_length_is_400(services: Services) -> None:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/x", "headers": [(b"content-length", b"12abc")]}
    await BodySizeLimitMiddleware(build_app(services), lambda _scope: 64)(scope, receive, send)
    assert sent[0]["status"] == 400


def test_the_import_route_has_its_own_limit() -> None:
    assert body_limit_for(10, 50, "/api/prospects/import") == 50
    assert body_limit_for(10, 50, "/api/prospects/import/") == 50
    assert body_limit_for(10, 50, "/api/prospects") == 10
    assert Settings().max_body_bytes == 1 * 1024 * 1024 and Settings().max_import_bytes == 20 * 1024 * 1024  # 0014


async def test_the_middleware_applies_the_per_path_limit_to_streamed_bytes() -> None:
    received: list[bytes] = []

    async def app(scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        while True:
            message = await receive()
            received.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    limited = BodySizeLimitMiddleware(app, lambda scope: body_limit_for(64, 256, scope["path"]))
    transport = httpx.ASGITransport(app=limited)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        big = [b"x" * 50] * 4  # 200 bytes, chunked
        assert (await c.post("/api/prospects/import", content=chunks(*big))).status_code == 200
        response = await c.post("/api/prospects", content=chunks(*big))
        assert response.status_code == 413
        assert response.json()["error"]["details"] == {"limit_bytes": 64}
        assert (await c.post("/api/prospects/import", content=chunks(*big, *big))).status_code == 413


# -- 415 ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded; x=1", None])
async def test_json_routes_refuse_other_content_types(client: httpx.AsyncClient, content_type: str | None) -> None:
    headers = {**AUTH, **({"content-type": content_type} if content_type else {})}
    response = await client.post("/api/__test/echo", content=b'{"a": 1}', headers=headers)
    error = assert_uniform(response, 415, "unsupported_media_type")
    assert error["details"]["allowed"] == ["application/json"]


async def test_embedded_json_bodies_are_covered_too(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/__test/embedded", content=b'{"a": 1}', headers={**AUTH, "content-type": "text/plain"}
    )
    assert_uniform(response, 415, "unsupported_media_type")
    assert (await client.post("/api/__test/embedded", json={"a": 1}, headers=AUTH)).json() == {"a": 1}
    assert_uniform(await client.post("/api/__test/embedded", json={"b": 1}, headers=AUTH), 422, "validation_failed")


async def test_a_missing_body_is_still_422(client: httpx.AsyncClient) -> None:
    assert_uniform(await client.post("/api/__test/echo", headers=AUTH), 422, "validation_failed")


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "application/merge-patch+json"]
)
async def test_json_routes_take_json(client: httpx.AsyncClient, content_type: str) -> None:
    response = await client.post(
        "/api/__test/echo", content=b'{"a": 1}', headers={**AUTH, "content-type": content_type}
    )
    assert response.status_code == 200, response.text


async def test_require_content_type(client: httpx.AsyncClient) -> None:
    ok = await client.post("/api/__test/csv", content=b"a,b\n1,2\n", headers={**AUTH, "content-type": "text/csv"})
    assert ok.status_code == 200 and ok.json() == {"bytes": 8}
    wrong = await client.post("/api/__test/csv", json={"a": 1}, headers=AUTH)
    error = assert_uniform(wrong, 415, "unsupported_media_type")
    assert error["details"] == {"content_type": "application/json", "allowed": ["text/csv"]}
    anonymous = await client.post("/api/__test/csv", json={"a": 1})
    assert anonymous.status_code == 401  # authentication first


# -- CORS --------------------------------------------------------------------------------------------------------


async def test_preflight_is_answered_without_auth_or_rate_limits(
    client: httpx.AsyncClient, limiter: FakeRateLimiter
) -> None:
    response = await client.options(
        "/api/keys",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type, x-request-id, if-match",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert "POST" in response.headers["access-control-allow-methods"]
    allowed = response.headers["access-control-allow-headers"].lower()
    assert all(h in allowed for h in ("authorization", "content-type", "x-request-id", "if-match"))
    assert "x-request-id" in response.headers
    assert limiter.calls == []


async def test_responses_expose_our_headers_to_allowed_origins_only(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/failed-tasks", headers={**AUTH, "Origin": ORIGIN})
    assert response.headers["access-control-allow-origin"] == ORIGIN
    exposed = {h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")}
    assert {"x-request-id", "etag", "retry-after"} <= exposed
    denied = await client.options(
        "/api/keys", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in denied.headers
    other = await client.get("/api/failed-tasks", headers={**AUTH, "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


async def test_errors_carry_cors_headers_too(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/failed-tasks", headers={"Origin": ORIGIN})
    assert response.status_code == 401 and response.headers["access-control-allow-origin"] == ORIGIN


# -- 429 ---------------------------------------------------------------------------------------------------------


def limited(limits: dict[str, BucketLimit], clock: FixedClock | None = None) -> FakeRateLimiter:
    return FakeRateLimiter(limits, clock or FixedClock())


async def client_for(services: Services) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=build_app(services), raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def test_per_key_limit_answers_429_with_retry_after(lines: list[str]) -> None:
    clock = FixedClock()
    limiter = limited({"api_key": BucketLimit(2, 0.4)}, clock)
    async with await client_for(fake_services(lines, settings=LIMITS, rate_limiter=limiter)) as c:
        assert [(await c.get("/api/failed-tasks", headers=AUTH)).status_code for _ in range(2)] == [200, 200]
        refused = await c.get("/api/failed-tasks", headers={**AUTH, "X-Request-Id": "req-429-abc"})
        error = assert_uniform(refused, 429, "rate_limited")
        assert refused.headers["retry-after"] == "3"  # 1 token at 0.4/s: 2.5 s, rounded up
        assert refused.headers["x-request-id"] == "req-429-abc"
        assert error["details"] == {"retry_after_s": 3, "limit": "api_key"}
        clock.advance(2.4)
        assert (await c.get("/api/failed-tasks", headers=AUTH)).status_code == 429
        clock.advance(0.1)
        assert (await c.get("/api/failed-tasks", headers=AUTH)).status_code == 200
    assert ("bootstrap", "api_key", 1) in limiter.calls


async def test_unauthenticated_requests_are_limited_per_ip(lines: list[str]) -> None:
    limiter = limited({"ip": BucketLimit(3, 1)})
    async with await client_for(fake_services(lines, settings=LIMITS, rate_limiter=limiter)) as c:
        statuses = [(await c.get("/api/failed-tasks")).status_code for _ in range(4)]
        assert statuses == [401, 401, 401, 429]
        refused = await c.get("/api/failed-tasks", headers={"Authorization": "Bearer wrong"})
        assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
        # a throttled address cannot even try a key, not even a valid one
        assert (await c.get("/api/failed-tasks", headers=AUTH)).status_code == 429
        # another address has its own bucket
        other = {"CF-Connecting-IP": "198.51.100.7"}
        assert (await c.get("/api/failed-tasks", headers={**AUTH, **other})).status_code == 200


async def test_wrong_keys_spend_ip_tokens_and_valid_keys_do_not(lines: list[str]) -> None:
    limiter = limited({"ip": BucketLimit(2, 1)})
    async with await client_for(fake_services(lines, settings=LIMITS, rate_limiter=limiter)) as c:
        for _ in range(10):
            assert (await c.get("/api/failed-tasks", headers=AUTH)).status_code == 200
        wrong = {"Authorization": "Bearer jengu_" + "A" * 43}
        assert [(await c.get("/api/failed-tasks", headers=wrong)).status_code for _ in range(3)] == [401, 401, 429]
    ip_calls = [(key, tokens) for key, key_class, tokens in limiter.calls if key_class == "ip"]
    assert ip_calls[:10] == [("127.0.0.1", 0)] * 10  # probes only


async def test_a_broken_limiter_fails_open_with_a_warning(lines: list[str]) -> None:
    services = fake_services(lines, settings=LIMITS, rate_limiter=FakeRateLimiter(broken=True))
    async with await client_for(services) as c:
        assert (await c.get("/api/failed-tasks", headers=AUTH)).status_code == 200
        assert (await c.get("/api/failed-tasks")).status_code == 401  # auth is never skipped
    warnings = [json.loads(line) for line in lines if "fail open" in line]
    assert warnings and warnings[0]["level"] == "warning" and "RateLimiter unreachable" in warnings[0]["error"]


async def test_health_endpoints_are_never_limited(lines: list[str]) -> None:
    limiter = FakeRateLimiter(broken=True)
    async with await client_for(fake_services(lines, settings=LIMITS, rate_limiter=limiter)) as c:
        for _ in range(20):
            assert (await c.get("/live")).status_code == 200
        assert (await c.get("/health")).status_code == 200
    assert limiter.calls == []


# -- client address ----------------------------------------------------------------------------------------------


def scope(*headers: tuple[str, str], client: str | None = "10.1.2.3") -> dict[str, Any]:
    return {
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers],
        "client": (client, 1234) if client else None,
    }


@pytest.mark.parametrize(
    "headers, local, expected",
    [
        ((("CF-Connecting-IP", "203.0.113.9"),), False, "203.0.113.9"),
        ((("CF-Connecting-IP", "203.0.113.9"), ("X-Forwarded-For", "1.1.1.1")), True, "203.0.113.9"),
        ((("X-Forwarded-For", "198.51.100.1, 10.0.0.1"),), True, "198.51.100.1"),
        ((("X-Forwarded-For", "198.51.100.1"),), False, "10.1.2.3"),  # never trusted on Cloudflare
        ((("CF-Connecting-IP", "not-an-ip"),), False, "10.1.2.3"),
        ((("CF-Connecting-IP", "2001:db8:1:2:3:4:5:6"),), False, "2001:db8:1:2::/64"),
        ((("CF-Connecting-IP", "::ffff:192.0.2.1"),), False, "192.0.2.1"),
        ((), False, "10.1.2.3"),
    ],
)
def test_client_ip(headers: tuple[tuple[str, str], ...], local: bool, expected: str) -> None:
    assert client_ip(scope(*headers), trust_forwarded_for=local) == expected


def test_client_ip_without_anything_is_unknown() -> None:
    assert client_ip(scope(client=None), trust_forwarded_for=True) == "unknown"


def test_only_local_environments_trust_forwarded_for() -> None:
    assert Settings(app_env="test").is_local and Settings(app_env="development").is_local
    assert not Settings(app_env="production").is_local and not Settings(app_env="staging").is_local


# -- the uniform body for the other statuses ---------------------------------------------------------------------


async def test_unknown_routes_and_wrong_methods(client: httpx.AsyncClient) -> None:
    assert_uniform(await client.get("/api/nope", headers=AUTH), 404, "not_found")
    wrong = await client.put("/api/keys", headers=AUTH)
    assert_uniform(wrong, 405, "method_not_allowed")
    assert wrong.headers["allow"]  # Starlette names the methods of the first route on the path


async def test_domain_errors_keep_their_details(client: httpx.AsyncClient) -> None:
    stale = assert_uniform(
        await client.patch("/api/__test/conflict", headers={**AUTH, "If-Match": '"2"'}), 409, "conflict"
    )
    assert stale["details"] == {"current_version": 3}
    assert_uniform(await client.patch("/api/__test/conflict", headers=AUTH), 428, "precondition_required")
