"""Cloudflare Workers AI through the `AI` binding: `await env.AI.run(model, {"messages": [...], "max_tokens": n})`
answers `{"response": "...", "usage": {...}}`.

The SDK wraps the `Ai` binding (constructor name on its wrap list), so a Python dict crosses as a plain JS object and
the reply comes back as a dict (`JsDict`); a raw JsProxy reply is converted with `to_py()` all the same. Failures:

    no binding                                    -> UNAVAILABLE
    no reply within the timeout                   -> TIMEOUT
    run() raises, message has "3040"/"Capacity"   -> RATE_LIMITED (Workers AI's "Capacity temporarily exceeded")
    run() raises anything else                    -> SERVER
    reply without a non-empty `response` text     -> MALFORMED
"""

from __future__ import annotations

import asyncio
from typing import Any

from shared.adapters.ai._wire import token_count, usage_of
from shared.ports.ai import Completion, CompletionRequest, FailureKind, ProviderFailure

_RATE_LIMIT_MARKERS = ("3040", "capacity", "rate limit")


class WorkersAiProvider:
    def __init__(self, name: str, binding: Any, model: str) -> None:
        self._name = name
        self._binding = binding
        self._model = model

    @property
    def name(self) -> str:
        return self._name

    def __repr__(self) -> str:
        return f"WorkersAiProvider(name={self._name!r}, model={self._model!r})"

    async def complete(self, request: CompletionRequest, *, timeout_s: float) -> Completion:
        if self._binding is None:
            raise ProviderFailure(FailureKind.UNAVAILABLE, 'no Workers AI binding (add [ai] binding = "AI")')
        inputs = {
            "messages": [
                {"role": "system", "content": request.system},
                {"role": "user", "content": request.user},
            ],
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
        }
        try:
            reply = await asyncio.wait_for(self._binding.run(self._model, inputs), timeout_s)
        except TimeoutError:
            raise ProviderFailure(FailureKind.TIMEOUT, f"no answer within {timeout_s:g} s") from None
        except Exception as exc:  # a JsException (or the local emulator's) from run()
            message = _first_line(exc)
            kind = FailureKind.RATE_LIMITED if _is_rate_limit(message) else FailureKind.SERVER
            raise ProviderFailure(kind, f"{type(exc).__name__}: {message}") from None
        return self._completion(_plain(reply))

    def _completion(self, reply: Any) -> Completion:
        if not isinstance(reply, dict):
            raise ProviderFailure(FailureKind.MALFORMED, f"the reply is a {type(reply).__name__}, not an object")
        text = reply.get("response")
        if not isinstance(text, str):
            raise ProviderFailure(FailureKind.MALFORMED, "the reply has no `response` text")
        if not text.strip():
            raise ProviderFailure(FailureKind.MALFORMED, "the model answered with empty text")
        usage = usage_of(reply)
        return Completion(
            text=text,
            provider=self._name,
            model=self._model,
            input_tokens=token_count(usage.get("prompt_tokens")),
            output_tokens=token_count(usage.get("completion_tokens")),
        )


def _plain(reply: Any) -> Any:
    to_py = getattr(reply, "to_py", None)
    if callable(to_py) and not isinstance(reply, dict):
        try:
            return to_py()
        except Exception:
            return reply
    return reply


def _is_rate_limit(message: str) -> bool:
    folded = message.casefold()
    return any(marker in folded for marker in _RATE_LIMIT_MARKERS)


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:200] if lines else "(no message)"
