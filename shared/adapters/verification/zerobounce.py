"""`EmailVerifier` over the ZeroBounce API v2: `GET {base}/v2/validate?api_key=KEY&email=…&ip_address=&timeout=N`.

The answer is JSON `{address, status, sub_status, free_email, did_you_mean, account, domain, mx_found, mx_record,
smtp_provider, …, processed_at}`. Mapping (`status`, then `sub_status` where it changes the verdict):

    valid                                    -> DELIVERABLE (alias_address, leading_period_removed… still valid)
    invalid                                  -> UNDELIVERABLE; mailbox_quota_exceeded -> RISKY (a full mailbox)
    catch-all                                -> CATCH_ALL
    unknown                                  -> UNKNOWN; greylisted -> RISKY (as the port defines it)
    spamtrap, abuse                          -> RISKY (never to be mailed blindly; the finder must not pick them)
    do_not_mail                              -> RISKY (role_based, disposable, toxic, global_suppression,
                                                possible_trap, mx_forward); role_based_catch_all -> CATCH_ALL

`role` is set for the role_based* sub-statuses, `disposable` for disposable; `detail` is `status` or
`status/sub_status`. An unheard-of status is MALFORMED, never guessed.

Failures come as HTTP 200 `{"error": "..."}`. ZeroBounce answers one text, "Invalid API key or your account ran
out of credits", for two different things, so the adapter tells them apart with one free call,
`GET {base}/v2/getcredits?api_key=KEY` (`{"Credits": "N"}`, -1 for a key it does not know): -1 -> AUTH; 0 -> QUOTA
(month: credits are bought or renew monthly); more than 0 -> AUTH (the key is known but may not validate, e.g. an
IP allow-list); no usable answer -> QUOTA (stopping the provider until its reset is the cheaper mistake).
An error naming only the key -> AUTH, only credits -> QUOTA, a rate limit -> RATE_LIMITED, a missing parameter ->
REFUSED, anything else -> SERVER.
ZeroBounce does not charge for unknown results. `timeout` (3–60 s) is sent a fifth below our own timeout.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from shared.adapters.verification._http import (
    check_address,
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

DEFAULT_BASE_URL = "https://api.zerobounce.net"
NAME = "zerobounce"
CREDITS_TIMEOUT_S = 5.0

STATUSES = {
    "valid": VerifierResult.DELIVERABLE,
    "invalid": VerifierResult.UNDELIVERABLE,
    "catch_all": VerifierResult.CATCH_ALL,
    "accept_all": VerifierResult.CATCH_ALL,
    "unknown": VerifierResult.UNKNOWN,
    "spamtrap": VerifierResult.RISKY,
    "abuse": VerifierResult.RISKY,
    "do_not_mail": VerifierResult.RISKY,
}
SUB_STATUS_VERDICTS = {
    ("invalid", "mailbox_quota_exceeded"): VerifierResult.RISKY,
    ("unknown", "greylisted"): VerifierResult.RISKY,
    ("do_not_mail", "role_based_catch_all"): VerifierResult.CATCH_ALL,
    ("do_not_mail", "role_based_accept_all"): VerifierResult.CATCH_ALL,
}
ROLE_SUB_STATUSES = frozenset({"role_based", "role_based_catch_all", "role_based_accept_all"})


class ZeroBounce:
    def __init__(
        self, http: HttpClient, api_key: str | None, base_url: str = DEFAULT_BASE_URL, *, log: Logger | None = None
    ) -> None:
        self._http = http
        self._key = api_key
        self._base = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self._log = log.bind(component=f"verifier.{NAME}") if log is not None else None

    @property
    def name(self) -> str:
        return NAME

    def __repr__(self) -> str:
        return f"ZeroBounce(base_url={self._base!r}, key={'set' if self._key else 'missing'})"

    async def verify(self, address: str, *, timeout_s: float) -> Verification:
        key = require_key(self._key, NAME)
        address = check_address(address, NAME)
        query = urlencode(
            {"api_key": key, "email": address, "ip_address": "", "timeout": vendor_timeout(timeout_s, lowest=3)}
        )
        url = f"{self._base}/v2/validate?{query}"
        payload = await get_json(self._http, url, timeout_s=timeout_s, secret=key, vendor=NAME)
        error = text_field(payload, "error")
        if not error:
            return verification_from(address, payload)
        failure = failure_from(error, key)
        if failure is not None:
            raise failure
        raise await self._key_or_credits(error, key, timeout_s)

    async def credits(self, *, timeout_s: float = CREDITS_TIMEOUT_S) -> int:
        """What the account has left (-1: ZeroBounce does not know the key). Raises LookupFailure."""
        key = require_key(self._key, NAME)
        url = f"{self._base}/v2/getcredits?{urlencode({'api_key': key})}"
        payload = await get_json(self._http, url, timeout_s=timeout_s, secret=key, vendor=NAME)
        value = payload.get("Credits", payload.get("credits"))
        try:
            return int(str(value).strip())
        except ValueError:
            raise LookupFailure(LookupFailureKind.MALFORMED, f"{NAME}: getcredits answered no Credits") from None

    async def _key_or_credits(self, error: str, key: str, timeout_s: float) -> LookupFailure:
        said = redact(f"{NAME}: {' '.join(error.split())[:160]}", key)
        try:
            left = await self.credits(timeout_s=min(timeout_s, CREDITS_TIMEOUT_S))
        except LookupFailure as exc:
            return LookupFailure(
                LookupFailureKind.QUOTA, f"{said} (getcredits could not tell: {exc.kind.value})", quota_period="month"
            )
        if self._log is not None:
            self._log.warning("zerobounce refused a validation", credits=left)
        if left < 0:
            return LookupFailure(LookupFailureKind.AUTH, f"{said} (getcredits: the key is unknown)")
        if left == 0:
            return LookupFailure(LookupFailureKind.QUOTA, f"{said} (getcredits: 0 credits left)", quota_period="month")
        return LookupFailure(
            LookupFailureKind.AUTH, f"{said} (getcredits: {left} credits left, the key may not validate)"
        )


def verification_from(address: str, payload: dict[str, Any]) -> Verification:
    """The verdict in one ZeroBounce validate answer (without `error`)."""
    status = text_field(payload, "status").lower().replace("-", "_")
    sub_status = text_field(payload, "sub_status").lower().replace("-", "_")
    if status not in STATUSES:
        said = status or text_field(payload, "Message") or text_field(payload, "message") or "(none)"
        raise LookupFailure(LookupFailureKind.MALFORMED, f"{NAME}: unknown status {said[:60]!r}")
    verdict = SUB_STATUS_VERDICTS.get((status, sub_status), STATUSES[status])
    shown = status.replace("catch_all", "catch-all")
    return Verification(
        address=address,
        result=verdict,
        detail=f"{shown}/{sub_status}" if sub_status else shown,
        role=sub_status in ROLE_SUB_STATUSES,
        disposable=sub_status == "disposable",
    )


def failure_from(error: str, secret: str | None = None) -> LookupFailure | None:
    """The failure an `error` text names; None when it names both the key and the credits (ask getcredits)."""
    words = error.lower()
    detail = redact(f"{NAME}: {' '.join(error.split())[:160]}", secret)
    about_key = "api key" in words or "api_key" in words or "apikey" in words
    about_credits = "credit" in words
    if about_key and about_credits:
        return None
    if "rate limit" in words or "too many" in words:
        return LookupFailure(LookupFailureKind.RATE_LIMITED, detail)
    if about_credits:
        return LookupFailure(LookupFailureKind.QUOTA, detail, quota_period="month")
    if about_key:
        return LookupFailure(LookupFailureKind.AUTH, detail)
    if "missing" in words or "parameter" in words or "invalid email" in words:
        return LookupFailure(LookupFailureKind.REFUSED, detail)
    return LookupFailure(LookupFailureKind.SERVER, detail)


__all__ = ["DEFAULT_BASE_URL", "ZeroBounce", "failure_from", "verification_from"]
