"""Rate limiting: token buckets per key within a key class (an API key, a client IP, each external provider).

Implemented by the RateLimiter Durable Object (`shared.adapters.rate_limit`); the limits of each key class, and the
optional daily quotas of the provider classes, are configuration (`Settings.rate_limits()` and
`shared.messages.rate_limit.provider_limits()`), not the caller's choice.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from shared.domain.token_bucket import RateDecision
from shared.messages.rate_limit import KeyStatus

__all__ = ["KeyStatus", "RateDecision", "RateLimiter"]


class RateLimiter(Protocol):
    async def acquire(self, key: str, key_class: str, tokens: int = 1) -> RateDecision:
        """Take `tokens` from `key`'s bucket, or refuse with the exact wait. `tokens=0` is a probe: allowed when at
        least one token is available, and nothing is taken. A class with a daily quota also refuses once today's
        (UTC) quota is used up, with `retry_after_s` until the next UTC midnight; a refusal takes nothing.
        Raises when the limiter cannot be reached."""
        ...

    async def status(self, keys: Sequence[tuple[str, str]]) -> list[KeyStatus]:
        """For each `(key, key_class)`, in order: whole tokens available now, capacity, refill rate and today's quota
        use/limit. Reads only. Raises ValueError for an unknown key class, and when the limiter cannot be reached."""
        ...
