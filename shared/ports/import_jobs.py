"""The import-job repository port (implemented by `shared/adapters/d1/import_jobs.py`) and a slice's commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from shared.domain.import_jobs import ImportJob, JobState, SliceCursor


@dataclass(frozen=True)
class SliceCommit:
    """One slice's bookkeeping: from `start` to `end`, its counts, issues ([kind, row, n, field, message]) and
    `updates` ([prospect id, write token], counted as updated only where the token won)."""

    job_id: str
    start: SliceCursor
    end: SliceCursor
    state: JobState
    rows_done: int
    created: int
    duplicates: int
    skipped: int
    errors: int
    warnings: int
    now: str
    issues: list[list[Any]] = field(default_factory=list)
    updates: list[list[str]] = field(default_factory=list)


class ImportJobRepository(Protocol):
    async def create(
        self, job_id: str, *, lead_source: str, actor: str | None, filename: str | None, now: str
    ) -> None: ...

    async def add_chunks(self, job_id: str, first_seq: int, chunks: Sequence[str]) -> None: ...

    async def finish_staging(
        self, job_id: str, *, encoding: str | None, delimiter: str, header: list[str], bytes_total: int,
        chunks_total: int, rows_total: int, now: str,
    ) -> bool: ...  # fmt: skip

    async def get(self, job_id: str) -> ImportJob | None: ...

    async def get_with_chunk(self, job_id: str) -> tuple[ImportJob, str | None] | None: ...

    async def page(self, *, limit: int, after: tuple[str, str] | None) -> list[ImportJob]: ...

    async def chunk(self, job_id: str, seq: int) -> str | None: ...

    async def issues(self, job_id: str, kind: str, limit: int) -> list[dict[str, Any]]: ...

    def commit_queries(self, commit: SliceCommit) -> list[Any]: ...

    async def end(self, job_id: str, state: JobState, *, failure: str | None, now: str) -> bool: ...

    async def stale(
        self, *, staging_before: str, stalled_before: str, after: tuple[str, str] | None, limit: int
    ) -> list[ImportJob]: ...

    async def fail_stale(self, job: ImportJob, *, failure: str, now: str) -> bool: ...
