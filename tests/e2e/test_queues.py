"""Queues end to end: retries with back-off then the DLQ and `failed_tasks`; corrupt messages dead-lettered at
once; messages surviving a restart and a crash mid-batch."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from consumers.dispatch import QUEUE_HANDLERS
from local.clock import ManualClock
from local.runtime import LocalRuntime
from shared.bootstrap import Services
from shared.messages.envelope import Envelope
from shared.messages.payloads import Payload
from shared.messages.queues import RETRY_POLICIES, QueueName
from tests.e2e.conftest import BOTH_D1_BACKENDS, ROOT
from tests.e2e.helpers import envelope, rows


async def run_until_idle(runtime: LocalRuntime, clock: ManualClock, *, max_steps: int = 50) -> None:
    """Deliver everything now, then jump the clock to the next delayed delivery, until nothing is left."""
    for _ in range(max_steps):
        await runtime.drain()
        wake = runtime.broker.next_due_time() if runtime.broker else None
        if wake is None:
            return
        clock.set(max(wake, clock.now()))
    raise AssertionError("queues never went idle")


@BOTH_D1_BACKENDS
async def test_failing_message_is_retried_max_retries_times_then_recorded(
    runtime: LocalRuntime, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts_seen: list[int] = []
    deliveries_at: list[float] = []

    async def always_fails(payload: Payload, env: Envelope, services: Services) -> None:
        attempts_seen.append(len(attempts_seen) + 1)
        deliveries_at.append(clock.now())
        raise RuntimeError("provider timed out")

    monkeypatch.setitem(QUEUE_HANDLERS[QueueName.ENRICH], "inbound.received", always_fails)
    assert runtime.env is not None
    await runtime.env.ENRICH_QUEUE.send(envelope("inbound.received", {"inbound_id": "x"}, id_="enrich-1").encode())

    await run_until_idle(runtime, clock)

    policy = RETRY_POLICIES[QueueName.ENRICH]
    assert len(attempts_seen) == policy.max_retries + 1 == 6
    gaps = [round(b - a) for a, b in pairwise(deliveries_at)]
    assert gaps == [policy.delay_for(n) for n in range(1, policy.max_retries + 1)] == [30, 60, 120, 240, 480]
    [task] = await rows(runtime, "SELECT * FROM failed_tasks")
    assert (task["id"], task["queue"], task["type"], task["attempts"]) == ("enrich-1", "enrich", "inbound.received", 6)
    assert task["last_error"] == "RuntimeError: provider timed out"
    assert task["trace_id"] == "trace-e2e"
    stats = runtime.queue_stats()
    assert stats["enrich"]["pending"] == stats["enrich"]["in_flight"] == stats["dlq"]["pending"] == 0


@BOTH_D1_BACKENDS
async def test_real_handler_failure_goes_through_the_inbound_retry_policy(
    runtime: LocalRuntime, clock: ManualClock
) -> None:
    assert runtime.env is not None
    await runtime.env.INBOUND_QUEUE.send(envelope("inbound.received", {"inbound_id": "missing"}, id_="in-9").encode())
    await run_until_idle(runtime, clock)
    [task] = await rows(runtime, "SELECT queue, attempts, last_error FROM failed_tasks WHERE id = 'in-9'")
    assert task["queue"] == "inbound"
    assert task["attempts"] == RETRY_POLICIES[QueueName.INBOUND].max_retries + 1
    assert task["last_error"].startswith("NotFound")


@pytest.mark.parametrize("body", ["{definitely not json", {"id": "no-envelope"}, 12345])
async def test_corrupt_message_is_dead_lettered_at_once(
    runtime: LocalRuntime, clock: ManualClock, monkeypatch: pytest.MonkeyPatch, body: object
) -> None:
    called = False

    async def never(payload: Payload, env: Envelope, services: Services) -> None:
        nonlocal called
        called = True

    monkeypatch.setitem(QUEUE_HANDLERS[QueueName.COMPOSE], "inbound.received", never)
    assert runtime.env is not None
    await runtime.env.COMPOSE_QUEUE.send(body)
    await runtime.drain()  # no clock movement: a retry would still be waiting
    [task] = await rows(runtime, "SELECT queue, attempts, last_error, raw_body FROM failed_tasks")
    assert (task["queue"], task["attempts"]) == ("compose", 1)
    assert "not a valid envelope" in task["last_error"]
    assert task["raw_body"]
    assert not called
    assert runtime.queue_stats()["compose"]["delayed"] == 0


async def test_pending_messages_survive_a_restart(tmp_path: Path, dev_vars: Path) -> None:
    clock = ManualClock()
    state = tmp_path / "state"
    first = await LocalRuntime(ROOT, state_dir=state, clock=clock, dev_vars=dev_vars).start(migrate=True)
    assert first.env is not None
    await first.env.INBOUND_QUEUE.send(envelope("inbound.received", {"inbound_id": "gone"}, id_="kept").encode())
    await first.close()

    second = await LocalRuntime(ROOT, state_dir=state, clock=clock, dev_vars=dev_vars).start(migrate=True)
    try:
        assert second.queue_stats()["inbound"]["pending"] == 1
        await run_until_idle(second, clock)
        assert [r["id"] for r in await rows(second, "SELECT id FROM failed_tasks")] == ["kept"]
    finally:
        await second.close()


async def test_a_batch_killed_mid_way_is_delivered_again_after_restart(
    tmp_path: Path, dev_vars: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = ManualClock()
    state = tmp_path / "state"
    handled: list[str] = []

    class ProcessKilled(BaseException):
        """Stands in for the process dying: not an Exception, so nothing in the Worker catches it."""

    async def dies_on_second(payload: Payload, env: Envelope, services: Services) -> None:
        if env.id == "second":
            raise ProcessKilled
        handled.append(env.id)

    monkeypatch.setitem(QUEUE_HANDLERS[QueueName.EVENTS], "inbound.received", dies_on_second)
    first = await LocalRuntime(ROOT, state_dir=state, clock=clock, dev_vars=dev_vars).start(migrate=True)
    assert first.env is not None
    for name in ("first", "second", "third"):
        await first.env.EVENTS_QUEUE.send(envelope("inbound.received", {"inbound_id": name}, id_=name).encode())
    with pytest.raises(ProcessKilled):
        await first.drain()
    await first.close()  # the process is gone; outcomes of the batch were never written

    async def records(payload: Payload, env: Envelope, services: Services) -> None:
        handled.append(env.id)

    monkeypatch.setitem(QUEUE_HANDLERS[QueueName.EVENTS], "inbound.received", records)
    second = await LocalRuntime(ROOT, state_dir=state, clock=clock, dev_vars=dev_vars).start(migrate=True)
    try:
        await second.drain()
        assert sorted(handled) == ["first", "first", "second", "third"]  # at-least-once: "first" twice
        assert second.queue_stats()["events"]["pending"] == second.queue_stats()["events"]["in_flight"] == 0
    finally:
        await second.close()
