"""`jengu status`: is everything all right? Health of every dependency, queue depths, warmup, inbox health, rate
limits and the emergency stop, in one view (exit 3 when /health reports a failing dependency)."""

from __future__ import annotations

from typing import Any

import typer

from cli.client import EXIT_OK, EXIT_UNAVAILABLE
from cli.commands import JsonOpt, session
from cli.commands.inboxes import HEALTH_COLUMNS, WARMUP_COLUMNS, health_rows, inbox_status, warmup_rows
from cli.output import Output, cell

HELP = (
    "Health of every dependency, queue depths, warmup, inbox health, rate limits and the emergency stop. "
    "Exit 3 when a dependency fails its health check."
)


def stop_line(stop: dict[str, Any] | None) -> str:
    stop = stop or {}
    if not stop.get("enabled"):
        return "emergency stop: off (sending allowed)"
    return f"emergency stop: ON since {cell(stop.get('at'))} by {cell(stop.get('by'))}: nothing is sent"


def render(out: Output, body: dict[str, Any]) -> None:
    health = body["health"]
    components = health.get("components", {})
    out.text(f"{body['url']}: {health.get('status')}")
    out.text(stop_line(body.get("emergency_stop")))
    others = [[name, c.get("status"), c.get("latency_ms"), c.get("error") or c.get("detail")]
              for name, c in components.items() if not name.startswith("queue:")]  # fmt: skip
    out.table(("component", "status", "latency ms", "detail"), others, title="health")
    queues = [[name.removeprefix("queue:"), c.get("status"), c.get("backlog"), c.get("oldest_age_s")]
              for name, c in components.items() if name.startswith("queue:")]  # fmt: skip
    out.table(("queue", "status", "backlog", "oldest s"), queues, title="queues")
    out.table(HEALTH_COLUMNS, health_rows(body), title="inbox health")
    out.table(WARMUP_COLUMNS, warmup_rows(body), title="warmup")
    limits = body.get("rate_limits", {})
    rows = [[limit.get("key_class"), limit.get("key"), f"{limit.get('available')}/{cell(limit.get('capacity'))}",
             limit.get("refill_per_s"), _quota(limit, "quota_remaining", "daily_quota"),
             _quota(limit, "month_remaining", "monthly_quota"), limit.get("exhausted_until")]
            for limit in limits.get("limits", [])]  # fmt: skip
    title = "rate limits" + ("" if limits.get("enabled", True) else " (switched off)")
    out.table(("class", "key", "tokens", "refill/s", "today left", "month left", "exhausted until"), rows, title=title)


def _quota(limit: dict[str, Any], remaining: str, quota: str) -> str:
    return "-" if limit.get(quota) is None else f"{limit.get(remaining)}/{limit.get(quota)}"


async def status(ctx: typer.Context, json_: JsonOpt = False) -> int:
    s = session(ctx)
    out = s.output(json_)
    async with s.client() as client:
        health = (await client.request("GET", "/health", accept=(503,))).json()
        inboxes = await inbox_status(client)
        limits = await client.get("/api/status/rate-limits")
    body = {"url": client.base_url, "health": health, **inboxes, "rate_limits": limits}
    out.result(body, lambda: render(out, body))
    return EXIT_OK if health.get("status") == "ok" else EXIT_UNAVAILABLE
