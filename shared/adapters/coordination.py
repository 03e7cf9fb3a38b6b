"""Durable Object clients for warmup, inbox health, dedup and prospect locks: object naming (from
`shared/messages`), payload encoding and reply decoding in one place. Plain dicts cross the RPC boundary."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from shared.messages import dedup, inbox_health, prospect_lock, warmup

Reply = TypeVar("Reply", bound=BaseModel)


class _Namespace:
    def __init__(self, env: Any, binding: str) -> None:
        self._env = env
        self._binding = binding

    async def call(self, name: str, method: str, request: BaseModel, reply: type[Reply]) -> Reply:
        namespace = getattr(self._env, self._binding)
        stub = namespace.get(namespace.idFromName(name))
        result = await getattr(stub, method)(request.model_dump(mode="json"))
        return reply.model_validate(dict(result))


def inbox_object(inbox_id: str) -> str:
    return f"inbox:{inbox_id}"


class DurableWarmup:
    def __init__(self, env: Any) -> None:
        self._ns = _Namespace(env, warmup.WARMUP_BINDING)

    async def configure(self, inbox_id: str, plan: warmup.WarmupPlan) -> None:
        namespace = self._ns
        await namespace.call(inbox_object(inbox_id), "configure", warmup.ConfigureRequest(plan=plan), _Ack)

    async def reserve(self, inbox_id: str, count: int, now: float, ttl_s: float | None = None) -> warmup.ReserveReply:
        request = warmup.ReserveRequest(count=count, now=now, ttl_s=ttl_s)
        return await self._ns.call(inbox_object(inbox_id), "reserve", request, warmup.ReserveReply)

    async def commit(self, inbox_id: str, token: str) -> warmup.TokenReply:
        return await self._ns.call(
            inbox_object(inbox_id), "commit", warmup.TokenRequest(token=token), warmup.TokenReply
        )

    async def release(self, inbox_id: str, token: str) -> warmup.TokenReply:
        request = warmup.TokenRequest(token=token)
        return await self._ns.call(inbox_object(inbox_id), "release", request, warmup.TokenReply)

    async def status(self, inbox_id: str, now: float) -> warmup.StatusReply:
        request = warmup.StatusRequest(now=now)
        return await self._ns.call(inbox_object(inbox_id), "status", request, warmup.StatusReply)


class _Ack(BaseModel):
    """Any reply we only need to arrive."""

    model_config = {"extra": "allow"}


class DurableInboxHealth:
    def __init__(self, env: Any) -> None:
        self._ns = _Namespace(env, inbox_health.INBOX_HEALTH_BINDING)

    async def record(self, inbox_id: str, event: inbox_health.HealthEvent, now: float) -> inbox_health.GateReply:
        request = inbox_health.RecordRequest(event=event, now=now)
        return await self._ns.call(inbox_object(inbox_id), "record", request, inbox_health.GateReply)

    async def can_send(self, inbox_id: str, now: float) -> inbox_health.GateReply:
        request = inbox_health.NowRequest(now=now)
        return await self._ns.call(inbox_object(inbox_id), "can_send", request, inbox_health.GateReply)

    async def resume(self, inbox_id: str, now: float, by: str) -> inbox_health.StatusReply:
        request = inbox_health.ResumeRequest(now=now, by=by)
        return await self._ns.call(inbox_object(inbox_id), "resume", request, inbox_health.StatusReply)

    async def configure(self, inbox_id: str, request: inbox_health.ConfigureRequest) -> inbox_health.HealthConfig:
        return await self._ns.call(inbox_object(inbox_id), "configure", request, inbox_health.HealthConfig)

    async def status(self, inbox_id: str, now: float) -> inbox_health.StatusReply:
        request = inbox_health.NowRequest(now=now)
        return await self._ns.call(inbox_object(inbox_id), "status", request, inbox_health.StatusReply)


class DurableDedup:
    def __init__(self, env: Any) -> None:
        self._ns = _Namespace(env, dedup.DEDUP_BINDING)

    async def claim(self, key: str, ttl_s: float, owner: str, now: float) -> dedup.ClaimReply:
        request = dedup.ClaimRequest(key=key, ttl_s=ttl_s, owner=owner, now=now)
        return await self._ns.call(dedup.shard_name(key), "claim", request, dedup.ClaimReply)


class DurableProspectLocks:
    def __init__(self, env: Any) -> None:
        self._ns = _Namespace(env, prospect_lock.PROSPECT_LOCK_BINDING)

    async def acquire(self, prospect_id: str, owner: str, ttl_s: float, now: float) -> prospect_lock.AcquireLeaseReply:
        request = prospect_lock.LeaseRequest(owner=owner, ttl_s=ttl_s, now=now)
        name = prospect_lock.lock_name(prospect_id)
        return await self._ns.call(name, "acquire", request, prospect_lock.AcquireLeaseReply)

    async def release(self, prospect_id: str, owner: str, now: float) -> prospect_lock.ReleaseLeaseReply:
        request = prospect_lock.ReleaseLeaseRequest(owner=owner, now=now)
        name = prospect_lock.lock_name(prospect_id)
        return await self._ns.call(name, "release", request, prospect_lock.ReleaseLeaseReply)
