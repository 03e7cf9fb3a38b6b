"""Every fake mode x every HTTP provider, over real HTTP: FakeLlmServer on 127.0.0.1, reached through the real
`WorkersFetch` adapter and the local `workers.fetch` stand-in (httpx), exactly the path production takes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from local.fakes.llm import RETRY_AFTER_S, FakeLlmServer, prompt_facts
from shared.adapters.ai.anthropic import AnthropicProvider
from shared.adapters.ai.openai_compatible import OpenAiCompatibleProvider
from shared.adapters.http import WorkersFetch
from shared.ports.ai import AiProvider, Completion, CompletionRequest, FailureKind, ProviderFailure
from shared.ports.http import HttpError, HttpTimeout

KEY = "sk-fake-0123456789abcdef0123456789"
PROMPT = CompletionRequest(
    system='You write short, plain-text cold emails. Answer as JSON {"subject": ..., "body": ...}.',
    user="Facts:\n- prospect.first_name: Amélie\n- prospect.property_name: Hôtel du Lac\n- prospect.city: Annecy\n"
    "- sender.name: Jonas Berg\n",
    max_tokens=300,
)
PROVIDERS = ["xai", "anthropic", "openai"]


@pytest.fixture
async def server() -> AsyncIterator[FakeLlmServer]:
    fake = FakeLlmServer(api_key=KEY, hold_s=30)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


def provider(kind: str, server: FakeLlmServer, *, key: str = KEY) -> AiProvider:
    http = WorkersFetch()
    if kind == "anthropic":
        return AnthropicProvider("anthropic", server.base_url, key, "claude-fake", http)
    return OpenAiCompatibleProvider(kind, f"{server.base_url}/v1", key, f"{kind}-fake-model", http)


async def failure(p: AiProvider, *, timeout_s: float = 5.0) -> ProviderFailure:
    with pytest.raises(ProviderFailure) as caught:
        await p.complete(PROMPT, timeout_s=timeout_s)
    assert KEY not in str(caught.value) and KEY[:12] not in str(caught.value)
    return caught.value


@pytest.mark.parametrize("kind", PROVIDERS)
async def test_success_is_a_completion_built_from_the_prompt_facts(server: FakeLlmServer, kind: str) -> None:
    server.script(["success"])
    completion = await provider(kind, server).complete(PROMPT, timeout_s=5)
    assert isinstance(completion, Completion)
    assert completion.provider == kind
    assert completion.model == ("claude-fake" if kind == "anthropic" else f"{kind}-fake-model")
    email = json.loads(completion.text)
    assert email["subject"] == "A question about Hôtel du Lac"
    assert email["body"].startswith("Hi Amélie,")
    assert "Hôtel du Lac in Annecy" in email["body"]
    assert email["body"].endswith("Jonas Berg")
    assert "{" not in email["body"] and "http" not in email["body"]
    assert completion.input_tokens == len(f"{PROMPT.system}\n{PROMPT.user}".split())
    assert completion.output_tokens == len(completion.text.split())


@pytest.mark.parametrize("kind", PROVIDERS)
async def test_an_empty_script_answers_success_and_answers_are_deterministic(server: FakeLlmServer, kind: str) -> None:
    p = provider(kind, server)
    first = await p.complete(PROMPT, timeout_s=5)
    second = await p.complete(PROMPT, timeout_s=5)
    assert first.text == second.text
    assert [r.mode for r in server.requests] == ["success", "success"]


@pytest.mark.parametrize("kind", PROVIDERS)
async def test_rate_limited_carries_retry_after(server: FakeLlmServer, kind: str) -> None:
    server.script(["rate_limited"])
    caught = await failure(provider(kind, server))
    assert caught.kind is FailureKind.RATE_LIMITED
    assert caught.retry_after_s == RETRY_AFTER_S
    assert "429" in caught.detail


@pytest.mark.parametrize("kind", PROVIDERS)
@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("server_error", FailureKind.SERVER),
        ("malformed", FailureKind.MALFORMED),
        ("truncated", FailureKind.TRUNCATED),
        ("unauthorized", FailureKind.AUTH),
    ],
)
async def test_each_failure_mode_maps_to_its_kind(
    server: FakeLlmServer, kind: str, mode: str, expected: FailureKind
) -> None:
    server.script([mode])
    caught = await failure(provider(kind, server))
    assert caught.kind is expected
    assert caught.retry_after_s is None
    assert [r.mode for r in server.requests] == [mode]


@pytest.mark.parametrize("kind", PROVIDERS)
async def test_the_key_the_server_echoes_on_401_is_redacted(server: FakeLlmServer, kind: str) -> None:
    server.script(["unauthorized"])
    caught = await failure(provider(kind, server))
    assert "Incorrect API key provided" in caught.detail
    assert "[redacted]" in caught.detail


@pytest.mark.parametrize("kind", PROVIDERS)
async def test_a_wrong_key_is_refused_without_consuming_the_script(server: FakeLlmServer, kind: str) -> None:
    server.script(["success"])
    wrong = "sk-wrong-key-ffffffffffffffffffff"
    with pytest.raises(ProviderFailure) as caught:
        await provider(kind, server, key=wrong).complete(PROMPT, timeout_s=5)
    assert caught.value.kind is FailureKind.AUTH
    assert wrong not in str(caught.value)
    assert server.pending() == ["success"]
    assert server.requests[-1].mode == "rejected_key"


@pytest.mark.parametrize("kind", PROVIDERS)
async def test_timeout_is_reported_within_the_client_timeout(server: FakeLlmServer, kind: str) -> None:
    server.script(["timeout", "success"])
    p = provider(kind, server)
    caught = await failure(p, timeout_s=0.3)
    assert caught.kind is FailureKind.TIMEOUT
    assert (await p.complete(PROMPT, timeout_s=5)).text  # the next request is answered: the script moved on


@pytest.mark.parametrize("kind", PROVIDERS)
async def test_invalid_output_is_a_well_formed_completion_for_validation_to_reject(
    server: FakeLlmServer, kind: str
) -> None:
    server.script(["invalid_output"])
    completion = await provider(kind, server).complete(PROMPT, timeout_s=5)
    body = json.loads(completion.text)["body"]
    assert "{{first_name}}" in body
    assert "https://offers.unrelated-example.net/deal" in body


@pytest.mark.parametrize("kind", PROVIDERS)
async def test_a_refused_connection_is_a_server_failure(kind: str) -> None:
    closed = FakeLlmServer(api_key=KEY)
    await closed.start()
    await closed.stop()  # the port is free again: nothing listens
    caught = await failure(provider(kind, closed))
    assert caught.kind is FailureKind.SERVER


async def test_requests_record_the_wire_shape_without_the_key(server: FakeLlmServer) -> None:
    await provider("xai", server).complete(PROMPT, timeout_s=5)
    await provider("anthropic", server).complete(PROMPT, timeout_s=5)
    openai_request, anthropic_request = server.requests
    assert openai_request.path == "/v1/chat/completions"
    assert openai_request.body["messages"] == [
        {"role": "system", "content": PROMPT.system},
        {"role": "user", "content": PROMPT.user},
    ]
    assert openai_request.body["max_tokens"] == 300
    assert anthropic_request.path == "/v1/messages"
    assert anthropic_request.headers["anthropic-version"] == "2023-06-01"
    assert anthropic_request.body["system"] == PROMPT.system
    assert anthropic_request.body["messages"] == [{"role": "user", "content": PROMPT.user}]
    for recorded in server.requests:
        assert "authorization" not in recorded.headers and "x-api-key" not in recorded.headers
        assert KEY not in json.dumps(recorded.headers)


async def test_the_script_can_be_set_over_http_while_running(server: FakeLlmServer) -> None:
    http = WorkersFetch()
    answer = await http.request(
        "POST", f"{server.base_url}/__fake/script", body=json.dumps(["server_error", "success"]), timeout_s=5
    )
    assert answer.status == 200 and answer.json() == {"pending": ["server_error", "success"]}
    bad = await http.request("POST", f"{server.base_url}/__fake/script", body='["explode"]', timeout_s=5)
    assert bad.status == 400 and "explode" in bad.json()["error"]["message"]
    caught = await failure(provider("openai", server))
    assert caught.kind is FailureKind.SERVER
    recorded = await http.request("GET", f"{server.base_url}/__fake/requests", timeout_s=5)
    assert [r["mode"] for r in recorded.json()] == ["server_error"]


async def test_workers_fetch_answers_statuses_headers_and_bytes(server: FakeLlmServer) -> None:
    server.script(["rate_limited"])
    answer = await WorkersFetch().request(
        "POST",
        f"{server.base_url}/v1/chat/completions",
        headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"},
        body=json.dumps({"model": "m", "messages": [{"role": "user", "content": "hi"}]}).encode(),
        timeout_s=5,
    )
    assert answer.status == 429
    assert answer.header("Retry-After") == "7" and answer.headers["retry-after"] == "7"
    assert all(name == name.lower() for name in answer.headers)
    assert isinstance(answer.body, bytes) and answer.json()["error"]["type"] == "rate_limit_error"


async def test_workers_fetch_timeout_and_refused_connection(server: FakeLlmServer) -> None:
    server.script(["timeout"])
    body: dict[str, Any] = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    with pytest.raises(HttpTimeout):
        await WorkersFetch().request(
            "POST",
            f"{server.base_url}/v1/chat/completions",
            headers={"authorization": f"Bearer {KEY}"},
            body=json.dumps(body),
            timeout_s=0.2,
        )
    closed = FakeLlmServer()
    await closed.start()
    await closed.stop()
    with pytest.raises(HttpError) as caught:
        await WorkersFetch().request("GET", f"{closed.base_url}/x?token=secret", timeout_s=5)
    assert not isinstance(caught.value, HttpTimeout)
    assert "secret" not in str(caught.value)


def test_prompt_facts_read_the_fact_lines() -> None:
    facts = prompt_facts(PROMPT.user)
    assert facts["first_name"] == "Amélie" and facts["prospect_first_name"] == "Amélie"
    assert facts["sender_name"] == "Jonas Berg"


@pytest.mark.parametrize("kind", PROVIDERS)
async def test_the_fake_answers_real_prompts_with_drafts_validation_accepts_or_rejects(
    server: FakeLlmServer, kind: str
) -> None:
    from shared.domain.composition.context import build_context
    from shared.domain.composition.output import parse_completion
    from shared.domain.composition.prompts import build_prompt
    from shared.domain.composition.validation import validate_draft

    context = build_context(
        {"first_name": "Amélie", "property_name": "Hôtel du Lac", "city": "Annecy", "country": "FR"},
        {"name": "Jonas Berg", "email": "jonas@jengu.example"},
        {"name": "Spring"},
    )
    prompt = build_prompt(
        strategy="curiosity_value", custom_template=None, context=context, language=None, step=1, previous_subject=None
    )
    request = CompletionRequest(system=prompt.system, user=prompt.user)
    server.script(["success", "invalid_output"])
    p = provider(kind, server)
    good = parse_completion((await p.complete(request, timeout_s=5)).text)
    assert validate_draft(*good, context=context) == []
    assert "Amélie" in good[1] and "Hôtel du Lac" in good[1]
    bad = parse_completion((await p.complete(request, timeout_s=5)).text)
    assert {problem.code for problem in validate_draft(*bad, context=context)} >= {"placeholder", "foreign_link"}
