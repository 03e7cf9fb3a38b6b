"""Anthropic's Messages API: `POST {base_url}/v1/messages` with `x-api-key` and `anthropic-version: 2023-06-01`.

A 200 answer must be `{"type": "message", "content": [{"type": "text", "text": ...}, ...]}` with non-empty text
(the text blocks are joined): `stop_reason` "max_tokens" is TRUNCATED, "refusal" is REFUSED; any other shape is
MALFORMED. HTTP failures (529 "overloaded" is a 5xx, hence SERVER): see `_wire`.
"""

from __future__ import annotations

from typing import Any

from shared.adapters.ai._wire import current_time, post_json, token_count, usage_of
from shared.ports.ai import Completion, CompletionRequest, FailureKind, ProviderFailure
from shared.ports.http import HttpClient
from shared.ports.runtime import Clock

ANTHROPIC_VERSION = "2023-06-01"


class AnthropicProvider:
    def __init__(
        self, name: str, base_url: str, api_key: str, model: str, http: HttpClient, *, clock: Clock | None = None
    ) -> None:
        self._name = name
        self._url = base_url.rstrip("/") + "/v1/messages"
        self._key = api_key
        self._model = model
        self._http = http
        self._clock = clock

    @property
    def name(self) -> str:
        return self._name

    def __repr__(self) -> str:  # never the key
        return f"AnthropicProvider(name={self._name!r}, url={self._url!r}, model={self._model!r})"

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
        data, _ = await post_json(
            self._http, self._url, headers=headers, payload=payload, timeout_s=timeout_s, secret=self._key,
            now=current_time(self._clock),
        )  # fmt: skip
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
