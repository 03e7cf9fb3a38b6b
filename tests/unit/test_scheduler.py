"""The cron tick: every wrangler trigger routes to its jobs; one failing job does not stop the others."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scheduler import jobs
from scheduler.jobs import CRON_JOBS, UnknownCron, tick
from shared.bootstrap import Services
from tests.fakes import fake_services
from tests.import_job_fakes import FakeImportJobs

WHEN = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)


class _Report:
    def counts(self) -> dict[str, int]:
        return {"enqueued": 0}


class _Tick:
    async def run(self, now: datetime) -> _Report:
        return _Report()


class _Flusher:
    async def flush(self, now: datetime) -> dict[str, int]:
        return {"sent": 0}

    async def forget(self, before: datetime) -> int:
        return 0


class _EnrichRequests:
    async def topup(self, *, trace_id: str) -> dict[str, int]:
        return {"enrich_topup": 0}


class _Enrollments:
    async def resume_due(self, now: datetime, limit: int) -> int:
        return 0

    async def complete_finished(self, before: datetime, now: datetime, limit: int) -> int:
        return 0

    purge_bodies = complete_finished

    async def archive_unresponsive(self, before: datetime, now: datetime, limit: int) -> tuple[int, int]:
        return 0, 0


@pytest.fixture(autouse=True)
def _no_d1_for_the_outreach_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sending tick and the weekly maintenance have their own tests; here only the routing is under test."""
    monkeypatch.setattr(Services, "send_tick", property(lambda self: _Tick()))
    monkeypatch.setattr(Services, "enrollments", property(lambda self: _Enrollments()))

    monkeypatch.setattr(Services, "notification_flusher", property(lambda self: _Flusher()))
    monkeypatch.setattr(Services, "enrich_requests", property(lambda self: _EnrichRequests()))

    async def no_sweep(self: object, now: datetime) -> int:
        return 0

    monkeypatch.setattr("shared.service_layer.sending.sweeper.SendSweeper.run", no_sweep)


@pytest.mark.parametrize("cron", list(CRON_JOBS))
async def test_every_trigger_runs_its_jobs_and_logs_them(cron: str) -> None:
    lines: list[str] = []
    results = await tick(cron, WHEN, fake_services(lines, import_jobs=FakeImportJobs()))
    assert set(results) == {job.__name__ for job in CRON_JOBS[cron]}
    assert all('"span":"cron job' in line for line in lines if "cron job" in line)
    assert len([line for line in lines if "cron job" in line]) == len(CRON_JOBS[cron])


async def test_integrity_job_reports_open_failed_tasks() -> None:
    results = await tick("0 3 * * *", WHEN, fake_services())
    assert results == {
        "check_integrity": {
            "open_failed_tasks": 0,
            "abandoned_inbound_dropped": 0,
            "processed_forgotten": 0,
            "notifications_forgotten": 0,
            "dashboard_sessions_forgotten": 0,
        }
    }


async def test_unknown_cron_is_an_error() -> None:
    with pytest.raises(UnknownCron):
        await tick("1 2 3 4 5", WHEN, fake_services())


async def test_a_failing_job_is_raised_after_the_others_ran(monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[str] = []

    async def broken(at: datetime, services: Services) -> dict[str, int]:
        ran.append("broken")
        raise RuntimeError("job failed")

    async def fine(at: datetime, services: Services) -> dict[str, int]:
        ran.append("fine")
        return {}

    monkeypatch.setitem(jobs.CRON_JOBS, "* * * * *", (broken, fine))
    with pytest.raises(RuntimeError, match="job failed"):
        await tick("* * * * *", WHEN, fake_services())
    assert ran == ["broken", "fine"]
