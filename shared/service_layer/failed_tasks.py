"""Failed tasks: list them, and replay one onto its original queue as a fresh envelope under a new trace id."""

from __future__ import annotations

from shared.domain.errors import Conflict, NotFound
from shared.domain.failed_tasks import FailedTask, FailedTaskStatus
from shared.messages.envelope import Envelope
from shared.messages.queues import QueueName
from shared.observability.log import Logger
from shared.ports.queues import QueuePublisher
from shared.ports.repositories import FailedTaskRepository
from shared.ports.runtime import Clock, IdFactory


async def replay_failed_task(
    task_id: str,
    *,
    trace_id: str,
    failed_tasks: FailedTaskRepository,
    publisher: QueuePublisher,
    clock: Clock,
    ids: IdFactory,
    log: Logger,
) -> tuple[FailedTask, Envelope]:
    task = await failed_tasks.get(task_id)
    if task is None:
        raise NotFound(f"failed task {task_id} does not exist")
    if task.status is not FailedTaskStatus.OPEN:
        raise Conflict(f"failed task {task_id} is already {task.status.value}")
    if task.type is None or task.version is None or task.payload is None:
        raise Conflict(f"failed task {task_id} was never a valid message and cannot be replayed")
    try:
        queue = QueueName(task.queue)
    except ValueError:
        raise Conflict(f"failed task {task_id} came from unknown queue {task.queue!r}") from None
    envelope = Envelope(
        id=ids.new_id(),
        type=task.type,
        version=task.version,
        trace_id=trace_id,
        created_at=clock.now(),
        payload=task.payload,
    )
    # Mark first, so two concurrent replays cannot both send; if the send fails, reopen the task.
    if not await failed_tasks.mark_replayed(task_id, clock.now()):
        raise Conflict(f"failed task {task_id} was replayed concurrently")
    try:
        await publisher.publish(queue, envelope)
    except BaseException:
        await failed_tasks.reopen(task_id)
        raise
    log.info("failed task replayed", failed_task_id=task_id, queue=queue.value, new_message_id=envelope.id)
    return task, envelope
