"""ProspectLock logic over an in-memory storage and an injected `now`: leases, takeover, holder-only renew/release."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from durable_objects.prospect_lock.logic import LEASE_KEY, ProspectLockLogic
from shared.messages.prospect_lock import LeaseRequest, ReleaseLeaseRequest, StatusRequest, lock_name
from tests.fakes import FakeDurableStorage

T0 = 1_767_600_000.0


class FakeStorage(FakeDurableStorage):
    """The shared fake storage, plus what these tests inspect."""

    async def fire_alarm_if_due(self, logic: ProspectLockLogic, now: float) -> bool:
        if self.alarm is None or self.alarm > now * 1000:
            return False
        self.alarm = None
        await logic.sweep()
        return True


def lease(owner: str, now: float, ttl_s: float = 60) -> LeaseRequest:
    return LeaseRequest(owner=owner, ttl_s=ttl_s, now=now)


def release(owner: str, now: float) -> ReleaseLeaseRequest:
    return ReleaseLeaseRequest(owner=owner, now=now)


async def test_one_holder_at_a_time_and_the_refusal_names_it() -> None:
    logic = ProspectLockLogic(FakeStorage())
    granted = await logic.acquire(lease("a", T0))
    assert granted.granted and granted.holder == "a" and granted.expires_at == T0 + 60
    refused = await logic.acquire(lease("b", T0 + 1))
    assert not refused.granted and refused.holder == "a" and refused.expires_at == T0 + 60
    status = await logic.status(StatusRequest(now=T0 + 1))
    assert status.held and status.holder == "a"


async def test_the_holder_acquiring_again_extends_and_never_shortens() -> None:
    logic = ProspectLockLogic(FakeStorage())
    await logic.acquire(lease("a", T0, ttl_s=60))
    assert (await logic.acquire(lease("a", T0 + 30, ttl_s=60))).expires_at == T0 + 90
    assert (await logic.acquire(lease("a", T0 + 31, ttl_s=1))).expires_at == T0 + 90


async def test_an_expired_lease_is_taken_over_by_anyone() -> None:
    logic = ProspectLockLogic(FakeStorage())
    await logic.acquire(lease("a", T0, ttl_s=10))
    assert not (await logic.acquire(lease("b", T0 + 9.9))).granted
    taken = await logic.acquire(lease("b", T0 + 10, ttl_s=5))
    assert taken.granted and taken.holder == "b" and taken.expires_at == T0 + 15
    assert not (await logic.renew(lease("a", T0 + 11))).renewed  # the old holder lost it


async def test_only_the_holder_renews() -> None:
    logic = ProspectLockLogic(FakeStorage())
    await logic.acquire(lease("a", T0, ttl_s=60))
    refused = await logic.renew(lease("b", T0 + 10))
    assert not refused.renewed and refused.holder == "a" and refused.expires_at == T0 + 60
    renewed = await logic.renew(lease("a", T0 + 50, ttl_s=60))
    assert renewed.renewed and renewed.expires_at == T0 + 110
    lapsed = await logic.renew(lease("a", T0 + 200))
    assert not lapsed.renewed and lapsed.holder is None  # a lapsed lease is acquired again, not renewed


async def test_only_the_holder_releases() -> None:
    storage = FakeStorage()
    logic = ProspectLockLogic(storage)
    await logic.acquire(lease("a", T0))
    refused = await logic.release(release("b", T0 + 1))
    assert not refused.released and refused.holder == "a"
    assert (await logic.release(release("a", T0 + 2))).released
    assert LEASE_KEY not in storage.data
    assert (await logic.acquire(lease("b", T0 + 3))).granted
    assert not (await logic.release(release("b", T0 + 1000))).released  # lapsed: no longer b's to release
    assert LEASE_KEY not in storage.data  # but the stale record went


async def test_the_alarm_deletes_a_lapsed_lease_and_follows_renewals() -> None:
    storage = FakeStorage()
    logic = ProspectLockLogic(storage)
    await logic.acquire(lease("a", T0, ttl_s=60))
    assert storage.alarm == (T0 + 60) * 1000
    await logic.renew(lease("a", T0 + 50, ttl_s=60))
    assert await storage.fire_alarm_if_due(logic, T0 + 60)
    assert LEASE_KEY in storage.data and storage.alarm == (T0 + 110) * 1000  # extended: re-armed, kept
    assert await storage.fire_alarm_if_due(logic, T0 + 110)
    assert storage.data == {} and storage.alarm is None
    fresh = ProspectLockLogic(storage)  # a new instance learns the schedule from storage
    await fresh.acquire(lease("b", T0 + 200, ttl_s=5))
    assert storage.alarm == (T0 + 205) * 1000


def test_requests_are_validated_with_clear_errors() -> None:
    for bad in ({"ttl_s": 0}, {"ttl_s": 86_400.5}, {"owner": ""}, {"owner": "o" * 513}, {"now": float("inf")}):
        with pytest.raises(ValidationError):
            LeaseRequest.model_validate({"owner": "a", "ttl_s": 60, "now": T0} | bad)
    with pytest.raises(ValidationError, match="ttl_s"):
        LeaseRequest(owner="a", ttl_s=0.1, now=T0)
    assert lock_name(42) == "prospect:42"


op = st.one_of(
    st.tuples(st.just("acquire"), st.sampled_from("abc"), st.sampled_from([1, 5, 30])),
    st.tuples(st.just("renew"), st.sampled_from("abc"), st.sampled_from([1, 5, 30])),
    st.tuples(st.just("release"), st.sampled_from("abc"), st.just(0)),
    st.tuples(st.just("advance"), st.just(""), st.sampled_from([0.5, 1, 4.999, 5, 10, 31])),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(op, max_size=80))
async def test_a_lease_is_never_held_by_two_owners_at_once(ops: list[tuple[str, str, float]]) -> None:
    storage = FakeStorage()
    logic = ProspectLockLogic(storage)
    believed: dict[str, float] = {}  # what each owner was told: it holds the lease until this time
    now = T0
    for kind, owner, arg in ops:
        if kind == "advance":
            now += arg
            await storage.fire_alarm_if_due(logic, now)
        elif kind == "acquire":
            reply = await logic.acquire(lease(owner, now, arg))
            if reply.granted:
                believed[owner] = reply.expires_at
            else:
                assert reply.holder != owner and believed.get(reply.holder, 0) == reply.expires_at
        elif kind == "renew":
            renewed = await logic.renew(lease(owner, now, arg))
            if renewed.renewed:
                assert renewed.expires_at is not None and believed.get(owner, 0) > now
                believed[owner] = renewed.expires_at
        else:
            if (await logic.release(release(owner, now))).released:
                assert believed.get(owner, 0) > now
            believed.pop(owner, None)
        holders = [o for o, until in believed.items() if until > now]
        assert len(holders) <= 1
        status = await logic.status(StatusRequest(now=now))
        assert status.holder == (holders[0] if holders else None)
