"""The Brave Search API: `GET {base}/res/v1/web/search?q=…&count=10` with `X-Subscription-Token`.

Hits come from `web.results[].{url,title,description}` (no `web` section means nothing found). The query's country
becomes `country` when Brave supports it (else `ALL`, never the default US) and `search_lang` when the country has
one clear language that Brave knows.

Failures (Brave answers `{"type": "ErrorResponse", "error": {"code", "detail", "status", "meta"}}`):

    429, monthly quota used up   -> QUOTA, quota_period "month", retry_after_s = the monthly reset
                                    (`X-RateLimit-Remaining: 1, 0` per-second, per-month; or meta quota_current >=
                                    quota_limit)
    429 otherwise                -> RATE_LIMITED, retry_after_s = the per-second reset
    402                          -> QUOTA (month): the plan's credits are spent
    401, 403, 422 bad token      -> AUTH (Brave answers an invalid or missing token with 422
                                    SUBSCRIPTION_TOKEN_INVALID / VALIDATION on `x-subscription-token`)
    other 4xx / 5xx / transport  -> REFUSED / SERVER / TIMEOUT (see `_http`)
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from shared.adapters.search import _http
from shared.ports.http import HttpClient, HttpResponse
from shared.ports.lookups import LookupFailure, LookupFailureKind
from shared.ports.search import SearchHit, SiteQuery

DEFAULT_BASE_URL = "https://api.search.brave.com"
PATH = "/res/v1/web/search"
# Brave's documented `country` values (web search "Country Codes"); any other country searches ALL regions.
_COUNTRY_LIST = "AR AU AT BE BR CA CL DK FI FR DE HK IN ID IT JP KR MY MX NL NZ NO CN PL PT PH RU SA ZA ES SE CH TW TR"
COUNTRIES = frozenset([*_COUNTRY_LIST.split(" "), "GB", "US"])
# Countries with one dominant language Brave's `search_lang` accepts (multilingual ones are left to Brave).
LANGUAGES = {
    "AT": "de", "DE": "de", "FR": "fr", "IT": "it", "ES": "es", "MX": "es", "AR": "es", "CL": "es", "NL": "nl",
    "PL": "pl", "PT": "pt-pt", "BR": "pt-br", "JP": "jp", "KR": "ko", "DK": "da", "SE": "sv", "NO": "nb", "FI": "fi",
    "TR": "tr", "CZ": "cs", "SK": "sk", "HU": "hu", "RO": "ro", "BG": "bg", "HR": "hr", "SI": "sl", "EE": "et",
    "LV": "lv", "LT": "lt", "IS": "is", "UA": "uk", "RU": "ru", "IL": "he", "TH": "th", "VN": "vi", "GB": "en-gb",
    "IE": "en", "US": "en", "AU": "en", "NZ": "en",
}  # fmt: skip
MONTH_WINDOW_S = 86_400 * 28


class BraveSearch:
    def __init__(self, http: HttpClient, api_key: str | None, *, base_url: str = DEFAULT_BASE_URL) -> None:
        self._http = http
        self._key = api_key or None
        self._base = base_url.rstrip("/")

    @property
    def name(self) -> str:
        return "brave"

    def __repr__(self) -> str:  # never the key
        return f"BraveSearch(base_url={self._base!r}, configured={self._key is not None})"

    async def search(self, query: SiteQuery, *, timeout_s: float) -> list[SearchHit]:
        if self._key is None:
            raise _http.unavailable("brave", "API key (BRAVE_API_KEY)")
        params = {"q": query.text(), "count": "10"}
        params.update(locale_params(query.country))
        headers = {"accept": "application/json", "x-subscription-token": self._key}
        url = f"{self._base}{PATH}?{urlencode(params)}"
        response = await _http.get(self._http, url, headers=headers, timeout_s=timeout_s, secret=self._key)
        if not 200 <= response.status < 300:
            raise self._failure(response)
        data = _http.read_json_object(response)
        if "web" not in data and data.get("type") != "search":
            raise LookupFailure(LookupFailureKind.MALFORMED, "brave: neither `web` nor type=search in the answer")
        items = _http.results_list(data, "web", "results", provider="brave")
        return _http.hits_from(items, url="url", title="title", snippet="description")

    def _failure(self, response: HttpResponse) -> LookupFailure:
        status = response.status
        error = _error(response)
        code = str(error.get("code") or "")
        message = f"{code}: {_http.error_message(response)}" if code else _http.error_message(response)
        detail = _http.redact(f"HTTP {status}: {message}", self._key)
        if status == 429:
            exhausted, reset_s = monthly_quota(response, error)
            if exhausted:
                return LookupFailure(LookupFailureKind.QUOTA, detail, quota_period="month", retry_after_s=reset_s)
            return LookupFailure(LookupFailureKind.RATE_LIMITED, detail, retry_after_s=_per_second_reset(response))
        if status == 402:
            return LookupFailure(LookupFailureKind.QUOTA, detail, quota_period="month")
        if status == 422 and _bad_token(code, error):
            return LookupFailure(LookupFailureKind.AUTH, detail)
        return _http.failure_for_status(response, secret=self._key, message=message)


def locale_params(country: str | None) -> dict[str, str]:
    code = (country or "").strip().upper()
    if len(code) != 2 or not code.isalpha():
        return {}
    params = {"country": code if code in COUNTRIES else "ALL"}
    if code in LANGUAGES:
        params["search_lang"] = LANGUAGES[code]
    return params


def monthly_quota(response: HttpResponse, error: dict[str, Any]) -> tuple[bool, float | None]:
    """Whether the monthly quota is what ran out, and the seconds until it resets (None when unsaid).
    The headers list one value per window ("per-second, per-month"); `X-RateLimit-Policy` ("1;w=1, 2000;w=2592000")
    says which is the month, else the last one is."""
    remaining = _numbers(response.header("x-ratelimit-remaining"))
    resets = _numbers(response.header("x-ratelimit-reset"))
    windows = [_window(part) for part in (response.header("x-ratelimit-policy") or "").split(",") if part.strip()]
    index = next((i for i, w in enumerate(windows) if w is not None and w >= MONTH_WINDOW_S), len(remaining) - 1)
    exhausted = 0 <= index < len(remaining) and remaining[index] is not None and remaining[index] == 0
    meta = _dict(error.get("meta"))
    used, limit = meta.get("quota_current"), meta.get("quota_limit")
    if isinstance(used, int) and isinstance(limit, int) and limit > 0 and used >= limit:
        exhausted = True
    return exhausted, (resets[index] if exhausted and 0 <= index < len(resets) else None)


def _per_second_reset(response: HttpResponse) -> float | None:
    retry = _http.retry_after_s(response)
    if retry is not None:
        return retry
    resets = _numbers(response.header("x-ratelimit-reset"))
    return resets[0] if resets else None


def _numbers(header: str | None) -> list[float | None]:
    out: list[float | None] = []
    for part in (header or "").split(","):
        try:
            out.append(float(part.strip()))
        except ValueError:
            out.append(None)
    return out if header else []


def _window(policy: str) -> float | None:
    for item in policy.split(";")[1:]:
        name, _, value = item.strip().partition("=")
        if name == "w":
            try:
                return float(value)
            except ValueError:
                return None
    return None


def _error(response: HttpResponse) -> dict[str, Any]:
    data = _http.json_or_none(response)
    error = data.get("error") if isinstance(data, dict) else None
    return error if isinstance(error, dict) else {}


def _bad_token(code: str, error: dict[str, Any]) -> bool:
    if code.startswith("SUBSCRIPTION_TOKEN") or code in ("INVALID_TOKEN", "UNAUTHORIZED"):
        return True
    errors = _dict(error.get("meta")).get("errors")
    if not isinstance(errors, list):
        return False
    return any(
        isinstance(e, dict) and "x-subscription-token" in [str(p).lower() for p in e.get("loc") or []] for e in errors
    )


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
