"""How an enrichment provider (web search, email verifier) says it could not answer: one exception, one kind.

Adapters translate every vendor error into a `LookupFailure`; nothing else escapes them. The kind decides what the
caller does next (`shared.service_layer.enrichment.guard`): QUOTA stops the provider until its quota resets,
UNAVAILABLE and AUTH skip it without tripping its circuit breaker, and SERVER/TIMEOUT/MALFORMED/RATE_LIMITED count
as failures of the provider.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

QuotaPeriod = Literal["day", "month"]


class LookupFailureKind(StrEnum):
    UNAVAILABLE = "unavailable"  # not configured here (no key, no URL): no call was made
    AUTH = "auth"  # 401/403: the key is wrong, revoked or lacks the API
    QUOTA = "quota"  # the provider says our quota or credits are used up (see `quota_period`)
    RATE_LIMITED = "rate_limited"  # 429 short-term: too many requests now (`retry_after_s` when said)
    SERVER = "server"  # 5xx, or no HTTP answer at all (refused, reset, DNS)
    TIMEOUT = "timeout"  # no complete answer within the timeout
    MALFORMED = "malformed"  # an answer that is not the documented shape (HTML, garbage, wrong JSON)
    REFUSED = "refused"  # another 4xx: the request itself was refused (bad query, bad address syntax)


class LookupFailure(Exception):
    def __init__(
        self,
        kind: LookupFailureKind,
        detail: str,
        *,
        retry_after_s: float | None = None,
        quota_period: QuotaPeriod | None = None,
    ) -> None:
        super().__init__(f"{kind.value}: {detail}")
        self.kind = kind
        self.detail = detail
        self.retry_after_s = retry_after_s
        self.quota_period = quota_period  # QUOTA: which quota ran out, when the provider says (else "day")
