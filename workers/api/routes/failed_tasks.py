"""`/api/failed-tasks`: what the dead-letter queue recorded; retry a task (replay it onto its original queue) or
resolve it (a person dealt with it: it is closed without a replay)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel

from api.auth import AuthorizedServices
from api.openapi import error_responses
from shared.domain.errors import Conflict, NotFound
from shared.domain.failed_tasks import FailedTask, FailedTaskStatus
from shared.domain.pagination import decode_cursor, encode_cursor
from shared.service_layer.failed_tasks import replay_failed_task

router = APIRouter(prefix="/api/failed-tasks", tags=["failed tasks"])


class FailedTaskPage(BaseModel):
    items: list[FailedTask]
    next_cursor: str | None


class ReplayOut(BaseModel):
    task_id: str
    queue: str
    message_id: str
    trace_id: str


@router.get("")
async def list_failed_tasks(
    services: AuthorizedServices,
    status: FailedTaskStatus = FailedTaskStatus.OPEN,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[
        str | None, Query(max_length=512, description="opaque: the next_cursor of the previous page")
    ] = None,
) -> FailedTaskPage:
    after: tuple[str, str] | None = None
    if cursor:
        failed_at, task_id = decode_cursor(cursor, arity=2)
        after = (str(failed_at), str(task_id))
    tasks = await services.failed_tasks.list(status=status, limit=limit + 1, after=after)
    page, more = tasks[:limit], len(tasks) > limit
    next_cursor = encode_cursor([page[-1].failed_at.isoformat(), page[-1].id]) if more and page else None
    return FailedTaskPage(items=page, next_cursor=next_cursor)


@router.post("/{task_id}/replay", status_code=202, responses=error_responses(404, 409))
async def replay(
    task_id: Annotated[str, Path(min_length=1, max_length=64)], request: Request, services: AuthorizedServices
) -> ReplayOut:
    trace_id = str(request.state.request_id)
    task, envelope = await replay_failed_task(
        task_id,
        trace_id=trace_id,
        failed_tasks=services.failed_tasks,
        publisher=services.publisher,
        clock=services.clock,
        ids=services.ids,
        log=services.log,
    )
    return ReplayOut(task_id=task.id, queue=task.queue, message_id=envelope.id, trace_id=trace_id)


@router.post("/{task_id}/resolve", responses=error_responses(404, 409))
async def resolve(
    task_id: Annotated[str, Path(min_length=1, max_length=64)], services: AuthorizedServices
) -> FailedTask:
    task = await services.failed_tasks.get(task_id)
    if task is None:
        raise NotFound(f"failed task {task_id} does not exist")
    if not await services.failed_tasks.mark_discarded(task_id, services.clock.now()):
        raise Conflict(f"failed task {task_id} is {task.status.value}, not open")
    services.log.info("failed task resolved", task_id=task_id, queue=task.queue)
    resolved = await services.failed_tasks.get(task_id)
    assert resolved is not None
    return resolved
