"""HttpPageFetcher end to end: the Workers fetch adapter, whose local stand-in routes hotel hosts to FakeWebsites
(env JENGU_WEB_FAKE_URL), over real HTTP on 127.0.0.1; plus the redirect, budget and charset rules against a
scripted HttpClient with an injected clock (no sleeping)."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Mapping
from typing import Literal

import pytest
import pytest_asyncio
from hypothesis import given
from hypothesis import strategies as st

from local.fakes.websites import FakeWebsites
from shared.adapters.http import WorkersFetch
from shared.adapters.web_pages import HttpPageFetcher, decode_body, meta_refresh, sniff_charset
from shared.ports.http import HttpError, HttpResponse, HttpTimeout

pytestmark = pytest.mark.slow  # real servers on 127.0.0.1

UA = "JenguBot/1.0 (+https://jengu.example/bot; hello@jengu.example)"
BUDGET = 512_000


@pytest_asyncio.fixture
async def sites(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeWebsites]:
    async with FakeWebsites(trickle_delay_s=0.05, huge_bytes=3_000_000) as server:
        monkeypatch.setenv("JENGU_WEB_FAKE_URL", server.base_url)
        yield server


def fetcher() -> HttpPageFetcher:
    return HttpPageFetcher(WorkersFetch(), user_agent=UA)


# -- the fake web through the local fetch ---------------------------------------------------------------------------


async def test_a_hotel_home_page_with_our_user_agent(sites: FakeWebsites) -> None:
    page = await fetcher().get("https://www.sonnenhof-hotel.example/", max_bytes=BUDGET, timeout_s=5)
    assert (page.url, page.status, page.content_type, page.redirects) == (
        "https://www.sonnenhof-hotel.example/",
        200,
        "text/html",
        (),
    )
    assert "<title>Hotel Sonnenhof München – Boutique hotel in Schwabing</title>" in page.text
    ld = page.text.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert json.loads(ld)["@type"] == "Hotel" and json.loads(ld)["numberOfRooms"] == 48
    assert 'href="/ueber-uns"' in page.text and not page.truncated
    [seen] = sites.requests
    assert (seen.host, seen.path, seen.user_agent, seen.proto) == ("www.sonnenhof-hotel.example", "/", UA, "https")


async def test_bare_host_localised_about_page_and_robots(sites: FakeWebsites) -> None:
    about = await fetcher().get("http://bellavista-hotel.example/chi-siamo", max_bytes=BUDGET, timeout_s=5)
    assert about.status == 200 and "Via dei Servi 5" in about.text and 'lang="it"' in about.text
    robots = await fetcher().get("https://www.alpenrose-innsbruck.example/robots.txt", max_bytes=BUDGET, timeout_s=5)
    assert robots.content_type == "text/plain" and robots.text == "User-agent: *\nDisallow: /intern/\n"
    default = await fetcher().get("https://nordlys.example/robots.txt", max_bytes=BUDGET, timeout_s=5)
    assert default.text == "User-agent: *\nAllow: /\n"
    missing = await fetcher().get("https://nordlys.example/wp-login.php", max_bytes=BUDGET, timeout_s=5)
    assert missing.status == 404  # an answer, not an error
    assert sites.requests[0].proto == "http"


async def test_a_site_that_moved_to_a_booking_portal_shows_the_hop(sites: FakeWebsites) -> None:
    page = await fetcher().get("https://www.seasidelodge.example/", max_bytes=BUDGET, timeout_s=5)
    assert page.url == "https://www.booking.com/hotel/gb/seaside-lodge.html"
    assert page.redirects == ("https://www.seasidelodge.example/",)
    assert "Booking.com" in page.text


async def test_a_chain_with_relative_locations_is_followed_hop_by_hop(sites: FakeWebsites) -> None:
    sites.behave("grachtenhotel.example", "redirect", path="/", location="https://www.grachtenhotel.example/index.php")
    sites.behave("grachtenhotel.example", "redirect", path="/index.php", location="en/")  # relative to the path
    page = await fetcher().get("http://grachtenhotel.example/", max_bytes=BUDGET, timeout_s=5)
    assert page.url == "https://www.grachtenhotel.example/en/" and page.status == 200
    assert page.redirects == ("http://grachtenhotel.example/", "https://www.grachtenhotel.example/index.php")
    assert "Keizersgracht 300" in page.text
    assert [r.path for r in sites.requests] == ["/", "/index.php", "/en/"]


async def test_loops_too_many_hops_and_non_http_targets_are_errors(sites: FakeWebsites) -> None:
    sites.behave("marazul.example", "redirect_loop")
    with pytest.raises(HttpError, match="redirect loop"):
        await fetcher().get("https://www.marazul.example/", max_bytes=BUDGET, timeout_s=5)
    with pytest.raises(HttpError, match="more than 0 redirects"):
        await fetcher().get("http://seasidelodge.example/", max_bytes=BUDGET, timeout_s=5, max_redirects=0)
    sites.behave("harbourinn.example", "redirect", location="mailto:james@harbourinn.example")
    with pytest.raises(HttpError, match="non-http"):
        await fetcher().get("https://harbourinn.example/", max_bytes=BUDGET, timeout_s=5)


async def test_meta_refresh_parking_is_followed_to_the_lander(sites: FakeWebsites) -> None:
    sites.behave("nordlys.example", "parked")
    page = await fetcher().get("https://nordlys.example/", max_bytes=BUDGET, timeout_s=5)
    assert page.url == "https://www.dan.com/buy-domain/nordlys.example"
    assert page.redirects == ("https://nordlys.example/",) and "is for sale" in page.text
    trap = await fetcher().get("https://hotel-alpenrose.example/", max_bytes=BUDGET, timeout_s=5)
    assert "<title>hotel-alpenrose.example is for sale</title>" in trap.text and trap.redirects == ()


async def test_a_huge_page_is_cut_at_the_byte_budget(sites: FakeWebsites) -> None:
    sites.behave("chestergrand.example", "huge")
    page = await fetcher().get("https://www.chestergrand.example/", max_bytes=100_000, timeout_s=10)
    assert page.truncated and len(page.text.encode()) <= 100_000
    assert "<title>The Chester Grand Hotel | Chester</title>" in page.text


async def test_a_slow_trickle_and_a_hang_run_out_of_time(sites: FakeWebsites) -> None:
    sites.behave("aegeanblue.example", "trickle")  # 256 bytes every 50 ms: the page needs about half a second
    started = time.monotonic()
    with pytest.raises(HttpTimeout):
        await fetcher().get("https://www.aegeanblue.example/", max_bytes=BUDGET, timeout_s=0.2)
    assert time.monotonic() - started < 1.0
    sites.behave("hotelwisla.example", "hang")
    with pytest.raises(HttpTimeout, match=r"within 0\.1 s"):
        await fetcher().get("https://www.hotelwisla.example/", max_bytes=BUDGET, timeout_s=0.1)


async def test_failures_that_are_answers_and_ones_that_are_not(sites: FakeWebsites) -> None:
    sites.behave("hoteldesarts.example", "server_error", times=1)
    assert (await fetcher().get("https://hoteldesarts.example/", max_bytes=BUDGET, timeout_s=5)).status == 500
    assert (await fetcher().get("https://hoteldesarts.example/", max_bytes=BUDGET, timeout_s=5)).status == 200
    sites.behave("casadorio-porto.example", "pdf")
    pdf = await fetcher().get("https://casadorio-porto.example/", max_bytes=BUDGET, timeout_s=5)
    assert pdf.content_type == "application/pdf"
    with pytest.raises(HttpError):  # no such host: the connection closes unanswered, as a DNS failure
        await fetcher().get("https://www.hotel-nowhere.example/", max_bytes=BUDGET, timeout_s=5)
    sites.script(["drop"])
    with pytest.raises(HttpError):
        await fetcher().get("https://nordlys.example/", max_bytes=BUDGET, timeout_s=5)


async def test_legacy_charsets_served_by_the_fake_decode_right(sites: FakeWebsites) -> None:
    sites.behave("sonnenhof-hotel.example", "latin1")  # declared iso-8859-1 by http-equiv only; bytes are cp1252
    page = await fetcher().get("https://www.sonnenhof-hotel.example/", max_bytes=BUDGET, timeout_s=5)
    assert "Hotel Sonnenhof München – Boutique hotel" in page.text and "Leopoldstraße 12" in page.text
    sites.behave("sakura-ryokan.example", "shift_jis")
    page = await fetcher().get("https://www.sakura-ryokan.example/", max_bytes=BUDGET, timeout_s=5)
    assert "旅館さくら" in page.text and "\ufffd" not in page.text


async def test_the_local_fetch_routes_web_hosts_only(sites: FakeWebsites) -> None:
    from workers import fetch

    moved = await fetch("https://www.seasidelodge.example/", redirect="manual")
    assert moved.status == 301 and moved.headers["location"] == "https://www.booking.com/hotel/gb/seaside-lodge.html"
    followed = await fetch("https://www.seasidelodge.example/")
    assert followed.status == 200 and followed.url == "https://www.booking.com/hotel/gb/seaside-lodge.html"
    async with FakeWebsites() as other:  # loopback is reached directly, even with the env set
        direct = await fetch(f"{other.base_url}/__fake/requests")
        assert direct.status == 200 and await direct.json() == []
    assert [r.host for r in sites.requests] == ["www.seasidelodge.example"] * 2 + ["www.booking.com"]


# -- scripted client, injected clock -------------------------------------------------------------------------------


class ScriptedHttp:
    """An HttpClient answering from a table by URL; each request advances the injected clock by `cost_s`."""

    def __init__(self, pages: Mapping[str, HttpResponse], cost_s: float = 0.0) -> None:
        self.pages, self.cost_s, self.now = dict(pages), cost_s, 100.0
        self.calls: list[tuple[str, float, str, dict[str, str]]] = []

    def clock(self) -> float:
        return self.now

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes | str | None = None,
        timeout_s: float,
        redirect: Literal["follow", "manual"] = "follow",
    ) -> HttpResponse:
        self.calls.append((url, timeout_s, redirect, dict(headers or {})))
        self.now += self.cost_s
        return self.pages[url]


def moved(location: str, status: int = 301) -> HttpResponse:
    return HttpResponse(status, b"", {"location": location})


def html_page(body: bytes, content_type: str = "text/html") -> HttpResponse:
    return HttpResponse(200, body, {"content-type": content_type})


async def test_the_timeout_covers_the_whole_chain() -> None:
    http = ScriptedHttp(
        {
            "http://hotel-adler.example/": moved("https://hotel-adler.example/"),
            "https://hotel-adler.example/": moved("https://www.hotel-adler.example/"),
            "https://www.hotel-adler.example/": moved("/de/", 302),
            "https://www.hotel-adler.example/de/": html_page(b"<title>Hotel Adler</title>"),
        },
        cost_s=2.0,
    )
    pages = HttpPageFetcher(http, user_agent=UA, clock=http.clock)
    with pytest.raises(HttpTimeout, match="within 5 s after 3 redirects"):
        await pages.get("http://hotel-adler.example/", max_bytes=BUDGET, timeout_s=5)
    assert [round(t, 3) for _, t, _, _ in http.calls] == [5.0, 3.0, 1.0]  # each hop gets what is left
    assert {r for _, _, r, _ in http.calls} == {"manual"}
    headers = http.calls[0][3]
    assert headers["User-Agent"] == UA and headers["Accept"].startswith("text/html") and headers["Accept-Language"]
    http.now, http.calls = 0.0, []
    page = await pages.get("http://hotel-adler.example/", max_bytes=BUDGET, timeout_s=10)
    assert page.url == "https://www.hotel-adler.example/de/" and len(page.redirects) == 3


async def test_a_redirect_without_location_is_the_answer_and_fragments_are_not_fetched() -> None:
    http = ScriptedHttp(
        {
            "https://lindenhof.example/": moved("https://lindenhof.example/zimmer#suite"),
            "https://lindenhof.example/zimmer": HttpResponse(302, b"moved", {"content-type": "text/plain"}),
        }
    )
    page = await HttpPageFetcher(http, user_agent=UA, clock=http.clock).get(
        "https://lindenhof.example/", max_bytes=BUDGET, timeout_s=5
    )
    assert (page.url, page.status, page.text) == ("https://lindenhof.example/zimmer", 302, "moved")


async def test_a_meta_refresh_to_itself_or_past_the_budget_is_the_page() -> None:
    refresh = b'<html><head><meta http-equiv="refresh" content="0;URL=\'https://villa-rosa.example/\'"></head></html>'
    http = ScriptedHttp({"https://villa-rosa.example/": html_page(refresh)})
    page = await HttpPageFetcher(http, user_agent=UA, clock=http.clock).get(
        "https://villa-rosa.example/", max_bytes=BUDGET, timeout_s=5
    )
    assert page.url == "https://villa-rosa.example/" and page.redirects == () and len(http.calls) == 1


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (
            "Caf\xe9 & \u20ac 95 \u2013 \u201eSpa\u201c".encode("cp1252"),
            "text/html; charset=ISO-8859-1",
            "Café & € 95 – „Spa“",
        ),
        (
            b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">Gr\xfc\xdfe',
            "text/html",
            "Grüße",
        ),
        ('<meta charset="Shift_JIS"><title>旅館 ～ 京都</title>'.encode("cp932"), "text/html", "旅館 ～ 京都"),
        ('<?xml version="1.0" encoding="ISO-8859-2"?><p>Kraków</p>'.encode("iso-8859-2"), "", "Kraków"),
        (b"\xef\xbb\xbf<p>Z\xc3\xbcrich</p>", "text/html; charset=iso-8859-1", "<p>Zürich</p>"),  # the BOM wins
        ("<p>Málaga</p>".encode("cp1252"), "text/html", "<p>Málaga</p>"),  # undeclared, not UTF-8: windows-1252
        ("<p>Ελληνικά</p>".encode(), "text/html; charset=x-unknown-label", "<p>Ελληνικά</p>"),
    ],
)
def test_decoding(body: bytes, content_type: str, expected: str) -> None:
    assert expected in decode_body(body, content_type)


def test_a_body_cut_mid_character_drops_the_split_character() -> None:
    text = "Hôtel des Arts – 35 chambres"
    cut = text.encode()[: text.encode().index("–".encode()) + 1]
    assert decode_body(cut, "text/html; charset=utf-8", partial=True) == "Hôtel des Arts "


def test_sniffing_and_refresh_parsing() -> None:
    assert sniff_charset(b"<html><head><meta charset='euc-jp'>") == "euc-jp"
    assert sniff_charset(b"<html><head><title>x</title>") is None
    assert meta_refresh('<meta http-equiv="Refresh" content="3; url=/de/index.html">') == "/de/index.html"
    assert meta_refresh('<meta http-equiv="refresh" content="600">') is None  # reloads itself
    assert meta_refresh('<meta http-equiv="refresh" content="30; url=/news">') is None  # not immediate
    assert meta_refresh('<noscript><meta http-equiv="refresh" content="0; url=/nojs"></noscript>') is None


@given(st.text(max_size=200), st.integers(min_value=0, max_value=800))
def test_a_cut_utf8_body_decodes_to_a_prefix(text: str, cut: int) -> None:
    data = text.encode()
    assert text.startswith(decode_body(data[:cut], "text/html; charset=utf-8", partial=True))


@given(st.binary(max_size=400), st.sampled_from(["", "text/html", "text/html; charset=shift_jis", "charset=bogus"]))
def test_any_bytes_decode(body: bytes, content_type: str) -> None:
    assert isinstance(decode_body(body, content_type), str)
