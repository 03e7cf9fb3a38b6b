"""Receiving email: store the raw message first (nothing is lost), then hand it to the `inbound` queue.

The bytes arrive as a stream (`raw`: the handler's pieces of `message.raw`, or whole bytes in tests) and are stored
as they come (`inbound_store.store_streamed_email`), so the message is never held whole (decision 0015). Only a
completed store is enqueued; a failed stream or a refused size discards what was written and queues nothing.

Classification (bounce, auto-reply, human reply) happens in the `inbound` consumer; this step only makes the
message durable and schedules the work. A redelivered message (same bytes, same recipient) maps to the stored row
and is enqueued again; the consumer's work is idempotent per stored message.
"""

from __future__ import annotations

from collections.abc import AsyncIterable

from shared.domain.errors import NotFound
from shared.domain.inbound import InboundEnvelope, summarise_headers
from shared.messages.envelope import Envelope
from shared.messages.payloads import InboundReceived
from shared.messages.queues import QueueName
from shared.observability.log import Logger
from shared.ports.queues import QueuePublisher
from shared.ports.repositories import InboundRepository
from shared.ports.runtime import Clock, IdFactory
from shared.service_layer.envelopes import new_envelope
from shared.service_layer.inbound_store import store_streamed_email


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
    inbound_id, facts = await store_streamed_email(envelope, raw, inbound=inbound, log=log)  # raises: nothing queued
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
