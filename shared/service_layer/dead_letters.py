"""Dead letters: forwarding a task that failed for good to the `dlq` queue, and recording it in `failed_tasks`."""

from __future__ import annotations

import json
from typing import Any

from shared.domain.failed_tasks import FailedTask
from shared.messages.envelope import Envelope
from shared.messages.payloads import DeadLetter
from shared.messages.queues import DEAD_LETTER_QUEUE
from shared.observability.log import Logger
from shared.ports.queues import QueuePublisher
from shared.ports.repositories import FailedTaskRepository
from shared.ports.runtime import Clock, IdFactory
from shared.service_layer.envelopes import new_envelope

MAX_RAW_BODY_BYTES = 60_000  # keep the dead letter itself well under the 128 KB message cap


def _raw_text(body: Any) -> str:
    if isinstance(body, (bytes, bytearray, memoryview)):
        text = bytes(body).decode("utf-8", errors="replace")
    elif isinstance(body, str):
        text = body
    else:
        text = json.dumps(body, default=str)
    return text.encode("utf-8")[:MAX_RAW_BODY_BYTES].decode("utf-8", errors="ignore")


async def forward_dead_letter(
    *,
    queue: str,
    message_id: str,
    attempts: int,
    error: str,
    original: Envelope | None,
    raw_body: Any,
    publisher: QueuePublisher,
    clock: Clock,
    ids: IdFactory,
) -> None:
    letter = DeadLetter(
        queue=queue,
        message_id=message_id,
        attempts=attempts,
        error=error[:2000],
        original_type=original.type if original else None,
        original_version=original.version if original else None,
        original_payload=original.payload if original else None,
        raw_body=None if original else _raw_text(raw_body),
    )
    trace_id = original.trace_id if original else message_id
    envelope = new_envelope(letter, trace_id=trace_id, clock=clock, ids=ids)
    try:
        envelope.encode()
    except ValueError:  # too large for a queue message: keep a byte-bounded excerpt instead of the payload
        excerpt = _raw_text(json.dumps(original.payload) if original else raw_body)
        letter = letter.model_copy(update={"original_payload": None, "raw_body": excerpt})
        envelope = new_envelope(letter, trace_id=trace_id, clock=clock, ids=ids)
    await publisher.publish(DEAD_LETTER_QUEUE, envelope)


async def record_dead_letter(
    letter: DeadLetter, *, trace_id: str, failed_tasks: FailedTaskRepository, clock: Clock, log: Logger
) -> None:
    task = FailedTask(
        id=letter.message_id,
        queue=letter.queue,
        type=letter.original_type,
        version=letter.original_version,
        attempts=letter.attempts,
        last_error=letter.error,
        payload=letter.original_payload,
        raw_body=letter.raw_body,
        trace_id=trace_id,
        failed_at=clock.now(),
    )
    stored = await failed_tasks.add(task)
    log.error(
        "task failed for good",
        queue=letter.queue,
        failed_message_id=letter.message_id,
        failed_type=letter.original_type,
        attempts=letter.attempts,
        error=letter.error,
        duplicate=not stored,
    )


async def record_platform_dead_letter(
    *,
    message_id: str,
    attempts: int,
    body: Any,
    original: Envelope | None,
    failed_tasks: FailedTaskRepository,
    clock: Clock,
    log: Logger,
) -> None:
    """A message the platform moved to the DLQ itself (the consumer invocation kept crashing)."""
    letter = DeadLetter(
        queue="unknown",
        message_id=original.id if original else message_id,
        attempts=attempts,
        error="max retries exceeded: the consumer invocation failed before it could record an error",
        original_type=original.type if original else None,
        original_version=original.version if original else None,
        original_payload=original.payload if original else None,
        raw_body=None if original else _raw_text(body),
    )
    await record_dead_letter(
        letter,
        trace_id=original.trace_id if original else message_id,
        failed_tasks=failed_tasks,
        clock=clock,
        log=log,
    )
