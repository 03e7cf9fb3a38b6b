"""The AI provider adapters, the HTTP adapter and the registry, without a network: Retry-After and rate-limit header
parsing, every status and shape the providers can answer, keys never in messages, the registry's order and its
unavailable providers, and the Workers AI adapter against the local `AI` binding."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from local.config import load_config
from local.workers_ai import AiError, LocalWorkersAI
from shared.adapters.ai._wire import parse_duration, parse_reset, parse_retry_after, redact, retry_after_s
from shared.adapters.ai.anthropic import AnthropicProvider
from shared.adapters.ai.openai_compatible import OpenAiCompatibleProvider
from shared.adapters.ai.registry import UnavailableProvider, build_providers
from shared.adapters.ai.workers_ai import WorkersAiProvider
from shared.adapters.http import WorkersFetch
from shared.config import Settings
from shared.ports.ai import AiProvider, CompletionRequest, FailureKind, ProviderFailure
from shared.ports.http import HttpError, HttpResponse, HttpTimeout

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
KEY = "sk-unit-5f1c2e9a7b3d4c6e8f0a1b2c3d4e5f60"
REQUEST = CompletionRequest(system="sys", user="- first_name: Ana\n- property_name: Casa Azul", max_tokens=64)


class FixedClock:
    def now(self) -> datetime:
        return NOW


class ScriptedHttp:
    """An HttpClient answering from a list (an exception in the list is raised); records every call."""

    def __init__(self, *answers: HttpResponse | Exception) -> None:
        self.answers = list(answers)
        self.calls: list[dict[str, Any]] = []

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes | str | None = None,
        timeout_s: float,
        redirect: Literal["follow", "manual"] = "follow",
    ) -> HttpResponse:
        self.calls.append({"method": method, "url": url, "headers": dict(headers or {}), "body": body, "t": timeout_s})
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def json_response(status: int, payload: Any, headers: Mapping[str, str] | None = None) -> HttpResponse:
    return HttpResponse(status, json.dumps(payload).encode(), {k.lower(): v for k, v in (headers or {}).items()})


def openai(http: ScriptedHttp) -> OpenAiCompatibleProvider:
    return OpenAiCompatibleProvider("xai", "https://api.example/v1/", KEY, "grok-test", http, clock=FixedClock())


def anthropic(http: ScriptedHttp) -> AnthropicProvider:
    return AnthropicProvider("anthropic", "https://anthropic.example", KEY, "claude-test", http, clock=FixedClock())


def chat(content: Any, finish: str = "stop", **message: Any) -> dict[str, Any]:
    return {
        "model": "grok-3-mini-0425",
        "choices": [{"message": {"role": "assistant", "content": content, **message}, "finish_reason": finish}],
        "usage": {"prompt_tokens": 12, "completion_tokens": 34},
    }


def message(blocks: Any, stop: str = "end_turn") -> dict[str, Any]:
    return {
        "type": "message",
        "model": "claude-test-2026",
        "content": blocks,
        "stop_reason": stop,
        "usage": {"input_tokens": 5, "output_tokens": 7},
    }


async def fails(provider: AiProvider, *, timeout_s: float = 5.0) -> ProviderFailure:
    with pytest.raises(ProviderFailure) as caught:
        await provider.complete(REQUEST, timeout_s=timeout_s)
    return caught.value


# -- Retry-After and rate-limit headers ----------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "expected"), [("7", 7.0), (" 120 ", 120.0), ("1.5", 1.5), ("0", 0.0), ("-3", 0.0)])
def test_retry_after_in_seconds(value: str, expected: float) -> None:
    assert parse_retry_after(value, now=NOW) == expected


def test_retry_after_as_an_http_date() -> None:
    assert parse_retry_after(format_datetime(NOW + timedelta(seconds=90), usegmt=True), now=NOW) == 90.0
    assert parse_retry_after("Sun, 29 Mar 2026 01:31:00 GMT", now=NOW) == 60.0
    assert parse_retry_after(format_datetime(NOW - timedelta(hours=1), usegmt=True), now=NOW) == 0.0  # past: now
    assert parse_retry_after("soon", now=NOW) is None
    assert parse_retry_after("nan", now=NOW) is None


def test_an_http_date_is_measured_from_the_response_date_header_when_there_is_one() -> None:
    server_now = NOW - timedelta(minutes=10)  # the server's clock is 10 minutes behind ours
    headers = {
        "date": format_datetime(server_now, usegmt=True),
        "retry-after": format_datetime(server_now + timedelta(seconds=30), usegmt=True),
    }
    assert retry_after_s(HttpResponse(429, b"", headers), now=NOW) == 30.0


def test_retry_after_is_bounded_to_a_day() -> None:
    assert parse_retry_after("999999999", now=NOW) == 86_400.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [("6m0s", 360.0), ("1.5s", 1.5), ("20ms", 0.02), ("1h2m3s", 3723.0), ("7s", 7.0), ("1m30.5s", 90.5)],
)
def test_openai_reset_durations(value: str, expected: float) -> None:
    assert parse_duration(value) == pytest.approx(expected)
    assert parse_reset(value, now=NOW) == pytest.approx(expected)


@pytest.mark.parametrize("value", ["", "s", "5x", "1m 30s", "abc", "m5"])
def test_not_durations(value: str) -> None:
    assert parse_duration(value) is None


def test_anthropic_reset_instants_and_the_longest_reset_wins() -> None:
    assert parse_reset("2026-03-29T01:30:45Z", now=NOW) == 45.0
    headers = {
        "anthropic-ratelimit-requests-reset": "2026-03-29T01:30:20Z",
        "anthropic-ratelimit-tokens-reset": "2026-03-29T01:31:00Z",
        "anthropic-ratelimit-requests-remaining": "0",
    }
    assert retry_after_s(HttpResponse(429, b"", headers), now=NOW) == 60.0
    openai_headers = {"x-ratelimit-reset-requests": "2s", "x-ratelimit-reset-tokens": "6m0s"}
    assert retry_after_s(HttpResponse(429, b"", openai_headers), now=NOW) == 360.0


def test_retry_after_wins_over_the_reset_headers_and_nothing_means_none() -> None:
    both = {"retry-after": "7", "x-ratelimit-reset-requests": "6m0s"}
    assert retry_after_s(HttpResponse(429, b"", both), now=NOW) == 7.0
    assert retry_after_s(HttpResponse(429, b"", {}), now=NOW) is None
    assert retry_after_s(HttpResponse(429, b"", {"retry-after": "later"}), now=NOW) is None


@given(st.integers(min_value=0, max_value=86_400))
def test_retry_after_seconds_round_trip(seconds: int) -> None:
    assert parse_retry_after(str(seconds), now=NOW) == seconds
    date = format_datetime(NOW + timedelta(seconds=seconds), usegmt=True)
    assert parse_retry_after(date, now=NOW) == seconds


@given(st.integers(0, 99), st.integers(0, 59), st.integers(0, 59), st.integers(0, 999))
def test_go_durations_round_trip(h: int, m: int, s: int, ms: int) -> None:
    text = "".join(f"{n}{u}" for n, u in ((h, "h"), (m, "m"), (s, "s"), (ms, "ms")) if n) or "0s"
    assert parse_duration(text) == pytest.approx(h * 3600 + m * 60 + s + ms / 1000)


# -- OpenAI-compatible ---------------------------------------------------------------------------------------------
async def test_openai_request_shape_and_completion() -> None:
    http = ScriptedHttp(json_response(200, chat("the email")))
    completion = await openai(http).complete(REQUEST, timeout_s=9)
    assert (completion.text, completion.provider, completion.model) == ("the email", "xai", "grok-3-mini-0425")
    assert (completion.input_tokens, completion.output_tokens) == (12, 34)
    call = http.calls[0]
    assert call["method"] == "POST" and call["url"] == "https://api.example/v1/chat/completions" and call["t"] == 9
    assert call["headers"]["authorization"] == f"Bearer {KEY}"
    sent = json.loads(call["body"])
    assert sent == {
        "model": "grok-test",
        "messages": [{"role": "system", "content": "sys"}, {"role": "user", "content": REQUEST.user}],
        "max_tokens": 64,
        "temperature": 0.7,
    }


async def test_openai_missing_usage_and_model_fall_back() -> None:
    payload = {"choices": [{"message": {"content": "text"}, "finish_reason": "stop"}], "usage": {"prompt_tokens": True}}
    completion = await openai(ScriptedHttp(json_response(200, payload))).complete(REQUEST, timeout_s=1)
    assert completion.model == "grok-test" and completion.input_tokens is None and completion.output_tokens is None


@pytest.mark.parametrize(
    ("payload", "kind"),
    [
        ([1, 2], FailureKind.MALFORMED),
        ({"choices": []}, FailureKind.MALFORMED),
        ({"choices": ["x"]}, FailureKind.MALFORMED),
        ({"choices": [{"finish_reason": "stop"}]}, FailureKind.MALFORMED),
        (chat(None), FailureKind.MALFORMED),
        (chat(["a"]), FailureKind.MALFORMED),
        (chat("   \n"), FailureKind.MALFORMED),
        (chat("half an ema", finish="length"), FailureKind.TRUNCATED),
        (chat(None, finish="content_filter"), FailureKind.REFUSED),
        (chat(None, refusal="I can't help with that."), FailureKind.REFUSED),
    ],
)
async def test_openai_shapes(payload: Any, kind: FailureKind) -> None:
    assert (await fails(openai(ScriptedHttp(json_response(200, payload))))).kind is kind


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, FailureKind.REFUSED),
        (401, FailureKind.AUTH),
        (403, FailureKind.AUTH),
        (404, FailureKind.REFUSED),
        (422, FailureKind.REFUSED),
        (429, FailureKind.RATE_LIMITED),
        (500, FailureKind.SERVER),
        (502, FailureKind.SERVER),
        (529, FailureKind.SERVER),
        (302, FailureKind.SERVER),
    ],
)
@pytest.mark.parametrize("build", [openai, anthropic])
async def test_statuses(build: Any, status: int, kind: FailureKind) -> None:
    http = ScriptedHttp(json_response(status, {"error": {"message": f"nope {status}"}}))
    caught = await fails(build(http))
    assert caught.kind is kind
    assert f"HTTP {status}: nope {status}" in caught.detail


@pytest.mark.parametrize("build", [openai, anthropic])
async def test_transport_failures(build: Any) -> None:
    http = ScriptedHttp(HttpTimeout("POST https://x/ no answer"), HttpError("POST https://x/: OSError: reset"))
    provider = build(http)
    assert (await fails(provider)).kind is FailureKind.TIMEOUT
    assert (await fails(provider)).kind is FailureKind.SERVER


@pytest.mark.parametrize("build", [openai, anthropic])
async def test_a_2xx_body_that_is_not_json_is_malformed(build: Any) -> None:
    http = ScriptedHttp(HttpResponse(200, b"<html>gateway</html>", {"content-type": "text/html"}))
    assert (await fails(build(http))).kind is FailureKind.MALFORMED


async def test_a_429_carries_retry_after_from_the_response() -> None:
    http = ScriptedHttp(json_response(429, {"error": {"message": "slow down"}}, {"Retry-After": "12"}))
    caught = await fails(openai(http))
    assert caught.kind is FailureKind.RATE_LIMITED and caught.retry_after_s == 12.0


# -- Anthropic ------------------------------------------------------------------------------------------------------
async def test_anthropic_request_shape_and_completion() -> None:
    blocks = [{"type": "text", "text": "Hello "}, {"type": "tool_use", "id": "x"}, {"type": "text", "text": "Ana"}]
    http = ScriptedHttp(json_response(200, message(blocks)))
    completion = await anthropic(http).complete(REQUEST, timeout_s=3)
    assert (completion.text, completion.model, completion.input_tokens, completion.output_tokens) == (
        "Hello Ana",
        "claude-test-2026",
        5,
        7,
    )
    call = http.calls[0]
    assert call["url"] == "https://anthropic.example/v1/messages"
    assert call["headers"]["x-api-key"] == KEY and call["headers"]["anthropic-version"] == "2023-06-01"
    assert "authorization" not in call["headers"]
    sent = json.loads(call["body"])
    assert sent["system"] == "sys" and sent["messages"] == [{"role": "user", "content": REQUEST.user}]
    assert sent["max_tokens"] == 64 and sent["model"] == "claude-test"


@pytest.mark.parametrize(
    ("payload", "kind"),
    [
        ("text", FailureKind.MALFORMED),
        ({"type": "error", "error": {}}, FailureKind.MALFORMED),
        (message("not blocks"), FailureKind.MALFORMED),
        (message([]), FailureKind.MALFORMED),
        (message([{"type": "text", "text": " "}]), FailureKind.MALFORMED),
        (message([{"type": "text"}]), FailureKind.MALFORMED),
        (message([{"type": "text", "text": 5}]), FailureKind.MALFORMED),
        (message([{"type": "text", "text": "cut"}], stop="max_tokens"), FailureKind.TRUNCATED),
        (message([], stop="refusal"), FailureKind.REFUSED),
    ],
)
async def test_anthropic_shapes(payload: Any, kind: FailureKind) -> None:
    assert (await fails(anthropic(ScriptedHttp(json_response(200, payload))))).kind is kind


# -- keys never leak ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("build", [openai, anthropic])
async def test_the_key_is_never_in_a_failure_or_a_repr(build: Any) -> None:
    echo = f"Incorrect API key provided: {KEY}; masked {KEY[:10]}...{KEY[-6:]}"
    http = ScriptedHttp(
        json_response(401, {"error": {"message": echo}}),
        json_response(400, {"error": {"message": f"bad request for key {KEY[3:20]}"}}),
        HttpError(f"POST https://x/: OSError: {KEY}"),
        HttpTimeout(f"timed out {KEY}"),
    )
    provider = build(http)
    for _ in range(4):
        caught = await fails(provider)
        for text in (str(caught), caught.detail, repr(caught)):
            assert KEY not in text and KEY[:10] not in text and KEY[3:20] not in text
    assert KEY not in repr(provider)


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=8, max_size=80), st.text(max_size=50))
def test_redact_removes_the_secret_and_its_pieces(secret: str, noise: str) -> None:
    text = redact(f"{noise}{secret}{noise} and {secret[: len(secret) // 2 + 4]}", secret)
    assert secret not in text
    assert all(secret[i : i + 8] not in text for i in range(len(secret) - 7))


def test_settings_do_not_show_keys() -> None:
    settings = Settings(xai_api_key=KEY, anthropic_api_key=KEY, openai_api_key=KEY)
    assert KEY not in repr(settings)


# -- registry --------------------------------------------------------------------------------------------------------
class Env:
    def __init__(self, **bindings: Any) -> None:
        self.__dict__.update(bindings)


def test_registry_keeps_the_configured_order_and_builds_each_kind() -> None:
    settings = Settings(
        ai_providers=("workers_ai", "anthropic", "openai", "xai"),
        xai_api_key="x",
        anthropic_api_key="a",
        openai_api_key="o",
        openai_base_url="https://gateway.ai.cloudflare.com/v1/acc/gw/openai",
    )
    providers = build_providers(settings, Env(AI=LocalWorkersAI()), ScriptedHttp())
    assert [p.name for p in providers] == ["workers_ai", "anthropic", "openai", "xai"]
    assert [type(p) for p in providers] == [
        WorkersAiProvider,
        AnthropicProvider,
        OpenAiCompatibleProvider,
        OpenAiCompatibleProvider,
    ]


def test_registry_from_the_env_string() -> None:
    env = Env(AI_PROVIDERS=" XAI, workers_ai ", XAI_API_KEY="x", AI=LocalWorkersAI())
    assert [p.name for p in build_providers(Settings.from_env(env), env, ScriptedHttp())] == ["xai", "workers_ai"]
    assert build_providers(Settings(), Env(), ScriptedHttp()) == []


@pytest.mark.parametrize(
    ("names", "message"),
    [(("xai", "gemini"), "unknown providers ['gemini']"), (("xai", "anthropic", "xai"), "['xai'] more than once")],
)
def test_registry_refuses_unknown_and_repeated_names(names: tuple[str, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        build_providers(Settings(ai_providers=names), Env(), ScriptedHttp())


async def test_unconfigured_providers_are_unavailable_and_say_why() -> None:
    settings = Settings(ai_providers=("xai", "anthropic", "openai", "workers_ai"), openai_api_key="o")
    providers = build_providers(settings, Env(), ScriptedHttp())
    assert all(isinstance(p, UnavailableProvider) for p in providers)
    reasons = []
    for provider in providers:
        caught = await fails(provider)
        assert caught.kind is FailureKind.UNAVAILABLE
        reasons.append(caught.detail)
    assert reasons == [
        "XAI_API_KEY is not set",
        "ANTHROPIC_API_KEY is not set",
        "OPENAI_BASE_URL is not set",
        'no Workers AI binding "AI" (wrangler.toml [ai])',
    ]
    with_url = Settings(ai_providers=("openai",), openai_base_url="https://api.groq.com/openai/v1")
    (only,) = build_providers(with_url, Env(), ScriptedHttp())
    assert (await fails(only)).detail == "OPENAI_API_KEY is not set"


def test_an_env_that_raises_for_a_missing_binding_means_unavailable() -> None:
    class Strict:
        def __getattr__(self, name: str) -> Any:
            raise RuntimeError(f"no {name}")

    (provider,) = build_providers(Settings(ai_providers=("workers_ai",)), Strict(), ScriptedHttp())
    assert isinstance(provider, UnavailableProvider)


# -- Workers AI against the local binding -------------------------------------------------------------------------
async def test_workers_ai_success_and_its_inputs() -> None:
    ai = LocalWorkersAI()
    completion = await WorkersAiProvider("workers_ai", ai, "@cf/meta/llama-3.1-8b-instruct").complete(
        REQUEST, timeout_s=5
    )
    email = json.loads(completion.text)
    assert email["subject"] == "A question about Casa Azul" and email["body"].startswith("Hi Ana,")
    assert completion.model == "@cf/meta/llama-3.1-8b-instruct" and completion.provider == "workers_ai"
    assert completion.input_tokens == len(f"sys\n{REQUEST.user}".split())
    ((model, inputs),) = ai.calls
    assert model == "@cf/meta/llama-3.1-8b-instruct"
    assert inputs == {
        "messages": [{"role": "system", "content": "sys"}, {"role": "user", "content": REQUEST.user}],
        "max_tokens": 64,
        "temperature": 0.7,
    }


@pytest.mark.parametrize(
    ("mode", "kind"),
    [
        ("rate_limited", FailureKind.RATE_LIMITED),
        ("error", FailureKind.SERVER),
        ("malformed", FailureKind.MALFORMED),
        ("timeout", FailureKind.TIMEOUT),
    ],
)
async def test_workers_ai_failures(mode: str, kind: FailureKind) -> None:
    ai = LocalWorkersAI([mode])
    caught = await fails(WorkersAiProvider("workers_ai", ai, "@cf/meta/llama-3.1-8b-instruct"), timeout_s=0.05)
    assert caught.kind is kind
    if mode == "rate_limited":
        assert "3040" in caught.detail


async def test_workers_ai_invalid_output_is_a_completion_and_an_unknown_model_is_a_server_failure() -> None:
    ai = LocalWorkersAI(["invalid_output"])
    provider = WorkersAiProvider("workers_ai", ai, "@cf/meta/llama-3.1-8b-instruct")
    assert "{{first_name}}" in json.loads((await provider.complete(REQUEST, timeout_s=5)).text)["body"]
    caught = await fails(WorkersAiProvider("workers_ai", ai, "llama-without-namespace"))
    assert caught.kind is FailureKind.SERVER and "5007" in caught.detail


async def test_workers_ai_without_a_binding_is_unavailable() -> None:
    assert (await fails(WorkersAiProvider("workers_ai", None, "@cf/x"))).kind is FailureKind.UNAVAILABLE


async def test_workers_ai_reply_as_a_js_proxy_is_converted() -> None:
    from pyodide.ffi import JsObject

    class ProxyBinding:
        async def run(self, model: str, inputs: Any) -> Any:
            return JsObject([("response", "Hi Ana, about Casa Azul"), ("usage", JsObject([("prompt_tokens", 3)]))])

    completion = await WorkersAiProvider("workers_ai", ProxyBinding(), "@cf/x").complete(REQUEST, timeout_s=1)
    assert completion.text == "Hi Ana, about Casa Azul" and completion.input_tokens == 3


async def test_local_workers_ai_refuses_bad_inputs_and_modes() -> None:
    ai = LocalWorkersAI()
    with pytest.raises(AiError, match="5006"):
        await ai.run("@cf/x", {"max_tokens": 5})
    with pytest.raises(ValueError, match="unknown fake modes"):
        ai.script(["unauthorized"])


def test_the_local_runtime_reads_the_ai_binding_from_wrangler_toml() -> None:
    assert load_config(ROOT).ai == "AI"


# -- WorkersFetch with an injected fetch ------------------------------------------------------------------------
class StubResponse:
    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self._body = body

    async def bytes(self) -> bytes:
        return self._body


async def test_workers_fetch_passes_the_request_and_lower_cases_headers() -> None:
    seen: list[tuple[str, dict[str, Any]]] = []

    async def fetch(url: str, **options: Any) -> StubResponse:
        seen.append((url, options))
        return StubResponse(503, [("Retry-After", "3"), ("X-Multi", "a"), ("x-multi", "b")], b"busy")

    answer = await WorkersFetch(fetch).request("post", "https://h.example/p", headers={"A": "1"}, timeout_s=1)
    assert (answer.status, answer.body, answer.text()) == (503, b"busy", "busy")
    assert answer.headers == {"retry-after": "3", "x-multi": "a, b"}
    assert seen == [("https://h.example/p", {"method": "POST", "headers": {"A": "1"}})]  # no body: none sent
    await WorkersFetch(fetch).request("PUT", "https://h.example/p", body=b"\x00", timeout_s=1)
    assert seen[-1][1]["body"] == b"\x00"


@pytest.mark.parametrize("error", [OSError("Failed to fetch"), TypeError("bad init"), RuntimeError("JsException")])
async def test_workers_fetch_maps_any_fetch_error_to_http_error(error: Exception) -> None:
    async def fetch(url: str, **options: Any) -> Any:
        raise error

    with pytest.raises(HttpError) as caught:
        await WorkersFetch(fetch).request("GET", "https://user:pw@h.example/p?api_key=zzz", timeout_s=1)
    assert not isinstance(caught.value, HttpTimeout)
    assert type(error).__name__ in str(caught.value)
    assert "zzz" not in str(caught.value) and "pw" not in str(caught.value)


async def test_workers_fetch_times_out_on_a_slow_body_and_never_swallows_cancellation() -> None:
    class SlowBody(StubResponse):
        async def bytes(self) -> bytes:
            await asyncio.Event().wait()
            return b""

    async def slow(url: str, **options: Any) -> StubResponse:
        return SlowBody(200, [], b"")

    with pytest.raises(HttpTimeout):
        await WorkersFetch(slow).request("GET", "https://h.example/", timeout_s=0.02)

    async def cancelled(url: str, **options: Any) -> Any:
        raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        await WorkersFetch(cancelled).request("GET", "https://h.example/", timeout_s=1)
