"""Anthropic's Messages API: `POST {base_url}/v1/messages` with `x-api-key` and `anthropic-version: 2023-06-01`.

A 200 answer must be `{"type": "message", "content": [{"type": "text", "text": ...}, ...]}` with non-empty text
(the text blocks are joined): `stop_reason` "max_tokens" is TRUNCATED, "refusal" is REFUSED; any other shape is
MALFORMED. HTTP failures (529 "overloaded" is a 5xx, hence SERVER): see `_wire`.
"""

from __future__ import annotations

from typing import Any

from shared.adapters.ai._wire import HttpProvider, token_count, usage_of
from shared.ports.ai import Completion, CompletionRequest, FailureKind, ProviderFailure

ANTHROPIC_VERSION = "2023-06-01"


class AnthropicProvider(HttpProvider):
    PATH = "/v1/messages"

    async def complete(self, request: CompletionRequest, *, timeout_s: float) -> Completion:
        payload = {
            "model": self._model,
            "max_tokens": request.max_tokens,
            "system": request.system,
            "messages": [{"role": "user", "content": request.user}],
            "temperature": request.temperature,
        }
        headers = {
            "x-api-key": self._key,
            "anthropic-version": ANTHROPIC_VERSION,
            "content-type": "application/json",
            "accept": "application/json",
        }
        data = await self._post(headers, payload, timeout_s)
        return self._completion(data)

    def _completion(self, data: Any) -> Completion:
        if not isinstance(data, dict) or data.get("type", "message") != "message":
            raise ProviderFailure(FailureKind.MALFORMED, "the body is not a message object")
        stop = data.get("stop_reason")
        if stop == "refusal":
            raise ProviderFailure(FailureKind.REFUSED, "stop_reason refusal: the model declined")
        if stop == "max_tokens":
            raise ProviderFailure(FailureKind.TRUNCATED, "stop_reason max_tokens: the model hit max_tokens")
        blocks = data.get("content")
        if not isinstance(blocks, list):
            raise ProviderFailure(FailureKind.MALFORMED, "content is not a list of blocks")
        texts: list[str] = []
        for block in blocks:
            if isinstance(block, dict) and block.get("type") == "text":
                piece = block.get("text")
                if not isinstance(piece, str):
                    raise ProviderFailure(FailureKind.MALFORMED, "a text block's text is not a string")
                texts.append(piece)
        text = "".join(texts)
        if not text.strip():
            raise ProviderFailure(FailureKind.MALFORMED, "the model answered with empty text")
        usage = usage_of(data)
        model = data.get("model")
        return Completion(
            text=text,
            provider=self._name,
            model=model if isinstance(model, str) and model else self._model,
            input_tokens=token_count(usage.get("input_tokens")),
            output_tokens=token_count(usage.get("output_tokens")),
        )
