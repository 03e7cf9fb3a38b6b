"""Health and readiness over fakes: every component reported with latency; one failure makes the whole fail."""

from __future__ import annotations

from shared.adapters.d1.schema import EXPECTED_MIGRATIONS
from shared.messages.durable import DURABLE_OBJECT_BINDINGS
from shared.messages.queues import QueueName
from tests.fakes import FakeDurable, FakeSchema, fake_services


async def test_all_green() -> None:
    report = await fake_services().health.health(trace_id="t", probe_token="tok")
    body = report.as_dict()
    assert report.ok and body["status"] == "ok"
    expected = {"d1", "kv"} | {f"queue:{q.value}" for q in QueueName} | {f"do:{b}" for b in DURABLE_OBJECT_BINDINGS}
    assert set(body["components"]) == expected
    assert all(c["latency_ms"] >= 0 for c in body["components"].values())


async def test_a_broken_component_fails_the_report_and_says_why() -> None:
    report = await fake_services(durable=FakeDurable(broken={"DEDUP"})).health.health(trace_id="t", probe_token="x")
    body = report.as_dict()
    assert not report.ok
    assert body["components"]["do:DEDUP"]["status"] == "fail"
    assert "DEDUP unreachable" in body["components"]["do:DEDUP"]["error"]
    assert body["components"]["do:WARMUP"]["status"] == "ok"


async def test_ready_requires_every_expected_migration() -> None:
    ok, body = await fake_services().health.ready()
    assert ok and body["status"] == "ready"
    ok, body = await fake_services(schema=FakeSchema(applied=[])).health.ready()
    assert not ok and body["missing"] == list(EXPECTED_MIGRATIONS)
    ok, body = await fake_services(schema=FakeSchema(down=True)).health.ready()
    assert not ok and "cannot read migrations" in body["reason"]
