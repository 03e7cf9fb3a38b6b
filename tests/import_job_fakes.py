"""An in-memory stand-in for the two repository calls the import-job sweeper makes (`stale`, `fail_stale`).

The same behaviour on real D1 is tested in tests/integration/test_import_job_sweeper.py; this one lets the unit
tests drive the sweeper hour by hour and count its reads.
"""

from __future__ import annotations

from dataclasses import replace

from shared.domain.import_jobs import ImportJob, JobState, SliceCursor

START = SliceCursor(0, 0)


def job(job_id: str, state: JobState, updated_at: str, *, cursor: SliceCursor = START) -> ImportJob:
    return ImportJob(
        id=job_id, state=state, lead_source="csv_import", actor=None, filename=None, encoding="utf-8", delimiter=",",
        header=["email"], bytes_total=10, chunks_total=3, rows_total=30, rows_done=cursor.chunk * 10, cursor=cursor,
        created=0, updated=0, duplicates=0, skipped=0, errors_count=0, warnings_count=0, failure=None,
        created_at=updated_at, updated_at=updated_at, finished_at=None,
    )  # fmt: skip


class FakeImportJobs:
    def __init__(self, *jobs: ImportJob) -> None:
        self.jobs = {j.id: j for j in jobs}
        self.reads = 0
        self.dropped_chunks: list[str] = []

    async def stale(
        self, *, staging_before: str, stalled_before: str, after: tuple[str, str] | None, limit: int
    ) -> list[ImportJob]:
        self.reads += 1
        found = [
            j for j in self.jobs.values()
            if (j.state is JobState.STAGING and j.updated_at < staging_before)
            or (j.state in (JobState.QUEUED, JobState.RUNNING) and j.updated_at < stalled_before)
        ]  # fmt: skip
        found = [j for j in found if (j.updated_at, j.id) > (after or ("", ""))]
        return sorted(found, key=lambda j: (j.updated_at, j.id))[:limit]

    async def fail_stale(self, job: ImportJob, *, failure: str, now: str) -> bool:
        current = self.jobs[job.id]
        if (current.state, current.cursor, current.updated_at) != (job.state, job.cursor, job.updated_at):
            return False
        self.jobs[job.id] = replace(current, state=JobState.FAILED, failure=failure, updated_at=now, finished_at=now)
        self.dropped_chunks.append(job.id)
        return True

    def progress(self, job_id: str, now: str) -> None:
        """A slice commits: the cursor moves on and updated_at is the commit's time."""
        current = self.jobs[job_id]
        cursor = SliceCursor(current.cursor.chunk + 1, 0)
        self.jobs[job_id] = replace(current, state=JobState.RUNNING, cursor=cursor, updated_at=now)
