"""Clocks for the local runtime: the system clock for `make dev`, a manual clock tests move by hand.

Every emulator (KV TTLs, queue delays and batch timeouts, DO alarms, cron) reads time only through a `Clock`, so a
test can jump an hour ahead without sleeping.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch (UTC)."""
        ...


class SystemClock:
    def now(self) -> float:
        return time.time()


class ManualClock:
    """A clock that only moves when told to. Starts at a fixed, readable instant by default."""

    def __init__(self, start: float | datetime = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)) -> None:
        self._now = start.timestamp() if isinstance(start, datetime) else float(start)

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        self._now += seconds
        return self._now

    def set(self, when: float | datetime) -> None:
        target = when.timestamp() if isinstance(when, datetime) else float(when)
        if target < self._now:
            raise ValueError("a clock cannot go backwards")
        self._now = target


def utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)
