"""The cron job table: which jobs run on which `triggers.crons` expression, and `tick()` that runs them.

Jobs read state and enqueue work, and write only through guarded statements (the import-job sweeper fails a job
only while it is as read); they must be safe to run twice (a cron can fire more than once).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.bootstrap import Services

Job = Callable[[datetime, Services], Awaitable[dict[str, int]]]


async def enqueue_due_sends(scheduled_at: datetime, services: Services) -> dict[str, int]:
    """The sending tick: due steps of every step number (first emails and follow-ups) inside their recipients' send
    windows, paced per inbox, enqueued to `compose` (shared/service_layer/scheduling/tick.py)."""
    from shared.service_layer.sending.sweeper import SendSweeper

    counts = (await services.send_tick.run(scheduled_at)).counts()
    counts["sends_requeued"] = await SendSweeper(services).run(scheduled_at)
    return counts


async def run_daily_pipeline(scheduled_at: datetime, services: Services) -> dict[str, int]:
    """Daily upkeep; on Sundays (UTC) the weekly maintenance: complete, archive, purge bodies."""
    from shared.service_layer.scheduling.maintenance import WeeklyMaintenance

    maintenance = WeeklyMaintenance(services.enrollments, services.settings)
    return await maintenance.run(scheduled_at) if maintenance.due(scheduled_at) else {"weekly_maintenance": 0}


async def enqueue_due_follow_ups(scheduled_at: datetime, services: Services) -> dict[str, int]:
    """Follow-ups are due steps like any other: the 5-minute tick sends them. Hourly, this resumes enrollments whose
    pause has ended (an out-of-office's return date) even on a Sunday, when the sending cron does not run."""
    resumed = await services.enrollments.resume_due(scheduled_at, 1000)
    return {"resumed": resumed}


async def enqueue_enrichment(scheduled_at: datetime, services: Services) -> dict[str, int]:
    """Off-hours top-up: prospects still missing data, sized to the website finders' remaining quotas
    (shared/service_layer/enrichment/requests.py)."""
    return await services.enrich_requests.topup(trace_id=f"cron:enrich:{scheduled_at.isoformat()}")


async def flush_notifications(scheduled_at: datetime, services: Services) -> dict[str, int]:
    """Deliver due notifications to the configured webhooks (shared/service_layer/notifications.py)."""
    return await services.notification_flusher.flush(scheduled_at)


async def sweep_import_jobs(scheduled_at: datetime, services: Services) -> dict[str, int]:
    """Fail import jobs whose upload died mid-staging; re-queue (then fail) jobs whose slices stopped coming."""
    return (await services.import_job_sweeper.sweep()).counts()


# An email handler runs for minutes at most; a provisional inbound row this old will never be completed.
ABANDONED_INBOUND_AFTER = timedelta(days=1)
# Consumer idempotency keys (processed_messages) outlive any redelivery by far after a week (queue retries span
# hours), then they are dropped so the table does not grow with every event.
PROCESSED_MESSAGES_KEPT = timedelta(days=7)
# Delivered or failed notifications are history after three months (the timeline and inbound rows keep the facts).
NOTIFICATIONS_KEPT = timedelta(days=90)


async def check_integrity(scheduled_at: datetime, services: Services) -> dict[str, int]:
    open_failures = await services.failed_tasks.count_open()
    dropped = await services.inbound.drop_abandoned(scheduled_at - ABANDONED_INBOUND_AFTER)
    forgotten = await services.failed_tasks.forget_processed(scheduled_at - PROCESSED_MESSAGES_KEPT)
    notifications = await services.notification_flusher.forget(scheduled_at - NOTIFICATIONS_KEPT)
    sessions = await _forget_sessions(services, scheduled_at)
    return {
        "open_failed_tasks": open_failures, "abandoned_inbound_dropped": dropped, "processed_forgotten": forgotten,
        "notifications_forgotten": notifications, "dashboard_sessions_forgotten": sessions,
    }  # fmt: skip


async def _forget_sessions(services: Services, now: datetime) -> int:
    """Expired and revoked dashboard sessions are dropped (a session row holds nothing worth keeping)."""
    from shared.adapters.d1.sessions import D1DashboardSessionRepository

    if services.db is None:
        return 0
    return await D1DashboardSessionRepository(services.db).delete_expired(now)


@dataclass(frozen=True, slots=True)
class CronEntry:
    expression: str
    jobs: tuple[Job, ...]


# Must list exactly the expressions in wrangler.toml `triggers.crons` (tests/unit/test_scheduler.py checks it).
CRON_TABLE: tuple[CronEntry, ...] = (
    CronEntry("*/5 * * * MON-SAT", (enqueue_due_sends,)),
    CronEntry("0 7 * * *", (run_daily_pipeline,)),
    CronEntry("15 * * * *", (enqueue_due_follow_ups, sweep_import_jobs)),  # hourly: import_job_sweeper.SWEEP_PERIOD
    CronEntry("*/30 0-5,22-23 * * *", (enqueue_enrichment,)),
    CronEntry("* * * * *", (flush_notifications,)),
    CronEntry("0 3 * * *", (check_integrity,)),
)
CRON_JOBS: dict[str, tuple[Job, ...]] = {entry.expression: entry.jobs for entry in CRON_TABLE}


def normalize_cron(expression: str) -> str:
    """Compare expressions the way the platform means them: whitespace and letter case do not matter."""
    return " ".join(expression.upper().split())


_BY_NORMALIZED: dict[str, tuple[Job, ...]] = {normalize_cron(e): jobs for e, jobs in CRON_JOBS.items()}


class UnknownCron(LookupError):
    pass


async def tick(cron: str, scheduled_at: datetime, services: Services) -> dict[str, dict[str, int]]:
    """Run every job registered for `cron`. One failing job does not stop the others; the first error is raised
    after all have run, so the platform records the invocation as failed."""
    jobs = CRON_JOBS.get(cron) or _BY_NORMALIZED.get(normalize_cron(cron))
    if jobs is None:
        services.log.error("cron expression has no jobs", cron=cron)
        raise UnknownCron(cron)
    results: dict[str, dict[str, int]] = {}
    first_error: Exception | None = None
    for job in jobs:
        try:
            async with services.log.span(f"cron job {job.__name__}", cron=cron) as extra:
                results[job.__name__] = await job(scheduled_at, services)
                extra.update(results[job.__name__])
        except Exception as exc:
            first_error = first_error or exc
    if first_error is not None:
        raise first_error
    return results
