"""Website finders behind `shared.ports.search.WebSearch`: the Brave Search API (`brave`), the Google Custom Search
JSON API (`google_cse`), a self-hosted SearXNG (`searxng`) and an LLM's knowledge through the AI gateway (`llm`).

`shared.adapters.enrichment_registry.website_finders` builds the configured ones in `ENRICH_WEBSITE_PROVIDERS` order;
each provider module is imported there, on first use, not by this package.
"""

NAMES = ("llm", "brave", "google_cse", "searxng")
