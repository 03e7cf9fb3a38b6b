"""Receiving email: store the raw message first (nothing is lost), then hand it to the `inbound` queue.

Classification (bounce, auto-reply, human reply) happens in the `inbound` consumer; this step only makes the
message durable and schedules the work. A redelivered message (same bytes, same recipient) maps to the stored row
and is enqueued again; the consumer's work is idempotent per stored message.
"""

from __future__ import annotations

from shared.domain.errors import NotFound, ValidationFailed
from shared.domain.inbound import MAX_INBOUND_BYTES, InboundEmail, summarise_headers
from shared.messages.envelope import Envelope
from shared.messages.payloads import InboundReceived
from shared.messages.queues import QueueName
from shared.observability.log import Logger
from shared.ports.queues import QueuePublisher
from shared.ports.repositories import InboundRepository
from shared.ports.runtime import Clock, IdFactory
from shared.service_layer.envelopes import new_envelope


async def receive_email(
    *,
    mail_from: str,
    rcpt_to: str,
    raw: bytes,
    inbound: InboundRepository,
    publisher: QueuePublisher,
    clock: Clock,
    ids: IdFactory,
    log: Logger,
) -> str:
    if len(raw) > MAX_INBOUND_BYTES:
        raise ValidationFailed(f"message of {len(raw)} bytes exceeds {MAX_INBOUND_BYTES}")
    email = InboundEmail(
        id=ids.new_id(),
        mail_from=mail_from,
        rcpt_to=rcpt_to,
        raw=raw,
        received_at=clock.now(),
        trace_id=log.trace_id or ids.new_id(),
    )
    inbound_id = await inbound.store(email)
    envelope: Envelope = new_envelope(
        InboundReceived(inbound_id=inbound_id), trace_id=email.trace_id, clock=clock, ids=ids
    )
    await publisher.publish(QueueName.INBOUND, envelope)
    log.info("inbound email stored", inbound_id=inbound_id, raw_size=len(raw), redelivery=inbound_id != email.id)
    return inbound_id


async def parse_inbound(message: InboundReceived, *, inbound: InboundRepository, log: Logger) -> None:
    """First step of inbound processing: index the headers we match on. (Classification comes later.)"""
    raw = await inbound.raw(message.inbound_id)
    if raw is None:
        raise NotFound(f"inbound message {message.inbound_id} is not stored")
    headers = summarise_headers(raw)
    await inbound.mark_parsed(message.inbound_id, message_id=headers.message_id, subject=headers.subject)
    log.info("inbound email parsed", inbound_id=message.inbound_id, email_message_id=headers.message_id)
