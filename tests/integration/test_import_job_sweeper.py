"""The sweeper's SQL on both D1 backends: which jobs count as stale (live ones past their cutoff, oldest first,
paged by keyset), and the guarded fail: it fails a job and drops its chunks only while the job is as read, so a
slice that commits first wins, and a slice that commits after it writes nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import pytest_asyncio

from local.d1 import D1Database, apply_migrations
from shared.adapters.d1.client import D1Client, Query
from shared.adapters.d1.import_job_sql import INSERT_ISSUES_JSON
from shared.adapters.d1.import_jobs import D1ImportJobRepository
from shared.domain.errors import ConstraintViolation
from shared.domain.import_jobs import ImportJob, JobState, SliceCursor
from shared.ports.import_jobs import SliceCommit
from tests.factories import T0

pytestmark = pytest.mark.asyncio(loop_scope="session")

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def at(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


@pytest_asyncio.fixture(loop_scope="session")
async def db(d1: D1Database) -> D1Client:
    await apply_migrations(d1, MIGRATIONS)
    return D1Client(d1)


@pytest.fixture
def repo(db: D1Client) -> D1ImportJobRepository:
    return D1ImportJobRepository(db)


async def staging(repo: D1ImportJobRepository, job_id: str, when: str, chunks: int = 2) -> None:
    await repo.create(job_id, lead_source="csv_import", actor=None, filename="f.csv", now=when)
    await repo.add_chunks(job_id, 0, ['[[2,["a@x.example"]]]'] * chunks)


async def queued(repo: D1ImportJobRepository, job_id: str, when: str) -> None:
    await staging(repo, job_id, when)
    assert await repo.finish_staging(
        job_id, encoding="utf-8", delimiter=",", header=["email"], bytes_total=20, chunks_total=2, rows_total=2,
        now=when,
    )  # fmt: skip


def slice_commit(job_id: str, when: str, *, start: int = 0) -> SliceCommit:
    state = JobState.RUNNING if start == 0 else JobState.DONE
    return SliceCommit(
        job_id=job_id, start=SliceCursor(start, 0), end=SliceCursor(start + 1, 0), state=state, rows_done=1,
        created=0, duplicates=1, skipped=0, errors=0, warnings=0, now=when,
    )  # fmt: skip


async def running(repo: D1ImportJobRepository, db: D1Client, job_id: str, when: str) -> ImportJob:
    await queued(repo, job_id, when)
    await db.batch_changes(repo.commit_queries(slice_commit(job_id, when)))
    job = await repo.get(job_id)
    assert job is not None and job.state is JobState.RUNNING
    return job


async def chunks(db: D1Client, job_id: str) -> int:
    row = await db.first("SELECT count(*) AS n FROM import_job_chunks WHERE job_id = ?", job_id)
    assert row is not None
    return int(row["n"])


async def test_stale_lists_live_jobs_past_their_cutoff_oldest_first_by_keyset(
    repo: D1ImportJobRepository, db: D1Client
) -> None:
    await staging(repo, "s-old", at(0))
    await staging(repo, "s-new", at(50))
    await queued(repo, "q-old", at(1))
    await running(repo, db, "r-old", at(2))
    await running(repo, db, "r-new", at(40))
    await running(repo, db, "done", at(3))
    await db.batch_changes(repo.commit_queries(slice_commit("done", at(3), start=1)))
    await queued(repo, "cancelled", at(4))
    assert await repo.end("cancelled", JobState.CANCELLED, failure=None, now=at(4))
    # staging cutoff at 10 min, stalled cutoff at 30 min: s-new is too young for the first, r-new for the second
    found = await repo.stale(staging_before=at(10), stalled_before=at(30), after=None, limit=10)
    assert [(j.id, j.state) for j in found] == [
        ("s-old", JobState.STAGING), ("q-old", JobState.QUEUED), ("r-old", JobState.RUNNING),
    ]  # fmt: skip
    first = await repo.stale(staging_before=at(10), stalled_before=at(30), after=None, limit=2)
    rest = await repo.stale(
        staging_before=at(10), stalled_before=at(30), after=(first[-1].updated_at, first[-1].id), limit=2
    )
    assert [j.id for j in first + rest] == ["s-old", "q-old", "r-old"]
    assert rest[0].cursor == SliceCursor(1, 0) and rest[0].rows_done == 1


async def test_fail_stale_fails_the_job_and_drops_its_chunks_once(repo: D1ImportJobRepository, db: D1Client) -> None:
    await staging(repo, "s", at(0), chunks=5)
    await staging(repo, "other", at(1))
    [job, _] = await repo.stale(staging_before=at(90), stalled_before=at(90), after=None, limit=5)
    assert job.id == "s"
    assert await repo.fail_stale(job, failure="upload did not finish", now=at(90))
    failed = await repo.get("s")
    assert failed is not None
    assert (failed.state, failed.failure, failed.finished_at) == (JobState.FAILED, "upload did not finish", at(90))
    assert (await chunks(db, "s"), await chunks(db, "other")) == (0, 2)
    assert not await repo.fail_stale(job, failure="again", now=at(91))  # as read no longer: nothing changes
    again = await repo.get("s")
    assert again is not None and again.failure == "upload did not finish"


async def test_a_slice_committing_before_the_sweep_wins(repo: D1ImportJobRepository, db: D1Client) -> None:
    await queued(repo, "j", at(0))
    [seen] = await repo.stale(staging_before=at(90), stalled_before=at(90), after=None, limit=5)
    # the slice commits at the very same instant the job was last touched: only the cursor tells them apart
    await db.batch_changes(repo.commit_queries(slice_commit("j", at(0))))
    assert not await repo.fail_stale(seen, failure="no progress", now=at(90))
    job = await repo.get("j")
    assert job is not None and (job.state, job.cursor, job.failure) == (JobState.RUNNING, SliceCursor(1, 0), None)
    assert await chunks(db, "j") == 2


async def test_a_slice_committing_after_the_sweep_writes_nothing(repo: D1ImportJobRepository, db: D1Client) -> None:
    seen = await running(repo, db, "j", at(0))
    assert await repo.fail_stale(seen, failure="no progress", now=at(300))
    issue = Query(INSERT_ISSUES_JSON, ("j", '[["error", 12, 0, "email", "bad"]]'))
    late = [issue, *repo.commit_queries(slice_commit("j", at(301), start=1))]
    with pytest.raises(ConstraintViolation):
        await db.batch_changes(late)
    job = await repo.get("j")
    assert job is not None and (job.state, job.rows_done, job.cursor) == (JobState.FAILED, 1, SliceCursor(1, 0))
    assert await repo.issues("j", "error", 10) == []  # the slice's whole batch was rolled back
