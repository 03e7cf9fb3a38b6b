"""HTTP through the local runtime: liveness, readiness, health with every component, JSON errors, request ids."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from local.clock import ManualClock
from local.runtime import LocalRuntime
from shared.messages.durable import DURABLE_OBJECT_BINDINGS
from shared.messages.queues import QueueName
from tests.e2e.conftest import BOTH_D1_BACKENDS, ROOT


async def test_live(http: httpx.AsyncClient) -> None:
    response = await http.get("/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_after_migrations(http: httpx.AsyncClient) -> None:
    response = await http.get("/ready")
    assert response.status_code == 200
    assert response.json()["status"] == "ready"


async def test_not_ready_before_migrations(tmp_path: Path, dev_vars: Path) -> None:
    rt = LocalRuntime(ROOT, state_dir=tmp_path / "fresh", clock=ManualClock(), dev_vars=dev_vars)
    await rt.start(migrate=False)
    try:
        from workers import Request

        response = await rt.fetch(Request("http://127.0.0.1:8787/ready"))
        assert response.status == 503
        assert json.loads(response.body)["status"] == "not_ready"
    finally:
        await rt.close()


@BOTH_D1_BACKENDS
async def test_health_is_green_with_latency_for_every_component(http: httpx.AsyncClient) -> None:
    response = await http.get("/health")
    body = response.json()
    assert response.status_code == 200, body
    expected = {"d1", "kv"} | {f"queue:{q.value}" for q in QueueName} | {f"do:{b}" for b in DURABLE_OBJECT_BINDINGS}
    assert set(body["components"]) == expected
    for name, component in body["components"].items():
        assert component["status"] == "ok", name
        assert component["latency_ms"] >= 0
    assert body["components"]["queue:inbound"]["backlog"] == 0


async def test_health_reports_queue_backlog(http: httpx.AsyncClient, runtime: LocalRuntime) -> None:
    assert runtime.env is not None
    await runtime.env.SEND_QUEUE.send("not delivered yet")
    body = (await http.get("/health")).json()
    assert body["components"]["queue:send"]["backlog"] == 1


async def test_health_is_503_when_a_component_fails(http: httpx.AsyncClient, runtime: LocalRuntime) -> None:
    assert runtime.env is not None

    class BrokenKV:
        async def put(self, *args: object, **kwargs: object) -> None:
            raise RuntimeError("KV is down")

    runtime.env.KV_CACHE = BrokenKV()
    response = await http.get("/health")
    assert response.status_code == 503
    assert response.json()["components"]["kv"]["status"] == "fail"
    assert "KV is down" in response.json()["components"]["kv"]["error"]


async def test_unknown_route_is_a_json_404_with_the_request_id(http: httpx.AsyncClient) -> None:
    response = await http.get("/no/such/route", headers={"X-Request-Id": "req-12345678"})
    assert response.status_code == 404
    assert response.headers["x-request-id"] == "req-12345678"
    error = response.json()["error"]
    assert error["code"] == "not_found"
    assert error["request_id"] == "req-12345678"
    assert "GET /no/such/route" in error["message"]


async def test_a_request_id_is_generated_when_missing_or_invalid(http: httpx.AsyncClient) -> None:
    generated = (await http.get("/live")).headers["x-request-id"]
    assert len(generated) == 32
    replaced = (await http.get("/live", headers={"X-Request-Id": "bad id with spaces"})).headers["x-request-id"]
    assert replaced != "bad id with spaces"


async def test_openapi_and_docs_are_served(http: httpx.AsyncClient) -> None:
    spec = (await http.get("/openapi.json")).json()
    assert {"/live", "/ready", "/health"} <= set(spec["paths"])
    assert (await http.get("/docs")).status_code == 200


async def test_dev_queue_report(http: httpx.AsyncClient, runtime: LocalRuntime) -> None:
    assert runtime.env is not None
    await runtime.env.ENRICH_QUEUE.send("x")
    report = (await http.get("/__local/queues")).json()["queues"]
    assert set(report) >= {q.value for q in QueueName}
    assert report["enrich"]["pending"] == 1
    assert {"pending", "in_flight", "dead_lettered"} <= set(report["enrich"])


async def test_dev_queue_report_names_the_outbox_when_the_server_knows_it(
    runtime: LocalRuntime, tmp_path: Path
) -> None:
    from local.server import create_dev_app

    app = create_dev_app(runtime, outbox=tmp_path / "outbox")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8787") as client:
        assert (await client.get("/__local/queues")).json()["outbox"] == str(tmp_path / "outbox")


@pytest.mark.parametrize("method", ["POST", "DELETE"])
async def test_wrong_method_is_json(http: httpx.AsyncClient, method: str) -> None:
    response = await http.request(method, "/live")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
