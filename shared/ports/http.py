"""Outbound HTTP, as the service layer and the provider adapters see it (AI providers, DNS over HTTPS, webhooks).

The Worker's adapter calls the SDK's `workers.fetch`; the local runtime's stand-in performs the same request over real
HTTP, so the local fakes (tests, `make dev`) are reached exactly the way production reaches the real services.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol


class HttpError(Exception):
    """The request got no HTTP answer: connection refused or reset, DNS failure, TLS failure."""


class HttpTimeout(HttpError):
    """No complete answer within the caller's timeout."""


@dataclass(frozen=True, slots=True)
class HttpResponse:
    status: int
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)  # names lower-cased

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body as JSON; raises ValueError when it is not."""
        return json.loads(self.body)


class HttpClient(Protocol):
    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes | str | None = None,
        timeout_s: float,
        redirect: Literal["follow", "manual"] = "follow",  # "manual": a 3xx is the answer (its Location readable)
    ) -> HttpResponse: ...
