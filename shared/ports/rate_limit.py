"""Rate limiting: token buckets per key within a key class (an API key, a client IP, later each provider).

Implemented by the RateLimiter Durable Object (`shared.adapters.rate_limit`); the limits of each key class are
configuration (`Settings.rate_limits()`), not the caller's choice.
"""

from __future__ import annotations

from typing import Protocol

from shared.domain.token_bucket import RateDecision

__all__ = ["RateDecision", "RateLimiter"]


class RateLimiter(Protocol):
    async def acquire(self, key: str, key_class: str, tokens: int = 1) -> RateDecision:
        """Take `tokens` from `key`'s bucket, or refuse with the exact wait. `tokens=0` is a probe: allowed when at
        least one token is available, and nothing is taken. Raises when the limiter cannot be reached."""
        ...
