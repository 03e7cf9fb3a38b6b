"""The search and verification adapters in real Pyodide, over the SDK's `workers.fetch` (`WorkersFetch`) to the
vendors' mock hosts (mocks.mjs "enrichment vendors"): what each adapter put on the wire and what it made of the
answer. Every attempt reports its outcome (hits, a verdict, or the `LookupFailure`) and the fetch calls it made."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

TIMEOUT_S = 10.0
STALL_TIMEOUT_S = 0.05


def _fetches() -> list[dict[str, Any]]:
    from runtime.workerd import calls

    return [c for c in calls() if c["binding"] == "fetch"]


async def _attempt(work: Awaitable[Any]) -> dict[str, Any]:
    from shared.ports.lookups import LookupFailure
    from shared.ports.search import SearchHit
    from shared.ports.verification import Verification

    before = len(_fetches())
    outcome: dict[str, Any]
    try:
        answer = await work
    except LookupFailure as failure:
        outcome = {
            "kind": failure.kind.value,
            "detail": failure.detail,
            "retry_after_s": failure.retry_after_s,
            "quota_period": failure.quota_period,
        }
    else:
        if isinstance(answer, Verification):
            outcome = {
                "result": answer.result.value,
                "detail": answer.detail,
                "role": answer.role,
                "disposable": answer.disposable,
            }
        else:
            assert all(isinstance(hit, SearchHit) for hit in answer), answer
            outcome = {"hits": [[hit.url, hit.title, hit.snippet] for hit in answer]}
    return {**outcome, "calls": _fetches()[before:]}


async def search_adapters() -> dict[str, Any]:
    import jengu_mocks

    from shared.adapters.http import WorkersFetch
    from shared.adapters.search.brave import BraveSearch
    from shared.adapters.search.google_cse import GoogleCustomSearch
    from shared.adapters.search.searxng import SearxngSearch
    from shared.ports.search import SiteQuery

    keys = jengu_mocks.ENRICHMENT_KEYS
    http = WorkersFetch()
    alpenhof = SiteQuery("Hotel Alpenhof", city="Kitzbühel", country="AT")
    unknown = SiteQuery("Pension Sonnblick", city="Rauris", country="AT")

    def brave(key: str) -> BraveSearch:
        return BraveSearch(http, key, base_url="https://api.search.brave.mock")

    def google(key: str) -> GoogleCustomSearch:
        return GoogleCustomSearch(http, key, keys.google.cx, base_url="https://www.googleapis.mock")

    sso = "https://searx-sso.jengu.mock"
    return {
        "keys": {
            "brave": [keys.brave.ok, keys.brave.quota, keys.brave.rate],
            "google": [keys.google.key, keys.google.quota, keys.google.html],
            "searxng": keys.searxng,
        },
        "brave": {
            "ok": await _attempt(brave(keys.brave.ok).search(alpenhof, timeout_s=TIMEOUT_S)),
            "nothing": await _attempt(brave(keys.brave.ok).search(unknown, timeout_s=TIMEOUT_S)),
            "quota": await _attempt(brave(keys.brave.quota).search(alpenhof, timeout_s=TIMEOUT_S)),
            "rate": await _attempt(brave(keys.brave.rate).search(alpenhof, timeout_s=TIMEOUT_S)),
            "bad_token": await _attempt(brave("BSAexpiredToken0000000000000000").search(alpenhof, timeout_s=TIMEOUT_S)),
        },
        "google": {
            "ok": await _attempt(google(keys.google.key).search(alpenhof, timeout_s=TIMEOUT_S)),
            "quota": await _attempt(google(keys.google.quota).search(alpenhof, timeout_s=TIMEOUT_S)),
            "bad_key": await _attempt(
                google("AIzaSyRevokedKey000000000000000000000").search(alpenhof, timeout_s=TIMEOUT_S)
            ),
            "html": await _attempt(google(keys.google.html).search(alpenhof, timeout_s=TIMEOUT_S)),
        },
        "searxng": {
            "ok": await _attempt(
                SearxngSearch(http, "https://searx.jengu.mock/").search(alpenhof, timeout_s=TIMEOUT_S)
            ),
            "engines_failed": await _attempt(
                SearxngSearch(http, "https://searx.jengu.mock").search(unknown, timeout_s=TIMEOUT_S)
            ),
            "authorized": await _attempt(
                SearxngSearch(http, sso, authorization=keys.searxng).search(alpenhof, timeout_s=TIMEOUT_S)
            ),
            "sign_in_page": await _attempt(SearxngSearch(http, sso).search(alpenhof, timeout_s=TIMEOUT_S)),
            "wrong_auth": await _attempt(
                SearxngSearch(http, sso, authorization="Bearer sx_revoked").search(alpenhof, timeout_s=TIMEOUT_S)
            ),
            "stalled": await _attempt(
                SearxngSearch(http, "https://searx-stalled.jengu.mock").search(alpenhof, timeout_s=STALL_TIMEOUT_S)
            ),
        },
        "aborted": _aborted(),
    }


async def verifiers() -> dict[str, Any]:
    import jengu_mocks

    from shared.adapters.http import WorkersFetch
    from shared.adapters.verification import verifier
    from shared.adapters.verification.millionverifier import MillionVerifier
    from shared.adapters.verification.zerobounce import ZeroBounce

    keys = jengu_mocks.ENRICHMENT_KEYS
    http = WorkersFetch()
    mv_base, zb_base = "https://api.millionverifier.mock", "https://api.zerobounce.mock"
    million = MillionVerifier(http, keys.millionverifier.ok, mv_base)
    mv_addresses = [
        "anna.huber@alpenhof-kitzbuehel.at",
        "info@schlosshotel-velden.at",
        "j.novak@hotel-praha-centrum.cz",
        "guest4711@mailinator.com",
        "m.rossi@albergo-roma.it",
    ]
    mv = {address: await _attempt(million.verify(address, timeout_s=TIMEOUT_S)) for address in mv_addresses}
    mv_credits = million.credits_left
    address = mv_addresses[0]
    mv_failures = {
        "spent": await _attempt(
            MillionVerifier(http, keys.millionverifier.empty, mv_base).verify(address, timeout_s=TIMEOUT_S)
        ),
        "unknown_key": await _attempt(
            MillionVerifier(http, "mvRevokedKey0000000000", mv_base).verify(address, timeout_s=TIMEOUT_S)
        ),
        "stalled": await _attempt(
            MillionVerifier(http, keys.millionverifier.stalled, mv_base).verify(address, timeout_s=STALL_TIMEOUT_S)
        ),
    }
    zero = verifier("zerobounce", http, keys.zerobounce.ok, zb_base)
    assert isinstance(zero, ZeroBounce)
    zb_addresses = [
        "anna.huber@alpenhof-kitzbuehel.at",
        "reservierung@schlosshotel-velden.at",
        "info@hotel-adlon.de",
        "j.novak@hotel-praha-centrum.cz",
        "sales@grandhotel-zermatt.ch",
    ]
    zb = {address: await _attempt(zero.verify(address, timeout_s=TIMEOUT_S)) for address in zb_addresses}
    zb_failures = {
        "spent": await _attempt(ZeroBounce(http, keys.zerobounce.empty, zb_base).verify(address, timeout_s=TIMEOUT_S)),
        "unknown_key": await _attempt(
            ZeroBounce(http, "ffffffffffffffffffffffffffffffff", zb_base).verify(address, timeout_s=TIMEOUT_S)
        ),
        "html": await _attempt(ZeroBounce(http, keys.zerobounce.html, zb_base).verify(address, timeout_s=TIMEOUT_S)),
    }
    return {
        "keys": {
            "millionverifier": [keys.millionverifier.ok, keys.millionverifier.empty, keys.millionverifier.stalled],
            "zerobounce": [keys.zerobounce.ok, keys.zerobounce.empty, keys.zerobounce.html],
        },
        "millionverifier": mv,
        "millionverifier_credits_left": mv_credits,
        "millionverifier_failures": mv_failures,
        "zerobounce": zb,
        "zerobounce_failures": zb_failures,
        "aborted": _aborted(),
    }


async def latin1_page() -> dict[str, Any]:
    from shared.adapters.http import WorkersFetch
    from shared.adapters.web_pages import HttpPageFetcher

    url = "https://www.hostellerie-du-chateau.mock/"
    fetcher = HttpPageFetcher(WorkersFetch(), user_agent="JenguBot/1.0 (+https://jengu.example/bot)")
    page = await fetcher.get(url, max_bytes=64_000, timeout_s=TIMEOUT_S)
    cut = await fetcher.get(url, max_bytes=120, timeout_s=TIMEOUT_S)
    return {
        "page": {
            "url": page.url,
            "status": page.status,
            "content_type": page.content_type,
            "text": page.text,
            "redirects": list(page.redirects),
            "truncated": page.truncated,
        },
        "cut": {"text": cut.text, "truncated": cut.truncated},
        "calls": _fetches(),
    }


def _aborted() -> list[str]:
    import json

    import jengu_mocks

    result: list[str] = json.loads(jengu_mocks.abortedJson())
    return result
