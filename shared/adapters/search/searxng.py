"""A self-hosted SearXNG instance: `GET {base}/search?q=…&format=json&categories=general`.

Hits come from `results[].{url,title,content}`. The instance's `settings.yml` must list `json` under
`search: formats:`; without it SearXNG answers 403, reported as UNAVAILABLE (a configuration to fix, not an outage).
An optional `Authorization` value is sent when the instance sits behind a proxy with Bearer or Basic auth.

    403                                    -> UNAVAILABLE (json output disabled on the instance)
    401                                    -> AUTH (the proxy refused our Authorization)
    429                                    -> RATE_LIMITED (SearXNG's limiter / bot detection)
    200 HTML                               -> MALFORMED (the HTML interface answered, or a login page)
    200, no results, every engine listed in `unresponsive_engines` (CAPTCHA, rate-limited upstream, timeout)
                                           -> SERVER: the engines failed, which is not "nothing found"
    other 4xx / 5xx / transport            -> REFUSED / SERVER / TIMEOUT (see `_http`)
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode

from shared.adapters.search import _http
from shared.ports.http import HttpClient
from shared.ports.lookups import LookupFailure, LookupFailureKind
from shared.ports.search import SearchHit, SiteQuery

PATH = "/search"
JSON_DISABLED = "the instance refuses format=json (HTTP 403): add `json` to `search: formats:` in its settings.yml"


def basic_auth(user: str, password: str) -> str:
    """An `Authorization` value for a proxy with HTTP Basic auth in front of the instance."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


class SearxngSearch:
    def __init__(self, http: HttpClient, base_url: str | None, *, authorization: str | None = None) -> None:
        self._http = http
        self._base = base_url.rstrip("/") if base_url else None
        self._auth = authorization or None

    @property
    def name(self) -> str:
        return "searxng"

    def __repr__(self) -> str:  # never the credentials
        return f"SearxngSearch(base_url={self._base!r}, authorization={'set' if self._auth else None})"

    async def search(self, query: SiteQuery, *, timeout_s: float) -> list[SearchHit]:
        if self._base is None:
            raise _http.unavailable("searxng", "instance URL (SEARXNG_URL)")
        params = {"q": query.text(), "format": "json", "categories": "general", "pageno": "1"}
        headers = {"accept": "application/json"}
        if self._auth:
            headers["authorization"] = self._auth
        url = f"{self._base}{PATH}?{urlencode(params)}"
        response = await _http.get(self._http, url, headers=headers, timeout_s=timeout_s, secret=self._auth)
        if response.status == 403:
            raise LookupFailure(LookupFailureKind.UNAVAILABLE, f"searxng: {JSON_DISABLED}")
        if not 200 <= response.status < 300:
            raise _http.failure_for_status(response, secret=self._auth)
        data = _http.read_json_object(response)
        if "results" not in data:
            raise LookupFailure(LookupFailureKind.MALFORMED, "searxng: no `results` in the answer")
        items = _http.results_list(data, "results", provider="searxng")
        hits = _http.hits_from(items, url="url", title="title", snippet="content")
        if not hits:
            failed = _unresponsive(data.get("unresponsive_engines"))
            if failed:
                raise LookupFailure(LookupFailureKind.SERVER, f"searxng: every engine failed: {'; '.join(failed)}")
        return hits


def _unresponsive(value: Any) -> list[str]:
    """`[["google", "CAPTCHA"], ["brave", "too many requests"]]` as "google (CAPTCHA)" lines."""
    out: list[str] = []
    for entry in value if isinstance(value, list) else []:
        if isinstance(entry, list | tuple) and entry:
            reason = f" ({entry[1]})" if len(entry) > 1 and entry[1] else ""
            out.append(f"{entry[0]}{reason}"[:80])
    return out[:8]
