"""The page fetcher's outbound path in real Pyodide: the SDK's `workers.fetch` hands `redirect: "manual"` to the JS
fetch, a 3xx with its Location comes back as an answer, and `HttpPageFetcher` follows each hop (a relative Location
too) with its own headers, decoding the iso-8859-1 page as the web does (windows-1252)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="module")
def fetched(pyodide: Any) -> dict[str, Any]:
    result: dict[str, Any] = pyodide.run("enrichment", "page_fetch")
    return result


def test_a_manual_redirect_is_an_answer_with_its_location(fetched: dict[str, Any]) -> None:
    assert fetched["manual"] == {"status": 301, "location": "https://www.alpenhof-hotel.mock/de/", "body": []}
    assert fetched["calls"][0]["redirect"] == "manual"
    # Without the option nothing is passed, and fetch follows by itself (the hops are invisible).
    assert fetched["calls"][1]["redirect"] == "unset"
    assert fetched["followed"]["status"] == 200


def test_the_page_fetcher_follows_every_hop_itself(fetched: dict[str, Any]) -> None:
    page = fetched["page"]
    assert page["url"] == "https://www.alpenhof-hotel.mock/de/willkommen"
    assert page["redirects"] == ["https://alpenhof-hotel.mock/", "https://www.alpenhof-hotel.mock/de/"]
    assert (page["status"], page["content_type"]) == (200, "text/html")
    assert "<title>Alpenhof Kitzbühel – Grüß Gott</title>" in page["text"]
    hops = fetched["calls"][-3:]
    assert [c["url"] for c in hops] == [
        "https://alpenhof-hotel.mock/",
        "https://www.alpenhof-hotel.mock/de/",
        "https://www.alpenhof-hotel.mock/de/willkommen",
    ]
    assert {c["redirect"] for c in hops} == {"manual"}
    headers = hops[0]["headers"]["v"]
    assert headers["User-Agent"] == {"t": "string", "v": "JenguBot/1.0 (+https://jengu.example/bot)"}
    assert headers["Accept"]["v"].startswith("text/html")
