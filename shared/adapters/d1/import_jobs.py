"""D1 repository for import jobs: the job row, its staged chunks, its issues, and each slice's guarded commit."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from shared.adapters.d1 import import_job_sql as sql
from shared.adapters.d1.client import D1Client, Query, bound_text
from shared.adapters.d1.prospects import json_rows_inserts
from shared.domain.import_jobs import ImportJob, JobState, SliceCursor
from shared.ports.import_jobs import SliceCommit

# Records per staging batch, in UTF-8 bytes: whole chunks (each at most chunks.CHUNK_BYTES) up to this much per round
# trip. The JS side holds a batch's bound values until D1 reads them (client.bound_text): a few MB, not tens.
STAGING_BATCH_BYTES = 600_000


def _row_to_job(row: dict[str, Any]) -> ImportJob:
    values = dict(row)
    cursor = SliceCursor(int(values.pop("cursor_chunk")), int(values.pop("cursor_row")))
    for name in ("bytes_total", "chunks_total", "rows_total", "rows_done", "created", "updated", "duplicates",
                 "skipped", "errors_count", "warnings_count"):  # fmt: skip
        values[name] = int(values[name])
    values["state"] = JobState(values["state"])
    values["header"] = json.loads(values["header"])
    return ImportJob(cursor=cursor, **values)


class D1ImportJobRepository:
    def __init__(self, db: D1Client) -> None:
        self._db = db

    async def create(self, job_id: str, *, lead_source: str, actor: str | None, filename: str | None, now: str) -> None:
        await self._db.run(sql.INSERT_JOB, job_id, lead_source, actor, filename, now, now)

    async def add_chunks(self, job_id: str, first_seq: int, chunks: Sequence[str]) -> None:
        batch: list[Query] = []
        size = 0
        for seq, text in enumerate(chunks, start=first_seq):
            data = bound_text(text)
            if batch and size + len(data) > STAGING_BATCH_BYTES:
                await self._db.batch(batch)
                batch, size = [], 0
            batch.append(Query(sql.INSERT_CHUNK, (job_id, seq, data)))
            size += len(data)
        if batch:
            await self._db.batch(batch)

    async def finish_staging(
        self, job_id: str, *, encoding: str | None, delimiter: str, header: list[str], bytes_total: int,
        chunks_total: int, rows_total: int, now: str,
    ) -> bool:  # fmt: skip
        header_json = json.dumps(header, ensure_ascii=False)
        changed = await self._db.run(
            sql.FINISH_STAGING, encoding, delimiter, header_json, bytes_total, chunks_total, rows_total, now, job_id
        )
        return changed > 0

    async def get(self, job_id: str) -> ImportJob | None:
        row = await self._db.first(sql.GET_JOB, job_id)
        return _row_to_job(row) if row else None

    async def get_with_chunk(self, job_id: str) -> tuple[ImportJob, str | None] | None:
        """The job and the staged chunk at its cursor (None when there is none), in one statement."""
        row = await self._db.first(sql.GET_JOB_AND_CHUNK, job_id)
        if row is None:
            return None
        records = row.pop("records")
        return _row_to_job(row), None if records is None else str(records)

    async def page(self, *, limit: int, after: tuple[str, str] | None) -> list[ImportJob]:
        if after is None:
            rows = await self._db.all(sql.LIST_JOBS_FIRST, limit)
        else:
            rows = await self._db.all(sql.LIST_JOBS_AFTER, after[0], after[1], limit)
        return [_row_to_job(r) for r in rows]

    async def chunk(self, job_id: str, seq: int) -> str | None:
        row = await self._db.first(sql.GET_CHUNK, job_id, seq)
        return None if row is None else str(row["records"])

    async def issues(self, job_id: str, kind: str, limit: int) -> list[dict[str, Any]]:
        rows = await self._db.all(sql.LIST_ISSUES, job_id, kind, limit)
        return [{"row": int(r["row"]), "field": r["field"], "message": r["message"]} for r in rows]

    def commit_queries(self, commit: SliceCommit) -> list[Query]:
        """The slice's bookkeeping statements, to follow its prospect writes in the same batch."""
        queries = [
            Query(sql.INSERT_ISSUES_JSON, (commit.job_id, *q.params))
            for q in json_rows_inserts(sql.INSERT_ISSUES_JSON, commit.issues)
        ]
        finished_at = None if commit.state.live else commit.now
        updates = json.dumps(commit.updates, separators=(",", ":"))
        params = (
            commit.job_id, commit.start.chunk, commit.start.row, commit.end.chunk, commit.end.row, commit.state.value,
            commit.rows_done, commit.created, updates, commit.duplicates, commit.skipped, commit.errors,
            commit.warnings, commit.now, finished_at,
        )  # fmt: skip
        queries.append(Query(sql.COMMIT_SLICE, params))
        if not commit.state.live:
            queries.append(Query(sql.DELETE_CHUNKS, (commit.job_id,)))
        return queries

    async def end(self, job_id: str, state: JobState, *, failure: str | None, now: str) -> bool:
        """Cancel or fail a live job (its staged chunks are dropped); False when it had already ended."""
        results = await self._db.batch_changes(
            [Query(sql.END_JOB, (state.value, failure, now, now, job_id)), Query(sql.DELETE_CHUNKS, (job_id,))]
        )
        return results[0] > 0

    async def stale(
        self, *, staging_before: str, stalled_before: str, after: tuple[str, str] | None, limit: int
    ) -> list[ImportJob]:
        """Live jobs with no progress since the cutoffs, oldest first, after the keyset `after` (updated_at, id)."""
        last = after or ("", "")
        rows = await self._db.all(sql.STALE_JOBS, staging_before, stalled_before, last[0], last[1], limit)
        return [_row_to_job(r) for r in rows]

    async def fail_stale(self, job: ImportJob, *, failure: str, now: str) -> bool:
        """Fail `job` and drop its chunks, only if it is still exactly as read (one batch); False otherwise."""
        guard = (job.id, job.state.value, job.updated_at, job.cursor.chunk, job.cursor.row)
        results = await self._db.batch_changes(
            [Query(sql.FAIL_STALE_JOB, (failure, now, *guard)), Query(sql.DELETE_ENDED_CHUNKS, (job.id,))]
        )
        return results[0] > 0
