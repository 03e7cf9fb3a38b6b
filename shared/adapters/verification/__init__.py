"""Email verifiers behind the `EmailVerifier` port (shared.ports.verification): MillionVerifier and ZeroBounce.

Each takes the `HttpClient`, its API key (None: every call is UNAVAILABLE, none is made) and its base URL, maps the
vendor's verdicts onto `VerifierResult` and raises `LookupFailure` for everything else. `verifier(name, ...)` builds
one by its configured name ("millionverifier", "zerobounce").
"""

from __future__ import annotations

from shared.adapters.verification.millionverifier import MillionVerifier
from shared.adapters.verification.zerobounce import ZeroBounce
from shared.observability.log import Logger
from shared.ports.http import HttpClient

VERIFIERS = ("millionverifier", "zerobounce")


def verifier(
    name: str, http: HttpClient, api_key: str | None, base_url: str | None = None, *, log: Logger | None = None
) -> MillionVerifier | ZeroBounce:
    """The adapter called `name`; ValueError for a name we have no adapter for."""
    if name == "millionverifier":
        return MillionVerifier(http, api_key, base_url or "", log=log)
    if name == "zerobounce":
        return ZeroBounce(http, api_key, base_url or "", log=log)
    raise ValueError(f"unknown verifier {name!r}; known: {', '.join(VERIFIERS)}")


__all__ = ["VERIFIERS", "MillionVerifier", "ZeroBounce", "verifier"]
