"""Durable Object bindings and RPC payload shapes (plain JSON-able dicts cross the RPC boundary)."""

from __future__ import annotations

from typing import TypedDict

# binding name -> class name, as declared in wrangler.toml
DURABLE_OBJECT_BINDINGS: dict[str, str] = {
    "WARMUP": "WarmupManager",
    "INBOX_HEALTH": "InboxHealth",
    "RATE_LIMITER": "RateLimiter",
    "DEDUP": "Dedup",
    "PROSPECT_LOCK": "ProspectLock",
    "PROVIDER_BREAKER": "ProviderBreaker",
}

HEALTH_PROBE_NAME = "__health__"  # the object each namespace's health check talks to


class PingReply(TypedDict):
    object: str
    trace_id: str
    calls: int
