"""Rate limiting: token buckets per key within a key class (an API key, a client IP, each external provider).

Implemented by the RateLimiter Durable Object (`shared.adapters.rate_limit`); the limits of each key class, and the
optional daily and monthly quotas of the provider classes, are configuration (`Settings.rate_limits()` and
`shared.messages.rate_limit.provider_limits()`), not the caller's choice. Tokens are whatever a call costs: one per
request, or a provider's credits per call (a MillionVerifier check = 1 credit, a Brave or Google query = 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from shared.domain.token_bucket import RateDecision
from shared.messages.rate_limit import ExhaustPeriod, KeyStatus

__all__ = ["ExhaustPeriod", "KeyStatus", "RateDecision", "RateLimiter"]


class RateLimiter(Protocol):
    async def acquire(self, key: str, key_class: str, tokens: int = 1) -> RateDecision:
        """Take `tokens` from `key`'s bucket, or refuse with the exact wait. `tokens=0` is a probe: allowed when at
        least one token is available, and nothing is taken. A class with a daily or monthly quota also refuses once
        today's or this month's (UTC) quota is used up, and any class refuses while `exhaust` marked the period used
        up, with `retry_after_s` until the reset that frees it (the next UTC midnight, or the first midnight of the
        next UTC month); a refusal takes nothing. Raises when the limiter cannot be reached."""
        ...

    async def exhaust(self, key: str, key_class: str, period: ExhaustPeriod) -> None:
        """The provider reported `key`'s quota or credits used up (a 429 "quota exceeded", a 402 "out of credits"):
        every later `acquire` of it is refused until the current UTC `period` ("day" or "month") resets, whether or
        not the class has a quota for that period. Idempotent. Raises when the limiter cannot be reached."""
        ...

    async def status(self, keys: Sequence[tuple[str, str]]) -> list[KeyStatus]:
        """For each `(key, key_class)`, in order: whole tokens available now, capacity, refill rate, today's and this
        month's quota use/limit, and `exhausted_until` while an exhaustion holds. Reads only. Raises ValueError for
        an unknown key class, and when the limiter cannot be reached."""
        ...
