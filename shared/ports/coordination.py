"""Clients of the coordination Durable Objects, as the service layer sees them. Time is passed in (epoch seconds)."""

from __future__ import annotations

from typing import Protocol

from shared.messages import dedup, inbox_health, prospect_lock, warmup


class WarmupClient(Protocol):
    async def configure(self, inbox_id: str, plan: warmup.WarmupPlan) -> None: ...

    async def reserve(
        self, inbox_id: str, count: int, now: float, ttl_s: float | None = None
    ) -> warmup.ReserveReply: ...

    async def commit(self, inbox_id: str, token: str) -> warmup.TokenReply: ...

    async def release(self, inbox_id: str, token: str) -> warmup.TokenReply: ...

    async def status(self, inbox_id: str, now: float) -> warmup.StatusReply: ...


class InboxHealthClient(Protocol):
    async def record(self, inbox_id: str, event: inbox_health.HealthEvent, now: float) -> inbox_health.GateReply: ...

    async def can_send(self, inbox_id: str, now: float) -> inbox_health.GateReply: ...

    async def resume(self, inbox_id: str, now: float, by: str) -> inbox_health.StatusReply: ...

    async def configure(self, inbox_id: str, request: inbox_health.ConfigureRequest) -> inbox_health.HealthConfig: ...

    async def status(self, inbox_id: str, now: float) -> inbox_health.StatusReply: ...


class DedupClient(Protocol):
    async def claim(self, key: str, ttl_s: float, owner: str, now: float) -> dedup.ClaimReply: ...


class ProspectLocks(Protocol):
    async def acquire(
        self, prospect_id: str, owner: str, ttl_s: float, now: float
    ) -> prospect_lock.AcquireLeaseReply: ...

    async def release(self, prospect_id: str, owner: str, now: float) -> prospect_lock.ReleaseLeaseReply: ...
