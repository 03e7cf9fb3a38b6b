"""An import job as stored and reported: its state, where its next slice starts, and its running counts."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class JobState(StrEnum):
    STAGING = "staging"  # the upload is being stored (the POST request is still running)
    QUEUED = "queued"  # stored; the first slice is on the queue
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def live(self) -> bool:
        return self in (JobState.STAGING, JobState.QUEUED, JobState.RUNNING)


@dataclass(frozen=True, slots=True)
class SliceCursor:
    """Where a slice starts: chunk `chunk`, after row number `row` (0: from the chunk's first record)."""

    chunk: int
    row: int


@dataclass(frozen=True, slots=True)
class ImportJob:
    id: str
    state: JobState
    lead_source: str
    actor: str | None
    filename: str | None
    encoding: str | None
    delimiter: str
    header: list[str]
    bytes_total: int
    chunks_total: int
    rows_total: int
    rows_done: int
    cursor: SliceCursor
    created: int
    updated: int
    duplicates: int
    skipped: int
    errors_count: int
    warnings_count: int
    failure: str | None
    created_at: str
    updated_at: str
    finished_at: str | None

    def summary(self) -> dict[str, Any]:
        """The job as the API lists it (without its errors and warnings)."""
        return {
            "id": self.id,
            "state": self.state.value,
            "filename": self.filename,
            "lead_source": self.lead_source,
            "bytes": self.bytes_total,
            "rows_total": self.rows_total,
            "rows_done": self.rows_done,
            "created": self.created,
            "updated": self.updated,
            "duplicates": self.duplicates,
            "skipped": self.skipped,
            "errors_count": self.errors_count,
            "warnings_count": self.warnings_count,
            "failure": self.failure,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "finished_at": self.finished_at,
        }
