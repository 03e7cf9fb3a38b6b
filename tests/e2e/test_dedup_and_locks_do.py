"""Dedup and ProspectLock through the local runtime: one winner under concurrency, persistence, cleanup alarms."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from local.clock import ManualClock
from local.runtime import LocalRuntime
from shared.messages.dedup import ClaimRequest, shard_name
from shared.messages.prospect_lock import LeaseRequest, StatusRequest, lock_name
from tests.e2e.conftest import ROOT


def namespace(runtime: LocalRuntime, binding: str) -> Any:
    assert runtime.env is not None
    return getattr(runtime.env, binding)


def dedup_stub(runtime: LocalRuntime, key: str) -> Any:
    ns = namespace(runtime, "DEDUP")
    return ns.get(ns.idFromName(shard_name(key)))


def lock_stub(runtime: LocalRuntime, prospect_id: str) -> Any:
    ns = namespace(runtime, "PROSPECT_LOCK")
    return ns.get(ns.idFromName(lock_name(prospect_id)))


def claim(key: str, owner: str, now: float, ttl_s: float = 60) -> dict[str, Any]:
    return ClaimRequest(key=key, ttl_s=ttl_s, owner=owner, now=now).model_dump()


def lease(owner: str, now: float, ttl_s: float = 60) -> dict[str, Any]:
    return LeaseRequest(owner=owner, ttl_s=ttl_s, now=now).model_dump()


async def test_fifty_concurrent_claims_of_one_key_make_one_first(runtime: LocalRuntime, clock: ManualClock) -> None:
    key = "queue:msg-42"
    replies = await asyncio.gather(
        *(dedup_stub(runtime, key).claim(claim(key, f"c{i}", clock.now())) for i in range(50))
    )
    firsts = [r for r in replies if r["first"]]
    assert len(firsts) == 1
    winner = firsts[0]["owner"]
    assert {(r["owner"], r["claimed_at"]) for r in replies} == {(winner, clock.now())}


async def test_fifty_concurrent_acquires_grant_one_lease(runtime: LocalRuntime, clock: ManualClock) -> None:
    replies = await asyncio.gather(*(lock_stub(runtime, "p-1").acquire(lease(f"w{i}", clock.now())) for i in range(50)))
    granted = [r for r in replies if r["granted"]]
    assert len(granted) == 1
    assert {r["holder"] for r in replies} == {granted[0]["holder"]}


async def test_invalid_payloads_are_refused(runtime: LocalRuntime, clock: ManualClock) -> None:
    bad = {"key": "k", "ttl_s": 0, "owner": "w", "now": clock.now()}
    try:
        await dedup_stub(runtime, "k").claim(bad)
    except Exception as exc:  # the runtime's DurableObjectError, naming the field
        assert "ttl_s" in str(exc)
    else:
        raise AssertionError("a 0 s TTL was accepted")


async def test_claims_and_leases_survive_a_restart(tmp_path: Path, dev_vars: Path) -> None:
    state = tmp_path / "state"
    clock = ManualClock()
    first = await LocalRuntime(ROOT, state_dir=state, clock=clock, dev_vars=dev_vars).start()
    assert (await dedup_stub(first, "mid:<a@b>").claim(claim("mid:<a@b>", "inbound-1", clock.now())))["first"]
    assert (await lock_stub(first, "p-9").acquire(lease("w1", clock.now())))["granted"]
    await first.close()
    second = await LocalRuntime(ROOT, state_dir=state, clock=clock, dev_vars=dev_vars).start()
    try:
        dup = await dedup_stub(second, "mid:<a@b>").claim(claim("mid:<a@b>", "inbound-2", clock.now() + 1))
        assert not dup["first"] and dup["owner"] == "inbound-1"
        held = await lock_stub(second, "p-9").acquire(lease("w2", clock.now() + 1))
        assert not held["granted"] and held["holder"] == "w1"
    finally:
        await second.close()


async def test_cleanup_alarms_fire_when_the_clock_passes_them(runtime: LocalRuntime, clock: ManualClock) -> None:
    keys = [f"queue:m{i}" for i in range(20)]
    for key in keys:
        await dedup_stub(runtime, key).claim(claim(key, "c", clock.now(), ttl_s=30))
    lock = lock_stub(runtime, "p-2")
    await lock.acquire(lease("w1", clock.now(), ttl_s=30))
    ns = namespace(runtime, "DEDUP")
    shards = {ns.idFromName(shard_name(k)).toString(): ns.idFromName(shard_name(k)) for k in keys}

    async def stored_claims() -> int:
        total = 0
        for object_id in shards.values():
            instance = ns.peek(object_id)
            if instance is not None:
                total += len(await instance.ctx.storage.list({"prefix": "claim:"}))
        return total

    assert await stored_claims() == 20
    assert await runtime.run_due() == 0
    clock.advance(3600)
    assert await runtime.run_due() >= len(shards) + 1
    assert await stored_claims() == 0
    assert not (await lock.status(StatusRequest(now=clock.now()).model_dump()))["held"]
    wakeup = runtime.next_wakeup()
    assert wakeup is None or wakeup > clock.now()
    again = await dedup_stub(runtime, keys[0]).claim(claim(keys[0], "d", clock.now()))
    assert again["first"] and again["owner"] == "d"
