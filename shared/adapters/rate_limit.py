"""RateLimiter port adapters: the Durable Object client, and a no-op limiter for when limiting is switched off."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from shared.domain.token_bucket import RateDecision
from shared.messages.rate_limit import (
    MAX_STATUS_KEYS,
    RATE_LIMITER_BINDING,
    AcquireReply,
    AcquireRequest,
    ExhaustPeriod,
    ExhaustReply,
    ExhaustRequest,
    KeyStatus,
    StatusKey,
    StatusReply,
    StatusRequest,
    shard_name,
)
from shared.ports.runtime import Clock


class DurableObjectRateLimiter:
    """Routes each key to its shard of the RateLimiter namespace and passes the caller's clock as `now`."""

    def __init__(self, env: Any, clock: Clock) -> None:
        self._env = env
        self._clock = clock

    def _stub(self, shard: str) -> Any:
        namespace = getattr(self._env, RATE_LIMITER_BINDING)
        return namespace.get(namespace.idFromName(shard))

    async def acquire(self, key: str, key_class: str, tokens: int = 1) -> RateDecision:
        request = AcquireRequest(key=key, key_class=key_class, tokens=tokens, now=self._clock.now().timestamp())
        stub = self._stub(shard_name(key_class, key))
        reply = AcquireReply.model_validate(dict(await stub.acquire(request.model_dump())))
        return RateDecision(reply.allowed, reply.remaining, reply.retry_after_s)

    async def exhaust(self, key: str, key_class: str, period: ExhaustPeriod) -> None:
        request = ExhaustRequest(key=key, key_class=key_class, period=period, now=self._clock.now().timestamp())
        ExhaustReply.model_validate(dict(await self._stub(shard_name(key_class, key)).exhaust(request.model_dump())))

    async def status(self, keys: Sequence[tuple[str, str]]) -> list[KeyStatus]:
        """One RPC per shard (per `MAX_STATUS_KEYS` keys), all at once, with one `now`; replies in the order asked."""
        now = self._clock.now().timestamp()
        asked = [StatusKey(key=key, key_class=key_class) for key, key_class in keys]
        by_shard: dict[str, list[int]] = {}
        for i, wanted in enumerate(asked):
            by_shard.setdefault(shard_name(wanted.key_class, wanted.key), []).append(i)
        calls: list[tuple[str, list[int]]] = [
            (shard, positions[j : j + MAX_STATUS_KEYS])
            for shard, positions in by_shard.items()
            for j in range(0, len(positions), MAX_STATUS_KEYS)
        ]

        async def ask(shard: str, positions: list[int]) -> list[KeyStatus]:
            request = StatusRequest(keys=[asked[i] for i in positions], now=now)
            reply = StatusReply.model_validate(await self._stub(shard).status(request.model_dump()))
            if len(reply.items) != len(positions):
                raise RuntimeError(f"RateLimiter {shard} answered {len(reply.items)} of {len(positions)} keys")
            return reply.items

        results: list[KeyStatus | None] = [None] * len(asked)
        for (_, positions), items in zip(
            calls, await asyncio.gather(*(ask(shard, positions) for shard, positions in calls)), strict=True
        ):
            for i, status in zip(positions, items, strict=True):
                results[i] = status
        return [item for item in results if item is not None]


class UnlimitedRateLimiter:
    """Grants everything (RATE_LIMIT_ENABLED=false, e.g. for benchmarks)."""

    async def acquire(self, key: str, key_class: str, tokens: int = 1) -> RateDecision:
        return RateDecision(True, 0, 0.0)

    async def exhaust(self, key: str, key_class: str, period: ExhaustPeriod) -> None:
        """Nothing is limited, so a provider's exhaustion is not recorded either (the provider keeps refusing)."""

    async def status(self, keys: Sequence[tuple[str, str]]) -> list[KeyStatus]:
        """Nothing is limited, so there is nothing to report: an empty list."""
        return []
