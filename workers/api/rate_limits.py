"""Rate limiting of `/api/*`: who a request counts against, and the 429 it gets when over the limit.

Two token buckets (limits in `Settings.rate_limits()`, state in the RateLimiter Durable Object):
- per client IP, for requests that are not authenticated: a request without credentials takes a token; a request
  with credentials first *probes* its IP's bucket (before any key lookup, so a throttled address cannot even test
  keys), and takes a token only if its key turns out invalid. Brute force and anonymous floods are throttled per
  address; a client with a valid key never spends IP tokens.
- per API key, for authenticated requests (the key id; `bootstrap` for the API_KEY secret).
Health endpoints (`/live`, `/ready`, `/health`) are outside `/api` and never limited.

Client IP (`client_ip`): `CF-Connecting-IP`, which Cloudflare's edge always sets to the connecting address and
which a client cannot forge through Cloudflare. `X-Forwarded-For` is client-controlled, so it is trusted only when
running locally (APP_ENV development/test: the dev server and tests have no Cloudflare in front), and then only its
first hop. Last, the ASGI client address. IPv6 addresses count per /64 (one subscriber's usual allocation).

Fail open: if the limiter cannot answer (Durable Object unreachable, overloaded, misconfigured), the request is let
through and a warning is logged. Rate limiting protects capacity; it must not become the outage itself. Auth is
never skipped.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from api.errors import ApiError
from shared.bootstrap import Services
from shared.domain.token_bucket import RateDecision
from shared.messages.rate_limit import KeyClass

UNKNOWN_CLIENT = "unknown"


def _normalise_ip(value: str) -> str | None:
    try:
        address = ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return str(address)


def client_ip(scope: Mapping[str, Any], *, trust_forwarded_for: bool) -> str:
    """The address a request counts against (see the module docstring for the trust decision)."""
    headers = {k.lower(): v for k, v in scope.get("headers", [])}
    candidates: list[str] = []
    if (cf := headers.get(b"cf-connecting-ip")) is not None:
        candidates.append(cf.decode("latin-1"))
    if trust_forwarded_for and (xff := headers.get(b"x-forwarded-for")) is not None:
        candidates.append(xff.decode("latin-1").split(",", 1)[0])
    client = scope.get("client")
    if client:
        candidates.append(str(client[0]))
    for candidate in candidates:
        if (ip := _normalise_ip(candidate)) is not None:
            return ip
    return UNKNOWN_CLIENT


class ApiRateLimits:
    """The API's use of the `RateLimiter` port, failing open."""

    def __init__(self, services: Services) -> None:
        self._limiter = services.rate_limiter
        self._log = services.log

    async def _acquire(self, key: str, key_class: KeyClass, tokens: int) -> RateDecision | None:
        try:
            return await self._limiter.acquire(key, key_class, tokens)
        except Exception as exc:
            self._log.warning(
                "rate limiter unavailable: request allowed (fail open)",
                key_class=key_class.value,
                error=f"{type(exc).__name__}: {exc}",
            )
            return None

    async def enforce(self, key: str, key_class: KeyClass, tokens: int = 1) -> None:
        """Take `tokens` (0: probe) or raise the 429."""
        decision = await self._acquire(key, key_class, tokens)
        if decision is not None and not decision.allowed:
            raise rate_limited(decision, key_class)

    async def charge(self, key: str, key_class: KeyClass) -> None:
        """Take one token, whatever the outcome (a failed attempt is counted; the caller answers anyway)."""
        await self._acquire(key, key_class, 1)


def rate_limited(decision: RateDecision, key_class: KeyClass) -> ApiError:
    retry_after = decision.retry_after_header
    scope = "API key" if key_class is KeyClass.API_KEY else "client address"
    return ApiError(
        429,
        f"rate limit exceeded for this {scope}; retry after {retry_after} s",
        details={"retry_after_s": retry_after, "limit": key_class.value},
        headers={"Retry-After": str(retry_after)},
    )
