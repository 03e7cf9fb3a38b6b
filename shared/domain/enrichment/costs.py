"""What each enrichment provider costs: credits per call (what the provider's quota counts) and dollars per credit.

The credits are what the RateLimiter takes per call (`provider:<name>` classes, daily and monthly quotas: see
shared/messages/rate_limit.py), so a quota written in the provider's own unit ("2,000 queries a month", "100 queries
a day", "10,000 verification credits") is enforced as written. Dollars are an *estimate* for the status page, from
public list prices of the smallest paid tier (free tiers cost nothing until they run out; the estimate does not know
which tier an account is on). `ENRICH_COSTS` (JSON: provider -> {"credits_per_call", "usd_per_credit"}) overrides.

| provider        | credits/call | usd/credit | basis                                                               |
|-----------------|-------------:|-----------:|---------------------------------------------------------------------|
| llm             | 1            | 0.0005     | one short completion (the AI gateway meters tokens in its own classes) |
| brave           | 1            | 0.005      | Brave Search API: $5 per 1,000 queries beyond the free 2,000/month  |
| google_cse      | 1            | 0.005      | Custom Search JSON API: 100/day free, then $5 per 1,000 queries     |
| searxng         | 1            | 0          | self-hosted                                                         |
| millionverifier | 1            | 0.0037     | MillionVerifier: $37 per 10,000 credits; unknown results refunded   |
| zerobounce      | 1            | 0.008      | ZeroBounce: about $8 per 1,000 validations on small packs           |
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

MICROS = 1_000_000


@dataclass(frozen=True, slots=True)
class ProviderCost:
    credits_per_call: int = 1
    usd_per_credit: float = 0.0

    def micros(self, credits: int) -> int:
        """The estimated cost of `credits` in millionths of a dollar (whole numbers add up exactly)."""
        return round(credits * self.usd_per_credit * MICROS)


DEFAULT_COSTS: dict[str, ProviderCost] = {
    "llm": ProviderCost(1, 0.0005),
    "brave": ProviderCost(1, 0.005),
    "google_cse": ProviderCost(1, 0.005),
    "searxng": ProviderCost(1, 0.0),
    "millionverifier": ProviderCost(1, 0.0037),
    "zerobounce": ProviderCost(1, 0.008),
}


def provider_costs(overrides: str | None = None) -> dict[str, ProviderCost]:
    """`DEFAULT_COSTS` with the `ENRICH_COSTS` JSON applied. Raises ValueError on anything malformed."""
    costs = dict(DEFAULT_COSTS)
    if overrides is None or not overrides.strip():
        return costs
    try:
        parsed: Any = json.loads(overrides)
    except json.JSONDecodeError as exc:
        raise ValueError(f"ENRICH_COSTS is not valid JSON: {exc}") from exc
    if not isinstance(parsed, dict):
        raise ValueError("ENRICH_COSTS must be a JSON object of provider -> costs")
    for name, fields in parsed.items():
        if not isinstance(fields, dict) or set(fields) - {"credits_per_call", "usd_per_credit"}:
            raise ValueError(f"ENRICH_COSTS: {name} takes credits_per_call and usd_per_credit")
        base = costs.get(str(name), ProviderCost())
        credits = fields.get("credits_per_call", base.credits_per_call)
        usd = fields.get("usd_per_credit", base.usd_per_credit)
        if not isinstance(credits, int) or isinstance(credits, bool) or not 0 <= credits <= 1000:
            raise ValueError(f"ENRICH_COSTS: {name}: credits_per_call must be a whole number 0-1000")
        if not isinstance(usd, int | float) or isinstance(usd, bool) or not 0 <= usd <= 100:
            raise ValueError(f"ENRICH_COSTS: {name}: usd_per_credit must be a number 0-100")
        costs[str(name)] = ProviderCost(credits, float(usd))
    return costs


def cost_order(names: tuple[str, ...], costs: dict[str, ProviderCost]) -> tuple[str, ...]:
    """Providers cheapest first per call; ties keep the configured order."""
    position = {name: i for i, name in enumerate(names)}

    def price(name: str) -> tuple[float, int]:
        cost = costs.get(name, ProviderCost())
        return (cost.credits_per_call * cost.usd_per_credit, position[name])

    return tuple(sorted(names, key=price))
