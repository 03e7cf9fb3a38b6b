"""Retry policy for queue consumers: how many times a task is retried and how long to wait before each retry.

One policy per queue (see `shared/messages/queues.py`); the consumer dispatcher is the only user, so the back-off
rule lives in one place instead of in every handler.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

MAX_QUEUE_DELAY_SECONDS = 43_200  # Cloudflare Queues: 12 hours


class Backoff(StrEnum):
    FIXED = "fixed"
    LINEAR = "linear"
    EXPONENTIAL = "exponential"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_retries: int
    base_delay_seconds: int
    backoff: Backoff = Backoff.FIXED
    max_delay_seconds: int = MAX_QUEUE_DELAY_SECONDS

    def exhausted(self, attempts: int) -> bool:
        """True when the delivery numbered `attempts` (1-based) was the last one allowed."""
        return attempts > self.max_retries

    def delay_for(self, attempts: int) -> int:
        """Seconds to wait before the next delivery after delivery number `attempts` failed."""
        n = max(1, attempts)
        if self.backoff is Backoff.EXPONENTIAL:
            delay = self.base_delay_seconds * 2 ** (n - 1)
        elif self.backoff is Backoff.LINEAR:
            delay = self.base_delay_seconds * n
        else:
            delay = self.base_delay_seconds
        return min(delay, self.max_delay_seconds)
