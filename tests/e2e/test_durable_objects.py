"""Durable Objects through the runtime: one id never interleaves, state survives a restart, trace ids reach the DO."""

from __future__ import annotations

import asyncio
from pathlib import Path

from local.clock import ManualClock
from local.runtime import LocalRuntime
from shared.adapters.durable import DurableObjectClient
from tests.e2e.conftest import ROOT


async def test_calls_to_one_object_never_interleave(runtime: LocalRuntime) -> None:
    client = DurableObjectClient(runtime.env)
    replies = await asyncio.gather(*(client.ping("WARMUP", "inbox-1", f"t{i}") for i in range(100)))
    # ping reads a counter, awaits, then writes it: interleaving would lose updates and repeat counts
    assert sorted(r["calls"] for r in replies) == list(range(1, 101))
    assert {r["trace_id"] for r in replies} == {f"t{i}" for i in range(100)}


async def test_objects_are_separate_per_name_and_per_class(runtime: LocalRuntime) -> None:
    client = DurableObjectClient(runtime.env)
    assert (await client.ping("DEDUP", "a", "t"))["calls"] == 1
    assert (await client.ping("DEDUP", "b", "t"))["calls"] == 1
    assert (await client.ping("PROSPECT_LOCK", "a", "t"))["calls"] == 1
    assert (await client.ping("DEDUP", "a", "t"))["calls"] == 2


async def test_object_state_survives_a_runtime_restart(tmp_path: Path, dev_vars: Path) -> None:
    state = tmp_path / "state"
    first = await LocalRuntime(ROOT, state_dir=state, clock=ManualClock(), dev_vars=dev_vars).start()
    await DurableObjectClient(first.env).ping("INBOX_HEALTH", "inbox-7", "t")
    await first.close()
    second = await LocalRuntime(ROOT, state_dir=state, clock=ManualClock(), dev_vars=dev_vars).start()
    try:
        assert (await DurableObjectClient(second.env).ping("INBOX_HEALTH", "inbox-7", "t"))["calls"] == 2
    finally:
        await second.close()
