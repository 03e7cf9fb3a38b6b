"""D1 repository for `failed_tasks`."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from shared.adapters.d1 import sql
from shared.adapters.d1.client import D1Client, Query
from shared.domain.failed_tasks import FailedTask, FailedTaskStatus


def _row_to_task(row: dict[str, Any]) -> FailedTask:
    payload = row.get("payload")
    return FailedTask.model_validate({**row, "payload": json.loads(payload) if payload else None})


class D1FailedTaskRepository:
    def __init__(self, db: D1Client) -> None:
        self._db = db

    async def add(self, task: FailedTask) -> bool:
        query = Query(
            sql.INSERT_FAILED_TASK,
            (
                task.id,
                task.queue,
                task.type,
                task.version,
                task.attempts,
                task.last_error[:4000],
                json.dumps(task.payload, separators=(",", ":")) if task.payload is not None else None,
                task.raw_body,
                task.trace_id,
                task.failed_at.isoformat(),
                task.status.value,
            ),
        )
        return await self._db.run(query.sql, *query.params) > 0

    async def get(self, task_id: str) -> FailedTask | None:
        row = await self._db.first(sql.GET_FAILED_TASK, task_id)
        return _row_to_task(row) if row else None

    async def list(
        self, *, status: FailedTaskStatus, limit: int, after: tuple[str, str] | None = None
    ) -> list[FailedTask]:
        if after is None:
            rows = await self._db.all(sql.LIST_FAILED_TASKS_FIRST, status.value, limit)
        else:
            rows = await self._db.all(sql.LIST_FAILED_TASKS_AFTER, status.value, after[0], after[1], limit)
        return [_row_to_task(r) for r in rows]

    async def mark_replayed(self, task_id: str, at: datetime) -> bool:
        return await self._db.run(sql.MARK_FAILED_TASK_REPLAYED, at.isoformat(), task_id) > 0

    async def mark_discarded(self, task_id: str, at: datetime) -> bool:
        return await self._db.run(sql.MARK_FAILED_TASK_DISCARDED, at.isoformat(), task_id) > 0

    async def reopen(self, task_id: str) -> None:
        await self._db.run(sql.REOPEN_FAILED_TASK, task_id)

    async def forget_processed(self, before: datetime) -> int:
        """Drop consumer idempotency keys (processed_messages) recorded before `before`."""
        return await self._db.run(sql.FORGET_PROCESSED, before.isoformat())

    async def count_open(self) -> int:
        row = await self._db.first(sql.COUNT_OPEN_FAILED_TASKS)
        return int(row["n"]) if row else 0
