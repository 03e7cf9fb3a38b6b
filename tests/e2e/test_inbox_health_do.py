"""InboxHealth through the local runtime: auto-pause after bounces, state survives a restart, the cool-down alarm
fires when the manual clock passes it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from local.clock import ManualClock
from local.runtime import LocalRuntime
from tests.e2e.conftest import ROOT


def inbox(runtime: LocalRuntime, name: str = "inbox-1") -> Any:
    assert runtime.env is not None
    ns = runtime.env.INBOX_HEALTH
    return ns.get(ns.idFromName(name))


async def test_pauses_after_bounces_and_resumes(runtime: LocalRuntime, clock: ManualClock) -> None:
    stub = inbox(runtime)
    now = clock.now()
    for _ in range(20):
        assert (await stub.record({"event": "sent", "now": now}))["allowed"] is True
    gate = await stub.record({"event": "hard_bounce", "now": now})
    assert gate == {"allowed": False, "state": "paused", "reason": gate["reason"]}
    assert "bounce_rate" in gate["reason"]
    assert (await stub.can_send({"now": now}))["state"] == "paused"
    status = await stub.status({"now": now})
    assert status["paused"]["reason"] == "bounce_rate" and status["score"] == 0
    resumed = await stub.resume({"now": now + 60, "by": "ops"})
    assert resumed["paused"] is None and resumed["in_grace"] is True
    assert (await stub.can_send({"now": now + 61}))["allowed"] is True
    # another inbox is unaffected
    assert (await inbox(runtime, "inbox-2").can_send({"now": now}))["state"] == "ok"


async def test_state_survives_a_runtime_restart(tmp_path: Path, dev_vars: Path) -> None:
    state = tmp_path / "state"
    clock = ManualClock()
    first = await LocalRuntime(ROOT, state_dir=state, clock=clock, dev_vars=dev_vars).start()
    try:
        stub = inbox(first)
        await stub.configure({"min_sends": 2, "bounce_threshold": 0.1})
        for event in ("sent", "sent", "hard_bounce"):
            await stub.record({"event": event, "now": clock.now()})
    finally:
        await first.close()
    second = await LocalRuntime(ROOT, state_dir=state, clock=clock, dev_vars=dev_vars).start()
    try:
        status = await inbox(second).status({"now": clock.now()})
        assert status["state"] == "paused"
        assert status["config"]["min_sends"] == 2
        assert status["window"]["sent"] == 2 and status["window"]["hard_bounce"] == 1
    finally:
        await second.close()


async def test_half_open_alarm_fires_when_the_clock_passes_it(runtime: LocalRuntime, clock: ManualClock) -> None:
    stub = inbox(runtime)
    for _ in range(5):
        gate = await stub.record({"event": "transport_failure", "now": clock.now()})
    assert gate["state"] == "circuit_open"
    clock.advance(600)
    await runtime.run_due()
    assert (await stub.status({"now": clock.now()}))["circuit"]["state"] == "open"
    clock.advance(301)
    assert await runtime.run_due() >= 1
    status = await stub.status({"now": clock.now()})
    assert status["circuit"]["state"] == "half_open"
    probe = await stub.can_send({"now": clock.now()})
    assert probe["allowed"] is True and probe["state"] == "half_open"
    assert (await stub.can_send({"now": clock.now()}))["allowed"] is False
    await stub.record({"event": "transport_success", "now": clock.now()})
    assert (await stub.can_send({"now": clock.now()}))["state"] == "ok"
