"""What the HTTP providers share: one JSON POST with every failure mapped onto a `FailureKind`, and Retry-After.

    HttpTimeout                       -> TIMEOUT
    HttpError (no answer)             -> SERVER
    429                               -> RATE_LIMITED (retry_after_s from Retry-After, else the rate-limit headers)
    401, 403                          -> AUTH
    other 4xx                         -> REFUSED
    5xx (and any other non-2xx)       -> SERVER
    2xx whose body is not JSON        -> MALFORMED

Every detail is redacted: the API key (or any 8-character piece of it, as providers echo masked keys) never appears
in a `ProviderFailure`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from shared.adapters.redaction import redact
from shared.ports.ai import FailureKind, ProviderFailure
from shared.ports.http import HttpClient, HttpError, HttpResponse, HttpTimeout
from shared.ports.runtime import Clock

MAX_RETRY_AFTER_S = 86_400.0  # a day: anything longer is a provider's typo, not advice
MAX_DETAIL_CHARS = 200
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


async def post_json(
    http: HttpClient,
    url: str,
    *,
    headers: Mapping[str, str],
    payload: Mapping[str, Any],
    timeout_s: float,
    secret: str | None,
    now: datetime,
) -> tuple[Any, HttpResponse]:
    """POST `payload` as JSON; the decoded 2xx body and the response, or `ProviderFailure`."""
    import json

    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    try:
        response = await http.request("POST", url, headers=headers, body=body.encode("utf-8"), timeout_s=timeout_s)
    except HttpTimeout as exc:
        raise ProviderFailure(FailureKind.TIMEOUT, redact(str(exc), secret)) from None
    except HttpError as exc:
        raise ProviderFailure(FailureKind.SERVER, redact(str(exc), secret)) from None
    if not 200 <= response.status < 300:
        raise failure_for_status(response, secret=secret, now=now)
    try:
        return response.json(), response
    except ValueError:
        raise ProviderFailure(FailureKind.MALFORMED, f"HTTP {response.status}: the body is not JSON") from None


def failure_for_status(response: HttpResponse, *, secret: str | None, now: datetime) -> ProviderFailure:
    status = response.status
    detail = redact(f"HTTP {status}: {error_message(response)}", secret)
    if status == 429:
        return ProviderFailure(FailureKind.RATE_LIMITED, detail, retry_after_s=retry_after_s(response, now=now))
    if status in (401, 403):
        return ProviderFailure(FailureKind.AUTH, detail)
    if 400 <= status < 500:
        return ProviderFailure(FailureKind.REFUSED, detail)
    return ProviderFailure(FailureKind.SERVER, detail)


def error_message(response: HttpResponse) -> str:
    """The provider's own words: `{"error": {"message": ...}}`, `{"error": "..."}`, `{"message": ...}` or the text."""
    try:
        data = response.json()
    except ValueError:
        data = None
    message: Any = None
    if isinstance(data, dict):
        error = data.get("error")
        message = error.get("message") if isinstance(error, dict) else error
        message = message or data.get("message")
    text = str(message) if message else response.text()
    text = " ".join(text.split())
    return text[:MAX_DETAIL_CHARS] if text else "(empty body)"


def retry_after_s(response: HttpResponse, *, now: datetime) -> float | None:
    """Seconds to wait: `Retry-After` (delay-seconds or an HTTP date), else the longest of the providers'
    `*ratelimit*-reset*` headers (OpenAI/xAI durations such as "6m0s", Anthropic RFC 3339 instants, or seconds).
    Dates are measured from the response's `Date` header when it has one, so the server's clock is compared with
    itself; otherwise from `now`."""
    reference = _http_date(response.header("date")) or now
    value = response.header("retry-after")
    if value is not None:
        parsed = parse_retry_after(value, now=reference)
        if parsed is not None:
            return parsed
    resets = [
        parsed
        for name, text in response.headers.items()
        if "ratelimit" in name and "reset" in name
        if (parsed := parse_reset(text, now=reference)) is not None
    ]
    return max(resets) if resets else None


def parse_retry_after(value: str, *, now: datetime) -> float | None:
    """RFC 9110 §10.2.3: a non-negative number of seconds or an HTTP date (a past date means 0)."""
    text = value.strip()
    try:
        return _bounded(float(text))
    except ValueError:
        pass
    when = _http_date(text)
    return None if when is None else _bounded((when - now).total_seconds())


def parse_reset(value: str, *, now: datetime) -> float | None:
    """A rate-limit reset header: seconds ("7"), a duration ("1m30s", "250ms") or an RFC 3339 instant."""
    text = value.strip()
    try:
        return _bounded(float(text))
    except ValueError:
        pass
    duration = parse_duration(text)
    if duration is not None:
        return _bounded(duration)
    when: datetime | None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        when = _http_date(text)
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return _bounded((when - now).total_seconds())


def parse_duration(text: str) -> float | None:
    """A Go-style duration as OpenAI sends it ("6m0s", "1.5s", "20ms", "1h2m"); None when it is not one."""
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(number + unit for number, unit in parts) != text:
        return None
    return sum(float(number) * _UNITS[unit] for number, unit in parts)


def token_count(value: Any) -> int | None:
    """A usage figure when it is a non-negative integer (bool is not one)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def usage_of(data: dict[str, Any]) -> dict[str, Any]:
    usage = data.get("usage")
    return usage if isinstance(usage, dict) else {}


def current_time(clock: Clock | None) -> datetime:
    if clock is not None:
        return clock.now()
    from shared.adapters.system import SystemClock

    return SystemClock().now()


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _bounded(seconds: float) -> float | None:
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)


class HttpProvider:
    """What the HTTP providers share: name, endpoint (`base_url` + `PATH`), key, model and client, a repr without
    the key, and the JSON POST that maps every failure to a ProviderFailure."""

    PATH = ""

    def __init__(
        self, name: str, base_url: str, api_key: str, model: str, http: HttpClient, *, clock: Clock | None = None
    ) -> None:
        self._name = name
        self._url = base_url.rstrip("/") + self.PATH
        self._key = api_key
        self._model = model
        self._http = http
        self._clock = clock

    @property
    def name(self) -> str:
        return self._name

    def __repr__(self) -> str:  # never the key
        return f"{type(self).__name__}(name={self._name!r}, url={self._url!r}, model={self._model!r})"

    async def _post(self, headers: Mapping[str, str], payload: Mapping[str, Any], timeout_s: float) -> Any:
        data, _ = await post_json(
            self._http, self._url, headers=dict(headers), payload=dict(payload), timeout_s=timeout_s,
            secret=self._key, now=current_time(self._clock),
        )  # fmt: skip
        return data
