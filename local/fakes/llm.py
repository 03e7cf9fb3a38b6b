"""A fake LLM provider over real HTTP: the OpenAI/xAI chat-completions shape and the Anthropic Messages shape.

    server = FakeLlmServer(api_key="k"); await server.start()
    xAI / OpenAI-compatible base URL: f"{server.base_url}/v1"       Anthropic base URL: server.base_url
    server.script(["rate_limited", "success"])     # or POST /__fake/script with a JSON list, while `make dev` runs

Each provider request consumes one scripted mode (an empty script answers `success`):

    success         a deterministic cold email built from the prompt's "- key: value" facts, as JSON
                    {"subject", "body"} in the message text; a website question (the `LlmSiteSearch` prompt) is
                    answered from the World (`world`, else world.json): {"website": "https://www.<domain>/"} when
                    name and city match a hotel, the parked look-alike for a hotel with a parked trap, else null
    rate_limited    429, Retry-After: 7 (and the provider's own reset header)
    server_error    500
    timeout         no answer: the connection is held until stop() (or `hold_s`)
    malformed       200 with a body that is not JSON
    truncated       finish_reason "length" / stop_reason "max_tokens" with a cut-off text
    invalid_output  a well-formed answer whose email has "{{first_name}}" and a link that was not in the prompt
    unauthorized    401, echoing the presented key (adapters must redact it)

A wrong `Authorization: Bearer` / `x-api-key` answers 401 without consuming the script; Anthropic requests without
`anthropic-version` answer 400. `server.requests` records what arrived (path, headers without the key, JSON body,
the mode answered). `GET /__fake/requests` returns the same as JSON. The HTTP is local/fakes/graph.py's
MiniHttpServer (one request per connection, `Connection: close`): CPython only, never bundled.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from local.fakes.http import Answer, MiniHttpServer, Request, Script, json_answer
from local.fakes.world import World, load_world
from shared.adapters.search.llm_site import SITE_PROMPT_MARKER

MODES = (
    "success",
    "rate_limited",
    "server_error",
    "timeout",
    "malformed",
    "truncated",
    "invalid_output",
    "unauthorized",
)
RETRY_AFTER_S = 7
SECRET_HEADERS = frozenset({"authorization", "x-api-key"})


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names; Authorization and x-api-key left out
    body: Any  # the decoded JSON body (None when it was not JSON)
    mode: str  # what was answered: a mode, or "rejected_key" / "bad_request"


class ScriptQueue(Script):
    """Scripted modes, one consumed per request (an empty queue answers the first allowed, `success`), for the local
    Workers AI."""

    def __init__(self, modes: Iterable[str] = (), *, allowed: Iterable[str] = MODES) -> None:
        super().__init__(allowed)
        self.script(modes)

    def clear(self) -> None:
        self._modes.clear()


class FakeLlmServer(MiniHttpServer):
    def __init__(
        self,
        *,
        api_key: str = "fake-llm-key",
        host: str = "127.0.0.1",
        port: int = 0,
        hold_s: float = 60.0,
        world: World | None = None,
    ):
        super().__init__(MODES, host=host, port=port, hold_s=hold_s)
        self.api_key = api_key
        self.world = world
        self.requests: list[RecordedRequest] = []

    def pending(self) -> list[str]:
        return self.modes.pending()

    def control_error(self, message: str) -> Answer:
        return json_answer(400, {"error": {"message": message}})

    def request_log(self) -> Any:
        return [asdict(r) for r in self.requests]

    def route(self, request: Request) -> Answer | None:  # None: the timeout mode holds the connection
        method, path, headers, body = request.method, request.path, request.headers, request.json()
        if path == "/v1/chat/completions" and method == "POST":
            return self._provider(OPENAI, path, headers, body, method)
        if path == "/v1/messages" and method == "POST":
            return self._provider(ANTHROPIC, path, headers, body, method)
        return json_answer(404, {"error": {"message": f"no route {method} {path}"}})

    def _provider(self, shape: _Shape, path: str, headers: dict[str, str], body: Any, method: str) -> Answer | None:
        visible = {k: v for k, v in headers.items() if k not in SECRET_HEADERS}
        presented = shape.presented_key(headers)
        if presented != self.api_key:
            self.requests.append(RecordedRequest(method, path, visible, body, "rejected_key"))
            return shape.error(401, "authentication_error", f"Incorrect API key provided: {presented}")
        problem = shape.bad_request(headers, body)
        if problem is not None:
            self.requests.append(RecordedRequest(method, path, visible, body, "bad_request"))
            return shape.error(400, "invalid_request_error", problem)
        mode = self.modes.next()
        self.requests.append(RecordedRequest(method, path, visible, body, mode))
        if mode == "success" and SITE_PROMPT_MARKER in prompt_text(body):
            self.world = self.world or load_world()
            text = website_answer(prompt_text(body), self.world)
            return json_answer(200, shape.completion(body, text, truncated=False))
        return shape.answer(mode, body, presented)


# -- the two wire shapes -------------------------------------------------------------------------------------------
class _Shape:
    def presented_key(self, headers: Mapping[str, str]) -> str:
        raise NotImplementedError

    def bad_request(self, headers: Mapping[str, str], body: Any) -> str | None:
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list) or not body["messages"]:
            return "the body must be a JSON object with a non-empty `messages` list"
        if not isinstance(body.get("model"), str):
            return "`model` is required"
        return None

    def completion(self, body: dict[str, Any], text: str, *, truncated: bool) -> dict[str, Any]:
        raise NotImplementedError

    def error(self, status: int, kind: str, message: str, headers: dict[str, str] | None = None) -> Answer:
        raise NotImplementedError

    def reset_headers(self) -> dict[str, str]:
        return {}

    def answer(self, mode: str, body: dict[str, Any], presented: str) -> Answer | None:
        prompt = prompt_text(body)
        if mode == "success":
            return json_answer(200, self.completion(body, json.dumps(fake_email(prompt)), truncated=False))
        if mode == "invalid_output":
            return json_answer(200, self.completion(body, json.dumps(invalid_email(prompt)), truncated=False))
        if mode == "truncated":
            text = json.dumps(fake_email(prompt))[:40]
            return json_answer(200, self.completion(body, text, truncated=True))
        if mode == "rate_limited":
            headers = {"retry-after": str(RETRY_AFTER_S), **self.reset_headers()}
            return self.error(429, "rate_limit_error", "Rate limit reached for requests", headers)
        if mode == "server_error":
            return self.error(500, "api_error", "The server had an error while processing your request")
        if mode == "malformed":
            return Answer(200, b'{"id": "broken", "choices": [{"message": ', {"content-type": "application/json"})
        if mode == "unauthorized":
            return self.error(401, "authentication_error", f"Incorrect API key provided: {presented}")
        return None  # timeout: held unanswered


class _OpenAiShape(_Shape):
    def presented_key(self, headers: Mapping[str, str]) -> str:
        value = headers.get("authorization", "")
        return value[len("Bearer ") :] if value.startswith("Bearer ") else value

    def completion(self, body: dict[str, Any], text: str, *, truncated: bool) -> dict[str, Any]:
        prompt_tokens = len(prompt_text(body).split())
        completion_tokens = len(text.split())
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": 0,
            "model": body["model"],
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text, "refusal": None},
                    "finish_reason": "length" if truncated else "stop",
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }

    def error(self, status: int, kind: str, message: str, headers: dict[str, str] | None = None) -> Answer:
        return json_answer(status, {"error": {"message": message, "type": kind, "code": None}}, headers)

    def reset_headers(self) -> dict[str, str]:
        return {"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": f"{RETRY_AFTER_S}s"}


class _AnthropicShape(_Shape):
    def presented_key(self, headers: Mapping[str, str]) -> str:
        return headers.get("x-api-key", "")

    def bad_request(self, headers: Mapping[str, str], body: Any) -> str | None:
        if not headers.get("anthropic-version"):
            return "anthropic-version: header is required"
        problem = super().bad_request(headers, body)
        if problem is None and not isinstance(body.get("max_tokens"), int):
            return "max_tokens: Field required"
        return problem

    def completion(self, body: dict[str, Any], text: str, *, truncated: bool) -> dict[str, Any]:
        return {
            "id": "msg_fake",
            "type": "message",
            "role": "assistant",
            "model": body["model"],
            "content": [{"type": "text", "text": text}],
            "stop_reason": "max_tokens" if truncated else "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": len(prompt_text(body).split()), "output_tokens": len(text.split())},
        }

    def error(self, status: int, kind: str, message: str, headers: dict[str, str] | None = None) -> Answer:
        return json_answer(status, {"type": "error", "error": {"type": kind, "message": message}}, headers)

    def reset_headers(self) -> dict[str, str]:
        return {"anthropic-ratelimit-requests-remaining": "0"}


OPENAI = _OpenAiShape()
ANTHROPIC = _AnthropicShape()


# -- the email the fake writes -------------------------------------------------------------------------------------
def prompt_text(body: Any) -> str:
    """Every text the request carries (system and messages, string or block content), joined by newlines."""
    if not isinstance(body, dict):
        return ""
    parts: list[str] = []
    if isinstance(body.get("system"), str):
        parts.append(body["system"])
    for message in body.get("messages") or []:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):
            parts += [b["text"] for b in content if isinstance(b, dict) and isinstance(b.get("text"), str)]
    return "\n".join(parts)


def prompt_facts(prompt: str) -> dict[str, str]:
    """The "- key: value" lines of a prompt, keyed in snake case both by the whole key ("sender.name" ->
    "sender_name") and by its last dotted part ("name"; the first line with that part wins)."""
    facts: dict[str, str] = {}
    for line in prompt.splitlines():
        stripped = line.strip()
        if not stripped.startswith("- ") or ":" not in stripped:
            continue
        key, _, value = stripped[2:].partition(":")
        name = key.strip().lower().replace(" ", "_")
        if not name or not value.strip():
            continue
        for alias in (name.replace(".", "_"), name.split(".")[-1]):
            facts.setdefault(alias, value.strip())
    return facts


def fake_email(prompt: str) -> dict[str, str]:
    """A plain, valid cold email that uses only the prompt's facts: first name, property or company, city."""
    facts = prompt_facts(prompt)
    first = _fact(facts, "first_name") or _fact(facts, "contact_name").split(" ")[0] or "there"
    place = _fact(facts, "property_name") or _fact(facts, "company_name") or "your hotel"
    city = _fact(facts, "city")
    where = f"{place} in {city}" if city else place
    sender = facts.get("sender_name")
    closing = f"Kind regards,\n{sender}" if sender else "Kind regards"
    body = (
        f"Hi {first},\n\n"
        f"I was reading about {where} and wondered how your team handles guest questions before arrival. "
        "We help independent hotels answer them quickly, so the front desk has more time for the guests in front "
        "of them.\n\n"
        f"Would a short call next week be useful to see whether this fits {place}?\n\n"
        f"{closing}"
    )
    return {"subject": f"A question about {place}", "body": body}


def _fact(facts: Mapping[str, str], name: str) -> str:
    """The fact named `name`, or one whose key ends with it ("recipient_first_name"), never the sender's."""
    if name in facts:
        return facts[name]
    for key, value in facts.items():
        if key.endswith(f"_{name}") and not key.startswith("sender"):
            return value
    return ""


def invalid_email(prompt: str) -> dict[str, str]:
    """Well-formed, but fails validation: an unrendered placeholder and a link the prompt never gave."""
    email = fake_email(prompt)
    body = email["body"].replace("Hi ", "Hi {{first_name}} / ", 1)
    return {"subject": email["subject"], "body": f"{body}\n\nSee https://offers.unrelated-example.net/deal"}


def website_answer(prompt: str, world: World) -> str:
    """The JSON a careful model gives to a website question: the hotel's own site when the prompt's name and city
    match a World hotel (its parked look-alike when the World has one: a confident hallucination), else null."""
    from local.fakes.search import fold

    facts = prompt_facts(prompt)
    name, city = fold(facts.get("property_name", "")), fold(facts.get("city", ""))
    hotel = next((h for h in world.hotels if name and city and fold(h.name) == name and fold(h.city) == city), None)
    if hotel is None:
        return json.dumps({"website": None})
    parked = next((t.url for t in world.traps if t.for_hotel == hotel.name and t.kind == "parked"), None)
    return json.dumps({"website": parked or f"https://www.{hotel.domain}/"})
