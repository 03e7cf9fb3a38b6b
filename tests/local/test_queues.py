"""QueueBroker: Cloudflare Queues semantics (batching, delays, ack/retry rules, DLQ), limits, durability."""

from __future__ import annotations

import asyncio
import math
import tomllib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from local.clock import ManualClock
from local.queues import (
    Message,
    MessageBatch,
    QueueBroker,
    QueueConsumerConfig,
    QueueError,
    consumers_from_wrangler,
)

JOBS = QueueConsumerConfig(
    "jobs", max_batch_size=3, max_batch_timeout=5, max_retries=2, retry_delay=30, dead_letter_queue="dead"
)
DEAD = QueueConsumerConfig("dead", max_batch_size=10, max_batch_timeout=0, max_retries=0)
PLAIN = QueueConsumerConfig("plain", max_batch_size=10, max_batch_timeout=1, max_retries=1, retry_delay=0)
CONSUMERS = {c.queue: c for c in (JOBS, DEAD, PLAIN)}


class Crash(BaseException):
    """Stands in for the process dying while a handler runs."""


class Recorder:
    """A queue handler that records every delivery and runs an optional per-batch action."""

    def __init__(self, action: Any = None) -> None:
        self.batches: list[MessageBatch] = []
        self.action = action

    async def __call__(self, batch: MessageBatch) -> None:
        self.batches.append(batch)
        if self.action is not None:
            self.action(batch)

    def deliveries(self, queue: str | None = None) -> list[tuple[Any, int]]:
        return [(m.body, m.attempts) for b in self.batches if queue in (None, b.queue) for m in b.messages]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "queues.sqlite"


@pytest.fixture
def open_broker(path: Path, clock: ManualClock) -> Iterator[Callable[[], QueueBroker]]:
    """Opens brokers on the same file (a "restart" is simply opening another); closes them all at teardown."""
    opened: list[QueueBroker] = []

    def open_() -> QueueBroker:
        opened.append(QueueBroker(path, clock, CONSUMERS))
        return opened[-1]

    yield open_
    for b in opened:
        b.close()


@pytest.fixture
def broker(open_broker: Callable[[], QueueBroker]) -> QueueBroker:
    return open_broker()


def fail(batch: MessageBatch) -> None:
    raise RuntimeError("consumer bug")


# ---- delivery basics


async def test_send_deliver_ack(broker: QueueBroker, clock: ManualClock) -> None:
    sent_at = clock.now()
    await broker.producer("plain").send({"task": "enrich", "id": 7})
    handler = Recorder()
    clock.advance(1)

    assert await broker.deliver_due(handler) == 1

    [batch] = handler.batches
    assert batch.queue == "plain"
    [message] = batch.messages
    assert isinstance(message.id, str) and message.id
    assert message.body == {"task": "enrich", "id": 7}
    assert message.attempts == 1
    assert message.timestamp == datetime.fromtimestamp(sent_at, tz=UTC)
    assert broker.stats()["plain"] == {"pending": 0, "delayed": 0, "in_flight": 0, "dead_lettered": 0}
    assert await broker.deliver_due(handler, flush=True) == 0


async def test_content_types_and_bodies_are_fresh_copies(broker: QueueBroker, clock: ManualClock) -> None:
    producer = broker.producer("jobs")
    await producer.send({"items": [1, 2]})
    await producer.send("just text", contentType="text")
    await producer.send(b"\x00\x01", contentType="bytes")

    def mutate_then_retry(batch: MessageBatch) -> None:
        for message in batch.messages:
            if isinstance(message.body, dict):
                message.body["items"].append(3)
        batch.retryAll()

    first = Recorder(mutate_then_retry)
    await broker.deliver_due(first, flush=True)
    clock.advance(JOBS.retry_delay)
    second = Recorder()
    await broker.deliver_due(second, flush=True)
    assert second.deliveries() == [({"items": [1, 2]}, 2), ("just text", 2), (b"\x00\x01", 2)]


async def test_batch_waits_for_size_or_timeout(broker: QueueBroker, clock: ManualClock) -> None:
    producer = broker.producer("jobs")
    handler = Recorder()
    await producer.send(1)
    await producer.send(2)
    assert await broker.deliver_due(handler) == 0
    assert broker.next_due_time() == clock.now() + 5

    await producer.send(3)  # fills a batch of 3
    assert broker.next_due_time() == clock.now()
    assert await broker.deliver_due(handler) == 1
    assert handler.deliveries() == [(1, 1), (2, 1), (3, 1)]

    await producer.send(4)
    clock.advance(4)
    assert await broker.deliver_due(handler) == 0
    clock.advance(1)
    assert await broker.deliver_due(handler) == 1
    assert handler.deliveries()[-1] == (4, 1)
    assert broker.next_due_time() is None


async def test_all_due_batches_are_delivered_in_one_call(broker: QueueBroker, clock: ManualClock) -> None:
    await broker.producer("jobs").sendBatch([{"body": i} for i in range(7)])
    handler = Recorder()
    assert await broker.deliver_due(handler) == 2  # two full batches; the 7th waits for the timeout
    assert [len(b.messages) for b in handler.batches] == [3, 3]
    assert broker.stats()["jobs"]["pending"] == 1
    assert await broker.deliver_due(handler, flush=True) == 1
    assert sorted(body for body, _ in handler.deliveries()) == list(range(7))


async def test_delay_seconds_on_send_and_send_batch(broker: QueueBroker, clock: ManualClock) -> None:
    producer = broker.producer("plain")
    await producer.send("later", delaySeconds=60)
    await producer.sendBatch([{"body": "batch"}, {"body": "own", "delaySeconds": 0}], delaySeconds=120)
    assert broker.stats()["plain"] == {"pending": 1, "delayed": 2, "in_flight": 0, "dead_lettered": 0}
    assert broker.next_due_time() == clock.now() + 1  # "own" waits for the 1 s batch timeout

    handler = Recorder()
    assert await broker.deliver_due(handler, flush=True) == 1
    assert handler.deliveries() == [("own", 1)]
    clock.advance(59)
    assert await broker.deliver_due(handler, flush=True) == 0
    assert broker.next_due_time() == clock.now() + 1
    clock.advance(1)
    assert await broker.deliver_due(handler, flush=True) == 1
    clock.advance(60)
    assert await broker.deliver_due(handler, flush=True) == 1
    assert handler.deliveries() == [("own", 1), ("later", 1), ("batch", 1)]


async def test_producer_delivery_delay_is_the_default(broker: QueueBroker, clock: ManualClock) -> None:
    producer = broker.producer("plain", delivery_delay=300)
    await producer.send("default")
    await producer.send("now", delaySeconds=0)
    assert broker.stats()["plain"]["delayed"] == 1
    assert broker.stats()["plain"]["pending"] == 1


# ---- ack / retry rules


async def test_explicit_retry_with_delay(broker: QueueBroker, clock: ManualClock) -> None:
    await broker.producer("plain").send("flaky")

    def retry_first(batch: MessageBatch) -> None:
        if batch.messages[0].attempts == 1:
            batch.messages[0].retry(delaySeconds=120)

    handler = Recorder(retry_first)
    assert await broker.deliver_due(handler, flush=True) == 1
    assert broker.stats()["plain"]["delayed"] == 1
    clock.advance(119)
    assert await broker.deliver_due(handler, flush=True) == 0
    clock.advance(1)
    assert await broker.deliver_due(handler, flush=True) == 1
    assert handler.deliveries() == [("flaky", 1), ("flaky", 2)]
    assert broker.stats()["plain"]["pending"] == 0


async def test_retry_without_delay_uses_the_consumer_retry_delay(broker: QueueBroker, clock: ManualClock) -> None:
    await broker.producer("jobs").send("x")
    handler = Recorder(lambda batch: batch.retryAll())
    assert await broker.deliver_due(handler, flush=True) == 1
    clock.advance(29)
    assert await broker.deliver_due(handler, flush=True) == 0
    clock.advance(1)
    assert await broker.deliver_due(handler, flush=True) == 1


async def test_failing_handler_retries_everything_but_explicit_acks(broker: QueueBroker, clock: ManualClock) -> None:
    await broker.producer("jobs").sendBatch([{"body": "acked"}, {"body": "retried-10"}, {"body": "implicit"}])

    def ack_some_then_crash(batch: MessageBatch) -> None:
        batch.messages[0].ack()
        batch.messages[1].retry(delaySeconds=10)
        raise RuntimeError("boom")

    handler = Recorder(ack_some_then_crash)
    assert await broker.deliver_due(handler) == 1
    assert broker.stats()["jobs"]["delayed"] == 2

    clock.advance(10)
    second = Recorder()
    await broker.deliver_due(second, flush=True)
    assert second.deliveries() == [("retried-10", 2)]
    clock.advance(20)  # the consumer's retry_delay of 30 s
    await broker.deliver_due(second, flush=True)
    assert second.deliveries() == [("retried-10", 2), ("implicit", 2)]


async def test_first_call_wins_and_message_calls_beat_batch_calls(broker: QueueBroker, clock: ManualClock) -> None:
    await broker.producer("jobs").sendBatch([{"body": b} for b in ("retry-then-ack", "ack-then-retry", "unmarked")])

    def decide(batch: MessageBatch) -> None:
        first, second, _ = batch.messages
        first.retry()
        first.ack()
        second.ack()
        second.retry()
        batch.retryAll(delaySeconds=50)
        batch.ackAll()  # ignored: retryAll came first

    handler = Recorder(decide)
    assert await broker.deliver_due(handler) == 1
    assert broker.stats()["jobs"] == {"pending": 0, "delayed": 2, "in_flight": 0, "dead_lettered": 0}
    redelivered = Recorder()
    clock.advance(30)  # retry() without a delay: the consumer's retry_delay
    await broker.deliver_due(redelivered, flush=True)
    assert redelivered.deliveries() == [("retry-then-ack", 2)]
    clock.advance(20)
    await broker.deliver_due(redelivered, flush=True)
    assert redelivered.deliveries() == [("retry-then-ack", 2), ("unmarked", 2)]


async def test_ack_all_wins_over_the_default_retry_of_a_failing_handler(
    broker: QueueBroker, clock: ManualClock
) -> None:
    await broker.producer("jobs").sendBatch([{"body": 1}, {"body": 2}])

    def ack_all_then_fail(batch: MessageBatch) -> None:
        batch.messages[1].retry()
        batch.ackAll()
        raise RuntimeError("late failure")

    await broker.deliver_due(Recorder(ack_all_then_fail), flush=True)
    clock.advance(JOBS.retry_delay)
    leftover = Recorder()
    await broker.deliver_due(leftover, flush=True)
    assert leftover.deliveries() == [(2, 2)]


async def test_invalid_retry_delay_is_rejected() -> None:
    message = Message("id", "body", 1, datetime.now(UTC))
    with pytest.raises(QueueError):
        message.retry(delaySeconds=43_201)
    with pytest.raises(QueueError):
        MessageBatch("q", [message]).retryAll(delaySeconds=-1)


# ---- retries exhausted


async def test_always_failing_message_goes_to_the_dlq_after_max_retries(
    broker: QueueBroker, clock: ManualClock
) -> None:
    await broker.producer("jobs").send({"poison": True})
    handler = Recorder(fail)
    for _ in range(5):
        await broker.deliver_due(handler, flush=True)
        clock.advance(JOBS.retry_delay)

    assert handler.deliveries("jobs") == [({"poison": True}, 1), ({"poison": True}, 2), ({"poison": True}, 3)]
    assert broker.stats()["jobs"]["dead_lettered"] == 1
    # The DLQ consumer (max_retries=0, no DLQ of its own) also fails: it sees the message once, with
    # attempts reset, then drops it.
    assert handler.deliveries("dead") == [({"poison": True}, 1)]
    assert broker.stats()["dead"] == {"pending": 0, "delayed": 0, "in_flight": 0, "dead_lettered": 1}


async def test_dead_lettered_message_keeps_id_body_and_timestamp(broker: QueueBroker, clock: ManualClock) -> None:
    await broker.producer("jobs").send("poison")

    def fail_jobs(batch: MessageBatch) -> None:
        if batch.queue == "jobs":
            raise RuntimeError("consumer bug")

    handler = Recorder(fail_jobs)
    for _ in range(3):
        await broker.deliver_due(handler, flush=True)
        clock.advance(JOBS.retry_delay)
    original = handler.batches[0].messages[0]
    [moved] = [m for b in handler.batches if b.queue == "dead" for m in b.messages]
    assert (moved.id, moved.body, moved.timestamp, moved.attempts) == (
        original.id,
        "poison",
        original.timestamp,
        1,
    )


async def test_without_dlq_exhausted_messages_are_dropped(broker: QueueBroker) -> None:
    await broker.producer("plain").send("doomed")
    handler = Recorder(fail)
    assert await broker.deliver_due(handler, flush=True) == 2  # retry_delay 0: redelivered in the same call
    assert handler.deliveries() == [("doomed", 1), ("doomed", 2)]
    assert broker.stats()["plain"] == {"pending": 0, "delayed": 0, "in_flight": 0, "dead_lettered": 1}
    assert await broker.producer("plain").metrics() == {
        "backlogCount": 0,
        "backlogBytes": 0,
        "oldestMessageTimestamp": None,
    }


# ---- producer limits


async def test_producer_limits(broker: QueueBroker) -> None:
    producer = broker.producer("plain")
    with pytest.raises(QueueError, match="count of 101"):
        await producer.sendBatch([{"body": i} for i in range(101)])
    with pytest.raises(QueueError, match="exceeds limit of 128000"):
        await producer.send("x" * 128_000)  # 128,002 bytes as JSON
    await producer.send("x" * 127_998)  # exactly 128,000 bytes is fine
    with pytest.raises(QueueError, match="exceeds limit of 256000"):
        await producer.sendBatch([{"body": "x" * 100_000}] * 3)
    with pytest.raises(QueueError, match="delaySeconds"):
        await producer.send("late", delaySeconds=43_201)
    with pytest.raises(QueueError, match="delaySeconds"):
        await producer.sendBatch([{"body": 1, "delaySeconds": -1}])
    with pytest.raises(QueueError, match="contentType"):
        await producer.send("x", contentType="xml")
    assert broker.stats()["plain"]["pending"] == 1


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (object(), None),
        ({1, 2}, None),
        ((1, 2), None),
        ({"nested": (1,)}, None),
        (math.nan, None),
        (b"b", None),
        (1, "text"),
        ("s", "bytes"),
    ],
)
async def test_unserialisable_bodies_raise_type_error(broker: QueueBroker, body: Any, content_type: str | None) -> None:
    with pytest.raises(TypeError):
        await broker.producer("plain").send(body, contentType=content_type)
    assert broker.stats()["plain"]["pending"] == 0


async def test_metrics(broker: QueueBroker, clock: ManualClock) -> None:
    producer = broker.producer("jobs")
    assert await producer.metrics() == {"backlogCount": 0, "backlogBytes": 0, "oldestMessageTimestamp": None}
    first_at = clock.now()
    await producer.send({"a": 1})  # {"a":1} → 7 bytes
    clock.advance(10)
    await producer.send("hi", contentType="text", delaySeconds=60)  # 2 bytes, delayed still counts
    assert await producer.metrics() == {
        "backlogCount": 2,
        "backlogBytes": 9,
        "oldestMessageTimestamp": datetime.fromtimestamp(first_at, tz=UTC),
    }


async def test_stats_cover_configured_and_unconsumed_queues(broker: QueueBroker) -> None:
    await broker.producer("orphan").send("nobody consumes me")
    stats = broker.stats()
    assert set(stats) == {"jobs", "dead", "plain", "orphan"}
    assert stats["orphan"] == {"pending": 1, "delayed": 0, "in_flight": 0, "dead_lettered": 0}
    assert await broker.deliver_due(Recorder(), flush=True) == 0


# ---- concurrency


async def test_batches_of_different_queues_run_concurrently(broker: QueueBroker) -> None:
    await broker.producer("jobs").send("a")
    await broker.producer("plain").send("b")
    plain_started = asyncio.Event()

    async def handler(batch: MessageBatch) -> None:
        if batch.queue == "plain":
            plain_started.set()
        else:
            await plain_started.wait()  # would deadlock if queues were delivered one after another

    assert await asyncio.wait_for(broker.deliver_due(handler, flush=True), timeout=2) == 2


async def test_one_queue_never_has_overlapping_batches(broker: QueueBroker) -> None:
    await broker.producer("jobs").sendBatch([{"body": i} for i in range(9)])
    running = 0
    peak = 0

    async def handler(batch: MessageBatch) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0)  # yield to the loop: the only "sleep" here, zero seconds
        running -= 1

    assert await broker.deliver_due(handler) == 3
    assert peak == 1


async def test_a_consumer_that_re_enqueues_forever_is_stopped(broker: QueueBroker) -> None:
    producer = broker.producer("plain")
    await producer.send(0)

    async def echo(batch: MessageBatch) -> None:
        await producer.send(batch.messages[0].body + 1)

    with pytest.raises(QueueError, match="looping"):
        await broker.deliver_due(echo, flush=True, max_batches=5)
    assert broker.stats()["plain"] == {"pending": 1, "delayed": 0, "in_flight": 0, "dead_lettered": 0}


# ---- durability


async def test_pending_messages_survive_reopen(open_broker: Callable[[], QueueBroker], clock: ManualClock) -> None:
    first = open_broker()
    await first.producer("plain").send({"keep": 1})
    await first.producer("plain").send("later", delaySeconds=100)

    second = open_broker()
    assert second.stats()["plain"] == {"pending": 1, "delayed": 1, "in_flight": 0, "dead_lettered": 0}
    handler = Recorder()
    await second.deliver_due(handler, flush=True)
    assert handler.deliveries() == [({"keep": 1}, 1)]


async def test_crash_mid_batch_is_redelivered_after_reopen(
    open_broker: Callable[[], QueueBroker], clock: ManualClock
) -> None:
    first = open_broker()
    await first.producer("jobs").sendBatch([{"body": "x"}, {"body": "y"}])

    def crash(batch: MessageBatch) -> None:
        batch.messages[0].ack()  # never persisted: the process dies before the outcome is written
        raise Crash

    with pytest.raises(Crash):
        await first.deliver_due(Recorder(crash), flush=True)
    assert first.stats()["jobs"]["in_flight"] == 2

    clock.advance(1)
    second = open_broker()
    assert second.stats()["jobs"] == {"pending": 2, "delayed": 0, "in_flight": 0, "dead_lettered": 0}
    handler = Recorder()
    await second.deliver_due(handler, flush=True)
    assert handler.deliveries() == [("x", 2), ("y", 2)]


async def test_cancelled_delivery_is_redelivered_after_reopen(
    open_broker: Callable[[], QueueBroker], clock: ManualClock
) -> None:
    first = open_broker()
    await first.producer("plain").send("in progress")
    entered = asyncio.Event()

    async def hang(batch: MessageBatch) -> None:
        entered.set()
        await asyncio.Event().wait()

    task = asyncio.create_task(first.deliver_due(hang, flush=True))
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    second = open_broker()
    handler = Recorder()
    await second.deliver_due(handler, flush=True)
    assert handler.deliveries() == [("in progress", 2)]


async def test_crash_on_the_last_attempt_dead_letters_on_reopen(
    open_broker: Callable[[], QueueBroker], clock: ManualClock
) -> None:
    first = open_broker()
    await first.producer("jobs").send("fatal")
    for _ in range(2):
        await first.deliver_due(Recorder(fail), flush=True)
        clock.advance(30)

    def crash(batch: MessageBatch) -> None:
        raise Crash

    with pytest.raises(Crash):
        await first.deliver_due(Recorder(crash), flush=True)  # third and last delivery (max_retries=2)

    second = open_broker()
    assert second.stats()["jobs"]["dead_lettered"] == 1
    assert second.stats()["dead"]["pending"] == 1


# ---- configuration


def test_consumers_from_wrangler_toml() -> None:
    wrangler = tomllib.loads((Path(__file__).parents[2] / "wrangler.toml").read_text())
    consumers = consumers_from_wrangler(wrangler)
    assert set(consumers) == {"enrich", "compose", "send", "inbound", "events", "imports", "dlq"}
    assert consumers["send"] == QueueConsumerConfig(
        "send",
        max_batch_size=5,
        max_batch_timeout=2,
        max_retries=2,
        retry_delay=120,
        dead_letter_queue="dlq",
        max_concurrency=2,
    )
    assert consumers["dlq"].dead_letter_queue is None
    assert consumers["imports"] == QueueConsumerConfig(  # one slice per invocation (decision 0013)
        "imports", max_batch_size=1, max_batch_timeout=0, max_retries=5, retry_delay=10, dead_letter_queue="dlq"
    )


def test_consumer_config_validation() -> None:
    assert QueueConsumerConfig.from_wrangler({"queue": "q"}) == QueueConsumerConfig("q")
    with pytest.raises(ValueError):
        QueueConsumerConfig.from_wrangler({"max_retries": 3})
    with pytest.raises(ValueError):
        QueueConsumerConfig("q", max_batch_size=101)
    with pytest.raises(ValueError):
        QueueConsumerConfig("q", dead_letter_queue="q")
