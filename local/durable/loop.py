"""Alarm delivery across several namespaces: what the local runtime's background loop calls."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from contextlib import suppress
from typing import Any

from local.clock import Clock
from local.durable.namespace import DurableObjectNamespace

__all__ = ["next_alarm_time", "run_alarm_loop", "run_due_alarms"]

log = logging.getLogger("local.durable")


async def run_due_alarms(namespaces: Iterable[DurableObjectNamespace]) -> int:
    fired = 0
    for ns in namespaces:
        fired += await ns.run_due_alarms()
    return fired


def next_alarm_time(namespaces: Iterable[DurableObjectNamespace]) -> float | None:
    times = [t for ns in namespaces if (t := ns.next_alarm_time()) is not None]
    return min(times) if times else None


async def run_alarm_loop(
    namespaces: Iterable[DurableObjectNamespace],
    clock: Clock,
    *,
    idle_interval: float = 1.0,
    stop: asyncio.Event | None = None,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
) -> None:
    """Fire due alarms until `stop` is set (forever without one), sleeping until the next alarm but at most
    `idle_interval` seconds so alarms set meanwhile are noticed. Tests call `run_due_alarms` instead."""
    nss = list(namespaces)
    while stop is None or not stop.is_set():
        try:
            await run_due_alarms(nss)
        except Exception:
            log.exception("alarm loop iteration failed")
        nxt = next_alarm_time(nss)
        delay = idle_interval if nxt is None else min(idle_interval, max(0.0, nxt - clock.now()))
        if stop is None:
            await sleep(delay)
        else:
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
