"""Queue dispatch: ack on success, back-off retries, dead-lettering at exhaustion or on undecodable input."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from consumers.dispatch import QUEUE_HANDLERS, handle_batch
from shared.bootstrap import Services
from shared.domain.errors import PermanentFailure
from shared.messages.envelope import Envelope, decode
from shared.messages.payloads import DeadLetter, InboundReceived, Payload, parse_payload
from shared.messages.queues import RETRY_POLICIES, QueueName
from tests.fakes import FakeBatch, FakeMessage, FakeQueuePublisher, fake_services


def envelope(type_: str = "inbound.received", payload: dict[str, object] | None = None, id_: str = "e1") -> Envelope:
    return Envelope(
        id=id_,
        type=type_,
        version=1,
        trace_id="trace-abc",
        created_at=datetime(2026, 1, 5, tzinfo=UTC),
        payload=payload if payload is not None else {"inbound_id": "in-1"},
    )


class Recorder:
    def __init__(self, error: Exception | None = None) -> None:
        self.calls: list[tuple[Payload, Services]] = []
        self.error = error

    async def __call__(self, payload: Payload, env: Envelope, services: Services) -> None:
        self.calls.append((payload, services))
        if self.error:
            raise self.error


def handlers_with(recorder: Recorder) -> dict[QueueName, dict[str, object]]:
    return {**QUEUE_HANDLERS, QueueName.INBOUND: {"inbound.received": recorder}}  # type: ignore[dict-item]


async def test_success_acks_and_passes_trace_id_to_the_handler_logs() -> None:
    lines: list[str] = []
    recorder = Recorder()
    message = FakeMessage("m1", envelope().encode())
    await handle_batch(FakeBatch("inbound", [message]), fake_services(lines), handlers_with(recorder))  # type: ignore[arg-type]
    assert message.outcome == "ack"
    assert recorder.calls[0][0] == InboundReceived(inbound_id="in-1")
    assert recorder.calls[0][1].log.trace_id == "trace-abc"
    assert any('"trace_id":"trace-abc"' in line and '"span":"handle inbound.received"' in line for line in lines)


@pytest.mark.parametrize("attempts", [1])
async def test_failure_with_retries_left_retries_with_the_policy_delay(attempts: int) -> None:
    message = FakeMessage("m1", envelope().encode(), attempts=attempts)
    services = fake_services()
    await handle_batch(FakeBatch("inbound", [message]), services, handlers_with(Recorder(RuntimeError("boom"))))  # type: ignore[arg-type]
    assert message.outcome == "retry"
    assert message.retry_delay == RETRY_POLICIES[QueueName.INBOUND].delay_for(attempts)
    assert services.publisher.sent == []  # type: ignore[attr-defined]


async def test_failure_on_the_last_delivery_is_dead_lettered_with_the_error() -> None:
    services = fake_services()
    last = RETRY_POLICIES[QueueName.INBOUND].max_retries + 1
    message = FakeMessage("m1", envelope().encode(), attempts=last)
    await handle_batch(FakeBatch("inbound", [message]), services, handlers_with(Recorder(RuntimeError("boom"))))  # type: ignore[arg-type]
    assert message.outcome == "ack"
    publisher: FakeQueuePublisher = services.publisher  # type: ignore[assignment]
    [letter_env] = publisher.on(QueueName.DLQ)
    letter = parse_payload(letter_env)
    assert isinstance(letter, DeadLetter)
    assert (letter.queue, letter.message_id, letter.attempts) == ("inbound", "e1", last)
    assert letter.error == "RuntimeError: boom"
    assert letter.original_payload == {"inbound_id": "in-1"}
    assert letter_env.trace_id == "trace-abc"


async def test_permanent_failure_is_dead_lettered_at_once() -> None:
    services = fake_services()
    message = FakeMessage("m1", envelope().encode(), attempts=1)
    await handle_batch(FakeBatch("inbound", [message]), services, handlers_with(Recorder(PermanentFailure("never"))))  # type: ignore[arg-type]
    assert message.outcome == "ack"
    assert len(services.publisher.on(QueueName.DLQ)) == 1  # type: ignore[attr-defined]


@pytest.mark.parametrize("body", ["{not json", '{"id": 1}', envelope(type_="no.such").encode(), 17])
async def test_undecodable_messages_are_dead_lettered_without_retry(body: object) -> None:
    services = fake_services()
    recorder = Recorder()
    message = FakeMessage("m-bad", body, attempts=1)
    await handle_batch(FakeBatch("inbound", [message]), services, handlers_with(recorder))  # type: ignore[arg-type]
    assert message.outcome == "ack"
    assert recorder.calls == []
    [letter_env] = services.publisher.on(QueueName.DLQ)  # type: ignore[attr-defined]
    letter = parse_payload(letter_env)
    assert isinstance(letter, DeadLetter)
    assert letter.attempts == 1
    assert letter.raw_body is not None or letter.original_type == "no.such"


async def test_if_the_dlq_cannot_be_reached_the_message_is_not_acked() -> None:
    services = fake_services(publisher=FakeQueuePublisher(fail_on={QueueName.DLQ}))
    message = FakeMessage("m-bad", "{not json")
    await handle_batch(FakeBatch("inbound", [message]), services)
    assert message.outcome == "retry"


async def test_one_failing_message_does_not_affect_its_batch_mates() -> None:
    calls = 0

    async def flaky(payload: Payload, env: Envelope, services: Services) -> None:
        nonlocal calls
        calls += 1
        if env.id == "bad":
            raise RuntimeError("only this one")

    good, bad = FakeMessage("1", envelope(id_="good").encode()), FakeMessage("2", envelope(id_="bad").encode())
    handlers = {**QUEUE_HANDLERS, QueueName.INBOUND: {"inbound.received": flaky}}
    await handle_batch(FakeBatch("inbound", [good, bad]), fake_services(), handlers)  # type: ignore[arg-type]
    assert (good.outcome, bad.outcome, calls) == ("ack", "retry", 2)


async def test_dlq_messages_are_recorded_as_failed_tasks_idempotently() -> None:
    services = fake_services()
    letter = DeadLetter(queue="send", message_id="orig-1", attempts=3, error="SMTP 421", original_type="x")
    dlq_env = envelope(type_="dead_letter", payload=letter.model_dump(mode="json"), id_="d1")
    first, again = FakeMessage("a", dlq_env.encode()), FakeMessage("b", dlq_env.encode())
    await handle_batch(FakeBatch("dlq", [first]), services)
    await handle_batch(FakeBatch("dlq", [again]), services)
    assert first.outcome == again.outcome == "ack"
    tasks = services.failed_tasks.tasks  # type: ignore[attr-defined]
    assert list(tasks) == ["orig-1"]
    assert (tasks["orig-1"].queue, tasks["orig-1"].attempts, tasks["orig-1"].last_error) == ("send", 3, "SMTP 421")
    assert tasks["orig-1"].trace_id == "trace-abc"


async def test_platform_dead_letters_and_garbage_on_the_dlq_are_recorded_not_forwarded() -> None:
    services = fake_services()
    original = FakeMessage("p1", envelope(id_="orig-9").encode(), attempts=2)
    garbage = FakeMessage("p2", "%%%", attempts=1)
    await handle_batch(FakeBatch("dlq", [original, garbage]), services)
    assert original.outcome == garbage.outcome == "ack"
    tasks = services.failed_tasks.tasks  # type: ignore[attr-defined]
    assert tasks["orig-9"].type == "inbound.received"
    assert tasks["p2"].raw_body == "%%%"
    assert services.publisher.sent == []  # type: ignore[attr-defined]


async def test_dlq_consumer_failure_retries_and_never_forwards_to_itself() -> None:
    class BrokenStore:
        async def add(self, task: object) -> bool:
            raise RuntimeError("D1 down")

    services = fake_services(failed_tasks=BrokenStore())
    letter = DeadLetter(queue="send", message_id="o", attempts=3, error="e")
    message = FakeMessage("a", envelope(type_="dead_letter", payload=letter.model_dump(mode="json")).encode(), 5)
    await handle_batch(FakeBatch("dlq", [message]), services)
    assert message.outcome == "retry"
    assert services.publisher.sent == []  # type: ignore[attr-defined]


async def test_unknown_queue_is_retried_whole() -> None:
    batch = FakeBatch("mystery", [FakeMessage("1", envelope().encode())])
    await handle_batch(batch, fake_services())
    assert batch.retried_all


def test_decode_sanity() -> None:
    assert decode(envelope().encode()).id == "e1"


async def test_the_last_dlq_delivery_is_logged_whole_and_acked_not_lost() -> None:
    class BrokenStore:
        async def add(self, task: object) -> bool:
            raise RuntimeError("D1 down")

    captured: list[str] = []
    services = fake_services(captured, failed_tasks=BrokenStore())
    letter = DeadLetter(queue="send", message_id="o-1", attempts=3, error="e", original_payload={"k": "v"})
    last = RETRY_POLICIES[QueueName.DLQ].max_retries + 1
    message = FakeMessage("a", envelope(type_="dead_letter", payload=letter.model_dump(mode="json")).encode(), last)
    await handle_batch(FakeBatch("dlq", [message]), services)
    assert message.outcome == "ack"
    [final] = [line for line in captured if "dead letter could not be recorded" in line]
    assert '"message_id":"o-1"' in final and '"k":"v"' in final


async def test_an_oversized_dead_letter_keeps_an_excerpt_instead_of_failing() -> None:
    services = fake_services()
    big = envelope(payload={"inbound_id": "x" * 126_800})  # a valid message whose dead letter would not fit
    message = FakeMessage("m1", big.model_dump_json(), attempts=1)
    await handle_batch(
        FakeBatch("inbound", [message]), services, handlers_with(Recorder(PermanentFailure("too big to process")))
    )  # type: ignore[arg-type]
    assert message.outcome == "ack"
    [letter_env] = services.publisher.on(QueueName.DLQ)  # type: ignore[attr-defined]
    letter = parse_payload(letter_env)
    assert isinstance(letter, DeadLetter)
    assert letter.original_payload is None
    assert letter.raw_body is not None and len(letter.raw_body.encode()) <= 60_000
