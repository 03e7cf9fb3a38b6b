"""The Google Custom Search JSON API: `GET {base}/customsearch/v1?key=…&cx=…&q=…&num=10`.

Hits come from `items[].{link,title,snippet}`; an answer without `items` is "nothing found". The query's country
becomes `gl` (geolocation boost). The free tier is 100 queries a day per project, reset at midnight Pacific time.
(Google closed the API to new customers in 2025 and ends it for existing ones on 1 January 2027.)

Failures (Google answers `{"error": {"code", "message", "status", "errors": [{"reason"}], "details": [...]}}`):

    429 / 403 saying a per-day limit (reason dailyLimitExceeded / quotaExceeded, or "Queries per day" in the
        message, as `rateLimitExceeded` 429s do)                 -> QUOTA, quota_period "day"
    429 / 403 rateLimitExceeded / userRateLimitExceeded otherwise -> RATE_LIMITED
    400 keyInvalid / API_KEY_INVALID ("API key not valid")        -> AUTH
    401, other 403 (API not enabled for the project, PERMISSION_DENIED) -> AUTH
    other 4xx / 5xx / transport                                   -> REFUSED / SERVER / TIMEOUT (see `_http`)
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from shared.adapters.search import _http
from shared.ports.http import HttpClient, HttpResponse
from shared.ports.lookups import LookupFailure, LookupFailureKind
from shared.ports.search import SearchHit, SiteQuery

DEFAULT_BASE_URL = "https://www.googleapis.com"
PATH = "/customsearch/v1"
DAILY_REASONS = frozenset({"dailyLimitExceeded", "dailyLimitExceededUnreg", "quotaExceeded"})
RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED"})
KEY_REASONS = frozenset({"keyInvalid", "keyExpired", "API_KEY_INVALID", "API_KEY_EXPIRED"})
DAY_WORDS = ("per day", "daily limit", "per project per day")


class GoogleCustomSearch:
    def __init__(
        self, http: HttpClient, api_key: str | None, cx: str | None, *, base_url: str = DEFAULT_BASE_URL
    ) -> None:
        self._http = http
        self._key = api_key or None
        self._cx = cx or None
        self._base = base_url.rstrip("/")

    @property
    def name(self) -> str:
        return "google_cse"

    def __repr__(self) -> str:  # never the key
        return f"GoogleCustomSearch(base_url={self._base!r}, cx={self._cx!r}, configured={self._key is not None})"

    async def search(self, query: SiteQuery, *, timeout_s: float) -> list[SearchHit]:
        if self._key is None:
            raise _http.unavailable("google_cse", "API key (GOOGLE_CSE_KEY)")
        if self._cx is None:
            raise _http.unavailable("google_cse", "search engine id (GOOGLE_CSE_CX)")
        params = {"key": self._key, "cx": self._cx, "q": query.text(), "num": "10"}
        country = (query.country or "").strip().lower()
        if len(country) == 2 and country.isalpha():
            params["gl"] = country
        url = f"{self._base}{PATH}?{urlencode(params)}"
        response = await _http.get(
            self._http, url, headers={"accept": "application/json"}, timeout_s=timeout_s, secret=self._key
        )
        if not 200 <= response.status < 300:
            raise self._failure(response)
        data = _http.read_json_object(response)
        if not ({"items", "searchInformation", "queries"} & data.keys() or data.get("kind") == "customsearch#search"):
            raise LookupFailure(LookupFailureKind.MALFORMED, "google_cse: not a customsearch#search answer")
        items = _http.results_list(data, "items", provider="google_cse")
        return _http.hits_from(items, url="link", title="title", snippet="snippet")

    def _failure(self, response: HttpResponse) -> LookupFailure:
        status = response.status
        reasons, message = _reasons(response)
        detail = _http.redact(f"HTTP {status} {','.join(sorted(reasons)) or '-'}: {message}", self._key)
        lowered = message.lower()
        if status in (403, 429):
            if reasons & DAILY_REASONS or any(word in lowered for word in DAY_WORDS):
                return LookupFailure(LookupFailureKind.QUOTA, detail, quota_period="day")
            if status == 429 or reasons & RATE_REASONS:
                return LookupFailure(
                    LookupFailureKind.RATE_LIMITED, detail, retry_after_s=_http.retry_after_s(response)
                )
            return LookupFailure(LookupFailureKind.AUTH, detail)
        if status == 400 and (reasons & KEY_REASONS or "api key not valid" in lowered):
            return LookupFailure(LookupFailureKind.AUTH, detail)
        return _http.failure_for_status(response, secret=self._key, message=detail.partition(": ")[2])


def _reasons(response: HttpResponse) -> tuple[set[str], str]:
    """The reasons Google gives (`errors[].reason` and the ErrorInfo `details[].reason`), and its message."""
    data = _http.json_or_none(response)
    error: Any = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict):
        return set(), _http.error_message(response)
    reasons: set[str] = set()
    for key in ("errors", "details"):
        entries = error.get(key)
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and isinstance(entry.get("reason"), str):
                reasons.add(entry["reason"])
    return reasons, _http.error_message(response)
