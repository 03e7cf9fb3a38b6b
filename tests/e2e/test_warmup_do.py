"""WarmupManager through the local runtime: concurrent reservations, restart survival and alarm-driven expiry."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from local.clock import ManualClock
from local.runtime import LocalRuntime
from tests.e2e.conftest import ROOT


def namespace(rt: LocalRuntime) -> Any:
    assert rt.env is not None
    return rt.env.WARMUP


def inbox(rt: LocalRuntime, name: str = "inbox-1") -> Any:
    ns = namespace(rt)
    return ns.get(ns.idFromName(name))


async def test_100_concurrent_reserves_grant_exactly_the_days_capacity(
    runtime: LocalRuntime, clock: ManualClock
) -> None:
    stub = inbox(runtime)
    await stub.configure({"plan": {"timezone": "Europe/Berlin", "start_date": "2026-01-05"}})
    now = clock.now()
    replies = await asyncio.gather(*(stub.reserve({"count": 1, "now": now}) for _ in range(100)))
    granted = [r for r in replies if r["granted"]]
    assert sum(r["granted"] for r in replies) == 5  # week 1
    assert len({r["token"] for r in granted}) == 5
    assert all(r["token"] is None and r["limited_by"] == "day" for r in replies if not r["granted"])
    status = await stub.status({"now": now})
    assert (status["day_limit"], status["reserved"], status["remaining_day"], status["week"]) == (5, 5, 0, 1)
    # another inbox has its own capacity
    assert (await inbox(runtime, "inbox-2").reserve({"count": 9, "now": now}))["granted"] == 5


async def test_commit_and_release_over_rpc(runtime: LocalRuntime, clock: ManualClock) -> None:
    stub = inbox(runtime)
    now = clock.now()
    r = await stub.reserve({"count": 3, "now": now})
    assert (await stub.commit({"token": r["token"]}))["outcome"] == "committed"
    assert (await stub.commit({"token": r["token"]}))["outcome"] == "already_committed"
    assert (await stub.release({"token": r["token"]}))["outcome"] == "already_committed"
    status = await stub.status({"now": now})
    assert (status["sent"], status["reserved"], status["plan"]["start_date"]) == (3, 0, "2026-01-05")


async def test_state_survives_a_runtime_restart(tmp_path: Path, dev_vars: Path) -> None:
    state = tmp_path / "state"
    clock = ManualClock()
    first = await LocalRuntime(ROOT, state_dir=state, clock=clock, dev_vars=dev_vars).start()
    try:
        stub = inbox(first)
        await stub.configure({"plan": {"warmup": False, "target": 7, "hourly_cap": 4}})
        r = await stub.reserve({"count": 4, "now": clock.now()})
        await stub.commit({"token": r["token"]})
    finally:
        await first.close()
    second = await LocalRuntime(ROOT, state_dir=state, clock=clock, dev_vars=dev_vars).start()
    try:
        stub = inbox(second)
        status = await stub.status({"now": clock.now()})
        assert (status["configured"], status["day_limit"], status["sent"], status["remaining_hour"]) == (True, 7, 4, 0)
        clock.advance(3600)
        assert (await stub.reserve({"count": 9, "now": clock.now()}))["granted"] == 3
    finally:
        await second.close()


async def test_expiry_alarm_fires_when_the_clock_passes_it(runtime: LocalRuntime, clock: ManualClock) -> None:
    stub = inbox(runtime)
    now = clock.now()
    r = await stub.reserve({"count": 5, "now": now})
    assert r["expires_at"] == now + 600
    assert namespace(runtime).next_alarm_time() == now + 600
    clock.advance(599)
    await runtime.run_due()
    assert (await stub.status({"now": now}))["reserved"] == 5  # status at the old time: nothing swept yet
    clock.advance(1)
    await runtime.run_due()
    status = await stub.status({"now": now})  # an old `now`: only the alarm can have given the capacity back
    assert (status["reserved"], status["remaining_day"]) == (0, 5)
    assert (await stub.commit({"token": r["token"]}))["outcome"] == "expired"
    # the next alarm purges the expired record a day later
    assert namespace(runtime).next_alarm_time() == now + 600 + 86_400


async def test_bad_payloads_are_rejected(runtime: LocalRuntime) -> None:
    stub = inbox(runtime)
    for call, payload in [
        (stub.configure, {"plan": {"timezone": "Nowhere/Land"}}),
        (stub.reserve, {"count": -1, "now": 0}),
        (stub.commit, {"token": ""}),
    ]:
        try:
            await call(payload)
        except Exception as exc:  # the runtime surfaces the object's error
            assert "validation" in str(exc).lower() or "timezone" in str(exc).lower()
        else:
            raise AssertionError(f"{payload} accepted")


def test_manual_clock_start_is_a_monday() -> None:
    assert datetime.fromtimestamp(ManualClock().now(), UTC).date().isoformat() == "2026-01-05"
