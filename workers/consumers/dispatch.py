"""Queue dispatch: decode each message, run its handler, then ack, retry with back-off, or dead-letter it.

The retry policy lives here, not in handlers. Per message:
- not an envelope / unknown type / PermanentFailure  -> forwarded to the `dlq` queue at once, acked;
- handler raised, retries left                       -> `retry(delaySeconds=policy.delay_for(attempts))`;
- handler raised on its last allowed delivery        -> forwarded to `dlq` with the error, acked;
- forwarding to `dlq` failed                         -> left for redelivery (never acked, nothing lost).
Messages on the `dlq` queue itself are recorded in `failed_tasks` and never forwarded again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import Any

from consumers.handlers import (
    handle_compose,
    handle_dead_letter,
    handle_email_event,
    handle_enrich,
    handle_enrich_selection,
    handle_enrollment_slice,
    handle_import_slice,
    handle_inbound_received,
    handle_send_requested,
)
from shared.bootstrap import Services
from shared.domain.errors import MessageDecodeError, PermanentFailure
from shared.messages.envelope import Envelope, decode
from shared.messages.payloads import DeadLetter, Payload, parse_payload
from shared.messages.queues import DEAD_LETTER_QUEUE, RETRY_POLICIES, QueueName
from shared.service_layer.dead_letters import forward_dead_letter, record_platform_dead_letter

Handler = Callable[[Payload, Envelope, Services], Awaitable[None]]

# queue -> message type -> handler.
QUEUE_HANDLERS: dict[QueueName, dict[str, Handler]] = {
    QueueName.ENRICH: {"enrich.requested": handle_enrich, "enrich.selection": handle_enrich_selection},
    QueueName.COMPOSE: {"compose.requested": handle_compose},
    QueueName.SEND: {"send.requested": handle_send_requested},
    QueueName.INBOUND: {"inbound.received": handle_inbound_received},
    QueueName.EVENTS: {"email.event": handle_email_event},
    QueueName.IMPORTS: {"import.slice": handle_import_slice, "enrollment.slice": handle_enrollment_slice},
    QueueName.DLQ: {"dead_letter": handle_dead_letter},
}


async def handle_batch(
    batch: Any, services: Services, handlers: Mapping[QueueName, Mapping[str, Handler]] = QUEUE_HANDLERS
) -> None:
    try:
        queue = QueueName(str(batch.queue))
    except ValueError:
        services.log.error("batch from an unknown queue: retrying it", queue=str(batch.queue))
        batch.retryAll()
        return
    for message in batch.messages:
        await _handle_message(queue, message, handlers.get(queue, {}), services)


async def _handle_message(queue: QueueName, message: Any, handlers: Mapping[str, Handler], services: Services) -> None:
    message_id = str(message.id)
    attempts = int(message.attempts)
    log = services.log.bind(component=f"consumer.{queue.value}", message_id=message_id, attempts=attempts)
    envelope: Envelope | None = None
    try:
        envelope = decode(message.body)
        log = log.bind(trace_id=envelope.trace_id, type=envelope.type)
        payload = parse_payload(envelope)
    except MessageDecodeError as exc:
        await _give_up(queue, message, envelope, str(exc), replace(services, log=log))
        return

    scoped = replace(services, log=log)
    if queue is DEAD_LETTER_QUEUE and not isinstance(payload, DeadLetter):
        await _give_up(queue, message, envelope, "platform dead letter", scoped)
        return
    handler = handlers.get(envelope.type)
    if handler is None:
        await _give_up(queue, message, envelope, f"no handler for {envelope.type!r} on queue {queue.value}", scoped)
        return
    try:
        async with log.span(f"handle {envelope.type}"):
            await handler(payload, envelope, scoped)
    except PermanentFailure as exc:
        await _give_up(queue, message, envelope, f"{type(exc).__name__}: {exc}", scoped)
        return
    except Exception as exc:
        policy = RETRY_POLICIES[queue]
        if queue is DEAD_LETTER_QUEUE and policy.exhausted(attempts):
            # Nothing comes after the DLQ: the platform would delete it silently. Keep it in the logs, whole.
            log.error("dead letter could not be recorded: giving up", letter=envelope.model_dump(mode="json"),
                      error=f"{type(exc).__name__}: {exc}")  # fmt: skip
            message.ack()
            return
        if queue is DEAD_LETTER_QUEUE or not policy.exhausted(attempts):
            delay = policy.delay_for(attempts)
            log.warning("task failed, will retry", retry_in_s=delay, error=f"{type(exc).__name__}: {exc}")
            message.retry(delaySeconds=delay)
            return
        await _give_up(queue, message, envelope, f"{type(exc).__name__}: {exc}", scoped)
        return
    message.ack()


async def _give_up(queue: QueueName, message: Any, envelope: Envelope | None, error: str, services: Services) -> None:
    """Dead-letter one message: forward it to `dlq` (or record it, when it is already on `dlq`), then ack."""
    try:
        if queue is DEAD_LETTER_QUEUE:
            await record_platform_dead_letter(
                message_id=str(message.id),
                attempts=int(message.attempts),
                body=message.body,
                original=envelope,
                failed_tasks=services.failed_tasks,
                clock=services.clock,
                log=services.log,
            )
        else:
            await forward_dead_letter(
                queue=queue.value,
                message_id=envelope.id if envelope else str(message.id),
                attempts=int(message.attempts),
                error=error,
                original=envelope,
                raw_body=message.body,
                publisher=services.publisher,
                clock=services.clock,
                ids=services.ids,
            )
    except Exception as exc:
        services.log.error("could not dead-letter a message: leaving it for redelivery", error=str(exc))
        message.retry()
        return
    services.log.warning("message dead-lettered", queue=queue.value, reason=error)
    message.ack()
