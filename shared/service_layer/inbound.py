"""Receiving email: store the raw message first (nothing is lost), then hand it to the `inbound` queue.

The bytes arrive as a stream (`raw`: the handler's pieces of `message.raw`, or whole bytes in tests): each piece is
tallied (size cap, sha256, header block) and handed to the repository's writer as it comes, so the message is never
held whole (decision 0015). Only a completed store is enqueued; a failed stream or a refused size discards what was
written.

Classification (bounce, auto-reply, human reply) happens in the `inbound` consumer; this step only makes the
message durable and schedules the work. A redelivered message (same bytes, same recipient) maps to the stored row
and is enqueued again; the consumer's work is idempotent per stored message.
"""

from __future__ import annotations

from collections.abc import AsyncIterable

from shared.domain.errors import NotFound
from shared.domain.inbound import InboundEnvelope, RawTally, summarise_headers
from shared.messages.envelope import Envelope
from shared.messages.payloads import InboundReceived
from shared.messages.queues import QueueName
from shared.observability.log import Logger
from shared.ports.queues import QueuePublisher
from shared.ports.repositories import InboundRepository
from shared.ports.runtime import Clock, IdFactory
from shared.service_layer.envelopes import new_envelope


class _Whole:
    """Bytes held whole (tests, tools) as a one-piece stream."""

    def __init__(self, raw: bytes) -> None:
        self._raw: bytes | None = raw

    def __aiter__(self) -> _Whole:
        return self

    async def __anext__(self) -> bytes:
        if self._raw is None:
            raise StopAsyncIteration
        raw, self._raw = self._raw, None
        return raw


def _as_stream(raw: bytes | AsyncIterable[bytes]) -> AsyncIterable[bytes]:
    return _Whole(raw) if isinstance(raw, bytes) else raw


async def receive_email(
    *,
    mail_from: str,
    rcpt_to: str,
    raw: bytes | AsyncIterable[bytes],
    inbound: InboundRepository,
    publisher: QueuePublisher,
    clock: Clock,
    ids: IdFactory,
    log: Logger,
) -> str:
    envelope = InboundEnvelope(
        id=ids.new_id(),
        mail_from=mail_from,
        rcpt_to=rcpt_to,
        received_at=clock.now(),
        trace_id=log.trace_id or ids.new_id(),
    )
    tally = RawTally()
    writer = inbound.open(envelope)
    try:
        async for piece in _as_stream(raw):
            tally.add(piece)  # ValidationFailed beyond MAX_INBOUND_BYTES, before the piece is written
            await writer.write(piece)
        facts = tally.facts()
        inbound_id = await writer.complete(facts)
    except BaseException as exc:
        try:
            await writer.discard()
        except Exception as cleanup:  # the original error is what the caller must see
            log.warning("inbound email discard failed", inbound_id=envelope.id, error=str(cleanup))
        log.info("inbound email not stored", inbound_id=envelope.id, raw_size=tally.size, error=type(exc).__name__)
        raise
    message = InboundReceived(inbound_id=inbound_id)
    queued: Envelope = new_envelope(message, trace_id=envelope.trace_id, clock=clock, ids=ids)
    await publisher.publish(QueueName.INBOUND, queued)
    log.info("inbound email stored", inbound_id=inbound_id, raw_size=facts.size, redelivery=inbound_id != envelope.id)
    return inbound_id


async def parse_inbound(message: InboundReceived, *, inbound: InboundRepository, log: Logger) -> None:
    """First step of inbound processing: index the headers we match on. (Classification comes later.)"""
    head = await inbound.head(message.inbound_id)  # the header block, not the whole message
    if head is None:
        raise NotFound(f"inbound message {message.inbound_id} is not stored")
    headers = summarise_headers(head)
    await inbound.mark_parsed(message.inbound_id, message_id=headers.message_id, subject=headers.subject)
    log.info("inbound email parsed", inbound_id=message.inbound_id, email_message_id=headers.message_id)
