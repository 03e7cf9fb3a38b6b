"""Which enrichment providers this deployment has: the website finders in `ENRICH_WEBSITE_PROVIDERS` order and the
verifiers of `ENRICH_VERIFIERS` cheapest first, each only when its key or URL is set (the LLM when an AI provider is
configured), so an unconfigured provider costs nothing and is never called."""

from __future__ import annotations

from typing import Any

from shared.adapters.verification import VERIFIERS
from shared.config import Settings
from shared.domain.enrichment.costs import cost_order, provider_costs
from shared.ports.http import HttpClient
from shared.ports.search import WebSearch
from shared.ports.verification import EmailVerifier


def configured_finders(settings: Settings) -> tuple[str, ...]:
    ready = {
        "llm": bool(settings.ai_providers), "brave": bool(settings.brave_api_key),
        "google_cse": bool(settings.google_cse_key and settings.google_cse_cx), "searxng": bool(settings.searxng_url),
    }  # fmt: skip
    return tuple(name for name in settings.enrich_website_providers if ready.get(name, False))


def verifier_order(settings: Settings) -> tuple[str, ...]:
    """Every named verifier (configured or not), cheapest first: the order they are tried in."""
    names = tuple(n for n in dict.fromkeys(settings.enrich_verifiers) if n in VERIFIERS)
    return cost_order(names, provider_costs(settings.enrich_costs))


def configured_verifiers(settings: Settings) -> tuple[str, ...]:
    ready = {"millionverifier": bool(settings.millionverifier_api_key), "zerobounce": bool(settings.zerobounce_api_key)}
    return tuple(name for name in verifier_order(settings) if ready.get(name, False))


def website_finders(settings: Settings, http: HttpClient, gateway: Any | None) -> list[WebSearch]:
    finders: list[WebSearch] = []
    for name in configured_finders(settings):
        if name == "llm" and gateway is not None:
            from shared.adapters.search.llm_site import LlmSiteSearch

            finders.append(LlmSiteSearch(gateway))
        elif name == "brave":
            from shared.adapters.search.brave import BraveSearch

            finders.append(BraveSearch(http, settings.brave_api_key, base_url=settings.brave_base_url))
        elif name == "google_cse":
            from shared.adapters.search.google_cse import GoogleCustomSearch

            finders.append(GoogleCustomSearch(http, settings.google_cse_key, settings.google_cse_cx,
                                              base_url=settings.google_cse_base_url))  # fmt: skip
        elif name == "searxng":
            from shared.adapters.search.searxng import SearxngSearch

            finders.append(SearxngSearch(http, settings.searxng_url, authorization=settings.searxng_authorization))
    return finders


def email_verifiers(settings: Settings, http: HttpClient, log: Any = None) -> list[EmailVerifier]:
    from shared.adapters.verification import verifier

    keys = {
        "millionverifier": (settings.millionverifier_api_key, settings.millionverifier_base_url),
        "zerobounce": (settings.zerobounce_api_key, settings.zerobounce_base_url),
    }
    return [verifier(name, http, *keys[name], log=log) for name in configured_verifiers(settings)]
