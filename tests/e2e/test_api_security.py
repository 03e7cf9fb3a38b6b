"""API security through the local runtime: keys created over the API and used, D1 storing only hashes, and rate
limits enforced by the real RateLimiter Durable Object, driven by the runtime's ManualClock (no sleeping).

The runtime lends its clock to the Worker (env `JENGU_CLOCK`, see shared/bootstrap.py), so the API passes the
manual time to the RateLimiter as `now`, and moving the clock refills the buckets.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from local.clock import ManualClock
from local.runtime import LocalRuntime
from shared.domain.api_keys import hash_key
from shared.messages.rate_limit import RATE_LIMITER_BINDING, KeyClass, shard_name
from tests.e2e.conftest import BOTH_D1_BACKENDS, ROOT, TEST_API_KEY
from tests.e2e.helpers import rows

AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}
LIMIT_VARS = {
    "RATE_LIMIT_API_KEY_CAPACITY": "3",
    "RATE_LIMIT_API_KEY_REFILL_PER_S": "0.5",
    "RATE_LIMIT_IP_CAPACITY": "2",
    "RATE_LIMIT_IP_REFILL_PER_S": "0.25",
    "MAX_BODY_BYTES": "4096",
}


@pytest.fixture
async def runtime(tmp_path: Path, clock: ManualClock, dev_vars: Path, d1_backend: str) -> AsyncIterator[LocalRuntime]:
    """The conftest runtime with small limits and the manual clock lent to the Worker."""
    rt = LocalRuntime(
        ROOT,
        state_dir=tmp_path / "state",
        clock=clock,
        dev_vars=dev_vars,
        smtp_sink_port=0,
        d1_backend=d1_backend,
        extra_vars={**LIMIT_VARS, "JENGU_CLOCK": clock},  # type: ignore[dict-item]
    )
    await rt.start(migrate=True)
    try:
        yield rt
    finally:
        await rt.close()


def ip(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}  # trusted: APP_ENV=test is a local environment


@BOTH_D1_BACKENDS
async def test_a_key_created_over_the_api_works_and_only_its_hash_is_stored(
    http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock
) -> None:
    created = await http.post("/api/keys", json={"name": "crm sync", "scopes": ["admin"]}, headers=AUTH)
    assert created.status_code == 201, created.text
    body = created.json()
    key = body["key"]
    assert key.startswith("jengu_") and body["prefix"] == key[:12]

    [row] = await rows(runtime, "SELECT * FROM api_keys")
    assert row["key_hash"] == hash_key(key) and key not in str(row)
    assert row["scopes"] == '["admin"]' and row["last_used_at"] is None

    mine = {"Authorization": f"Bearer {key}"}
    listed = await http.get("/api/keys", headers=mine)
    assert listed.status_code == 200 and [k["id"] for k in listed.json()["items"]] == [body["id"]]
    assert key not in listed.text
    [row] = await rows(runtime, "SELECT last_used_at FROM api_keys")
    assert row["last_used_at"] == runtime.now().isoformat()

    clock.advance(30)
    assert (await http.get("/api/failed-tasks", headers=mine)).status_code == 200
    [row] = await rows(runtime, "SELECT last_used_at FROM api_keys")
    assert row["last_used_at"] != runtime.now().isoformat()  # not rewritten within the minute

    assert (await http.delete(f"/api/keys/{body['id']}", headers=AUTH)).status_code == 204
    refused = await http.get("/api/failed-tasks", headers=mine)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"


async def test_keys_without_the_admin_scope_cannot_manage_keys(http: httpx.AsyncClient) -> None:
    key = (await http.post("/api/keys", json={"name": "reader"}, headers=AUTH)).json()["key"]
    mine = {"Authorization": f"Bearer {key}"}
    assert (await http.get("/api/failed-tasks", headers=mine)).status_code == 200
    forbidden = await http.post("/api/keys", json={"name": "escalate"}, headers=mine)
    assert forbidden.status_code == 403 and forbidden.json()["error"]["code"] == "forbidden"


async def test_per_key_rate_limit_through_the_durable_object(
    http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock
) -> None:
    statuses = [(await http.get("/api/failed-tasks", headers=AUTH)).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    refused = await http.get("/api/failed-tasks", headers={**AUTH, "X-Request-Id": "e2e-rate-limited"})
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "2"  # one token at 0.5/s
    assert refused.headers["x-request-id"] == "e2e-rate-limited"
    assert refused.json()["error"] == {
        "code": "rate_limited",
        "message": "rate limit exceeded for this API key; retry after 2 s",
        "details": {"retry_after_s": 2, "limit": "api_key"},
        "request_id": "e2e-rate-limited",
    }

    # the bucket lives in the shard object named in shared/messages/rate_limit.py
    namespace = getattr(runtime.env, RATE_LIMITER_BINDING)
    stub = namespace.get(namespace.idFromName(shard_name(KeyClass.API_KEY, "bootstrap")))
    probe = await stub.acquire({"key": "bootstrap", "key_class": "api_key", "tokens": 0, "now": clock.now()})
    assert probe == {"allowed": False, "remaining": 0, "retry_after_s": 2.0}

    clock.advance(1.9)
    assert (await http.get("/api/failed-tasks", headers=AUTH)).status_code == 429
    clock.advance(0.1)
    assert (await http.get("/api/failed-tasks", headers=AUTH)).status_code == 200
    assert (await http.get("/api/failed-tasks", headers=AUTH)).status_code == 429

    clock.advance(60)  # refilled to capacity, never beyond it
    statuses = [(await http.get("/api/failed-tasks", headers=AUTH)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


async def test_unauthenticated_requests_are_limited_per_address(http: httpx.AsyncClient, clock: ManualClock) -> None:
    attacker, other = ip("203.0.113.66"), ip("198.51.100.5")
    wrong = {"Authorization": "Bearer jengu_" + "A" * 43}
    statuses = [(await http.get("/api/failed-tasks", headers={**wrong, **attacker})).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]
    throttled = await http.get("/api/failed-tasks", headers={**AUTH, **attacker})
    assert throttled.status_code == 429 and throttled.headers["retry-after"] == "4"  # 1 token at 0.25/s
    assert (await http.get("/api/failed-tasks", headers=other)).status_code == 401
    assert (await http.get("/live", headers=attacker)).status_code == 200  # health is never limited
    clock.advance(4)
    assert (await http.get("/api/failed-tasks", headers={**AUTH, **attacker})).status_code == 200


async def test_authenticated_traffic_spends_no_address_tokens(http: httpx.AsyncClient) -> None:
    for _ in range(3):  # more than the address capacity (2), within the key capacity (3)
        assert (await http.get("/api/failed-tasks", headers={**AUTH, **ip("192.0.2.10")})).status_code == 200


async def test_buckets_are_swept_by_the_alarm(
    http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock
) -> None:
    for _ in range(3):
        await http.get("/api/failed-tasks", headers=AUTH)
    namespace = getattr(runtime.env, RATE_LIMITER_BINDING)
    shard = namespace.peek(namespace.idFromName(shard_name(KeyClass.API_KEY, "bootstrap")))
    assert list(await shard.ctx.storage.list({"prefix": "bucket:"})) == ["bucket:api_key:bootstrap"]
    assert namespace.next_alarm_time() == clock.now() + 3600
    clock.advance(3600)
    assert await namespace.run_due_alarms() == 1
    assert await shard.ctx.storage.list({"prefix": "bucket:"}) == {}  # full, so forgotten
    assert namespace.next_alarm_time() is None
    statuses = [(await http.get("/api/failed-tasks", headers=AUTH)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


async def test_health_endpoints_need_neither_keys_nor_tokens(http: httpx.AsyncClient) -> None:
    for _ in range(10):
        assert (await http.get("/live")).status_code == 200


async def test_oversized_bodies_are_413_through_the_runtime(http: httpx.AsyncClient) -> None:
    response = await http.post("/api/keys", json={"name": "x" * 5000}, headers=AUTH)
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "payload_too_large" and error["details"] == {"limit_bytes": 4096}
    assert error["request_id"] == response.headers["x-request-id"]


async def test_wrong_content_type_is_415_through_the_runtime(http: httpx.AsyncClient) -> None:
    response = await http.post("/api/keys", content=b'{"name": "x"}', headers={**AUTH, "content-type": "text/plain"})
    assert response.status_code == 415 and response.json()["error"]["code"] == "unsupported_media_type"


async def test_openapi_and_docs_are_served(http: httpx.AsyncClient) -> None:
    spec = (await http.get("/openapi.json")).json()
    assert spec["components"]["securitySchemes"]["BearerAuth"]["scheme"] == "bearer"
    assert {"/api/keys", "/api/keys/{key_id}"} <= set(spec["paths"])
    assert (await http.get("/docs")).status_code == 200
