"""The enrichment trail: what was tried for one prospect, what each provider answered and what it cost.

The trail is stored on the prospect's timeline (an `enrichment` activity) so a person can audit every value we
filled in, and it is summed into the per-day provider usage (calls, credits, failures, estimated cost) that
`GET /api/enrich/status` reports. Outcomes:

| outcome  | meaning                                                                  | a call was paid |
|----------|--------------------------------------------------------------------------|-----------------|
| found    | the provider answered with something we kept                             | yes             |
| nothing  | the provider answered: nothing (no hits, no such mailbox, ...)           | yes             |
| rejected | an answer we did not trust (a portal, a parked page, a weak match)       | per entry       |
| failed   | no usable answer (timeout, 5xx, garbage, auth): `detail` says which      | yes (a call)    |
| stopped  | not asked: its quota is used up until the reset, or its circuit is open   | no              |
| skipped  | not asked: not configured, or robots.txt forbids the page                | no              |
| cached   | answered from the cache: nothing paid                                    | no              |
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Outcome = Literal["found", "nothing", "rejected", "failed", "stopped", "skipped", "cached"]
CALLED: frozenset[str] = frozenset({"found", "nothing", "failed"})
MAX_ENTRIES = 60  # a timeline entry stays small; the counts still include every call
MAX_DETAIL = 200


@dataclass(frozen=True, slots=True)
class TrailEntry:
    step: str  # website, page, robots, facts, mx, verify, email
    provider: str  # brave, google_cse, searxng, llm, millionverifier, zerobounce, site, dns, cache, patterns
    outcome: Outcome
    detail: str = ""
    credits: int = 0
    cost_micros: int = 0


@dataclass(slots=True)
class ProviderUsage:
    calls: int = 0
    credits: int = 0
    failures: int = 0
    cost_micros: int = 0
    last_failure: str | None = None


@dataclass(slots=True)
class Trail:
    entries: list[TrailEntry] = field(default_factory=list)
    dropped: int = 0

    def add(self, step: str, provider: str, outcome: Outcome, detail: str = "", *, credits: int = 0,
            cost_micros: int = 0) -> TrailEntry:  # fmt: skip
        entry = TrailEntry(step, provider, outcome, detail[:MAX_DETAIL], credits, cost_micros)
        self.entries.append(entry)
        return entry

    def usage(self) -> dict[str, ProviderUsage]:
        """Per paid provider (not site, dns, cache or patterns): calls, credits, failures and cost."""
        totals: dict[str, ProviderUsage] = {}
        for entry in self.entries:
            if entry.outcome not in CALLED or entry.provider in ("site", "dns", "cache", "patterns"):
                continue
            usage = totals.setdefault(entry.provider, ProviderUsage())
            usage.calls += 1
            usage.credits += entry.credits
            usage.cost_micros += entry.cost_micros
            if entry.outcome == "failed":
                usage.failures += 1
                usage.last_failure = f"{entry.step}: {entry.detail}"[:MAX_DETAIL]
        return totals

    def cost_micros(self) -> int:
        return sum(entry.cost_micros for entry in self.entries)

    def to_json(self) -> dict[str, Any]:
        kept = self.entries[:MAX_ENTRIES]
        return {
            "entries": [asdict(entry) for entry in kept],
            "omitted": len(self.entries) - len(kept),
            "cost_usd": round(self.cost_micros() / 1_000_000, 6),
        }
