"""The three search adapters against FakeSearchServer over real HTTP (the real `WorkersFetch` and the local
`workers.fetch` stand-in): results from the World, every scripted failure mapped to its LookupFailure kind, garbage,
quotas that run out and reset, and keys that never leak into a failure."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from local.fakes.llm import FakeLlmServer
from local.fakes.search import FakeSearchServer
from local.fakes.world import load_world
from shared.adapters.ai.openai_compatible import OpenAiCompatibleProvider
from shared.adapters.http import WorkersFetch
from shared.adapters.search.brave import BraveSearch
from shared.adapters.search.google_cse import GoogleCustomSearch
from shared.adapters.search.llm_site import LlmSiteSearch
from shared.adapters.search.searxng import SearxngSearch, basic_auth
from shared.observability.log import Logger
from shared.ports.breaker import BreakerDecision
from shared.ports.lookups import LookupFailure, LookupFailureKind
from shared.ports.rate_limit import RateDecision
from shared.ports.search import SearchHit, SiteQuery, WebSearch
from shared.service_layer.composition.gateway import AiGateway

K = LookupFailureKind
SONNENHOF = SiteQuery("Hotel Sonnenhof", "Munich", "DE")
AEGEAN = SiteQuery("Aegean Blue Resort", "Santorini", "GR")
UNKNOWN = SiteQuery("Pension Zur Alten Mühle", "Quedlinburg", "DE")
PROTOCOLS = ["brave", "google", "searxng"]


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 3, 31, 22, 0, tzinfo=UTC))


@pytest.fixture
async def server(clock: Clock) -> AsyncIterator[FakeSearchServer]:
    fake = FakeSearchServer(load_world(), now=clock, hold_s=30)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


def adapter(protocol: str, server: FakeSearchServer, **overrides: str | None) -> WebSearch:
    http = WorkersFetch()
    if protocol == "brave":
        return BraveSearch(http, overrides.get("key", server.brave_key), base_url=server.base_url)
    if protocol == "google":
        key, cx = overrides.get("key", server.google_key), overrides.get("cx", server.google_cx)
        return GoogleCustomSearch(http, key, cx, base_url=server.base_url)
    return SearxngSearch(http, overrides.get("url", server.base_url), authorization=overrides.get("auth"))


async def failure(search: WebSearch, query: SiteQuery = SONNENHOF, *, timeout_s: float = 5.0) -> LookupFailure:
    with pytest.raises(LookupFailure) as caught:
        await search.search(query, timeout_s=timeout_s)
    return caught.value


def secrets(server: FakeSearchServer) -> list[str]:
    return [server.brave_key, server.google_key, server.brave_key[:10], server.google_key[4:14]]


# -- results ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_known_hotel_finds_its_own_site_among_portals_and_traps(
    server: FakeSearchServer, protocol: str
) -> None:
    hits = await adapter(protocol, server).search(SONNENHOF, timeout_s=5)
    urls = [h.url for h in hits]
    assert urls[0] == "https://www.booking.com/hotel/de/sonnenhof-munchen.html"  # OTAs first, as real engines rank
    assert urls[1].startswith("https://www.tripadvisor.com/")
    own = next(h for h in hits if h.url == "https://www.sonnenhof-hotel.example/")
    assert own.title == "Hotel Sonnenhof München – Boutique hotel in Schwabing"
    assert "<" not in own.snippet and own.snippet.startswith("A family-run boutique hotel in Schwabing")
    assert len(urls) == len(set(urls)) <= 10
    assert all(isinstance(h, SearchHit) for h in hits)


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_an_unknown_hotel_finds_nothing_and_that_is_an_answer(server: FakeSearchServer, protocol: str) -> None:
    assert await adapter(protocol, server).search(UNKNOWN, timeout_s=5) == []


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_parked_look_alike_is_returned_as_found_the_chain_must_reject_it(
    server: FakeSearchServer, protocol: str
) -> None:
    urls = [
        h.url
        for h in await adapter(protocol, server).search(SiteQuery("Alpenrose Chalet Hotel", "Innsbruck"), timeout_s=5)
    ]
    assert urls.index("https://hotel-alpenrose.example/") < urls.index("https://www.alpenrose-innsbruck.example/")


async def test_brave_sends_the_token_accept_and_locale(server: FakeSearchServer) -> None:
    await adapter("brave", server).search(SONNENHOF, timeout_s=5)
    await adapter("brave", server).search(AEGEAN, timeout_s=5)
    await adapter("brave", server).search(SiteQuery("Hotel Sonnenhof"), timeout_s=5)
    munich, oia, bare = server.requests["brave"]
    assert munich.query == {"q": '"Hotel Sonnenhof" Munich', "count": "10", "country": "DE", "search_lang": "de"}
    assert munich.headers["accept"] == "application/json"
    assert "x-subscription-token" not in munich.headers  # recorded without the secret, but it was checked
    assert oia.query["country"] == "ALL" and "search_lang" not in oia.query  # Brave has no GR: never the US default
    assert "country" not in bare.query
    assert server.usage("brave") == 3


async def test_google_sends_key_cx_num_and_gl(server: FakeSearchServer) -> None:
    await adapter("google", server).search(AEGEAN, timeout_s=5)
    (request,) = server.requests["google"]
    assert request.query == {
        "key": "[key]", "cx": server.google_cx, "q": '"Aegean Blue Resort" Santorini', "num": "10", "gl": "gr"
    }  # fmt: skip


async def test_searxng_asks_for_json_in_the_general_category(server: FakeSearchServer) -> None:
    await adapter("searxng", server).search(SiteQuery("Ryokan Sakura", "Kyoto", "JP"), timeout_s=5)
    (request,) = server.requests["searxng"]
    assert request.query["format"] == "json" and request.query["categories"] == "general"
    assert request.query["q"] == '"Ryokan Sakura" Kyoto hotel'


# -- failures --------------------------------------------------------------------------------------------------------
COMMON = {"rate_limited": K.RATE_LIMITED, "server_error": K.SERVER, "html": K.MALFORMED, "garbage": K.MALFORMED,
          "wrong_shape": K.MALFORMED, "auth_error": K.AUTH, "hang": K.TIMEOUT}  # fmt: skip
EXPECTED = {
    "brave": COMMON | {"quota_exhausted": K.QUOTA},
    "google": COMMON | {"quota_exhausted": K.QUOTA},
    "searxng": COMMON | {"json_disabled": K.UNAVAILABLE, "unresponsive": K.SERVER},
}
FAILURES = [(protocol, mode, kind) for protocol, table in EXPECTED.items() for mode, kind in table.items()]


@pytest.mark.parametrize(("protocol", "mode", "kind"), FAILURES, ids=[f"{p}-{m}" for p, m, _ in FAILURES])
async def test_each_scripted_failure_is_its_lookup_failure_kind(
    server: FakeSearchServer, protocol: str, mode: str, kind: LookupFailureKind
) -> None:
    server.script([mode], protocol=protocol)
    caught = await failure(adapter(protocol, server), timeout_s=0.3 if mode == "hang" else 5.0)
    assert caught.kind is kind, caught
    assert not any(secret in str(caught) for secret in secrets(server))
    assert [r.mode for r in server.requests[protocol]] == [mode]
    assert await adapter(protocol, server).search(SONNENHOF, timeout_s=5)  # the script is consumed: answers again


async def test_brave_rate_limit_and_monthly_quota_are_told_apart_by_the_headers(
    server: FakeSearchServer, clock: Clock
) -> None:
    server.script(["rate_limited", "quota_exhausted"], protocol="brave")
    brave = adapter("brave", server)
    short = await failure(brave)
    assert (short.kind, short.retry_after_s, short.quota_period) == (K.RATE_LIMITED, 1.0, None)
    monthly = await failure(brave)
    assert (monthly.kind, monthly.quota_period) == (K.QUOTA, "month")
    assert monthly.retry_after_s == 2 * 3600  # 22:00 on 31 March: the month resets at midnight UTC


async def test_brave_monthly_quota_runs_out_after_its_successful_calls(clock: Clock) -> None:
    async with _started(FakeSearchServer(now=clock, brave_monthly_quota=2)) as server:
        brave = adapter("brave", server)
        for _ in range(2):
            assert await brave.search(SONNENHOF, timeout_s=5)
        caught = await failure(brave)
        assert (caught.kind, caught.quota_period) == (K.QUOTA, "month")
        assert [r.mode for r in server.requests["brave"]] == ["ok", "ok", "quota"]
        clock.now += timedelta(hours=3)  # April: a new month
        assert await brave.search(SONNENHOF, timeout_s=5)


async def test_google_daily_quota_runs_out_and_resets_at_pacific_midnight(clock: Clock) -> None:
    clock.now = datetime(2026, 6, 10, 6, 30, tzinfo=UTC)  # 23:30 on 9 June in California
    async with _started(FakeSearchServer(now=clock, google_daily_quota=3)) as server:
        google = adapter("google", server)
        for _ in range(3):
            await google.search(UNKNOWN, timeout_s=5)  # nothing found still spends a query
        caught = await failure(google)
        assert (caught.kind, caught.quota_period) == (K.QUOTA, "day")
        assert "Queries per day" in caught.detail
        clock.now += timedelta(hours=1)  # 00:30 Pacific: a new day, though still 10 June in UTC
        assert await google.search(SONNENHOF, timeout_s=5)


async def test_google_per_minute_limit_is_rate_limited_not_quota(server: FakeSearchServer) -> None:
    server.script(["rate_limited"], protocol="google")
    caught = await failure(adapter("google", server))
    assert caught.kind is K.RATE_LIMITED and caught.quota_period is None and "per minute" in caught.detail


@pytest.mark.parametrize("protocol", ["brave", "google"])
async def test_a_wrong_key_is_auth_and_never_echoed(server: FakeSearchServer, protocol: str) -> None:
    wrong = "AIzaWrongKey-9f8e7d6c5b4a39281706"
    caught = await failure(adapter(protocol, server, key=wrong))
    assert caught.kind is K.AUTH
    assert wrong not in str(caught) and wrong[:12] not in str(caught)
    assert [r.mode for r in server.requests[protocol]] == ["rejected_key"]


async def test_google_with_an_unknown_engine_id_is_refused(server: FakeSearchServer) -> None:
    caught = await failure(adapter("google", server, cx="000000000000000000000:wrong"))
    assert caught.kind is K.REFUSED and "invalid argument" in caught.detail


@pytest.mark.parametrize(
    ("protocol", "override"), [("brave", "key"), ("google", "key"), ("google", "cx"), ("searxng", "url")]
)
async def test_missing_configuration_is_unavailable_without_a_call(
    server: FakeSearchServer, protocol: str, override: str
) -> None:
    caught = await failure(adapter(protocol, server, **{override: None}))
    assert caught.kind is K.UNAVAILABLE
    assert server.requests[protocol] == []


async def test_searxng_behind_basic_auth(clock: Clock) -> None:
    auth = basic_auth("jengu", "correct horse battery staple")
    async with _started(FakeSearchServer(now=clock, searxng_auth=auth)) as server:
        assert await adapter("searxng", server, auth=auth).search(SONNENHOF, timeout_s=5)
        assert (await failure(adapter("searxng", server))).kind is K.AUTH
        assert "authorization" not in server.requests["searxng"][0].headers


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_no_server_at_all_is_a_server_failure(protocol: str) -> None:
    closed = FakeSearchServer()
    await closed.start()
    await closed.stop()
    assert (await failure(adapter(protocol, closed))).kind is K.SERVER


async def test_the_shared_script_is_consumed_by_whichever_provider_asks_next(server: FakeSearchServer) -> None:
    async with httpx.AsyncClient() as client:
        answer = await client.post(f"{server.base_url}/__fake/script", json={"google": ["server_error"]})
        assert answer.status_code == 200 and answer.json()["google"] == ["server_error"]
    server.script(["rate_limited"])
    assert (await failure(adapter("brave", server))).kind is K.RATE_LIMITED
    assert (await failure(adapter("google", server))).kind is K.SERVER
    assert await adapter("google", server).search(SONNENHOF, timeout_s=5)


class _started:
    def __init__(self, server: FakeSearchServer) -> None:
        self.server = server

    async def __aenter__(self) -> FakeSearchServer:
        return await self.server.start()  # type: ignore[return-value]

    async def __aexit__(self, *exc: object) -> None:
        await self.server.stop()


# -- the LLM's knowledge: the real gateway and provider over the LLM fake ------------------------------------------
class _ClosedBreakers:
    async def allow(self, name: str, now: float) -> BreakerDecision:
        return BreakerDecision(True, "closed", None)

    async def record(self, name: str, success: bool, now: float) -> None:
        return None


class _Unlimited:
    async def acquire(self, key: str, key_class: str, tokens: int = 1) -> RateDecision:
        return RateDecision(True, 0, 0.0)


class _Now:
    def now(self) -> datetime:
        return datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (SiteQuery("Hôtel des Arts", "Lyon", "FR"), ["https://www.hoteldesarts.example/"]),
        (SiteQuery("Hotel des Arts", "LYON"), ["https://www.hoteldesarts.example/"]),  # accents and case folded
        (SiteQuery("Hôtel des Arts", "Paris", "FR"), []),  # another city: the model is unsure
        (UNKNOWN, []),
        (SiteQuery("Alpenrose Chalet Hotel", "Innsbruck", "AT"), ["https://hotel-alpenrose.example/"]),  # a trap
    ],
)
async def test_llm_site_search_over_the_llm_fake(query: SiteQuery, expected: list[str]) -> None:
    async with FakeLlmServer(api_key="xai-fake-key-0123456789", world=load_world()) as llm:
        provider = OpenAiCompatibleProvider("xai", f"{llm.base_url}/v1", llm.api_key, "grok-fake", WorkersFetch())
        gateway = AiGateway([provider], breakers=_ClosedBreakers(), rate_limiter=_Unlimited(), clock=_Now(),  # type: ignore[arg-type]
                            log=Logger("test", sink=lambda _line: None), timeout_s=5)  # fmt: skip
        hits = await LlmSiteSearch(gateway).search(query, timeout_s=5)
        assert [h.url for h in hits] == expected
        assert all(h.snippet == "llm" for h in hits)
        (request,) = llm.requests
        assert request.body["temperature"] == 0.0


async def test_llm_site_search_with_every_provider_failing_over_the_llm_fake() -> None:
    async with FakeLlmServer(api_key="xai-fake-key-0123456789") as llm:
        llm.script(["server_error"])
        provider = OpenAiCompatibleProvider("xai", f"{llm.base_url}/v1", llm.api_key, "grok-fake", WorkersFetch())
        gateway = AiGateway([provider], breakers=_ClosedBreakers(), rate_limiter=_Unlimited(), clock=_Now(),  # type: ignore[arg-type]
                            log=Logger("test", sink=lambda _line: None), timeout_s=5)  # fmt: skip
        caught = await failure(LlmSiteSearch(gateway))
        assert caught.kind is K.SERVER and "xai:failed:server" in caught.detail
