"""The website finder chain: order, fall-through per failure type, portal filtering, verification by the home page,
and caching (a cached decision or answer makes no provider call)."""

from __future__ import annotations

from shared.domain.enrichment.costs import DEFAULT_COSTS
from shared.domain.enrichment.trail import Trail
from shared.observability.log import Logger
from shared.ports.lookups import LookupFailureKind
from shared.ports.search import SearchHit, SiteQuery
from shared.service_layer.enrichment.guard import ProviderGuard
from shared.service_layer.enrichment.site_reader import SiteReader
from shared.service_layer.enrichment.website_finder import WebsiteFinder
from tests.fakes import FakeCache, FakeRateLimiter, FixedClock, MemoryBreakers
from tests.unit.enrichment.stubs import StubFetcher, StubSearch, page

QUERY = SiteQuery("Hotel Sonnenhof", "Munich", "DE")
OWN = SearchHit("https://www.sonnenhof-hotel.example/", "Hotel Sonnenhof München – Boutique hotel in Schwabing")
BOOKING = SearchHit("https://www.booking.com/hotel/de/sonnenhof-munchen.html",
                    "Hotel Sonnenhof, Munich – Updated 2026 Prices – Booking.com")  # fmt: skip
TRIP = SearchHit("https://www.tripadvisor.com/Hotel_Review-g187323-Hotel_Sonnenhof-Munich.html",
                 "HOTEL SONNENHOF - Updated 2026 Reviews (Munich)")  # fmt: skip
HOME = page("https://www.sonnenhof-hotel.example/", "Hotel Sonnenhof München – Boutique hotel in Schwabing",
            "A family-run boutique hotel in Schwabing with 48 rooms.")  # fmt: skip


def _finder(*finders: StubSearch, fetcher: StubFetcher | None = None,
            cache: FakeCache | None = None) -> tuple[WebsiteFinder, StubFetcher, FakeCache]:  # fmt: skip
    clock = FixedClock()
    guard = ProviderGuard(breakers=MemoryBreakers(), rate_limiter=FakeRateLimiter(clock=clock), clock=clock,
                          log=Logger("test", level="error"), costs=DEFAULT_COSTS, timeout_s=2.0)  # fmt: skip
    fetcher = fetcher or StubFetcher({HOME.url: HOME})
    cache = cache or FakeCache()
    finder = WebsiteFinder(finders, guard=guard, cache=cache, reader=SiteReader(fetcher, timeout_s=2.0),
                           hit_ttl_days=30, miss_ttl_days=7)  # fmt: skip
    return finder, fetcher, cache


async def test_portals_are_dropped_and_the_own_site_is_verified() -> None:
    brave = StubSearch("brave", [[BOOKING, TRIP, OWN]])
    finder, fetcher, _ = _finder(brave)
    trail = Trail()
    found = await finder.find(QUERY, trail)
    assert found.site is not None and found.site.domain == "sonnenhof-hotel.example"
    assert found.site.provider == "brave"
    rejected = [e.detail for e in trail.entries if e.outcome == "rejected"]
    assert any("booking.com" in r for r in rejected) and any("tripadvisor.com" in r for r in rejected)
    assert "https://www.booking.com/hotel/de/sonnenhof-munchen.html" not in fetcher.fetched  # never fetched


async def test_the_chain_falls_through_failures_and_empty_answers_in_order() -> None:
    llm = StubSearch("llm", [[]])
    brave = StubSearch("brave", [LookupFailureKind.TIMEOUT])
    google = StubSearch("google_cse", [LookupFailureKind.QUOTA])
    searx = StubSearch("searxng", [[OWN]])
    finder, _, _ = _finder(llm, brave, google, searx)
    trail = Trail()
    found = await finder.find(QUERY, trail)
    assert found.site is not None and found.site.provider == "searxng"
    assert [len(f.asked) for f in (llm, brave, google, searx)] == [1, 1, 1, 1]
    providers = [e.provider for e in trail.entries if e.step == "website" and e.provider != "site"]
    assert providers == ["llm", "brave", "google_cse", "searxng"]


async def test_a_found_site_stops_the_chain() -> None:
    brave, google = StubSearch("brave", [[OWN]]), StubSearch("google_cse", [[OWN]])
    finder, _, _ = _finder(brave, google)
    assert (await finder.find(QUERY, Trail())).site is not None
    assert google.asked == []


async def test_a_cached_decision_makes_no_call_and_a_cached_answer_no_second_search() -> None:
    brave = StubSearch("brave", [[OWN]])
    finder, _, cache = _finder(brave)
    first = await finder.find(QUERY, Trail())
    again_trail = Trail()
    again = await finder.find(QUERY, again_trail)
    assert first.site == again.site and len(brave.asked) == 1
    assert [e.outcome for e in again_trail.entries] == ["cached"]
    # Only the per-provider answer cached (the decision dropped): no search, the verification runs again.
    for key in [k for k in cache.data if k.startswith("enrich:site:")]:
        del cache.data[key]
    third = await finder.find(QUERY, Trail())
    assert third.site == first.site and len(brave.asked) == 1


async def test_a_miss_is_cached_only_when_every_finder_answered() -> None:
    brave = StubSearch("brave", [LookupFailureKind.SERVER, []])
    finder, _, cache = _finder(brave)
    outage = await finder.find(QUERY, Trail())
    assert outage.site is None and outage.transient
    assert not any(k.startswith("enrich:site:") for k in cache.data)
    miss = await finder.find(QUERY, Trail())
    assert miss.site is None and not miss.transient
    assert any(v == {"domain": None} for k, v in cache.data.items() if k.startswith("enrich:site:"))


async def test_a_site_that_redirects_to_a_portal_or_is_parked_is_rejected() -> None:
    moved = page("https://www.booking.com/hotel/gb/seaside-lodge.html", "Seaside Lodge – Booking.com",
                 redirects=("https://seasidelodge.example/",))  # fmt: skip
    parked = page("https://hotel-alpenrose.example/", "hotel-alpenrose.example is for sale",
                  "This domain may be for sale. Buy this domain today.")  # fmt: skip
    fetcher = StubFetcher({"https://seasidelodge.example/": moved, "https://hotel-alpenrose.example/": parked})
    brave = StubSearch("brave", [
        [SearchHit("https://seasidelodge.example/", "Seaside Lodge Brighton")],
        [SearchHit("https://hotel-alpenrose.example/", "Alpenrose Chalet Hotel")],
    ])  # fmt: skip
    finder, _, _ = _finder(brave, fetcher=fetcher)
    trail = Trail()
    assert (await finder.find(SiteQuery("Seaside Lodge", "Brighton", "GB"), trail)).site is None
    assert any("booking.com" in e.detail for e in trail.entries if e.outcome == "rejected")
    trail = Trail()
    assert (await finder.find(SiteQuery("Alpenrose Chalet Hotel", "Innsbruck", "AT"), trail)).site is None
    assert any("parked" in e.detail for e in trail.entries if e.outcome == "rejected")


async def test_a_page_that_does_not_name_the_hotel_is_not_its_site() -> None:
    other = page("https://www.sonnenhof-bakery.example/", "Bäckerei Müller – Brot und Brezen")
    fetcher = StubFetcher({other.url: other})
    brave = StubSearch("brave", [[SearchHit(other.url, "Sonnenhof")]])
    finder, _, _ = _finder(brave, fetcher=fetcher)
    assert (await finder.find(QUERY, Trail())).site is None


async def test_robots_forbidding_the_home_page_means_no_fetch() -> None:
    fetcher = StubFetcher({HOME.url: HOME}, robots={"www.sonnenhof-hotel.example": "User-agent: *\nDisallow: /\n"})
    finder, _, _ = _finder(StubSearch("brave", [[OWN]]), fetcher=fetcher)
    trail = Trail()
    assert (await finder.find(QUERY, trail)).site is None
    assert HOME.url not in fetcher.fetched
    assert any("robots" in e.detail for e in trail.entries)
