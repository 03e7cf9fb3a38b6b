"""The local `AI` binding (wrangler.toml `[ai]`): `await env.AI.run(model, inputs)` answering like Workers AI,
`{"response": "...", "usage": {"prompt_tokens", "completion_tokens", "total_tokens"}}`.

Scriptable like the HTTP fake (`ai.script(["error", "success"])`, one mode per call, success when empty):

    success         the same deterministic cold email as local/fakes/llm.py, as JSON {"subject", "body"}; a website
                    lookup (the enrichment finder's prompt) is answered from the offline World instead
    rate_limited    raises "AiError: 3040: Capacity temporarily exceeded, please try again."
    error           raises "AiError: 3043: Internal server error"
    malformed       answers an object without `response`
    timeout         never answers (until `release()`): callers bound the call with their own timeout
    invalid_output  an email with "{{first_name}}" and a link that was not in the prompt

A model name outside Workers AI's catalogue form (`@cf/...`, `@hf/...`) raises error 5007 as the binding does, and
inputs without `messages` (or `prompt`) raise 5006. Errors are `pyodide.ffi.JsException` subclasses, as in production.
`calls` records every `(model, inputs)`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Mapping
from typing import Any

from pyodide.ffi import JsException

from local.fakes.llm import ScriptQueue, fake_email, invalid_email, website_answer
from local.fakes.world import load_world
from shared.adapters.search.llm_site import SITE_PROMPT_MARKER

WORKERS_AI_MODES = ("success", "rate_limited", "error", "malformed", "timeout", "invalid_output")


class AiError(JsException):
    """What a failed `env.AI.run` raises: the message carries Workers AI's numeric code first."""


class LocalWorkersAI:
    def __init__(self, modes: Iterable[str] = ()) -> None:
        self._script = ScriptQueue(modes, allowed=WORKERS_AI_MODES)
        self._release = asyncio.Event()
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def script(self, modes: Iterable[str]) -> None:
        self._script.script(modes)

    def release(self) -> None:
        """Let calls held by `timeout` return (with an error, as an aborted call would)."""
        self._release.set()

    async def run(self, model: str, inputs: Any, options: Any = None) -> dict[str, Any]:
        plain = _plain(inputs)
        self.calls.append((model, plain))
        if not isinstance(model, str) or not model.startswith(("@cf/", "@hf/")):
            raise AiError(f"AiError: 5007: No such model {model} or task")
        messages = plain.get("messages")
        if not (isinstance(messages, list) and messages) and not isinstance(plain.get("prompt"), str):
            raise AiError("AiError: 5006: Error: required properties at '/' are 'messages' or 'prompt'")
        prompt = _prompt(plain)
        mode = self._script.next()
        if mode == "rate_limited":
            raise AiError("AiError: 3040: Capacity temporarily exceeded, please try again.")
        if mode == "error":
            raise AiError("AiError: 3043: Internal server error")
        if mode == "timeout":
            await self._release.wait()
            raise AiError("AiError: 3046: Request timeout")
        if mode == "malformed":
            return {"result": None, "success": True}
        if mode == "success" and SITE_PROMPT_MARKER in prompt:
            text = website_answer(prompt, load_world())
        else:
            text = json.dumps(invalid_email(prompt) if mode == "invalid_output" else fake_email(prompt))
        prompt_tokens, completion_tokens = len(prompt.split()), len(text.split())
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        }
        return {"response": text, "usage": usage}


def _plain(inputs: Any) -> dict[str, Any]:
    """The inputs as the JS side sees them: a mapping (the SDK converts dicts) or a JS object."""
    to_py = getattr(inputs, "to_py", None)
    if callable(to_py):
        inputs = to_py()
    if not isinstance(inputs, Mapping):
        raise AiError(f"AiError: 5006: Error: the input must be an object, got {type(inputs).__name__}")
    return dict(inputs)


def _prompt(inputs: Mapping[str, Any]) -> str:
    if isinstance(inputs.get("prompt"), str):
        return str(inputs["prompt"])
    parts = [
        m["content"] for m in inputs.get("messages", []) if isinstance(m, dict) and isinstance(m.get("content"), str)
    ]
    return "\n".join(parts)
