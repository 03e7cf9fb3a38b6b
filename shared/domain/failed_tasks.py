"""A task that exhausted its retries (or could never succeed), kept for inspection and replay."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict


class FailedTaskStatus(StrEnum):
    OPEN = "open"
    REPLAYED = "replayed"
    DISCARDED = "discarded"


class FailedTask(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str  # the dead message's id: storing it twice is a no-op
    queue: str
    type: str | None
    version: int | None
    attempts: int
    last_error: str
    payload: dict[str, Any] | None
    raw_body: str | None
    trace_id: str | None
    failed_at: datetime
    status: FailedTaskStatus = FailedTaskStatus.OPEN
