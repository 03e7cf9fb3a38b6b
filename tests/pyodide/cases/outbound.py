"""Outbound calls through our adapters, the real SDK and the JS mocks: `WorkersFetch` over the SDK's `workers.fetch`
(the mock global fetch answers with real `Response` objects) and `WorkersAiProvider` over the wrapped `Ai` binding.
(The ProviderBreaker object's payloads are pydantic models, which this tier cannot load offline: README, decision
0011; its RPC path is the one tests/pyodide/test_bindings.py proves for every object.)"""

from __future__ import annotations

from typing import Any

BASE = "https://api.jengu.mock"


def _response(response: Any) -> dict[str, Any]:
    return {
        "status": response.status,
        "headers": dict(response.headers),
        "body": list(response.body),
        "body_type": type(response.body).__name__,
    }


async def _failure(coro: Any) -> dict[str, Any]:
    try:
        await coro
    except Exception as exc:
        return {"type": type(exc).__name__, "mro": [c.__name__ for c in type(exc).__mro__], "message": str(exc)}
    return {"type": None}


async def fetch_adapter() -> dict[str, Any]:
    import json

    import jengu_mocks
    from runtime.workerd import calls

    from shared.adapters.http import WorkersFetch

    client = WorkersFetch()  # the SDK's workers.fetch, through shared.platform.cloudflare
    ok = await client.request("get", f"{BASE}/ok", headers={"Accept": "*/*", "X-Trace": "t-1"}, timeout_s=5)
    posted_bytes = await client.request(
        "POST", f"{BASE}/echo", headers={"Content-Type": "application/json"}, body='{"x":"é"}'.encode(), timeout_s=5
    )
    posted_text = await client.request("POST", f"{BASE}/echo", body='{"x":"é"}', timeout_s=5)
    unavailable = await client.request("GET", f"{BASE}/unavailable", timeout_s=5)
    empty = await client.request("DELETE", f"{BASE}/empty", timeout_s=5)
    rejected = await _failure(client.request("GET", f"{BASE}/reject?key=SECRET-IN-QUERY", timeout_s=5))
    slow = await _failure(client.request("GET", f"{BASE}/slow?key=SECRET-IN-QUERY", timeout_s=0.05))
    unmocked = await _failure(client.request("GET", "https://example.com/", timeout_s=5))
    return {
        "ok": _response(ok),
        "ok_header": ok.header("X-REQUEST-ID"),
        "posted_bytes": {**_response(posted_bytes), "json": posted_bytes.json()},
        "posted_text": posted_text.json(),
        "unavailable": {**_response(unavailable), "text": unavailable.text()},
        "empty": _response(empty),
        "rejected": rejected,
        "slow": slow,
        "unmocked": unmocked,
        "aborted": json.loads(jengu_mocks.abortedJson()),
        "calls": [c for c in calls() if c["binding"] == "fetch"],
    }


async def workers_ai() -> dict[str, Any]:
    import jengu_mocks
    from runtime.workerd import calls
    from workers import _EnvWrapper

    from shared.adapters.ai.workers_ai import WorkersAiProvider
    from shared.ports.ai import CompletionRequest, ProviderFailure

    models = jengu_mocks.AI_MODELS
    binding = _EnvWrapper(jengu_mocks.makeEnv()).AI
    request = CompletionRequest(system="You write to hoteliers.", user="Hotel Adler ✓", max_tokens=300, temperature=0.4)

    async def outcome(model: str, timeout_s: float = 5) -> dict[str, Any]:
        provider = WorkersAiProvider("workers_ai", binding, model)
        try:
            completion = await provider.complete(request, timeout_s=timeout_s)
        except ProviderFailure as failure:
            return {"failure": failure.kind.value, "detail": failure.detail}
        return {
            "text": completion.text,
            "provider": completion.provider,
            "model": completion.model,
            "tokens": [completion.input_tokens, completion.output_tokens],
        }

    results = {
        "ok": await outcome(models.ok),
        "capacity": await outcome(models.capacity),
        "broken": await outcome(models.broken),
        "malformed": await outcome(models.malformed),
        "slow": await outcome(models.slow, timeout_s=0.05),
        "no_binding": await _failure(WorkersAiProvider("workers_ai", None, models.ok).complete(request, timeout_s=1)),
        "binding_type": type(binding).__name__,
    }
    results["calls"] = [c for c in calls() if c["binding"] == "AI"]
    return results
