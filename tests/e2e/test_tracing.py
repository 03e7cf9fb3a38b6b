"""One trace id from the HTTP request, through the queue and the consumer, into every log line (and DO calls)."""

from __future__ import annotations

import json

import httpx
import pytest

from local.runtime import LocalRuntime
from tests.e2e.conftest import TEST_API_KEY
from tests.e2e.helpers import rows
from tests.samples import inbound_sample

AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}


def log_lines(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


async def test_replay_carries_the_request_trace_through_queue_and_consumer(
    http: httpx.AsyncClient, runtime: LocalRuntime, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = inbound_sample("out_of_office.eml", TO="sales@jengu.test", FROM="gm@hotel.example",
                         MSGID="<o@jengu.test>", SUBJECT="Hi", DATE="Mon, 05 Jan 2026 09:00:00 +0000")  # fmt: skip
    await http.post(
        "/cdn-cgi/handler/email", params={"from": "gm@hotel.example", "to": "sales@jengu.test"}, content=raw
    )
    [stored] = await rows(runtime, "SELECT id FROM inbound_messages")
    await rows(
        runtime,
        "INSERT INTO failed_tasks (id, queue, type, version, attempts, last_error, payload, failed_at) "
        "VALUES ('dead-1', 'inbound', 'inbound.received', 1, 2, 'NotFound', ?, '2026-01-05T09:00:00+00:00')",
        json.dumps({"inbound_id": stored["id"]}),
    )
    capsys.readouterr()

    response = await http.post("/api/failed-tasks/dead-1/replay", headers={**AUTH, "X-Request-Id": "trace-replay-001"})
    assert response.status_code == 202, response.text
    await runtime.drain()

    lines = [line for line in log_lines(capsys.readouterr().out) if line.get("trace_id") == "trace-replay-001"]
    components = {line["component"] for line in lines}
    assert {"api", "consumer.inbound"} <= components
    assert any(line["message"] == "inbound email parsed" for line in lines)
    assert any(line["message"] == "http request" and line["status"] == 202 for line in lines)
    listed = (await http.get("/api/failed-tasks", params={"status": "replayed"}, headers=AUTH)).json()
    assert [t["id"] for t in listed["items"]] == ["dead-1"]


async def test_health_passes_the_request_trace_to_every_durable_object(http: httpx.AsyncClient) -> None:
    # Each DO echoes the trace id it was called with; the health check fails a component that answers otherwise.
    response = await http.get("/health", headers={"X-Request-Id": "trace-health-001"})
    assert response.status_code == 200
    assert all(c["status"] == "ok" for name, c in response.json()["components"].items() if name.startswith("do:"))


async def test_every_log_line_has_the_required_fields(
    http: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    await http.get("/health")
    for line in log_lines(capsys.readouterr().out):
        assert {"level", "message", "component", "trace_id"} <= set(line)
