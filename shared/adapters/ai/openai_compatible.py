"""Any OpenAI-compatible chat endpoint (xAI Grok, OpenAI, Groq, Cloudflare AI Gateway, a self-hosted model):
`POST {base_url}/chat/completions` with a Bearer key.

A 200 answer must carry `choices[0].message.content` (non-empty text): `finish_reason` "length" is TRUNCATED,
"content_filter" or a `message.refusal` is REFUSED; any other shape is MALFORMED. HTTP failures: see `_wire`.
"""

from __future__ import annotations

from typing import Any

from shared.adapters.ai._wire import HttpProvider, redact, token_count, usage_of
from shared.ports.ai import Completion, CompletionRequest, FailureKind, ProviderFailure


class OpenAiCompatibleProvider(HttpProvider):
    PATH = "/chat/completions"

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
        data = await self._post(headers, payload, timeout_s)
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
