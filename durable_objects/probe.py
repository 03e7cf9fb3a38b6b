"""The health probe every Durable Object answers: a storage round trip that echoes the caller's trace id."""

from __future__ import annotations

from typing import Any

from shared.messages.durable import PingReply
from shared.observability.log import Logger

CALLS_KEY = "probe:calls"


async def ping(storage: Any, object_name: str, trace_id: str) -> PingReply:
    calls = int(await storage.get(CALLS_KEY) or 0) + 1
    await storage.put(CALLS_KEY, calls)
    Logger(f"do.{object_name}", trace_id=trace_id).debug("ping", calls=calls)
    return {"object": object_name, "trace_id": trace_id, "calls": calls}
