"""The import-job sweeper's rules on a manual clock: when a staging job counts as lost, how many hourly re-kicks a
stalled job gets before it is failed, that progress resets that count, that a job changed after it was read is
left alone, and that one run does bounded work. (The SQL behind it: tests/integration/test_import_job_sweeper.py.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from scheduler.jobs import CRON_TABLE, sweep_import_jobs
from shared.domain.import_jobs import ImportJob, JobState, SliceCursor
from shared.messages.queues import QueueName
from shared.service_layer import import_job_sweeper as sweeper
from shared.service_layer.import_job_sweeper import ImportJobSweeper, Verdict, verdict
from tests.fakes import FakeQueuePublisher, FixedClock, SequentialIds, fake_services
from tests.import_job_fakes import FakeImportJobs, job

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
MINUTE = 60.0


def sweeper_for(jobs: FakeImportJobs, clock: FixedClock) -> tuple[ImportJobSweeper, FakeQueuePublisher]:
    publisher = FakeQueuePublisher()
    services = fake_services(import_jobs=jobs, publisher=publisher, clock=clock, ids=SequentialIds())
    return services.import_job_sweeper, publisher


def kicked(publisher: FakeQueuePublisher) -> list[tuple[str, int, int]]:
    return [(e.payload["job_id"], e.payload["chunk"], e.payload["row"]) for e in publisher.on(QueueName.IMPORTS)]


@pytest.mark.parametrize(
    ("state", "idle_minutes", "expected"),
    [
        (JobState.STAGING, 59, None),
        (JobState.STAGING, 61, Verdict.UPLOAD_LOST),
        (JobState.QUEUED, 60, None),
        (JobState.QUEUED, 61, Verdict.REKICK),
        (JobState.RUNNING, 239, Verdict.REKICK),
        (JobState.RUNNING, 240, Verdict.GIVE_UP),
        (JobState.DONE, 10_000, None),
        (JobState.FAILED, 10_000, None),
        (JobState.CANCELLED, 10_000, None),
    ],
)
def test_verdict_by_state_and_idle_time(state: JobState, idle_minutes: int, expected: Verdict | None) -> None:
    assert timedelta(hours=4) == sweeper.GIVE_UP_AFTER  # the table below is written for the documented figures
    assert verdict(job("j", state, T0.isoformat()), T0 + timedelta(minutes=idle_minutes)) == expected


def test_the_sweeper_runs_on_an_hourly_cron() -> None:
    [entry] = [e for e in CRON_TABLE if sweep_import_jobs in e.jobs]
    minute, *every = entry.expression.split()
    assert minute.isdigit() and every == ["*", "*", "*", "*"]  # once an hour: SWEEP_PERIOD
    assert timedelta(hours=1) == sweeper.SWEEP_PERIOD


async def test_a_lost_upload_is_failed_after_the_timeout_and_its_chunks_dropped() -> None:
    clock = FixedClock(T0)
    jobs = FakeImportJobs(job("up", JobState.STAGING, T0.isoformat()), job("ok", JobState.QUEUED, T0.isoformat()))
    sweep, publisher = sweeper_for(jobs, clock)
    clock.advance(59 * MINUTE)
    assert (await sweep.sweep()).uploads_failed == 0
    clock.advance(2 * MINUTE)
    report = await sweep.sweep()
    assert (report.uploads_failed, report.rekicked, report.stalled_failed) == (1, 1, 0)
    lost = jobs.jobs["up"]
    assert lost.state is JobState.FAILED and lost.failure is not None
    assert lost.failure.startswith("upload did not finish") and lost.finished_at == clock.now().isoformat()
    assert jobs.dropped_chunks == ["up"]
    assert kicked(publisher) == [("ok", 0, 0)]  # the queued one is re-kicked, not failed


async def test_a_stalled_job_gets_one_rekick_per_hourly_sweep_then_fails() -> None:
    clock = FixedClock(T0)
    cursor = SliceCursor(1, 400)
    jobs = FakeImportJobs(job("j", JobState.RUNNING, T0.isoformat(), cursor=cursor))
    sweep, publisher = sweeper_for(jobs, clock)
    clock.advance(17 * MINUTE)  # the first sweep after the stall: 17 minutes in
    states = []
    for _ in range(6):
        await sweep.sweep()
        states.append(jobs.jobs["j"].state)
        clock.advance(60 * MINUTE)
    assert kicked(publisher) == [("j", 1, 400)] * sweeper.MAX_REKICKS  # 1:17, 2:17, 3:17; failed at 4:17
    assert states == [JobState.RUNNING] * 4 + [JobState.FAILED] * 2
    failure = jobs.jobs["j"].failure or ""
    assert "no progress since" in failure and "row 400 of chunk 1" in failure


async def test_progress_resets_the_count_of_rekicks() -> None:
    clock = FixedClock(T0)
    jobs = FakeImportJobs(job("j", JobState.QUEUED, T0.isoformat()))
    sweep, publisher = sweeper_for(jobs, clock)
    for _ in range(3):
        clock.advance(60 * MINUTE + 1)
        await sweep.sweep()
    jobs.progress("j", clock.now().isoformat())  # the third re-kick got it going; then it stalls again
    for _ in range(3):
        clock.advance(60 * MINUTE + 1)
        await sweep.sweep()
    assert jobs.jobs["j"].state is JobState.RUNNING
    assert kicked(publisher) == [("j", 0, 0)] * 3 + [("j", 1, 0)] * 3  # without the reset: failed at 4 h


async def test_a_job_that_moved_after_it_was_read_is_left_alone() -> None:
    clock = FixedClock(T0)
    jobs = FakeImportJobs(job("j", JobState.RUNNING, T0.isoformat()))
    clock.advance(5 * 60 * MINUTE)
    sweep, _ = sweeper_for(jobs, clock)
    stale = await jobs.stale(staging_before="~", stalled_before="~", after=None, limit=1)
    real_stale = jobs.stale

    async def then_a_slice_commits(**kwargs: object) -> list[ImportJob]:
        jobs.stale = real_stale  # type: ignore[method-assign]
        jobs.progress("j", clock.now().isoformat())
        return stale

    jobs.stale = then_a_slice_commits  # type: ignore[method-assign]
    report = await sweep.sweep()
    assert (report.stalled_failed, report.lost_races) == (0, 1)
    assert jobs.jobs["j"].state is JobState.RUNNING and jobs.dropped_chunks == []


async def test_one_run_reads_at_most_max_pages_and_the_rest_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sweeper, "PAGE_SIZE", 3)
    monkeypatch.setattr(sweeper, "MAX_PAGES", 2)
    clock = FixedClock(T0)
    stamps = [(T0 + timedelta(seconds=n)).isoformat() for n in range(8)]
    jobs = FakeImportJobs(*(job(f"j{n}", JobState.QUEUED, stamps[n]) for n in range(8)))
    sweep, publisher = sweeper_for(jobs, clock)
    clock.advance(90 * MINUTE)
    first = await sweep.sweep()
    assert (first.pages, first.rekicked, jobs.reads) == (2, 6, 2)
    assert [k[0] for k in kicked(publisher)] == [f"j{n}" for n in range(6)]  # oldest first, none twice
    second = await sweep.sweep()
    assert (second.pages, second.rekicked) == (2, 6)  # a new run starts from the oldest again


async def test_the_cron_job_reports_the_sweep() -> None:
    jobs = FakeImportJobs(job("j", JobState.STAGING, (T0 - timedelta(hours=2)).isoformat()))
    result = await sweep_import_jobs(T0, fake_services(import_jobs=jobs, clock=FixedClock(T0)))
    assert result == {"uploads_failed": 1, "rekicked": 0, "stalled_failed": 0, "lost_races": 0, "pages": 1}
