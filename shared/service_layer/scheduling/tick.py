"""One sending tick (the 5-minute cron, or `POST /api/admin/trigger-send`): decide what is due and enqueue `compose`.

1. Emergency stop on: nothing. Paused enrollments whose resume time has come become active.
2. Read the due enrollments (an index range, LIMIT-bounded: work follows the due set, not the table).
3. Keep recipients inside their own send window (their timezone, else inferred from city/country, else the
   campaign's; weekdays, hours, optional public holidays of their country); the others are deferred to the moment
   their window opens, so later ticks do not read them again.
4. Ask each inbox involved for its capacity (WarmupManager: today's limit, sent and reserved; InboxHealth: state) and
   turn it into this tick's allotment with the pacing schedule (evenly spread slots with bounded jitter, the hourly
   cap); subtract what each campaign already used of its daily cap.
5. Plan (shared/domain/campaigns/planner.py), claim the planned rows in D1 (a guarded UPDATE: a row another tick
   claimed is not ours), reserve one send per claimed row in WarmupManager (it refuses past any cap), give back the
   claims that got no reservation, and enqueue `compose` with the variant chosen deterministically.

Idempotent under repetition and concurrency: a claim moves next_due_at past a lease, so the same (enrollment, step)
is enqueued once per lease; WarmupManager is the single counter of capacity, so two ticks never over-reserve it. If
this process dies after claiming, the lease and the reservation both expire and a later tick takes the row again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from shared.domain.campaigns.planner import Assignment, DueItem, plan
from shared.messages.payloads import ComposeRequested
from shared.messages.queues import QueueName
from shared.service_layer.envelopes import new_envelope

# How long a claim keeps a step from being enqueued again. Compose retries (3, exponential from 30 s) finish well
# inside it; a compose message that dead-letters gives its claim back (consumers/handlers.py); only a consumer
# outage longer than the lease makes a later tick enqueue the step again, and that compose then finds the stored
# email (or the still-valid claim) and composes nothing new.
CLAIM_LEASE = timedelta(hours=6)
# A reservation lasts at least this long (compose + send; the send consumer commits it), and at least until the
# inbox's local day ends: a drafted email holds its day's capacity until it is sent, so drafts waiting for a slow
# or stopped sender are never replaced by more drafts beyond the daily cap.
RESERVATION_TTL_S = 2 * 3600.0
DUE_READ_FACTOR = 4  # due rows read per tick: this times the tick's compose limit
DEFAULT_PACING = (time(8, 0), time(18, 0))


@dataclass
class TickReport:
    emergency_stop: bool = False
    resumed: int = 0
    due: int = 0
    outside_window: int = 0
    deferred: int = 0
    planned: int = 0
    claimed: int = 0
    no_capacity: int = 0
    enqueued: int = 0
    inboxes: dict[str, int] = field(default_factory=dict)  # allotment per inbox this tick

    def counts(self) -> dict[str, int]:
        return {
            "emergency_stop": int(self.emergency_stop), "resumed": self.resumed, "due": self.due,
            "outside_window": self.outside_window, "deferred": self.deferred, "planned": self.planned,
            "claimed": self.claimed, "no_capacity": self.no_capacity, "enqueued": self.enqueued,
        }  # fmt: skip


def _parse(value: str) -> datetime:
    at = datetime.fromisoformat(value)
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def reservation_ttl(now: datetime, zone: str) -> float:
    """Seconds a send reservation made at `now` lasts: RESERVATION_TTL_S, or until the inbox's local day is over."""
    tomorrow = _day_start(now, zone) + timedelta(days=1, hours=1)  # an hour past: DST days are 23-25 h long
    return max(RESERVATION_TTL_S, (tomorrow - now).total_seconds())


def _day_start(now: datetime, zone: str) -> datetime:
    from zoneinfo import ZoneInfo

    local = now.astimezone(ZoneInfo(zone))
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


@dataclass(frozen=True)
class SendTick:
    services: Any  # shared.bootstrap.Services (the tick uses many of its collaborators)
    enrollments: Any  # D1EnrollmentRepository

    async def run(self, now: datetime | None = None) -> TickReport:
        s = self.services
        now = now or s.clock.now()
        report = TickReport()
        if (await s.send_gate.emergency_stop())["enabled"]:
            report.emergency_stop = True
            return report
        limit = s.settings.scheduler_max_per_tick
        report.resumed = await self.enrollments.resume_due(now, limit)
        rows = await self.enrollments.due(now, limit * DUE_READ_FACTOR)
        report.due = len(rows)
        if not rows:
            return report
        campaigns = dict(await s.campaign_store.get_many(sorted({r["campaign_id"] for r in rows})))
        ready, deferrals = self._in_window(rows, campaigns, now, report)
        report.deferred = await self.enrollments.defer(deferrals, now)
        if not ready:
            return report
        inbox_ids = sorted(
            {i for c in campaigns.values() for i in c.inbox_ids} | {r["inbox_id"] for r in ready if r["inbox_id"]}
        )
        inboxes = {i.id: i for i in await s.inbox_store.get_many(inbox_ids) if i.status == "active"}
        allotments = {inbox_id: await self._allotment(inbox, now) for inbox_id, inbox in inboxes.items()}
        report.inboxes = dict(allotments)
        room = {cid: await self._campaign_room(c, now) for cid, c in campaigns.items()}
        due = [
            DueItem(r["id"], r["campaign_id"], int(r["next_step"]), r["inbox_id"], str(r["next_due_at"])) for r in ready
        ]
        pools = {cid: [i for i in c.inbox_ids if i in inboxes] for cid, c in campaigns.items()}
        assignments = plan(due, allotments=allotments, pools=pools, campaign_room=room, limit=limit)
        report.planned = len(assignments)
        report.no_capacity = len(ready) - len(assignments)
        await self._enqueue(assignments, {r["id"]: r for r in ready}, campaigns, inboxes, now, report)
        return report

    # -- windows ----------------------------------------------------------------------------------------------

    def _in_window(
        self, rows: Sequence[dict[str, Any]], campaigns: Mapping[str, Any], now: datetime, report: TickReport
    ) -> tuple[list[dict[str, Any]], dict[str, datetime]]:
        from shared.domain.campaigns.holiday_calendar import default_calendar
        from shared.domain.campaigns.schedule import next_send_time, parse_window, resolve_timezone

        ready: list[dict[str, Any]] = []
        deferrals: dict[str, datetime] = {}
        windows: dict[str, Any] = {}
        for row in rows:
            campaign = campaigns.get(row["campaign_id"])
            if campaign is None or int(row["next_step"]) > len(campaign.steps):
                continue
            settings = campaign.settings
            window = windows.get(campaign.id)
            if window is None:
                spec = settings.window
                window = windows[campaign.id] = parse_window(spec.weekdays, spec.start, spec.end)
            zone, _ = resolve_timezone(
                prospect_timezone=row.get("timezone"), city=row.get("city"), region=row.get("region"),
                country=row.get("country"), default=settings.timezone,
            )  # fmt: skip
            after = max(now, settings.schedule_start) if settings.schedule_start else now
            at = next_send_time(
                after, window=window, zone=zone, calendar=default_calendar() if settings.skip_holidays else None,
                country=row.get("country"), not_after=settings.schedule_end,
            )  # fmt: skip
            if at is not None and at <= now:
                ready.append(row)
                continue
            report.outside_window += 1
            if at is not None:
                deferrals[row["id"]] = at
        return ready, deferrals

    # -- capacity ---------------------------------------------------------------------------------------------

    async def _allotment(self, inbox: Any, now: datetime) -> int:
        from shared.domain.campaigns.pacing import PacingWindow, due_now

        s = self.services
        stamp = now.timestamp()
        try:
            health = await s.inbox_health.status(inbox.id, stamp)
            status = await s.warmup.status(inbox.id, stamp)
        except Exception as exc:  # an unreachable object: this inbox sits this tick out
            s.log.warning("inbox capacity unavailable", inbox_id=inbox.id, error=f"{type(exc).__name__}: {exc}")
            return 0
        if health.state not in ("ok", "half_open"):
            return 0
        hours = getattr(inbox, "send_window", None)
        window = PacingWindow(hours.start, hours.end) if hours else PacingWindow(*DEFAULT_PACING)
        allowed = due_now(
            status.day_limit, status.sent + status.reserved, now,
            window=window, zone=status.plan.timezone, seed=inbox.id,
            hourly_cap=status.hour_limit, used_this_hour=status.hour_sent + status.hour_reserved,
        )  # fmt: skip
        allowed = min(allowed, status.remaining_day)
        return min(allowed, 1) if health.state == "half_open" else allowed

    async def _campaign_room(self, campaign: Any, now: datetime) -> int | None:
        cap = campaign.settings.daily_cap
        if cap is None:
            return None
        used = await self.enrollments.campaign_load(campaign.id, _day_start(now, campaign.settings.timezone))
        return max(0, cap - used)

    # -- claim, reserve, enqueue ------------------------------------------------------------------------------

    async def _enqueue(
        self, assignments: Sequence[Assignment], rows: Mapping[str, dict[str, Any]], campaigns: Mapping[str, Any],
        inboxes: Mapping[str, Any], now: datetime, report: TickReport,
    ) -> None:  # fmt: skip
        from shared.domain.composition.variants import VariantWeight, choose_variant

        s = self.services
        if not assignments:
            return
        token = s.ids.new_id()
        claimed = await self.enrollments.claim(
            [a.enrollment_id for a in assignments], token=token, lease_until=now + CLAIM_LEASE, now=now
        )
        report.claimed = len(claimed)
        messages: list[tuple[ComposeRequested, str, str | None]] = []
        refused: list[str] = []
        for assignment in assignments:
            if assignment.enrollment_id not in claimed:
                continue  # another tick has it
            ttl = reservation_ttl(now, inboxes[assignment.inbox_id].timezone)
            reply = await s.warmup.reserve(assignment.inbox_id, 1, now.timestamp(), ttl)
            if reply.granted < 1 or reply.token is None:
                refused.append(assignment.enrollment_id)
                continue
            row = rows[assignment.enrollment_id]
            step_no = int(row["next_step"])
            step = campaigns[row["campaign_id"]].steps[step_no - 1]
            weights = [VariantWeight(v.key, v.weight) for v in step.variants]
            variant = choose_variant(weights, enrollment_id=assignment.enrollment_id, step=step_no)
            until = datetime.fromtimestamp(reply.expires_at, UTC).isoformat() if reply.expires_at else None
            messages.append((
                ComposeRequested(
                    enrollment_id=assignment.enrollment_id, step=step_no, claim_token=token,
                    inbox_id=assignment.inbox_id, variant=variant, reservation=reply.token,
                    reservation_until=until, reserved_at=now.isoformat(), due_at=str(row["next_due_at"]),
                ),
                assignment.inbox_id, reply.token,
            ))  # fmt: skip
        if refused:
            report.no_capacity += len(refused)
            await self.enrollments.unclaim(refused, token=token, due_at=now)
        if not messages:
            return
        envelopes = [new_envelope(m, trace_id=s.ids.new_id(), clock=s.clock, ids=s.ids) for m, _, _ in messages]
        try:
            await s.publisher.publish_many(QueueName.COMPOSE, envelopes)
        except Exception:
            # Nothing was queued (or we cannot tell): give the claims and reservations back; the next tick retries.
            await self.enrollments.unclaim([m.enrollment_id for m, _, _ in messages], token=token, due_at=now)
            for _, inbox_id, reservation in messages:
                if reservation:
                    await s.warmup.release(inbox_id, reservation)
            raise
        report.enqueued = len(messages)
