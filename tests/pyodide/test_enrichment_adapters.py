"""The website finders and email verifiers in real Pyodide (cases/enrichment_adapters.py): `BraveSearch`,
`GoogleCustomSearch`, `SearxngSearch`, `MillionVerifier` and `ZeroBounce` over `WorkersFetch` and the SDK's
`workers.fetch`, against mock vendors answering their documented JSON (mocks.mjs "enrichment vendors"). Each test
checks what crossed into JS (method, the URL with the query string the adapter built, the headers) and what the
adapter made of the answer (hits, verdicts, failure kinds); `HttpPageFetcher` reads a latin-1-labelled page."""

from __future__ import annotations

from typing import Any

import pytest

QUERY = "q=%22Hotel+Alpenhof%22+Kitzb%C3%BChel"  # SiteQuery("Hotel Alpenhof", "Kitzbühel", "AT").text()
HITS = [
    [
        "https://www.booking.com/hotel/at/alpenhof-kitzbuhel.html",
        "Hotel Alpenhof, Kitzbühel – Updated 2026 Prices",
        "Hotel Alpenhof is 400 m from the Hahnenkamm cable car & offers a spa.",
    ],
    [
        "https://www.alpenhof-kitzbuehel.at/",
        "Hotel Alpenhof Kitzbühel – Ihr Familienhotel in Tirol",
        "Willkommen im Hotel Alpenhof in Kitzbühel: 42 Zimmer, Wellness & Tiroler Küche.",
    ],
    [
        "https://www.tripadvisor.at/Hotel_Review-g190399-d233402-Reviews-Hotel_Alpenhof-Kitzbuhel_Tirol_Austrian_Alps.html",
        "HOTEL ALPENHOF (Kitzbühel) – Bewertungen",
        "1.204 Bewertungen",
    ],
]  # the vendor's order; the repeated own-site entry and the relative "/url?q=" entry are dropped


def _s(value: str) -> dict[str, Any]:
    return {"t": "string", "v": value}


def _headers(call: dict[str, Any]) -> dict[str, Any]:
    headers = call["args"][0]
    assert headers["t"] == "Object"  # a plain JS object, as fetch's init.headers expects
    return dict(headers["v"])


def _one_call(outcome: dict[str, Any]) -> dict[str, Any]:
    assert len(outcome["calls"]) == 1, outcome["calls"]
    call: dict[str, Any] = outcome["calls"][0]
    assert (call["method"], call["signal"], call["redirect"]) == ("GET", "AbortSignal", "unset")
    assert call["args"][1] == {"t": "undefined"}  # no body on a GET
    return call


def _failures(group: dict[str, Any]) -> dict[str, tuple[str, float | None, str | None]]:
    return {name: (o["kind"], o["retry_after_s"], o["quota_period"]) for name, o in group.items() if "kind" in o}


@pytest.fixture(scope="module")
def search(pyodide: Any) -> dict[str, Any]:
    result: dict[str, Any] = pyodide.run("enrichment_adapters", "search_adapters")
    return result


@pytest.fixture(scope="module")
def verify(pyodide: Any) -> dict[str, Any]:
    result: dict[str, Any] = pyodide.run("enrichment_adapters", "verifiers")
    return result


def test_brave_sends_the_token_header_and_a_localised_query(search: dict[str, Any]) -> None:
    brave = search["brave"]
    token = search["keys"]["brave"][0]
    call = _one_call(brave["ok"])
    assert call["url"] == f"https://api.search.brave.mock/res/v1/web/search?{QUERY}&count=10&country=AT&search_lang=de"
    assert _headers(call) == {"accept": _s("application/json"), "x-subscription-token": _s(token)}
    assert token not in call["url"]  # the token travels in the header only
    # <strong> highlights and &amp; entities gone, repeats and non-absolute URLs dropped, Brave's order kept.
    assert brave["ok"]["hits"] == HITS
    # An answer without a `web` section is "nothing found"; the name lacks a lodging word, so "hotel" is added.
    assert brave["nothing"]["hits"] == []
    assert "q=%22Pension+Sonnblick%22+Rauris+hotel&" in _one_call(brave["nothing"])["url"]


def test_brave_failures_by_its_error_answers_and_rate_limit_headers(search: dict[str, Any]) -> None:
    # 429 with the monthly window's remaining at 0 (X-RateLimit-Policy says which window is the month): QUOTA
    # until the monthly reset; 429 with only the per-second window spent: RATE_LIMITED for a second; 422
    # SUBSCRIPTION_TOKEN_INVALID: AUTH.
    assert _failures(search["brave"]) == {
        "quota": ("quota", 1_419_704.0, "month"),
        "rate": ("rate_limited", 1.0, None),
        "bad_token": ("auth", None, None),
    }
    assert search["brave"]["quota"]["detail"] == "HTTP 429: RATE_LIMITED: Request quota limit exceeded for plan"
    assert "SUBSCRIPTION_TOKEN_INVALID" in search["brave"]["bad_token"]["detail"]


def test_google_cse_puts_key_cx_and_country_in_the_query_string(search: dict[str, Any]) -> None:
    google = search["google"]
    key = search["keys"]["google"][0]
    call = _one_call(google["ok"])
    assert call["url"] == (
        f"https://www.googleapis.mock/customsearch/v1?key={key}&cx=017576662512468239146%3Aomuauf_lfve"
        f"&{QUERY}&num=10&gl=at"
    )
    assert _headers(call) == {"accept": _s("application/json")}
    assert google["ok"]["hits"] == HITS  # `items[].{link,title,snippet}`


def test_google_cse_failures(search: dict[str, Any]) -> None:
    # 429 "Queries per day": the daily quota (QUOTA, day); 400 API_KEY_INVALID: AUTH; a captive portal's 200 HTML
    # page: MALFORMED.
    assert _failures(search["google"]) == {
        "quota": ("quota", None, "day"),
        "bad_key": ("auth", None, None),
        "html": ("malformed", None, None),
    }
    google = search["google"]
    assert google["quota"]["detail"].startswith("HTTP 429 rateLimitExceeded: Quota exceeded for quota metric 'Queries'")
    assert google["bad_key"]["detail"].startswith("HTTP 400 API_KEY_INVALID,badRequest: API key not valid.")
    assert google["html"]["detail"] == "HTTP 200: an HTML page instead of JSON"


def test_searxng_json_format_and_authorization(search: dict[str, Any]) -> None:
    sx = search["searxng"]
    call = _one_call(sx["ok"])  # the trailing slash of the configured base is not doubled
    assert call["url"] == f"https://searx.jengu.mock/search?{QUERY}&format=json&categories=general&pageno=1"
    assert _headers(call) == {"accept": _s("application/json")}
    assert sx["ok"]["hits"] == HITS  # `results[].{url,title,content}`
    authorized = _one_call(sx["authorized"])
    assert _headers(authorized)["authorization"] == _s(search["keys"]["searxng"])
    assert sx["authorized"]["hits"] == HITS


def test_searxng_failures(search: dict[str, Any]) -> None:
    sx = search["searxng"]
    assert _failures(sx) == {
        "engines_failed": ("server", None, None),  # no results and an unresponsive engine is not "nothing found"
        "sign_in_page": ("malformed", None, None),
        "wrong_auth": ("auth", None, None),
        "stalled": ("timeout", None, None),
    }
    assert sx["engines_failed"]["detail"] == "searxng: every engine failed: google (CAPTCHA)"
    # Without Authorization the proxy redirects to its sign-in page; fetch follows by itself (the adapter asks for
    # no manual redirects) and the HTML page that comes back is MALFORMED, not hits.
    hop, page = sx["sign_in_page"]["calls"]
    assert hop["url"].startswith("https://searx-sso.jengu.mock/search?")
    assert page["url"].startswith("https://searx-sso.jengu.mock/oauth2/sign_in?rd=%2Fsearch%3Fq%3D")
    assert sx["stalled"]["detail"] == "GET https://searx-stalled.jengu.mock/search: no complete answer within 0.05 s"
    assert search["aborted"] == [_one_call(sx["stalled"])["url"]]  # the timeout aborted the JS fetch


def test_millionverifier_verdicts_and_what_it_sent(verify: dict[str, Any]) -> None:
    mv = verify["millionverifier"]
    key = verify["keys"]["millionverifier"][0]
    verdicts = {address: (o["result"], o["detail"], o["role"], o["disposable"]) for address, o in mv.items()}
    assert verdicts == {
        "anna.huber@alpenhof-kitzbuehel.at": ("deliverable", "ok", False, False),
        "info@schlosshotel-velden.at": ("catch_all", "catch_all", True, False),
        "j.novak@hotel-praha-centrum.cz": ("undeliverable", "invalid/mailbox_not_found", False, False),
        "guest4711@mailinator.com": ("risky", "disposable", False, True),
        "m.rossi@albergo-roma.it": ("risky", "unknown/greylisted", False, False),
    }
    call = _one_call(mv["anna.huber@alpenhof-kitzbuehel.at"])
    # timeout: a fifth under our 10 s, so MillionVerifier answers "unknown" before our own timeout fires.
    assert call["url"] == (
        f"https://api.millionverifier.mock/api/v3/?api={key}&email=anna.huber%40alpenhof-kitzbuehel.at&timeout=8"
    )
    assert _headers(call) == {"accept": _s("application/json")}
    assert verify["millionverifier_credits_left"] == 9_996  # four charged answers; the unknown one was free


def test_millionverifier_failures_come_as_http_200_with_error(verify: dict[str, Any]) -> None:
    failures = verify["millionverifier_failures"]
    assert _failures(failures) == {
        "spent": ("quota", None, "month"),  # "Insufficient credits"
        "unknown_key": ("auth", None, None),  # "Apikey not found"
        "stalled": ("timeout", None, None),
    }
    stalled = _one_call(failures["stalled"])
    assert stalled["url"].endswith("&timeout=2")  # never below MillionVerifier's documented minimum
    assert verify["aborted"] == [stalled["url"]]


def test_zerobounce_verdicts_and_what_it_sent(verify: dict[str, Any]) -> None:
    zb = verify["zerobounce"]
    key = verify["keys"]["zerobounce"][0]
    verdicts = {address: (o["result"], o["detail"], o["role"], o["disposable"]) for address, o in zb.items()}
    assert verdicts == {
        "anna.huber@alpenhof-kitzbuehel.at": ("deliverable", "valid", False, False),
        "reservierung@schlosshotel-velden.at": ("catch_all", "catch-all", False, False),
        "info@hotel-adlon.de": ("risky", "do_not_mail/role_based", True, False),
        "j.novak@hotel-praha-centrum.cz": ("undeliverable", "invalid/mailbox_not_found", False, False),
        "sales@grandhotel-zermatt.ch": ("risky", "unknown/greylisted", False, False),
    }
    call = _one_call(zb["info@hotel-adlon.de"])
    assert call["url"] == (
        f"https://api.zerobounce.mock/v2/validate?api_key={key}&email=info%40hotel-adlon.de&ip_address=&timeout=8"
    )
    assert _headers(call) == {"accept": _s("application/json")}


def test_zerobounce_tells_its_one_refusal_text_apart_with_getcredits(verify: dict[str, Any]) -> None:
    failures = verify["zerobounce_failures"]
    assert _failures(failures) == {
        "spent": ("quota", None, "month"),  # getcredits 0
        "unknown_key": ("auth", None, None),  # getcredits -1
        "html": ("malformed", None, None),  # a 200 HTML page from the CDN in front of the API
    }
    spent_key = verify["keys"]["zerobounce"][1]
    validate, credits = (c["url"] for c in failures["spent"]["calls"])
    assert validate.startswith(f"https://api.zerobounce.mock/v2/validate?api_key={spent_key}&")
    assert credits == f"https://api.zerobounce.mock/v2/getcredits?api_key={spent_key}"
    assert failures["spent"]["detail"].endswith("(getcredits: 0 credits left)")
    assert failures["unknown_key"]["detail"].endswith("(getcredits: the key is unknown)")
    assert len(failures["html"]["calls"]) == 1  # an HTML page is no refusal text: no getcredits call


def test_no_failure_detail_carries_a_credential(search: dict[str, Any], verify: dict[str, Any]) -> None:
    secrets = [*search["keys"]["brave"], *search["keys"]["google"], search["keys"]["searxng"]]
    secrets += [*verify["keys"]["millionverifier"], *verify["keys"]["zerobounce"]]
    secrets += ["BSAexpiredToken0000000000000000", "AIzaSyRevokedKey000000000000000000000", "mvRevokedKey0000000000"]
    groups = [search["brave"], search["google"], search["searxng"]]
    groups += [verify["millionverifier_failures"], verify["zerobounce_failures"]]
    details = [o["detail"] for group in groups for o in group.values() if "kind" in o]
    assert len(details) == 16
    for detail in details:
        for secret in secrets:
            assert secret not in detail and secret.removeprefix("Bearer ") not in detail, detail


def test_page_fetcher_reads_a_latin1_labelled_page_as_windows_1252(pyodide: Any) -> None:
    result = pyodide.run("enrichment_adapters", "latin1_page")
    page = result["page"]
    assert (page["url"], page["status"], page["content_type"]) == (
        "https://www.hostellerie-du-chateau.mock/",
        200,
        "text/html",
    )
    assert (page["redirects"], page["truncated"]) == ([], False)
    # The header's `charset=latin1` wins over the stale <meta charset=utf-8>; the bytes 0x80, 0x92, 0x96, 0x9c
    # are windows-1252's €, ’, – and œ (WHATWG: latin1 means windows-1252), not C1 controls or U+FFFD.
    assert "<title>Hostellerie du Château – Chambres dès 95 €</title>" in page["text"]
    assert "Bienvenue à l’hôtel, 18 chambres au cœur de Loches." in page["text"]
    assert "\ufffd" not in page["text"] and not any("\x80" <= ch <= "\x9f" for ch in page["text"])
    # A byte budget cuts a single-byte page at exactly that many characters.
    assert result["cut"]["truncated"] is True and len(result["cut"]["text"]) == 120
    first = result["calls"][0]
    assert (first["url"], first["redirect"]) == ("https://www.hostellerie-du-chateau.mock/", "manual")
    assert _headers(first)["User-Agent"] == _s("JenguBot/1.0 (+https://jengu.example/bot)")
