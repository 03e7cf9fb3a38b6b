"""`EmailVerifier` over the MillionVerifier single API v3: `GET {base}/api/v3/?api=KEY&email=…&timeout=N`.

The answer is JSON `{email, quality, result, resultcode, subresult, free, role, didyoumean, credits, executiontime,
error, livemode}`, HTTP 200 even when the call failed (a wrong key is `resultcode` 4 with `error` set). Mapping:

    ok (1)           -> DELIVERABLE
    catch_all (2)    -> CATCH_ALL
    unknown (3)      -> UNKNOWN (RISKY when `subresult` says greylisted, as the port defines it)
    error (4)        -> with `error` set: a failure (below); without: UNDELIVERABLE (the address itself is broken)
    disposable (5)   -> RISKY, disposable
    invalid (6)      -> UNDELIVERABLE

`result` wins; `resultcode` is the fallback when `result` is missing or unheard of; neither known -> MALFORMED.
`role` is carried over; `detail` is `result` or `result/subresult`. Failures in `error` (matched on words, the
vendor's texts vary in case): "credit" -> QUOTA (month: MillionVerifier credits are bought or renew monthly; they
never come back by the next day); "rate limit"/"too many" -> RATE_LIMITED; "api key"/"apikey" -> AUTH; "ip" +
"blocked" -> AUTH (our egress is refused, a retry will not help); "no email"/"email" missing -> REFUSED; anything
else ("Internal error") -> SERVER.

`credits` (what the account has left after this call) is no part of the port: it is kept on `credits_left` and
logged (debug on every answer, a warning once it falls to `low_credits`). `timeout` asks MillionVerifier to give up
on a slow mail server (2–60 s) a fifth before our own HTTP timeout, so a slow server costs an "unknown", not a
TIMEOUT. Unknown results are not charged by MillionVerifier.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from shared.adapters.verification._http import (
    check_address,
    flag,
    get_json,
    redact,
    require_key,
    text_field,
    vendor_timeout,
)
from shared.observability.log import Logger
from shared.ports.http import HttpClient
from shared.ports.lookups import LookupFailure, LookupFailureKind
from shared.ports.verification import Verification, VerifierResult

DEFAULT_BASE_URL = "https://api.millionverifier.com"
PATH = "/api/v3/"
NAME = "millionverifier"

RESULTS = {
    "ok": VerifierResult.DELIVERABLE,
    "catch_all": VerifierResult.CATCH_ALL,
    "unknown": VerifierResult.UNKNOWN,
    "error": VerifierResult.UNDELIVERABLE,
    "disposable": VerifierResult.RISKY,
    "invalid": VerifierResult.UNDELIVERABLE,
}
RESULT_CODES = {1: "ok", 2: "catch_all", 3: "unknown", 4: "error", 5: "disposable", 6: "invalid"}


class MillionVerifier:
    def __init__(
        self,
        http: HttpClient,
        api_key: str | None,
        base_url: str = DEFAULT_BASE_URL,
        *,
        log: Logger | None = None,
        low_credits: int = 500,
    ) -> None:
        self._http = http
        self._key = api_key
        self._base = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self._log = log.bind(component=f"verifier.{NAME}") if log is not None else None
        self._low_credits = low_credits
        self.credits_left: int | None = None  # as of the last answer

    @property
    def name(self) -> str:
        return NAME

    def __repr__(self) -> str:
        return f"MillionVerifier(base_url={self._base!r}, key={'set' if self._key else 'missing'})"

    async def verify(self, address: str, *, timeout_s: float) -> Verification:
        key = require_key(self._key, NAME)
        address = check_address(address, NAME)
        query = urlencode({"api": key, "email": address, "timeout": vendor_timeout(timeout_s, lowest=2)})
        payload = await get_json(
            self._http, f"{self._base}{PATH}?{query}", timeout_s=timeout_s, secret=key, vendor=NAME
        )
        self._note_credits(payload)
        return verification_from(address, payload, secret=key)

    def _note_credits(self, payload: dict[str, Any]) -> None:
        credits = payload.get("credits")
        if not isinstance(credits, int) or isinstance(credits, bool) or text_field(payload, "error"):
            return
        previous, self.credits_left = self.credits_left, credits
        if self._log is None:
            return
        self._log.debug("millionverifier credits left", credits=credits)
        if credits <= self._low_credits and (previous is None or previous > self._low_credits):
            self._log.warning("millionverifier credits running low", credits=credits, threshold=self._low_credits)


def verification_from(address: str, payload: dict[str, Any], *, secret: str | None = None) -> Verification:
    """The verdict in one MillionVerifier answer, or the `LookupFailure` its `error` field says."""
    error = text_field(payload, "error")
    if error:
        raise failure_from(error, secret)
    result = text_field(payload, "result").lower()
    if result not in RESULTS:
        code = payload.get("resultcode")
        if isinstance(code, str) and code.strip().isdigit():
            code = int(code)
        if not isinstance(code, int) or isinstance(code, bool) or code not in RESULT_CODES:
            shown = result or f"resultcode {code!r}"
            raise LookupFailure(LookupFailureKind.MALFORMED, f"{NAME}: unknown result {shown[:40]!r}")
        result = RESULT_CODES[code]
    subresult = text_field(payload, "subresult").lower()
    verdict = RESULTS[result]
    if result == "unknown" and "greylist" in subresult:
        verdict = VerifierResult.RISKY
    detail = f"{result}/{subresult}" if subresult and subresult != result else result
    return Verification(
        address=address,
        result=verdict,
        detail=detail,
        role=flag(payload.get("role")),
        disposable=result == "disposable",
    )


def failure_from(error: str, secret: str | None = None) -> LookupFailure:
    words = error.lower()
    detail = redact(f"{NAME}: {' '.join(error.split())[:160]}", secret)
    if "credit" in words:
        return LookupFailure(LookupFailureKind.QUOTA, detail, quota_period="month")
    if "rate limit" in words or "too many" in words:
        return LookupFailure(LookupFailureKind.RATE_LIMITED, detail)
    if "apikey" in words or "api key" in words or "api_key" in words:
        return LookupFailure(LookupFailureKind.AUTH, detail)
    if "ip" in words.split() and "block" in words:
        return LookupFailure(LookupFailureKind.AUTH, detail)
    if "email" in words and ("no " in words or "missing" in words or "invalid" in words):
        return LookupFailure(LookupFailureKind.REFUSED, detail)
    return LookupFailure(LookupFailureKind.SERVER, detail)


__all__ = ["DEFAULT_BASE_URL", "MillionVerifier", "failure_from", "verification_from"]
