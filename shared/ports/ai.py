"""The AI providers the composition gateway tries in order (xAI, Anthropic, any OpenAI-compatible endpoint, Workers AI).

Each adapter turns its provider's answer into a `Completion` or raises `ProviderFailure` with one `FailureKind`, so the
gateway decides what to do (fall through, open the breaker, back off) without knowing any provider's wire format.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class FailureKind(StrEnum):
    RATE_LIMITED = "rate_limited"  # 429 (retry_after_s when the provider said)
    SERVER = "server"  # 5xx, or a connection failure
    TIMEOUT = "timeout"  # no complete answer in time
    MALFORMED = "malformed"  # the answer is not the provider's documented shape
    TRUNCATED = "truncated"  # the model stopped at its token limit
    AUTH = "auth"  # 401/403: the key is wrong or missing
    REFUSED = "refused"  # 4xx other than the above (bad request, content policy)
    UNAVAILABLE = "unavailable"  # not configured here (no key, no binding)


class ProviderFailure(Exception):
    def __init__(self, kind: FailureKind, detail: str, *, retry_after_s: float | None = None) -> None:
        super().__init__(f"{kind.value}: {detail}")
        self.kind = kind
        self.detail = detail
        self.retry_after_s = retry_after_s


@dataclass(frozen=True, slots=True)
class CompletionRequest:
    system: str
    user: str
    max_tokens: int = 700
    temperature: float = 0.7


@dataclass(frozen=True, slots=True)
class Completion:
    text: str
    provider: str
    model: str
    input_tokens: int | None = None
    output_tokens: int | None = None


class AiProvider(Protocol):
    @property
    def name(self) -> str:
        """`xai`, `anthropic`, `openai` or `workers_ai`: the breaker's and the rate limiter's key."""
        ...

    async def complete(self, request: CompletionRequest, *, timeout_s: float) -> Completion:
        """One completion, or `ProviderFailure`. Never any other exception."""
        ...
