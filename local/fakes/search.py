"""A fake web search over real HTTP, speaking three vendors' protocols from one server, answering from the World.

    search = FakeSearchServer(); await search.start()       # world=None: the shipped local/fakes/world.json
    BraveSearch(http, search.brave_key, base_url=search.base_url)
    GoogleCustomSearch(http, search.google_key, search.google_cx, base_url=search.base_url)
    SearxngSearch(http, search.base_url)
    search.script(["rate_limited", "ok"], protocol="brave")  # or POST /__fake/script: a list, or {"brave": [...]}

Brave (`/res/v1/web/search`, wrong or missing X-Subscription-Token: 422), Google (`/customsearch/v1`, wrong key: 400
API_KEY_INVALID, wrong cx: 400) and SearXNG (`/search?format=json`, `searxng_auth`: that Authorization or 401). A
query naming a World hotel finds, like real engines, OTAs first, parked look-alikes, its own https://www.<domain>/,
its social and directory pages, more portals; an unknown hotel finds nothing. Quotas count successful queries:
Google `google_daily_quota` per Pacific day (then 429 rateLimitExceeded "Queries per day"), Brave
`brave_monthly_quota` per UTC month (then 429, `X-RateLimit-Remaining: 1, 0`; the X-RateLimit-* headers ride on
every Brave answer); `now` is injectable. Modes, one per request (the protocol's queue, else the shared one, else ok):

    ok / empty          results from the World / none        rate_limited     429 short-term
    quota_exhausted     Google: 403 dailyLimitExceeded (the legacy form); Brave: 429, monthly remaining 0
    server_error        500                                  hang             no answer until stop() (or hold_s)
    html                200 text/html (a challenge page)     garbage          200, JSON cut off mid-way
    wrong_shape         200 JSON of another shape            auth_error       Brave 422 token invalid, Google 403,
    json_disabled       SearXNG 403 (format=json off)                         SearXNG 401
    unresponsive        SearXNG 200, no results, every engine unresponsive (others: as empty)

`requests[protocol]` (also `GET /__fake/requests`) records path, query (key redacted), headers (secrets left out)
and the mode. CPython only.
"""

from __future__ import annotations

import json
import unicodedata
import zlib
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from local.fakes.http import Answer, MiniHttpServer, Request, Script, json_answer
from local.fakes.world import Hotel, World, load_world

PROTOCOLS = ("brave", "google", "searxng")
PATHS = {"/res/v1/web/search": "brave", "/customsearch/v1": "google", "/search": "searxng"}
MODES = ("ok", "empty", "rate_limited", "quota_exhausted", "server_error", "hang", "html", "garbage", "wrong_shape",
         "auth_error", "json_disabled", "unresponsive")  # fmt: skip
SECRET_HEADERS = frozenset({"x-subscription-token", "authorization"})
PACIFIC = ZoneInfo("America/Los_Angeles")
HTML = "text/html; charset=utf-8"
CHALLENGE = b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Checking your browser</body>"
FORBIDDEN = b"<html><head><title>403 Forbidden</title></head><body><h1>Forbidden</h1></body></html>"
GARBAGE = b'{"web": {"results": [{"url": "https://www.booking.com/hot'
WRONG_SHAPE = json.dumps({"status": "ok", "data": [{"href": "https://www.booking.com/"}]}).encode()
Row = tuple[str, str, str]  # url, title, snippet


def _quota_message(window: str) -> str:
    return (f"Quota exceeded for quota metric 'Queries' and limit 'Queries per {window}' of service "
            "'customsearch.googleapis.com' for consumer 'project_number:451270028559'.")  # fmt: skip


BRAVE_ERRORS = {
    "quota_exhausted": (429, "RATE_LIMITED", "Request quota limit exceeded for plan"),
    "rate_limited": (429, "RATE_LIMITED", "Request rate limit exceeded for plan"),
    "auth_error": (422, "SUBSCRIPTION_TOKEN_INVALID", "The provided subscription token is invalid."),
    "server_error": (500, "INTERNAL_ERROR", "An internal error occurred"),
}
GOOGLE_ERRORS: dict[str, tuple[int, str, str, str | None]] = {
    "quota": (429, _quota_message("day"), "rateLimitExceeded", "RESOURCE_EXHAUSTED"),
    "quota_exhausted": (403, "Daily Limit Exceeded", "dailyLimitExceeded", None),  # the legacy form
    "rate_limited": (429, _quota_message("minute"), "rateLimitExceeded", "RESOURCE_EXHAUSTED"),
    "auth_error": (403, "This project does not have the access to Custom Search JSON API.", "forbidden",
                   "PERMISSION_DENIED"),
    "server_error": (500, "Backend Error", "backendError", "INTERNAL"),
}  # fmt: skip
SEARXNG_ERRORS = {
    "quota_exhausted": (429, b"Too Many Requests"),
    "rate_limited": (429, b"Too Many Requests"),
    "auth_error": (401, b"401 Unauthorized"),
    "server_error": (500, b"<html><title>500 Internal Server Error</title></html>"),
}


@dataclass(frozen=True)
class SearchRequest:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    mode: str  # a mode, or "rejected_key" / "quota" / "bad_request"


class FakeSearchServer(MiniHttpServer):
    def __init__(
        self,
        world: World | None = None, *, brave_key: str = "fake-brave-key-0123456789",
        google_key: str = "AIzaFakeGoogleKey0123456789", google_cx: str = "017576662512468239146:omuauf_lfve",
        searxng_auth: str | None = None, google_daily_quota: int = 100, brave_monthly_quota: int = 2000,
        now: Callable[[], datetime] | None = None, hold_s: float = 60.0, host: str = "127.0.0.1", port: int = 0,
    ) -> None:  # fmt: skip
        super().__init__(MODES, host=host, port=port, hold_s=hold_s)
        self.world = world if world is not None else load_world()
        self.brave_key, self.google_key, self.google_cx = brave_key, google_key, google_cx
        self.searxng_auth = searxng_auth
        self.google_daily_quota, self.brave_monthly_quota = google_daily_quota, brave_monthly_quota
        self.now = now or (lambda: datetime.now(UTC))
        self.scripts = {p: Script(MODES) for p in PROTOCOLS}
        self.requests: dict[str, list[SearchRequest]] = {p: [] for p in PROTOCOLS}
        self.used: dict[tuple[str, str], int] = {}  # (protocol, period key) -> successful queries

    def script(self, modes: Iterable[str], protocol: str | None = None) -> None:
        """Queue modes for one protocol, or (None) for whichever protocol is asked next."""
        (self.modes if protocol is None else self.scripts[protocol]).script(modes)

    def usage(self, protocol: str) -> int:
        return self.used.get((protocol, self._period(protocol)), 0)

    def posted_script(self, body: Any) -> Any:  # a list (any protocol), or {protocol: [modes]}
        if not isinstance(body, list | dict) or (isinstance(body, dict) and not set(body) <= set(PROTOCOLS)):
            raise ValueError("a JSON list of modes, or {protocol: [modes]}")
        for protocol, modes in body.items() if isinstance(body, dict) else [(None, body)]:
            self.script((str(m) for m in modes), protocol)
        return {p: s.pending() for p, s in self.scripts.items()} | {"any": self.modes.pending()}

    def request_log(self) -> Any:
        return {p: [asdict(r) for r in logged] for p, logged in self.requests.items()}

    def route(self, request: Request) -> Answer | None:  # None: hold the connection
        protocol = PATHS.get(request.path)
        if protocol is None or request.method != "GET":
            return json_answer(404, {"error": f"no route {request.method} {request.path}"})
        query = {k: ("[key]" if k == "key" else v) for k, v in request.query.items()}
        headers = {k: v for k, v in request.headers.items() if k not in SECRET_HEADERS}
        problem = self._refusal(protocol, request)
        own = self.scripts[protocol]
        mode = "rejected_key" if problem else own.next() if own.pending() else self.modes.next()
        if mode in ("ok", "empty", "unresponsive") and self._exhausted(protocol):
            mode = "quota"
        self.requests[protocol].append(SearchRequest(request.path, query, headers, mode))
        if problem or mode == "quota":
            return problem or self._error(protocol, "quota")
        if mode == "hang":
            return None
        if mode == "html" or (mode == "json_disabled" and protocol == "searxng"):
            forbidden = mode == "json_disabled"
            return Answer(403 if forbidden else 200, FORBIDDEN if forbidden else CHALLENGE, {"content-type": HTML})
        if mode in ("garbage", "wrong_shape"):
            return Answer(200, GARBAGE if mode == "garbage" else WRONG_SHAPE, self._headers(protocol))
        if mode in ("ok", "empty", "unresponsive"):
            hotel = self.hotel_for(request.query.get("q", "")) if mode == "ok" else None
            rows = result_rows(self.world, hotel) if hotel else []
            self.used[(protocol, self._period(protocol))] = self.usage(protocol) + 1
            payload = getattr(self, f"_{protocol}_results")(request.query.get("q", ""), rows, mode)
            return Answer(200, json.dumps(payload).encode(), self._headers(protocol))
        return self._error(protocol, mode)

    def hotel_for(self, text: str) -> Hotel | None:  # named, and in the query's city when it names one
        folded = fold(text)
        named = [h for h in self.world.hotels if fold(h.name) in folded]
        return next((h for h in named if fold(h.city) in folded), named[0] if named else None)

    def _period(self, protocol: str) -> str:
        now = self.now()
        return now.astimezone(PACIFIC).strftime("%Y-%m-%d") if protocol == "google" else now.strftime("%Y-%m")

    def _exhausted(self, protocol: str) -> bool:
        limit = {"google": self.google_daily_quota, "brave": self.brave_monthly_quota}.get(protocol)
        return limit is not None and self.usage(protocol) >= limit

    def _headers(self, protocol: str, *, second_left: int = 1) -> dict[str, str]:
        headers = {"content-type": "application/json; charset=utf-8"}
        if protocol == "brave":
            now = self.now().astimezone(UTC)
            nxt = datetime(now.year + now.month // 12, now.month % 12 + 1, 1, tzinfo=UTC)
            left = max(0, self.brave_monthly_quota - self.usage("brave"))
            headers |= {
                "x-ratelimit-limit": f"1, {self.brave_monthly_quota}",
                "x-ratelimit-policy": f"1;w=1, {self.brave_monthly_quota};w=2592000",
                "x-ratelimit-remaining": f"{second_left}, {left}",
                "x-ratelimit-reset": f"1, {int((nxt - now).total_seconds())}",
            }
        return headers

    def _refusal(self, protocol: str, request: Request) -> Answer | None:
        token, query = request.headers.get("x-subscription-token"), request.query
        if protocol == "brave" and token is None:
            meta = {"errors": [{"input": None, "loc": ["header", "x-subscription-token"], "msg": "Field required"}]}
            return _brave_error(422, "VALIDATION", "Unable to validate request parameter(s)", meta)
        if protocol == "brave" and token != self.brave_key:
            return self._error("brave", "auth_error")
        if protocol == "google" and query.get("key") != self.google_key:
            return _google_error(400, "API key not valid. Please pass a valid API key.", "badRequest",
                                 "INVALID_ARGUMENT", info="API_KEY_INVALID")  # fmt: skip
        if protocol == "google" and (query.get("cx") != self.google_cx or not query.get("q")):
            return _google_error(400, "Request contains an invalid argument.", "badRequest", "INVALID_ARGUMENT")
        if protocol == "searxng" and self.searxng_auth and request.headers.get("authorization") != self.searxng_auth:
            return self._error("searxng", "auth_error")
        if protocol == "searxng" and query.get("format") != "json":
            return Answer(200, CHALLENGE, {"content-type": HTML})
        return None

    def _brave_results(self, q: str, rows: list[Row], mode: str) -> dict[str, Any]:
        results = [
            {
                "title": t,
                "url": u,
                "description": _highlight(s, q, "strong"),
                "type": "search_result",
                "subtype": "generic",
                "is_source_local": False,
                "family_friendly": True,
                "profile": {"name": _host(u), "url": u, "long_name": _host(u)},
                "meta_url": {"scheme": "https", "netloc": _host(u), "hostname": _host(u)},
            }
            for u, t, s in rows
        ]
        answer: dict[str, Any] = {
            "type": "search",
            "query": {"original": q, "more_results_available": bool(rows)},
            "mixed": {"type": "mixed", "main": [{"type": "web", "index": i} for i in range(len(rows))]},
        }
        web = {"type": "search", "results": results, "family_friendly": True}
        return answer | ({"web": web} if rows else {})

    def _google_results(self, q: str, rows: list[Row], mode: str) -> dict[str, Any]:
        total = str(len(rows) * 137)
        answer: dict[str, Any] = {
            "kind": "customsearch#search",
            "queries": {"request": [{"title": f"Google Custom Search - {q}", "totalResults": total, "searchTerms": q,
                                     "count": len(rows), "startIndex": 1, "cx": self.google_cx}]},
            "searchInformation": {"searchTime": 0.31, "formattedSearchTime": "0.31", "totalResults": total,
                                  "formattedTotalResults": f"{int(total):,}"},
        }  # fmt: skip
        items = [
            {
                "kind": "customsearch#result",
                "title": t,
                "htmlTitle": _highlight(t, q, "b"),
                "link": u,
                "displayLink": _host(u),
                "snippet": s,
                "htmlSnippet": _highlight(s, q, "b"),
                "formattedUrl": u,
            }
            for u, t, s in rows
        ]
        return answer | ({"items": items} if items else {})  # fmt: skip

    def _searxng_results(self, q: str, rows: list[Row], mode: str) -> dict[str, Any]:
        results = [
            {"url": u, "title": t, "content": s, "engine": "brave", "engines": ["brave", "duckduckgo", "google"],
             "parsed_url": ["https", _host(u), urlsplit(u).path, "", "", ""], "template": "default.html",
             "positions": [i + 1], "score": round(3.0 / (i + 1), 3), "category": "general"}
            for i, (u, t, s) in enumerate(rows)
        ]  # fmt: skip
        failed = [["google", "CAPTCHA"], ["brave", "too many requests"], ["duckduckgo", "timeout"]]
        return {"query": q, "number_of_results": 0, "results": results, "answers": [], "corrections": [],
                "infoboxes": [], "suggestions": [],
                "unresponsive_engines": failed if mode == "unresponsive" else []}  # fmt: skip

    def _error(self, protocol: str, mode: str) -> Answer:
        mode = "quota_exhausted" if mode == "quota" and protocol != "google" else mode
        mode = "auth_error" if mode == "json_disabled" else mode
        if protocol == "google":
            status, message, reason, grpc = GOOGLE_ERRORS.get(mode, GOOGLE_ERRORS["server_error"])
            return _google_error(status, message, reason, grpc, domain="usageLimits" if grpc is None else "global")
        if protocol == "searxng":
            status, text = SEARXNG_ERRORS.get(mode, SEARXNG_ERRORS["server_error"])
            auth = {"www-authenticate": "Basic"} if status == 401 else {}
            return Answer(status, text, {"content-type": "text/html" if text[:1] == b"<" else "text/plain"} | auth)
        status, code, detail = BRAVE_ERRORS.get(mode, BRAVE_ERRORS["server_error"])
        meta = {"plan": "Free", "rate_limit": 1, "rate_current": 1, "quota_limit": self.brave_monthly_quota}
        used = self.brave_monthly_quota if mode == "quota_exhausted" else self.usage("brave")
        answer = _brave_error(status, code, detail, meta | {"quota_current": used} if status == 429 else None)
        if status == 429:
            answer.headers |= self._headers("brave", second_left=0 if mode == "rate_limited" else 1)
            if mode == "quota_exhausted":
                answer.headers["x-ratelimit-remaining"] = "1, 0"
        return answer


# -- what the engines find ---------------------------------------------------------------------------------------
def result_rows(world: World, hotel: Hotel) -> list[Row]:
    """The hotel's results as the engines rank them: portals first, look-alikes, the own site, pages about it."""
    slug = "-".join(fold(hotel.name).replace("'", "").split())
    traps = [t for t in world.traps if t.for_hotel == hotel.name]
    portal = next((t for t in traps if t.kind == "portal"), None)
    ota = next((t for t in traps if t.kind == "ota"), None)
    number = zlib.crc32(hotel.domain.encode()) % 9_000_000 + 1_000_000
    rows: list[Row] = [
        (portal.url, portal.title, "") if portal else
        (f"https://www.booking.com/hotel/{hotel.country.lower()}/{slug}.html",
         f"{hotel.name}, {hotel.city} – Updated 2026 Prices – Booking.com", ""),
        (ota.url, ota.title, "") if ota else
        (f"https://www.tripadvisor.com/Hotel_Review-d{number}-{slug}-{hotel.city}.html",
         f"{hotel.name.upper()} - Updated 2026 Reviews ({hotel.city})", ""),
    ]  # fmt: skip
    rows += [(t.url, t.title, "") for t in traps if t.kind == "parked"]
    rows.append((f"https://www.{hotel.domain}/", hotel.title or hotel.name, hotel.description))
    rows += [(t.url, t.title, "") for t in traps if t.kind not in ("portal", "ota", "parked")]
    rows.append((f"https://www.expedia.com/{hotel.city}-Hotels-{slug}.h{number}.Hotel-Information",
                 f"{hotel.name} – {hotel.city} | Expedia", ""))  # fmt: skip
    return [(u, t, s or f"{hotel.name} in {hotel.city}: see prices, photos and guest reviews.") for u, t, s in rows]


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


def _highlight(text: str, q: str, tag: str) -> str:
    words = {w.strip('"').casefold() for w in q.split() if len(w.strip('"')) > 3}
    return " ".join(f"<{tag}>{w}</{tag}>" if w.casefold().strip(",.") in words else w for w in text.split())


def _host(url: str) -> str:
    return urlsplit(url).hostname or ""


def _brave_error(status: int, code: str, detail: str, meta: dict[str, Any] | None = None) -> Answer:
    error = {"id": f"{zlib.crc32(detail.encode()):08x}-fake", "status": status, "code": code, "detail": detail}
    return json_answer(status, {"type": "ErrorResponse", "error": error | ({"meta": meta} if meta else {})})


def _google_error(
    status: int, message: str, reason: str, grpc: str | None, *, domain: str = "global", info: str | None = None
) -> Answer:
    error: dict[str, Any] = {
        "code": status,
        "message": message,
        "errors": [{"message": message, "domain": domain, "reason": reason}],
    }
    error |= {"status": grpc} if grpc else {}
    error |= {"details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": info}]} if info else {}
    return json_answer(status, {"error": error})  # fmt: skip
