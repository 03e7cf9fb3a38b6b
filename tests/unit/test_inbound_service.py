"""Receiving email: store first, then enqueue; redeliveries map to the stored message; parsing indexes headers."""

from __future__ import annotations

import pytest

from shared.domain.errors import NotFound, ValidationFailed
from shared.domain.inbound import MAX_INBOUND_BYTES, summarise_headers
from shared.messages.payloads import InboundReceived, parse_payload
from shared.messages.queues import QueueName
from shared.service_layer.inbound import parse_inbound, receive_email
from tests.fakes import FakeInbound, FakeQueuePublisher, FixedClock, SequentialIds, fake_services

RAW = b"Message-ID: <abc@example.com>\r\nSubject: Hello\r\n there\r\nFrom: a@example.com\r\n\r\nBody\r\n"


async def receive(raw: bytes, services=None) -> str:  # type: ignore[no-untyped-def]
    s = services or fake_services()
    return await receive_email(
        mail_from="a@example.com",
        rcpt_to="inbox@jengu.test",
        raw=raw,
        inbound=s.inbound,
        publisher=s.publisher,
        clock=s.clock,
        ids=s.ids,
        log=s.log.bind(trace_id="t-1"),
    )


async def test_stores_then_enqueues_with_the_trace_id() -> None:
    services = fake_services()
    inbound_id = await receive(RAW, services)
    store: FakeInbound = services.inbound  # type: ignore[assignment]
    assert store.emails[inbound_id].raw == RAW
    [envelope] = services.publisher.on(QueueName.INBOUND)  # type: ignore[attr-defined]
    assert parse_payload(envelope) == InboundReceived(inbound_id=inbound_id)
    assert envelope.trace_id == "t-1"


async def test_a_redelivery_is_the_same_stored_message_and_is_enqueued_again() -> None:
    services = fake_services()
    first = await receive(RAW, services)
    second = await receive(RAW, services)
    assert first == second
    assert len(services.publisher.on(QueueName.INBOUND)) == 2  # type: ignore[attr-defined]


async def test_nothing_is_enqueued_when_storing_fails() -> None:
    class BrokenStore(FakeInbound):
        async def store(self, email):  # type: ignore[no-untyped-def]
            raise RuntimeError("D1 down")

    services = fake_services(inbound=BrokenStore())
    with pytest.raises(RuntimeError):
        await receive(RAW, services)
    assert services.publisher.sent == []  # type: ignore[attr-defined]


async def test_oversized_mail_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        await receive(b"x" * (MAX_INBOUND_BYTES + 1))


async def test_parse_indexes_message_id_and_unfolded_subject() -> None:
    services = fake_services()
    inbound_id = await receive(RAW, services)
    await parse_inbound(InboundReceived(inbound_id=inbound_id), inbound=services.inbound, log=services.log)
    assert services.inbound.parsed[inbound_id] == ("<abc@example.com>", "Hello there")  # type: ignore[attr-defined]


async def test_parse_of_a_missing_message_is_not_found() -> None:
    services = fake_services()
    with pytest.raises(NotFound):
        await parse_inbound(InboundReceived(inbound_id="nope"), inbound=services.inbound, log=services.log)


def test_header_summary_survives_garbage() -> None:
    summary = summarise_headers(b"\xff\xfe\x00garbage without headers")
    assert summary.message_id is None


def test_fakes_are_deterministic() -> None:
    assert SequentialIds().new_id() == "id000001"
    assert FixedClock().now().year == 2026
    assert FakeQueuePublisher().sent == []
