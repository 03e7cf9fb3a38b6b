"""Nothing lost when a process dies mid-way, end to end: the hourly cron's sweeper fails a job whose upload died
mid-staging (dropping its chunks), resumes a job whose chain of slices was lost, and fails one whose slices never
come back after its re-kicks. Time moves on the runtime's manual clock; the cron runs through the Worker."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from local.clock import ManualClock
from local.runtime import LocalRuntime
from shared.bootstrap import bootstrap
from shared.domain.import_jobs import chunks
from shared.messages.payloads import ImportSlice
from shared.service_layer import import_jobs
from shared.service_layer.import_job_sweeper import MAX_REKICKS
from tests.e2e.conftest import BOTH_D1_BACKENDS
from tests.e2e.test_import_jobs import AUTH, CSV, count, people, report

HOURLY = "15 * * * *"  # the cron the sweeper runs on
MINUTE = 60


def lose_slices(monkeypatch: pytest.MonkeyPatch, lost_if: Callable[[ImportSlice, int], bool]) -> list[ImportSlice]:
    """Slice deliveries for which `lost_if(message, lost so far)` holds are acked without running: the chain is lost
    (a dropped or expired message, a dead letter nobody replays)."""
    lost: list[ImportSlice] = []
    real = import_jobs.ImportJobService.run_slice

    async def maybe_lost(self: import_jobs.ImportJobService, message: ImportSlice, *, trace_id: str) -> None:
        if lost_if(message, len(lost)):
            lost.append(message)
            return
        await real(self, message, trace_id=trace_id)

    monkeypatch.setattr(import_jobs.ImportJobService, "run_slice", maybe_lost)
    return lost


@BOTH_D1_BACKENDS
async def test_an_upload_that_died_mid_staging_is_failed_and_its_chunks_dropped(
    http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock
) -> None:
    assert runtime.env is not None
    repo = bootstrap(runtime.env).import_jobs  # what a request killed after storing two chunks leaves behind
    now = runtime.now().isoformat()
    await repo.create("died", lead_source="csv_import", actor=None, filename="big.csv", now=now)
    await repo.add_chunks("died", 0, ['[[2,["a@x.example"]]]', '[[3,["b@x.example"]]]'])
    clock.advance(30 * MINUTE)
    await runtime.scheduled(HOURLY)
    assert (await report(http, "died"))["state"] == "staging"  # still within the hour an upload may take
    clock.advance(31 * MINUTE)
    await runtime.scheduled(HOURLY)
    failed = await report(http, "died")
    assert failed["state"] == "failed" and failed["failure"].startswith("upload did not finish")
    assert failed["finished_at"] == runtime.now().isoformat()
    assert await count(runtime, "import_job_chunks") == 0
    assert (await http.delete("/api/imports/died", headers=AUTH)).status_code == 409  # ended


@BOTH_D1_BACKENDS
async def test_a_job_whose_chain_was_lost_is_rekicked_and_finishes(
    http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chunks, "CHUNK_RECORDS", 10)
    lost = lose_slices(monkeypatch, lambda message, so_far: so_far < 2)
    job = (await http.post("/api/imports", content=people(25), headers=CSV)).json()
    await runtime.drain()
    assert (await report(http, job["id"]))["state"] == "queued" and len(lost) == 1  # the first slice vanished
    clock.advance(45 * MINUTE)
    await runtime.scheduled(HOURLY)
    assert runtime.queue_stats()["imports"]["pending"] == 0  # not yet stale: nothing re-queued
    clock.advance(20 * MINUTE)
    await runtime.scheduled(HOURLY)
    await runtime.drain()
    assert len(lost) == 2  # the re-kick was lost too
    clock.advance(60 * MINUTE)
    await runtime.scheduled(HOURLY)
    await runtime.drain()
    done = await report(http, job["id"])
    assert (done["state"], done["rows_done"], done["created"], done["duplicates"]) == ("done", 25, 25, 0)
    assert await count(runtime) == 25
    assert [(m.chunk, m.row) for m in lost] == [(0, 0), (0, 0)]


async def test_a_job_whose_slices_never_come_back_fails_after_its_rekicks(
    http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chunks, "CHUNK_RECORDS", 10)
    lost = lose_slices(monkeypatch, lambda message, so_far: message.chunk > 0)  # the first slice runs, no other
    job = (await http.post("/api/imports", content=people(25), headers=CSV)).json()
    await runtime.drain()
    states = []
    for _ in range(MAX_REKICKS + 2):
        clock.advance(60 * MINUTE)
        await runtime.scheduled(HOURLY)
        await runtime.drain()
        states.append((await report(http, job["id"]))["state"])
    assert states == ["running"] * MAX_REKICKS + ["failed"] * 2
    failed = await report(http, job["id"])
    assert "no progress since" in failed["failure"] and failed["rows_done"] == 10
    assert [(m.chunk, m.row) for m in lost] == [(1, 0)] * MAX_REKICKS  # the slice at the cursor, once an hour
    assert await count(runtime, "import_job_chunks") == 0
    assert await count(runtime) == 10  # what was imported stays


async def test_the_real_cron_schedule_runs_the_sweeper(
    http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock
) -> None:
    assert runtime.env is not None
    repo = bootstrap(runtime.env).import_jobs
    await repo.create("died", lead_source="csv_import", actor=None, filename=None, now=runtime.now().isoformat())
    clock.advance(80 * MINUTE)  # 09:00 -> 10:20: the hourly trigger fires on the runtime's own schedule
    await runtime.run_due()
    assert (await report(http, "died"))["state"] == "failed"
