"""Who asks for enrichment and how much: ids are queued once per burst, the top-up is sized to the finders'
remaining quota, a filter walk publishes each successor slice once, and a failing publish never fails a create."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

from shared.config import Settings
from shared.domain.token_bucket import BucketLimit
from shared.messages.payloads import EnrichSelection
from shared.messages.queues import QueueName
from shared.messages.rate_limit import ClassLimit
from shared.observability.log import Logger
from shared.service_layer.enrichment import requests as requests_module
from shared.service_layer.enrichment.requests import EnrichRequests
from tests.fakes import FakeQueuePublisher, FakeRateLimiter, FixedClock, SequentialIds


class _Store:
    def __init__(self, waiting: list[str]) -> None:
        self.queued_at: dict[str, datetime] = {}
        self.waiting = waiting
        self.topup_limits: list[int] = []

    async def mark_queued(self, ids: list[str], now: datetime, requeue_before: datetime) -> list[str]:
        marked = [i for i in ids if self.queued_at.get(i, datetime.min.replace(tzinfo=now.tzinfo)) < requeue_before]
        self.queued_at.update({i: now for i in marked})
        return marked

    async def topup(self, limit: int, *, partial_before: datetime, queued_before: datetime) -> list[str]:
        self.topup_limits.append(limit)
        return self.waiting[:limit]


class _Dedup:
    def __init__(self) -> None:
        self.keys: set[str] = set()

    async def claim(self, key: str, ttl_s: float, owner: str, now: float) -> Any:
        granted = key not in self.keys
        self.keys.add(key)
        return SimpleNamespace(granted=granted)


class _Prospects:
    def __init__(self, count: int) -> None:
        start = datetime(2026, 1, 1)
        self.items = [SimpleNamespace(id=f"p{i:04d}", created_at=(start + timedelta(minutes=i)).isoformat())
                      for i in range(count)]  # fmt: skip

    async def page(self, query: Any) -> list[Any]:
        after = query.after
        rows = [p for p in self.items if after is None or (p.created_at, p.id) > tuple(after)]
        return rows[: query.limit + 1]


def _services(*, limiter: FakeRateLimiter | None = None, publisher: FakeQueuePublisher | None = None,
              finders: tuple[str, ...] = ("brave",), waiting: int = 0, prospects: int = 0,
              **settings: Any) -> Any:  # fmt: skip
    clock = FixedClock()
    return SimpleNamespace(
        settings=Settings(**settings), clock=clock, ids=SequentialIds(), log=Logger("test", level="error"),
        publisher=publisher or FakeQueuePublisher(), enrichment_store=_Store([f"w{i}" for i in range(waiting)]),
        rate_limiter=limiter or FakeRateLimiter(clock=clock), enrichment_finder_names=finders, dedup=_Dedup(),
        prospects=_Prospects(prospects),
    )  # fmt: skip


async def test_ids_are_queued_once_per_burst_and_again_after_the_requeue_window() -> None:
    s = _services()
    requests = EnrichRequests(s)
    assert await requests.request(["a", "b", "a"], reason="api", trace_id="t") == ["a", "b"]
    assert await requests.request(["a", "c"], reason="api", trace_id="t") == ["c"]
    s.clock.advance(requests_module.REQUEUE_AFTER.total_seconds() + 1)
    assert await requests.request(["a"], reason="api", trace_id="t") == ["a"]
    sent = [e.payload["prospect_id"] for e in s.publisher.on(QueueName.ENRICH)]
    assert sent == ["a", "b", "c", "a"]


async def test_the_top_up_is_sized_to_the_finders_remaining_quota() -> None:
    clock = FixedClock()
    limiter = FakeRateLimiter({
        "provider:brave": ClassLimit(BucketLimit(100, 10.0), daily_quota=30, monthly_quota=1000),
        "provider:google_cse": ClassLimit(BucketLimit(5, 1.0), daily_quota=100),
    }, clock)  # fmt: skip
    for _ in range(5):
        await limiter.acquire("default", "provider:brave", 4)  # 20 of today's 30 used
    s = _services(limiter=limiter, finders=("llm", "brave", "google_cse"), waiting=500, enrich_topup_max=200)
    counts = await EnrichRequests(s).topup(trace_id="cron")
    assert s.enrichment_store.topup_limits == [10 + 100]  # brave's 10 left today + google's 100
    assert counts == {"enrich_topup": 110, "enrich_room": 110}


async def test_a_finder_without_a_quota_leaves_the_configured_maximum() -> None:
    s = _services(finders=("searxng",), waiting=500, enrich_topup_max=50)
    assert (await EnrichRequests(s).topup(trace_id="cron"))["enrich_topup"] == 50


async def test_a_filter_walk_publishes_each_successor_once() -> None:
    s = _services(prospects=1200)
    requests = EnrichRequests(s)
    selection = await requests.select({}, trace_id="t")
    first = s.publisher.on(QueueName.ENRICH)[-1]
    msg = EnrichSelection.model_validate(first.payload)
    assert msg.selection_id == selection and msg.slice == 0
    assert await requests.run_slice(msg, trace_id="t") == requests_module.SLICE
    assert await requests.run_slice(msg, trace_id="t") == 0  # redelivered: nothing queued twice ...
    slices = [e for e in s.publisher.on(QueueName.ENRICH) if e.type == "enrich.selection"]
    assert [e.payload["slice"] for e in slices] == [0, 1]  # ... and the walk did not fork
    second = EnrichSelection.model_validate(slices[-1].payload)
    assert await requests.run_slice(second, trace_id="t") == requests_module.SLICE
    third = EnrichSelection.model_validate(s.publisher.on(QueueName.ENRICH)[-1].payload)
    assert await requests.run_slice(third, trace_id="t") == 200
    queued = [e.payload["prospect_id"] for e in s.publisher.on(QueueName.ENRICH) if e.type == "enrich.requested"]
    assert len(queued) == len(set(queued)) == 1200


async def test_a_failing_publish_never_fails_the_create() -> None:
    s = _services(publisher=FakeQueuePublisher(fail_on={QueueName.ENRICH}))
    await EnrichRequests(s).created(["a"], trace_id="t")  # logged; the top-up finds it later
    off = _services(enrich_on_create=False)
    await EnrichRequests(off).created(["a"], trace_id="t")
    assert off.publisher.on(QueueName.ENRICH) == []
