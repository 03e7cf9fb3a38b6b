"""`GET /api/enrich/status`: progress (prospects per enrichment state), coverage so far, and per provider the calls,
credits, failures and estimated cost of today and this month (D1's `provider_usage`) beside the quota the RateLimiter
still grants (daily and monthly, with their resets), plus the queue depth and the latest failures."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.messages.queues import QueueName

STATES = ("never", "queued", "done", "partial", "waiting", "failed")
RECENT = 10


def _usd(micros: Any) -> float:
    return round(int(micros or 0) / 1_000_000, 4)


def _pct(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def _period(row: dict[str, Any] | None) -> dict[str, Any]:
    row = row or {}
    return {
        "calls": int(row.get("calls") or 0), "credits": int(row.get("credits") or 0),
        "failures": int(row.get("failures") or 0), "cost_usd": _usd(row.get("cost_micros")),
    }  # fmt: skip


async def enrichment_status(services: Any, now: datetime) -> dict[str, Any]:
    store = services.enrichment_store
    counts = await store.status_counts()
    states = {state: int(counts.get(state, 0)) for state in STATES}
    coverage = await store.coverage()
    total = coverage.get("prospects", 0)
    day, month_start = now.date().isoformat(), now.date().replace(day=1).isoformat()
    today = {r["provider"]: r for r in await store.usage_between(day, day)}
    month = {r["provider"]: r for r in await store.usage_between(month_start, day)}
    providers = [
        *(_provider(name, "website", position, name in services.enrichment_finder_names, today, month)
          for position, name in enumerate(services.settings.enrich_website_providers, start=1)),
        *(_provider(name, "verifier", position, name in services.enrichment_verifier_names, today, month)
          for position, name in enumerate(services.enrichment_verifier_order, start=1)),
    ]  # fmt: skip
    await _add_quotas(services, providers)
    try:
        depth = await services.publisher.depth(QueueName.ENRICH)
        queue: dict[str, Any] = {"name": QueueName.ENRICH.value, "depth": depth.backlog}
    except Exception as exc:
        queue = {"name": QueueName.ENRICH.value, "depth": None, "error": type(exc).__name__}
    return {
        "as_of": now.isoformat(),
        "prospects": {**states, "total": sum(states.values())},
        "progress_pct": _pct(states["done"] + states["partial"], total),
        "coverage": {
            **coverage,
            "website_pct": _pct(coverage.get("with_website", 0), total),
            "email_pct": _pct(coverage.get("with_email", 0), total),
            "valid_email_pct": _pct(coverage.get("with_valid_email", 0), total),
            "facts_pct": _pct(coverage.get("with_facts", 0), total),
        },
        "providers": providers,
        "cost_usd": {
            "today": round(sum(p["today"]["cost_usd"] for p in providers), 4),
            "month": round(sum(p["month"]["cost_usd"] for p in providers), 4),
        },
        "queue": queue,
        "recent_failures": [
            {"provider": r["provider"], "error": r["last_failure"], "at": r["last_failure_at"]}
            for r in await store.recent_failures(RECENT)
        ],
        "failed_prospects": [r["id"] for r in await store.failed_prospects(RECENT)],
    }


def _provider(name: str, kind: str, position: int, configured: bool, today: dict[str, Any],
              month: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    return {
        "name": name, "kind": kind, "position": position, "configured": configured,
        "today": _period(today.get(name)), "month": _period(month.get(name)), "quota": None,
    }  # fmt: skip


async def _add_quotas(services: Any, providers: list[dict[str, Any]]) -> None:
    """The RateLimiter's view of each configured, metered provider (the LLM is metered by the AI gateway)."""
    metered = [p for p in providers if p["configured"] and p["name"] != "llm"]
    if not metered:
        return
    try:
        statuses = await services.rate_limiter.status([("default", f"provider:{p['name']}") for p in metered])
    except Exception as exc:  # an unknown class or an unreachable limiter: the usage figures still stand
        services.log.warning("rate limiter status unavailable", error=f"{type(exc).__name__}: {exc}")
        return
    for provider, status in zip(metered, statuses, strict=False):
        provider["quota"] = {
            "available_now": status.available,
            "daily": status.daily_quota, "daily_used": status.quota_used, "daily_remaining": status.quota_remaining,
            "daily_resets_at": status.quota_resets_at,
            "monthly": getattr(status, "monthly_quota", None), "monthly_used": getattr(status, "month_used", 0),
            "monthly_remaining": getattr(status, "month_remaining", None),
            "monthly_resets_at": getattr(status, "month_resets_at", None),
            "exhausted_until": getattr(status, "exhausted_until", None),
        }  # fmt: skip
