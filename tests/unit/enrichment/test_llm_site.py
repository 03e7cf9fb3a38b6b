"""LlmSiteSearch: the website question it asks, what its `accept` lets through, the hit it makes of an answer, and
the LookupFailure kind it derives from the gateway's attempts — with a stub gateway, and with the real AiGateway over
stub providers (an unusable answer falls through to the next provider)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.adapters.search._http import is_web_url
from shared.adapters.search.llm_site import (
    SITE_PROMPT_MARKER,
    LlmSiteSearch,
    accept_site_answer,
    parse_site_answer,
    site_request,
)
from shared.observability.log import Logger
from shared.ports.ai import Completion, CompletionRequest, FailureKind, ProviderFailure
from shared.ports.breaker import BreakerDecision
from shared.ports.lookups import LookupFailure, LookupFailureKind
from shared.ports.rate_limit import RateDecision
from shared.ports.search import SearchHit, SiteQuery
from shared.service_layer.composition.gateway import AiGateway, Attempt, GatewayResult

K = LookupFailureKind
QUERY = SiteQuery("Hôtel des Arts", "Lyon", "FR")


def completion(text: str, provider: str = "xai") -> Completion:
    return Completion(text=text, provider=provider, model="grok-fake", input_tokens=120, output_tokens=14)


class StubGateway:
    def __init__(self, result: GatewayResult) -> None:
        self.result = result
        self.requests: list[CompletionRequest] = []
        self.accept: Callable[[Completion], Sequence[str]] | None = None

    async def complete(
        self, request: CompletionRequest, accept: Callable[[Completion], Sequence[str]]
    ) -> GatewayResult:
        self.requests.append(request)
        self.accept = accept
        return self.result


async def answer(text: str) -> list[SearchHit]:
    gateway = StubGateway(GatewayResult(completion(text), (Attempt("xai", "accepted"),)))
    return await LlmSiteSearch(gateway).search(QUERY, timeout_s=10)


def test_the_question_says_null_when_unsure_and_carries_the_property_as_facts() -> None:
    request = site_request(SiteQuery("Hotel  Wisła\n", "Kraków", "PL"))
    assert request.system.startswith(SITE_PROMPT_MARKER)
    assert "null when you are not sure" in request.system and "Never guess" in request.system
    assert "- property_name: Hotel Wisła\n- city: Kraków\n- country: PL" in request.user
    assert request.temperature == 0.0 and request.max_tokens <= 200
    assert "- city:" not in site_request(SiteQuery("Ryokan Sakura")).user


async def test_a_website_is_one_hit_marked_llm() -> None:
    hits = await answer('{"website": "https://www.hoteldesarts.example/"}')
    assert hits == [SearchHit("https://www.hoteldesarts.example/", title="", snippet="llm")]


async def test_null_is_nothing_found() -> None:
    assert await answer('{"website": null}') == []


async def test_the_gateway_gets_the_request_and_the_validator() -> None:
    gateway = StubGateway(GatewayResult(completion('{"website": null}'), (Attempt("xai", "accepted"),)))
    search = LlmSiteSearch(gateway)
    await search.search(QUERY, timeout_s=10)
    assert search.name == "llm"
    assert gateway.requests == [site_request(QUERY)]
    assert gateway.accept is accept_site_answer


@pytest.mark.parametrize(
    ("text", "website"),
    [
        ('{"website": "https://www.nordlys.example/"}', "https://www.nordlys.example/"),
        ('  {"website": "http://grachtenhotel.example/en/"}\n', "http://grachtenhotel.example/en/"),
        ('```json\n{"website": "https://www.marazul.example/"}\n```', "https://www.marazul.example/"),
        ('{"website": null}', None),
        ('{"website": ""}', None),
        ('{"website": "null"}', None),
        ('{"website": "https://www.chestergrand.example/", "confidence": "high"}', "https://www.chestergrand.example/"),
    ],
)
def test_accepted_answers(text: str, website: str | None) -> None:
    assert accept_site_answer(completion(text)) == []
    assert parse_site_answer(text) == website


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("The official website is https://www.hoteldesarts.example/", "not_json"),
        ('{"website": "www.hoteldesarts.example"}', "not_an_http_url"),
        ('{"website": "hoteldesarts.example"}', "not_an_http_url"),
        ('{"website": "ftp://files.hoteldesarts.example/"}', "not_an_http_url"),
        ('{"website": "javascript:alert(1)"}', "not_an_http_url"),
        ('{"website": "https://admin:hunter2@hoteldesarts.example/"}', "not_an_http_url"),
        ('{"website": "https://hotel des arts.example/"}', "not_an_http_url"),
        ('{"website": "https://localhost/"}', "not_an_http_url"),
        ('{"website": 42}', "not_an_http_url"),
        ('{"website": ["https://www.hoteldesarts.example/"]}', "not_an_http_url"),
        ('{"url": "https://www.hoteldesarts.example/"}', "no_website_key"),
        ('["https://www.hoteldesarts.example/"]', "no_website_key"),
        ('{"website": "https://www.hoteldesarts.exa', "not_json"),
    ],
)
def test_rejected_answers_carry_a_problem_code(text: str, code: str) -> None:
    assert accept_site_answer(completion(text)) == [code]
    with pytest.raises(ValueError, match=code):
        parse_site_answer(text)


@given(st.text(max_size=200) | st.builds(lambda s: f'{{"website": "{s}"}}', st.text(max_size=80)))
def test_any_text_is_either_rejected_or_a_web_url_or_null(text: str) -> None:
    try:
        website = parse_site_answer(text)
    except ValueError:
        return
    assert website is None or is_web_url(website)


FAILURES = [
    ((), K.UNAVAILABLE),
    ((Attempt("xai", "skipped", "unavailable"), Attempt("workers_ai", "skipped", "breaker_open")), K.UNAVAILABLE),
    ((Attempt("xai", "skipped", "rate_limited_locally"),), K.UNAVAILABLE),
    ((Attempt("xai", "invalid", "not_json"), Attempt("anthropic", "invalid", "not_an_http_url")), K.MALFORMED),
    ((Attempt("xai", "failed", "timeout"), Attempt("anthropic", "skipped", "unavailable")), K.TIMEOUT),
    ((Attempt("xai", "failed", "server"), Attempt("anthropic", "invalid", "not_json")), K.SERVER),
    ((Attempt("xai", "failed", "rate_limited"), Attempt("anthropic", "failed", "timeout")), K.SERVER),
    ((Attempt("xai", "failed", "auth"),), K.SERVER),
]


@pytest.mark.parametrize(("attempts", "kind"), FAILURES)
async def test_no_completion_is_a_lookup_failure_by_the_attempts(
    attempts: tuple[Attempt, ...], kind: LookupFailureKind
) -> None:
    with pytest.raises(LookupFailure) as caught:
        await LlmSiteSearch(StubGateway(GatewayResult(None, attempts))).search(QUERY, timeout_s=10)
    assert caught.value.kind is kind
    assert all(a.provider in caught.value.detail for a in attempts)


class ScriptedProvider:
    def __init__(self, name: str, answer: str | FailureKind) -> None:
        self._name, self.answer, self.calls = name, answer, 0

    @property
    def name(self) -> str:
        return self._name

    async def complete(self, request: CompletionRequest, *, timeout_s: float) -> Completion:
        self.calls += 1
        if isinstance(self.answer, FailureKind):
            raise ProviderFailure(self.answer, "scripted")
        return completion(self.answer, self._name)


class ClosedBreakers:
    async def allow(self, name: str, now: float) -> BreakerDecision:
        return BreakerDecision(True, "closed", None)

    async def record(self, name: str, success: bool, now: float) -> None:
        return None


class Unlimited:
    async def acquire(self, key: str, key_class: str, tokens: int = 1) -> RateDecision:
        return RateDecision(True, 0, 0.0)


class Clock:
    def now(self) -> datetime:
        return datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def real_gateway(*providers: ScriptedProvider) -> AiGateway:
    return AiGateway(providers, breakers=ClosedBreakers(), rate_limiter=Unlimited(), clock=Clock(),  # type: ignore[arg-type]
                     log=Logger("test", sink=lambda _line: None), timeout_s=5)  # fmt: skip


async def test_through_the_real_gateway_prose_falls_through_to_the_next_provider() -> None:
    chatty = ScriptedProvider("xai", "Sure! The website of Hôtel des Arts is hoteldesarts.example.")
    careful = ScriptedProvider("anthropic", '{"website": "https://www.hoteldesarts.example/"}')
    hits = await LlmSiteSearch(real_gateway(chatty, careful)).search(QUERY, timeout_s=5)
    assert [h.url for h in hits] == ["https://www.hoteldesarts.example/"]
    assert (chatty.calls, careful.calls) == (1, 1)


async def test_through_the_real_gateway_every_provider_down_is_server() -> None:
    gateway = real_gateway(ScriptedProvider("xai", FailureKind.SERVER), ScriptedProvider("openai", FailureKind.AUTH))
    with pytest.raises(LookupFailure) as caught:
        await LlmSiteSearch(gateway).search(QUERY, timeout_s=5)
    assert caught.value.kind is K.SERVER
    assert "xai:failed:server" in caught.value.detail and "openai:failed:auth" in caught.value.detail
