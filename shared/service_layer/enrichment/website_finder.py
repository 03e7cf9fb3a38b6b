"""The website finder: ask the configured finders in order until one candidate proves to be the hotel's own site.

Per finder (the LLM's knowledge, Brave, Google Custom Search, SearXNG): its cached answer to this query, else one
guarded call (shared/service_layer/enrichment/guard.py), whose hits are cached. Every hit is reduced to its
registrable domain; booking portals, OTAs, social networks, directories, review sites, chain landing pages and parking
platforms are dropped (shared/domain/enrichment/portals.py); the rest are scored against the hotel's name and city
(site_match.py). The best few are verified by fetching the home page (site_reader.py): a redirect to a portal, a
parked or for-sale page, an error status or a title that does not name the hotel rejects the candidate. The first
verified candidate wins and the decision is cached (hit or miss) under the query, so a lookup is paid for once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from shared.domain.enrichment.domains import registrable_domain
from shared.domain.enrichment.plan import FoundSite
from shared.domain.enrichment.portals import is_chain_landing, site_kind
from shared.domain.enrichment.site_match import ACCEPT_AT, looks_parked, score_candidate
from shared.domain.enrichment.trail import Outcome, Trail
from shared.ports.cache import Cache
from shared.ports.search import SearchHit, SiteQuery, WebSearch
from shared.service_layer.enrichment.guard import ProviderGuard
from shared.service_layer.enrichment.site_reader import SiteReader

CACHE_VERSION = "v1"
VERIFY_PER_FINDER = 3  # candidates fetched per finder's answer, best first
DAY_S = 86_400


@dataclass(frozen=True, slots=True)
class Candidate:
    url: str
    domain: str
    title: str
    snippet: str
    score: float


@dataclass(frozen=True, slots=True)
class SiteSearch:
    """What the finder concluded: the site (or None), and whether a finder could not be asked (try again later)."""

    site: FoundSite | None
    transient: bool = False
    waiting: bool = False


def query_key(query: SiteQuery) -> str:
    text = "|".join((query.name.casefold().strip(), (query.city or "").casefold().strip(), query.country or ""))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class WebsiteFinder:
    def __init__(self, finders: Sequence[WebSearch], *, guard: ProviderGuard, cache: Cache, reader: SiteReader,
                 hit_ttl_days: int, miss_ttl_days: int) -> None:  # fmt: skip
        self._finders = tuple(finders)
        self._guard = guard
        self._cache = cache
        self._reader = reader
        self._hit_ttl = hit_ttl_days * DAY_S
        self._miss_ttl = miss_ttl_days * DAY_S

    async def find(self, query: SiteQuery, trail: Trail) -> SiteSearch:
        decision_key = f"enrich:site:{CACHE_VERSION}:{query_key(query)}"
        cached = await self._cache_get(decision_key)
        if isinstance(cached, dict):
            if cached.get("domain"):
                trail.add("website", "cache", "cached", f"{cached['domain']} ({cached.get('provider', '?')})")
                return SiteSearch(FoundSite(str(cached["url"]), str(cached["domain"]), str(cached.get("provider"))))
            trail.add("website", "cache", "cached", "no website (an earlier search found none)")
            return SiteSearch(None)
        transient = waiting = False
        rejected: set[str] = set()
        for finder in self._finders:
            hits, answered = await self._hits(finder, query, trail)
            if not answered.ok:
                transient, waiting = transient or answered.transient, waiting or answered.waiting
                continue
            site = await self._first_verified(finder.name, hits, query, trail, rejected)
            if site is not None:
                await self._cache_put(decision_key, {"url": site.url, "domain": site.domain,
                                                     "provider": site.provider}, self._hit_ttl)  # fmt: skip
                return SiteSearch(site)
        if not transient and not waiting:  # every finder answered: a real miss, believed for a while
            await self._cache_put(decision_key, {"domain": None}, self._miss_ttl)
        return SiteSearch(None, transient=transient, waiting=waiting)

    async def _hits(self, finder: WebSearch, query: SiteQuery, trail: Trail) -> tuple[list[SearchHit], _Answered]:
        key = f"enrich:search:{CACHE_VERSION}:{finder.name}:{query_key(query)}"
        cached = await self._cache_get(key)
        if isinstance(cached, list):
            trail.add("website", finder.name, "cached", f"{len(cached)} hits")
            return [SearchHit(str(h.get("url", "")), str(h.get("title", "")), str(h.get("snippet", "")))
                    for h in cached if isinstance(h, dict)], _Answered(True)  # fmt: skip
        limited = finder.name != "llm"  # the AI gateway meters the LLM in its own classes

        async def ask(timeout_s: float) -> list[SearchHit]:
            return await finder.search(query, timeout_s=timeout_s)

        called = await self._guard.call(finder.name, "website", trail, ask, limited=limited)
        if not called.ok:
            return [], _Answered(False, called.transient, called.waiting)
        hits = list(called.value or [])[:10]
        outcome: Outcome = "found" if hits else "nothing"
        trail.add("website", finder.name, outcome, f"{len(hits)} hits", credits=called.credits,
                  cost_micros=called.cost_micros)  # fmt: skip
        await self._cache_put(key, [{"url": h.url, "title": h.title, "snippet": h.snippet} for h in hits],
                              self._hit_ttl if hits else self._miss_ttl)  # fmt: skip
        return hits, _Answered(True)

    async def _first_verified(self, provider: str, hits: list[SearchHit], query: SiteQuery, trail: Trail,
                              rejected: set[str]) -> FoundSite | None:  # fmt: skip
        for candidate in self.candidates(hits, query, trail, rejected)[:VERIFY_PER_FINDER]:
            verdict = await self._reader.verify_home(candidate.domain, candidate.url, query, trail)
            if verdict.accepted:
                return FoundSite(verdict.url, candidate.domain, provider)
            rejected.add(candidate.domain)
        return None

    def candidates(self, hits: list[SearchHit], query: SiteQuery, trail: Trail, rejected: set[str]) -> list[Candidate]:
        """The hits that could be the hotel's own site, best first, one per registrable domain."""
        seen: dict[str, Candidate] = {}
        for hit in hits:
            domain = registrable_domain(hit.url)
            if domain is None or domain in rejected or domain in seen:
                continue
            kind = site_kind(hit.url)
            if kind is not None or is_chain_landing(hit.url):
                trail.add("website", "site", "rejected", f"{domain}: {kind.value if kind else 'chain page'}")
                rejected.add(domain)
                continue
            if looks_parked(hit.title, hit.snippet):
                trail.add("website", "site", "rejected", f"{domain}: parked")
                rejected.add(domain)
                continue
            match = score_candidate(domain, title=hit.title, hotel_name=query.name, city=query.city,
                                    snippet=hit.snippet)  # fmt: skip
            seen[domain] = Candidate(hit.url, domain, hit.title, hit.snippet, match.score)
        ranked = sorted(seen.values(), key=lambda c: -c.score)
        return [c for c in ranked if c.score >= ACCEPT_AT / 2]  # weak matches may still prove themselves by title

    async def _cache_get(self, key: str) -> object:
        try:
            return await self._cache.get_json(key)
        except Exception:  # a cache, never the truth: a miss
            return None

    async def _cache_put(self, key: str, value: object, ttl: int) -> None:
        try:
            await self._cache.put_json(key, value, ttl_seconds=ttl)
        except Exception:
            return


@dataclass(frozen=True, slots=True)
class _Answered:
    ok: bool
    transient: bool = False
    waiting: bool = False
