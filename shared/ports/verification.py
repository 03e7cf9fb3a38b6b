"""Email verification: one address in, the verifier's verdict out (MillionVerifier and others behind one port).

Implementations live in shared/adapters/verification/. Each maps its vendor's result codes onto `VerifierResult`
and raises `LookupFailure` (shared.ports.lookups) when it cannot answer; "unknown" is an answer (the mail server
would not say), a timeout is a failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class VerifierResult(StrEnum):
    DELIVERABLE = "deliverable"  # the mailbox exists and accepts mail
    UNDELIVERABLE = "undeliverable"  # no such mailbox, no mail server, or syntax the server refuses
    CATCH_ALL = "catch_all"  # the domain accepts every address: this one cannot be confirmed
    RISKY = "risky"  # exists but risky to mail: disposable, full mailbox, spam trap suspicion, greylisted
    UNKNOWN = "unknown"  # the server would not say


@dataclass(frozen=True, slots=True)
class Verification:
    address: str
    result: VerifierResult
    detail: str = ""  # the vendor's own code, e.g. "ok", "catch_all", "invalid", "disposable"
    role: bool = False  # the vendor says it is a role address
    disposable: bool = False


class EmailVerifier(Protocol):
    @property
    def name(self) -> str:
        """The provider's name: its rate-limit key class is `provider:<name>`, its breaker the same."""
        ...

    async def verify(self, address: str, *, timeout_s: float) -> Verification:
        """Raises LookupFailure."""
        ...
