"""Finding a hotel's own website: a query about one property in, ranked candidate pages out.

Implementations (shared/adapters/search/): the Brave Search API, the Google Custom Search JSON API, a self-hosted
SearXNG instance, and an LLM's knowledge through the AI gateway. Each raises `LookupFailure` (shared.ports.lookups)
and nothing else; an empty list is an answer ("nothing found"), not a failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class SiteQuery:
    """What we know about the property: its name (property, else company), city and ISO country code."""

    name: str
    city: str | None = None
    country: str | None = None

    def text(self) -> str:
        """The search-engine query: the quoted name, the city, and 'hotel' unless the name already says so."""
        parts = [f'"{self.name}"']
        if self.city and self.city.casefold() not in self.name.casefold():
            parts.append(self.city)
        lowered = self.name.casefold()
        if not any(word in lowered for word in ("hotel", "hostel", "resort", "inn", "lodge", "b&b", "motel")):
            parts.append("hotel")
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class SearchHit:
    url: str
    title: str = ""
    snippet: str = ""


class WebSearch(Protocol):
    @property
    def name(self) -> str:
        """The provider's name: its rate-limit key class is `provider:<name>`, its breaker the same."""
        ...

    async def search(self, query: SiteQuery, *, timeout_s: float) -> list[SearchHit]:
        """Up to ten hits, best first. Raises LookupFailure."""
        ...
