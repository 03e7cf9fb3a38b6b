"""Circuit breakers shared by every isolate (the ProviderBreaker Durable Object), as the service layer sees them.

A breaker is named by what it guards (`provider:xai`); time is passed in (epoch seconds), the breaker has no clock.
`allow` may hand the caller the single half-open probe, so a caller that is allowed must `record` the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

BreakerState = Literal["closed", "open", "half_open"]


@dataclass(frozen=True, slots=True)
class BreakerDecision:
    allowed: bool
    state: BreakerState
    retry_at: float | None = None  # when a refused caller may ask again (epoch seconds)


class CircuitBreakers(Protocol):
    async def allow(self, name: str, now: float) -> BreakerDecision:
        """May the caller go ahead? Raises when the breaker cannot be reached."""
        ...

    async def record(self, name: str, success: bool, now: float) -> None:
        """The outcome of an allowed call. Raises when the breaker cannot be reached."""
        ...
