"""Dedup logic over an in-memory storage and an injected `now`: TTL expiry, duplicates, bounded cleanup."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from durable_objects.dedup.logic import CLAIM_PREFIX, INDEX_PREFIX, SWEEP_KEY, DedupLogic
from shared.messages.dedup import ClaimRequest, ReleaseClaimRequest, shard_name
from tests.fakes import FakeDurableStorage

T0 = 1_767_600_000.0


class FakeStorage(FakeDurableStorage):
    """The shared fake storage, plus what these tests inspect."""

    def claims(self) -> int:
        return sum(k.startswith(CLAIM_PREFIX) for k in self.data)

    async def fire_alarm_if_due(self, logic: DedupLogic, now: float) -> bool:
        """What the runtime does: run the alarm once its time has come (it is consumed before the handler runs)."""
        if self.alarm is None or self.alarm > now * 1000:
            return False
        self.alarm = None
        await logic.sweep()
        return True


def claim(key: str, now: float, owner: str = "w1", ttl_s: float = 60) -> ClaimRequest:
    return ClaimRequest(key=key, ttl_s=ttl_s, owner=owner, now=now)


async def test_first_claim_wins_and_duplicates_report_it() -> None:
    logic = DedupLogic(FakeStorage())
    first = await logic.claim(claim("msg-1", T0, owner="consumer-a"))
    assert first.first and first.claimed_at == T0 and first.owner == "consumer-a" and first.expires_at == T0 + 60
    dup = await logic.claim(claim("msg-1", T0 + 5, owner="consumer-b"))
    assert not dup.first
    assert (dup.claimed_at, dup.owner, dup.expires_at) == (T0, "consumer-a", T0 + 60)
    assert (await logic.claim(claim("msg-2", T0 + 5, owner="consumer-b"))).first


async def test_a_claim_expires_after_its_ttl() -> None:
    logic = DedupLogic(FakeStorage())
    await logic.claim(claim("k", T0, ttl_s=10, owner="a"))
    assert not (await logic.claim(claim("k", T0 + 9.999, owner="b"))).first
    again = await logic.claim(claim("k", T0 + 10, owner="b"))
    assert again.first and again.owner == "b" and again.claimed_at == T0 + 10
    assert not (await logic.claim(claim("k", T0 + 15, owner="a"))).first


async def test_a_key_and_claim_survive_a_new_instance() -> None:
    storage = FakeStorage()
    await DedupLogic(storage).claim(claim("k", T0, owner="a"))
    dup = await DedupLogic(storage).claim(claim("k", T0 + 1, owner="b"))
    assert not dup.first and dup.owner == "a" and dup.claimed_at == T0


async def test_only_the_owner_releases_a_claim() -> None:
    logic = DedupLogic(FakeStorage())
    await logic.claim(claim("k", T0, owner="a"))
    refused = await logic.release(ReleaseClaimRequest(key="k", owner="b", now=T0 + 1))
    assert not refused.released and refused.owner == "a"
    assert (await logic.release(ReleaseClaimRequest(key="k", owner="a", now=T0 + 1))).released
    assert (await logic.claim(claim("k", T0 + 2, owner="b"))).first


async def test_cleanup_deletes_only_expired_claims_and_reschedules() -> None:
    storage = FakeStorage()
    logic = DedupLogic(storage)
    await logic.claim(claim("short", T0, ttl_s=30))
    await logic.claim(claim("long", T0, ttl_s=3600))
    assert storage.alarm == (T0 + 60) * 1000  # batched: not before the minimum sweep interval
    assert await storage.fire_alarm_if_due(logic, T0 + 60)
    assert storage.claims() == 1
    assert not (await logic.claim(claim("long", T0 + 61, owner="x"))).first
    assert storage.alarm == (T0 + 3600) * 1000  # the next sweep waits for the remaining claim's expiry
    assert await storage.fire_alarm_if_due(logic, T0 + 3600)
    assert storage.data == {}  # nothing left: no index, no sweep marker, no alarm re-armed
    assert storage.alarm is None


async def test_cleanup_pages_through_many_expired_claims() -> None:
    storage = FakeStorage()
    logic = DedupLogic(storage)
    for i in range(5000):
        await logic.claim(claim(f"m{i}", T0 + i * 0.001, ttl_s=1))
    await logic.claim(claim("keep", T0 + 5, ttl_s=86_400))
    rounds = 0
    while await storage.fire_alarm_if_due(logic, T0 + 120):
        rounds += 1
    assert rounds >= 2  # one run takes a bounded number of pages, then re-arms itself
    assert storage.claims() == 1
    assert [k for k in storage.data if k.startswith(INDEX_PREFIX)] and SWEEP_KEY in storage.data


async def test_a_renewed_claims_old_index_entry_does_not_delete_it() -> None:
    storage = FakeStorage()
    logic = DedupLogic(storage)
    await logic.claim(claim("k", T0, ttl_s=1))
    await logic.claim(claim("k", T0 + 2, ttl_s=3600, owner="b"))  # expired, claimed again
    assert len([k for k in storage.data if k.startswith(INDEX_PREFIX)]) == 1
    assert await storage.fire_alarm_if_due(logic, T0 + 60)
    assert not (await logic.claim(claim("k", T0 + 100))).first


def test_requests_are_validated_with_clear_errors() -> None:
    for bad in (
        {"ttl_s": 0.5},
        {"ttl_s": 86_401},
        {"key": ""},
        {"key": "x" * 513},
        {"owner": ""},
        {"owner": "o" * 513},
        {"now": float("nan")},
    ):
        with pytest.raises(ValidationError):
            ClaimRequest.model_validate({"key": "k", "ttl_s": 60, "owner": "w", "now": T0} | bad)
    ClaimRequest(key="é" * 512, ttl_s=86_400, owner="o" * 512, now=T0)  # the limits themselves are fine


def test_shard_names_spread_over_256_objects() -> None:
    names = {shard_name(f"key-{i}") for i in range(5000)}
    assert len(names) == 256
    assert shard_name("same") == shard_name("same")
    assert all(n.startswith("shard:") and len(n) == len("shard:") + 2 for n in names)


step = st.tuples(
    st.sampled_from(["a", "b", "c"]),  # key
    st.sampled_from(["w1", "w2", "w3"]),  # owner
    st.sampled_from([1, 5, 30, 120]),  # ttl
    st.floats(min_value=0, max_value=200, allow_nan=False),  # time advance before the claim
)


@settings(max_examples=150, deadline=None)
@given(st.lists(step, max_size=60))
async def test_a_key_is_claimed_first_exactly_once_per_ttl_window(steps: list[tuple[str, str, int, float]]) -> None:
    storage = FakeStorage()
    logic = DedupLogic(storage, min_sweep_interval_s=10)
    in_force: dict[str, tuple[float, str, float]] = {}  # key -> (claimed_at, owner, expires_at) per the model
    now = T0
    for key, owner, ttl, advance in steps:
        now += advance
        await storage.fire_alarm_if_due(logic, now)
        reply = await logic.claim(claim(key, now, owner=owner, ttl_s=ttl))
        model = in_force.get(key)
        if model is not None and now < model[2]:
            assert not reply.first
            assert (reply.claimed_at, reply.owner, reply.expires_at) == pytest.approx(model)
        else:
            assert reply.first
            in_force[key] = (now, owner, now + ttl)
    assert storage.claims() <= 3
