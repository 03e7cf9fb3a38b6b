"""RateLimiter port adapters: the Durable Object client, and a no-op limiter for when limiting is switched off."""

from __future__ import annotations

from typing import Any

from shared.domain.token_bucket import RateDecision
from shared.messages.rate_limit import RATE_LIMITER_BINDING, AcquireReply, AcquireRequest, shard_name
from shared.ports.runtime import Clock


def _plain(value: Any) -> Any:
    """A JS object from the RPC boundary as a Python dict (production may hand over a proxy)."""
    to_py = getattr(value, "to_py", None)
    return to_py() if callable(to_py) else value


class DurableObjectRateLimiter:
    """Routes each key to its shard of the RateLimiter namespace and passes the caller's clock as `now`."""

    def __init__(self, env: Any, clock: Clock) -> None:
        self._env = env
        self._clock = clock

    async def acquire(self, key: str, key_class: str, tokens: int = 1) -> RateDecision:
        request = AcquireRequest(key=key, key_class=key_class, tokens=tokens, now=self._clock.now().timestamp())
        namespace = getattr(self._env, RATE_LIMITER_BINDING)
        stub = namespace.get(namespace.idFromName(shard_name(key_class, key)))
        reply = AcquireReply.model_validate(dict(_plain(await stub.acquire(request.model_dump()))))
        return RateDecision(reply.allowed, reply.remaining, reply.retry_after_s)


class UnlimitedRateLimiter:
    """Grants everything (RATE_LIMIT_ENABLED=false, e.g. for benchmarks)."""

    async def acquire(self, key: str, key_class: str, tokens: int = 1) -> RateDecision:
        return RateDecision(True, 0, 0.0)
