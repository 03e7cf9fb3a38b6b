"""An LLM's knowledge as a website finder: the AI gateway is asked for the property's official website as strict JSON
`{"website": "https://…"}` or `{"website": null}`.

The prompt asks for null whenever the model is unsure, and for the property's own site only (never a booking portal,
an OTA, a social page or a chain's landing page); the chain still filters, scores and fetches whatever comes back,
since a model can be confidently wrong. The gateway's `accept` rejects anything that is not that JSON with an
absolute http(s) URL or null, so the next AI provider is asked. Results: `[]` for null, else one
`SearchHit(url, title="", snippet="llm")`. No accepted completion from any provider is a `LookupFailure`:

    no provider configured, or every one skipped (breaker open, local rate limit) -> UNAVAILABLE (no call was made)
    every provider that answered gave something unusable                           -> MALFORMED
    every failure a timeout                                                        -> TIMEOUT
    otherwise (5xx, 429, auth...)                                                  -> SERVER
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from shared.adapters.search._http import is_web_url
from shared.ports.ai import Completion, CompletionRequest
from shared.ports.lookups import LookupFailure, LookupFailureKind
from shared.ports.search import SearchHit, SiteQuery

if TYPE_CHECKING:
    from shared.service_layer.composition.gateway import GatewayResult

SITE_PROMPT_MARKER = "Task: official website lookup"  # the local LLM fake recognises this prompt by it
SNIPPET = "llm"
MAX_TOKENS = 120
SYSTEM = f"""{SITE_PROMPT_MARKER}.
You know hotels, inns, resorts and other accommodation. Given one property, answer with the URL of its own official
website: the home page on the property's own domain (or the page for this property on its operator's site when it has
no domain of its own).
Answer with one JSON object and nothing else: {{"website": "https://..."}} or {{"website": null}}.
Answer null when you are not sure the URL is right, when you do not know the property, when several properties could
match, or when you only know booking portals, online travel agencies, review sites, social networks or directories.
Never guess or construct a domain from the name."""


class SiteGateway(Protocol):
    async def complete(
        self, request: CompletionRequest, accept: Callable[[Completion], Sequence[str]]
    ) -> GatewayResult: ...


class LlmSiteSearch:
    def __init__(self, gateway: SiteGateway) -> None:
        self._gateway = gateway

    @property
    def name(self) -> str:
        return "llm"

    async def search(self, query: SiteQuery, *, timeout_s: float) -> list[SearchHit]:
        """`timeout_s` is the gateway's own per-provider timeout (set where it is built)."""
        result = await self._gateway.complete(site_request(query), accept_site_answer)
        if result.completion is None:
            raise failure_from_attempts(result.attempts)
        website = parse_site_answer(result.completion.text)
        return [] if website is None else [SearchHit(website, title="", snippet=SNIPPET)]


def site_request(query: SiteQuery) -> CompletionRequest:
    lines = [f"- property_name: {_one_line(query.name)}"]
    if query.city:
        lines.append(f"- city: {_one_line(query.city)}")
    if query.country:
        lines.append(f"- country: {_one_line(query.country)}")
    user = "The property:\n" + "\n".join(lines) + '\n\nAnswer {"website": "https://..."} or {"website": null}.'
    return CompletionRequest(system=SYSTEM, user=user, max_tokens=MAX_TOKENS, temperature=0.0)


def accept_site_answer(completion: Completion) -> list[str]:
    """Problem codes for the gateway (none: accepted)."""
    try:
        parse_site_answer(completion.text)
    except ValueError as exc:
        return [str(exc)]
    return []


def parse_site_answer(text: str) -> str | None:
    """The website in `{"website": ...}` (a ```json fence around it is tolerated); ValueError with a problem code
    when the text is not that."""
    body = text.strip()
    if body.startswith("```"):
        body = body.strip("`").strip()
        body = body[4:] if body[:4].lower() == "json" else body
    try:
        data: Any = json.loads(body)
    except ValueError:
        raise ValueError("not_json") from None
    if not isinstance(data, dict) or "website" not in data:
        raise ValueError("no_website_key")
    website = data["website"]
    if website is None or (isinstance(website, str) and website.strip().lower() in ("", "null", "none")):
        return None
    if not isinstance(website, str) or not is_web_url(website.strip()):
        raise ValueError("not_an_http_url")
    return website.strip()


def failure_from_attempts(attempts: Sequence[Any]) -> LookupFailure:
    summary = ", ".join(f"{a.provider}:{a.outcome}:{a.reason}" for a in attempts) or "no AI provider configured"
    outcomes = [a.outcome for a in attempts]
    if all(outcome == "skipped" for outcome in outcomes):
        return LookupFailure(LookupFailureKind.UNAVAILABLE, f"llm: {summary}")
    failed = [a.reason for a in attempts if a.outcome == "failed"]
    if not failed:
        return LookupFailure(LookupFailureKind.MALFORMED, f"llm: {summary}")
    if all(reason == "timeout" for reason in failed):
        return LookupFailure(LookupFailureKind.TIMEOUT, f"llm: {summary}")
    return LookupFailure(LookupFailureKind.SERVER, f"llm: {summary}")


def _one_line(value: str) -> str:
    return " ".join(value.split())[:200]
