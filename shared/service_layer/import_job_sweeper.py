"""The import-job sweeper (decision 0013, "Stale jobs"): nothing is lost when a process dies mid-way.

Run hourly from the scheduler. Two kinds of stale job, judged by `updated_at` (set by staging's end and by every
slice's commit, so it is the job's heartbeat):

- `staging` for over `STAGING_TIMEOUT`: the upload request died while storing records. The job is failed ("upload
  did not finish") and its partial chunks dropped.
- `queued`/`running` with no progress for `STALL_AFTER`: its chain of slices is lost (a message dropped or expired,
  a dead letter nobody replayed). Each sweep re-enqueues the slice at the job's cursor — harmless if the chain was
  only slow, since a slice behind the cursor or a duplicate of one writes nothing — until the job has gone
  `GIVE_UP_AFTER` without progress, i.e. `MAX_REKICKS` hourly re-kicks; then it is failed.

Failing is one guarded batch (`fail_stale`): it changes the job only while state, cursor and `updated_at` are as
read, so a slice committing concurrently either lands first (the sweep changes nothing) or finds the job failed
(its whole batch is rolled back). A re-kick writes nothing, so it is not mistaken for progress. Work per run is
bounded: at most `MAX_PAGES` pages of `PAGE_SIZE` jobs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from shared.domain.import_jobs import ImportJob, JobState
from shared.messages.payloads import ImportSlice
from shared.messages.queues import QueueName
from shared.observability.log import Logger
from shared.ports.import_jobs import ImportJobRepository
from shared.ports.queues import QueuePublisher
from shared.ports.runtime import Clock, IdFactory
from shared.service_layer.envelopes import new_envelope

# The SDK hands the Worker a request body only once it has all arrived, so staging is bounded by one invocation
# (CPU limit at most 5 min, plus D1 round trips): an hour means the request is gone.
STAGING_TIMEOUT = timedelta(hours=1)
# A live chain is never silent this long: a slice's retries back off 10 s to 160 s (about 5 min in all).
STALL_AFTER = timedelta(hours=1)
SWEEP_PERIOD = timedelta(hours=1)  # the cron the sweeper runs on (scheduler.jobs), checked by a test
MAX_REKICKS = 3
GIVE_UP_AFTER = STALL_AFTER + MAX_REKICKS * SWEEP_PERIOD
PAGE_SIZE = 50
MAX_PAGES = 4  # at most 200 jobs a run: 4 reads, 2 statements a failed job, one queue batch a page


class Verdict(StrEnum):
    UPLOAD_LOST = "upload_lost"
    REKICK = "rekick"
    GIVE_UP = "give_up"


def verdict(job: ImportJob, now: datetime) -> Verdict | None:
    """What the sweeper does with `job` at `now` (None: leave it alone)."""
    idle = now - datetime.fromisoformat(job.updated_at)
    if job.state is JobState.STAGING:
        return Verdict.UPLOAD_LOST if idle > STAGING_TIMEOUT else None
    if job.state not in (JobState.QUEUED, JobState.RUNNING) or idle <= STALL_AFTER:
        return None
    return Verdict.GIVE_UP if idle >= GIVE_UP_AFTER else Verdict.REKICK


def failure_text(job: ImportJob, why: Verdict) -> str:
    if why is Verdict.UPLOAD_LOST:
        return f"upload did not finish (staging since {job.updated_at}); nothing was imported, upload the file again"
    return (
        f"no progress since {job.updated_at} despite {MAX_REKICKS} re-queued slices (stopped after row "
        f"{job.cursor.row} of chunk {job.cursor.chunk}; {job.rows_done} of {job.rows_total} rows done)"
    )


@dataclass
class SweepReport:
    uploads_failed: int = 0
    rekicked: int = 0
    stalled_failed: int = 0
    lost_races: int = 0  # stale when read, changed before the guarded write: left as they are
    pages: int = 0

    def counts(self) -> dict[str, int]:
        return {
            "uploads_failed": self.uploads_failed, "rekicked": self.rekicked, "stalled_failed": self.stalled_failed,
            "lost_races": self.lost_races, "pages": self.pages,
        }  # fmt: skip


class ImportJobSweeper:
    def __init__(
        self, *, jobs: ImportJobRepository, publisher: QueuePublisher, clock: Clock, ids: IdFactory, log: Logger
    ) -> None:
        self._jobs, self._publisher, self._clock, self._ids, self._log = jobs, publisher, clock, ids, log

    async def sweep(self) -> SweepReport:
        now = self._clock.now()
        report = SweepReport()
        trace_id = self._ids.new_id()
        after: tuple[str, str] | None = None
        while report.pages < MAX_PAGES:
            page = await self._jobs.stale(
                staging_before=(now - STAGING_TIMEOUT).isoformat(), stalled_before=(now - STALL_AFTER).isoformat(),
                after=after, limit=PAGE_SIZE,
            )  # fmt: skip
            report.pages += 1
            kicks = []
            for job in page:
                why = verdict(job, now)
                if why is Verdict.REKICK:
                    kicks.append(job)
                elif why is not None:
                    await self._fail(job, why, now, report)
            if kicks:
                await self._rekick(kicks, trace_id, report)
            if len(page) < PAGE_SIZE:
                break
            after = (page[-1].updated_at, page[-1].id)
        return report

    async def _fail(self, job: ImportJob, why: Verdict, now: datetime, report: SweepReport) -> None:
        failure = failure_text(job, why)
        if not await self._jobs.fail_stale(job, failure=failure, now=now.isoformat()):
            report.lost_races += 1
            return
        if why is Verdict.UPLOAD_LOST:
            report.uploads_failed += 1
        else:
            report.stalled_failed += 1
        self._log.warning("stale import job failed", job_id=job.id, state=job.state.value, failure=failure)

    async def _rekick(self, jobs: list[ImportJob], trace_id: str, report: SweepReport) -> None:
        slices = [ImportSlice(job_id=job.id, chunk=job.cursor.chunk, row=job.cursor.row) for job in jobs]
        envelopes = [new_envelope(s, trace_id=trace_id, clock=self._clock, ids=self._ids) for s in slices]
        await self._publisher.publish_many(QueueName.IMPORTS, envelopes)
        report.rekicked += len(jobs)
        for job in jobs:
            self._log.warning(
                "stalled import job re-queued", job_id=job.id, idle_since=job.updated_at, chunk=job.cursor.chunk,
                row=job.cursor.row,
            )  # fmt: skip
