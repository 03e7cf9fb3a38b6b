"""Any OpenAI-compatible chat endpoint (xAI Grok, OpenAI, Groq, Cloudflare AI Gateway, a self-hosted model):
`POST {base_url}/chat/completions` with a Bearer key.

A 200 answer must carry `choices[0].message.content` (non-empty text): `finish_reason` "length" is TRUNCATED,
"content_filter" or a `message.refusal` is REFUSED; any other shape is MALFORMED. HTTP failures: see `_wire`.
"""

from __future__ import annotations

from typing import Any

from shared.adapters.ai._wire import current_time, post_json, redact, token_count, usage_of
from shared.ports.ai import Completion, CompletionRequest, FailureKind, ProviderFailure
from shared.ports.http import HttpClient
from shared.ports.runtime import Clock


class OpenAiCompatibleProvider:
    def __init__(
        self, name: str, base_url: str, api_key: str, model: str, http: HttpClient, *, clock: Clock | None = None
    ) -> None:
        self._name = name
        self._url = base_url.rstrip("/") + "/chat/completions"
        self._key = api_key
        self._model = model
        self._http = http
        self._clock = clock

    @property
    def name(self) -> str:
        return self._name

    def __repr__(self) -> str:  # never the key
        return f"OpenAiCompatibleProvider(name={self._name!r}, url={self._url!r}, model={self._model!r})"

    async def complete(self, request: CompletionRequest, *, timeout_s: float) -> Completion:
        payload = {
            "model": self._model,
            "messages": [
                {"role": "system", "content": request.system},
                {"role": "user", "content": request.user},
            ],
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
        }
        headers = {
            "authorization": f"Bearer {self._key}",
            "content-type": "application/json",
            "accept": "application/json",
        }
        data, _ = await post_json(
            self._http, self._url, headers=headers, payload=payload, timeout_s=timeout_s, secret=self._key,
            now=current_time(self._clock),
        )  # fmt: skip
        return self._completion(data)

    def _completion(self, data: Any) -> Completion:
        choice = _first_choice(data)
        message = choice.get("message")
        if not isinstance(message, dict):
            raise ProviderFailure(FailureKind.MALFORMED, "choices[0].message is missing")
        finish = choice.get("finish_reason")
        refusal = message.get("refusal")
        if finish == "content_filter" or (isinstance(refusal, str) and refusal.strip()):
            detail = refusal if isinstance(refusal, str) and refusal.strip() else "finish_reason content_filter"
            raise ProviderFailure(FailureKind.REFUSED, redact(f"the model refused: {detail[:200]}", self._key))
        if finish == "length":
            raise ProviderFailure(FailureKind.TRUNCATED, "finish_reason length: the model hit max_tokens")
        content = message.get("content")
        if not isinstance(content, str):
            raise ProviderFailure(FailureKind.MALFORMED, "choices[0].message.content is not text")
        if not content.strip():
            raise ProviderFailure(FailureKind.MALFORMED, "the model answered with empty text")
        usage = usage_of(data)
        model = data.get("model")
        return Completion(
            text=content,
            provider=self._name,
            model=model if isinstance(model, str) and model else self._model,
            input_tokens=token_count(usage.get("prompt_tokens")),
            output_tokens=token_count(usage.get("completion_tokens")),
        )


def _first_choice(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ProviderFailure(FailureKind.MALFORMED, "the body is not a JSON object")
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise ProviderFailure(FailureKind.MALFORMED, "no choices in the answer")
    return choices[0]
