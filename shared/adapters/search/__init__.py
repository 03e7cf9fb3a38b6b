"""Website finders behind `shared.ports.search.WebSearch`: the Brave Search API (`brave`), the Google Custom Search
JSON API (`google_cse`), a self-hosted SearXNG (`searxng`) and an LLM's knowledge through the AI gateway (`llm`).

`build_searches` builds them in the configured order (`Settings.enrich_website_providers`); each provider module is
imported there, on first use, not by this package. A provider without its key or URL is still built: its `search`
raises LookupFailure(UNAVAILABLE) without a call, so the chain's trail says why it was skipped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shared.adapters.search.llm_site import SiteGateway
    from shared.ports.http import HttpClient
    from shared.ports.search import WebSearch

NAMES = ("llm", "brave", "google_cse", "searxng")


def build_searches(settings: Any, http: HttpClient, gateway: SiteGateway | None) -> list[WebSearch]:
    """The website finders named by `settings.enrich_website_providers`, in that order (unknown names are
    ValueError; `llm` is left out when there is no gateway)."""
    unknown = [n for n in settings.enrich_website_providers if n not in NAMES]
    if unknown:
        raise ValueError(f"unknown website providers {unknown}; known: {', '.join(NAMES)}")
    searches: list[WebSearch] = []
    for name in settings.enrich_website_providers:
        if name == "llm" and gateway is not None:
            from shared.adapters.search.llm_site import LlmSiteSearch

            searches.append(LlmSiteSearch(gateway))
        elif name == "brave":
            from shared.adapters.search.brave import BraveSearch

            searches.append(BraveSearch(http, settings.brave_api_key, base_url=settings.brave_base_url))
        elif name == "google_cse":
            from shared.adapters.search.google_cse import GoogleCustomSearch

            searches.append(
                GoogleCustomSearch(
                    http, settings.google_cse_key, settings.google_cse_cx, base_url=settings.google_cse_base_url
                )
            )
        elif name == "searxng":
            from shared.adapters.search.searxng import SearxngSearch

            auth = getattr(settings, "searxng_authorization", None)  # not a setting yet: see the issue 11 report
            searches.append(SearxngSearch(http, settings.searxng_url, authorization=auth))
    return searches
