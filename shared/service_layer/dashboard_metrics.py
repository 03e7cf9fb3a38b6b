"""The dashboard overview's figures: the funnel, sends per inbox per day against each inbox's cap, reply,
positive-reply, bounce and complaint rates over 7 and 30 days, queue depths, and alerts that need a person.

Sources are the ones the campaign stats read: `emails` (sent_at, bounced_at) and trusted, matched inbound mail
(`inbound_messages`, after any person's reclassification), not the derived daily counters. A period is whole UTC
days ending today; a rate is what happened in the period over the emails sent in it (a reply may answer an email
sent earlier, so a short period can read a little high). The funnel counts the live prospects that reached each
stage: `ready` has been enriched, `lost` (a reply said no) was contacted.

Each part stands alone: a queue, Durable Object or rate limiter that does not answer is reported, never raised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.adapters.d1.dashboard import D1DashboardReads, InboxCap
from shared.messages.queues import QueueName
from shared.messages.rate_limit import PROVIDER_LIMITS

FUNNEL = ("new", "enriched", "contacted", "engaged", "meeting", "won")
LEVEL = {"new": 0, "enriched": 1, "ready": 1, "contacted": 2, "lost": 2, "engaged": 3, "meeting": 4, "won": 5}
POSITIVE_INTENTS = frozenset({"interested", "meeting_request"})
CHART_DAYS = 14
PERIODS = (7, 30)
PROVIDER_KEY = "default"  # the key every provider call is limited under (one bucket per provider account)


@dataclass(frozen=True, slots=True)
class FunnelStage:
    stage: str
    current: int  # live prospects at this stage now
    reached: int  # live prospects at this stage or past it


@dataclass(frozen=True, slots=True)
class InboxSends:
    inbox_id: str
    email: str
    label: str
    daily_cap: int
    status: str
    per_day: tuple[int, ...]  # aligned with OverviewMetrics.days

    @property
    def today(self) -> int:
        return self.per_day[-1] if self.per_day else 0


@dataclass(frozen=True, slots=True)
class Rate:
    count: int
    of: int

    @property
    def pct(self) -> float | None:
        return round(100.0 * self.count / self.of, 1) if self.of else None


@dataclass(frozen=True, slots=True)
class PeriodRates:
    days: int
    sent: int
    replies: Rate
    positive_replies: Rate
    bounces: Rate
    complaints: Rate


@dataclass(frozen=True, slots=True)
class QueueFigure:
    queue: str
    backlog: int | None
    oldest_age_s: float | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Alert:
    kind: str  # emergency_stop, inbox_paused, failed_tasks, provider_quota, unavailable
    level: str  # "danger" (nothing goes out / needs action now) or "warning"
    text: str
    href: str | None = None


@dataclass(frozen=True, slots=True)
class OverviewMetrics:
    as_of: datetime
    stages: dict[str, int]  # every stage, ready and lost included
    funnel: tuple[FunnelStage, ...]
    days: tuple[str, ...]  # the chart's UTC days, oldest first, today last
    inboxes: tuple[InboxSends, ...]
    rates: tuple[PeriodRates, ...]  # one per PERIODS entry
    queues: tuple[QueueFigure, ...]
    alerts: tuple[Alert, ...] = field(default=())
    emergency_stop: bool = False


def funnel_of(stages: dict[str, int]) -> tuple[FunnelStage, ...]:
    return tuple(
        FunnelStage(stage, stages.get(stage, 0), sum(n for s, n in stages.items() if LEVEL.get(s, -1) >= LEVEL[stage]))
        for stage in FUNNEL
    )


def utc_days(now: datetime, count: int) -> tuple[str, ...]:
    today = now.astimezone(UTC).date()
    return tuple((today - timedelta(days=back)).isoformat() for back in range(count - 1, -1, -1))


def _midnight(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


async def overview_metrics(services: Any, now: datetime) -> OverviewMetrics:
    """Everything the overview page shows, as of `now` (services: shared.bootstrap.Services)."""
    reads = D1DashboardReads(services.db)
    now = now.astimezone(UTC)
    longest = utc_days(now, max(*PERIODS, CHART_DAYS))
    end = _midnight(longest[-1]) + timedelta(days=1)
    stages = await reads.stage_counts()
    inboxes = await reads.inboxes()
    sent = await reads.sent_per_inbox_day(_midnight(longest[0]), end)
    days = longest[-CHART_DAYS:]
    series = tuple(_inbox_sends(inbox, days, sent) for inbox in inboxes)
    rates = tuple([await _period(reads, longest[-period:], sent, end) for period in PERIODS])
    alerts: list[Alert] = []
    stop = await _emergency_stop(services, alerts)
    await _inbox_alerts(services, inboxes, now, alerts)
    await _failed_task_alert(reads, alerts)
    await _quota_alerts(services, now, alerts)
    return OverviewMetrics(
        as_of=now, stages=stages, funnel=funnel_of(stages), days=days, inboxes=series, rates=rates,
        queues=await _queues(services), alerts=tuple(alerts), emergency_stop=stop,
    )  # fmt: skip


def _inbox_sends(inbox: InboxCap, days: tuple[str, ...], sent: dict[tuple[str, str], int]) -> InboxSends:
    label = inbox.display_name or inbox.email
    return InboxSends(
        inbox_id=inbox.id, email=inbox.email, label=label, daily_cap=inbox.daily_cap, status=inbox.status,
        per_day=tuple(sent.get((inbox.id, day), 0) for day in days),
    )  # fmt: skip


async def _period(reads: D1DashboardReads, days: tuple[str, ...], sent: dict[tuple[str, str], int],
                  end: datetime) -> PeriodRates:  # fmt: skip
    start = _midnight(days[0])
    wanted = set(days)
    accepted = sum(n for (_, day), n in sent.items() if day in wanted)
    bounces = await reads.bounces(start, end)
    attempted = accepted + bounces.bounced - bounces.after_send  # a refusal at send time was never "sent"
    inbound = await reads.inbound(start, end)
    replies = sum(n for (kind, _), n in inbound.items() if kind == "reply")
    positive = sum(n for (kind, intent), n in inbound.items() if kind == "reply" and intent in POSITIVE_INTENTS)
    complaints = sum(n for (kind, _), n in inbound.items() if kind == "complaint")
    return PeriodRates(
        days=len(days), sent=attempted, replies=Rate(replies, accepted), positive_replies=Rate(positive, accepted),
        bounces=Rate(bounces.bounced, attempted), complaints=Rate(complaints, accepted),
    )  # fmt: skip


async def _queues(services: Any) -> tuple[QueueFigure, ...]:
    figures = []
    for queue in QueueName:
        try:
            depth = await services.publisher.depth(queue)
            figures.append(QueueFigure(queue.value, depth.backlog, depth.oldest_age_seconds))
        except Exception as exc:
            figures.append(QueueFigure(queue.value, None, error=type(exc).__name__))
    return tuple(figures)


async def _emergency_stop(services: Any, alerts: list[Alert]) -> bool:
    try:
        stop = await services.send_gate.emergency_stop()
    except Exception as exc:
        alerts.append(Alert("unavailable", "warning", f"The emergency stop could not be read ({type(exc).__name__})."))
        return False
    if not stop.get("enabled"):
        return False
    since = f" since {stop['at']}" if stop.get("at") else ""
    by = f" (by {stop['by']})" if stop.get("by") else ""
    alerts.append(Alert("emergency_stop", "danger", f"Emergency stop is on{since}{by}: nothing is sent.",
                        "/app/settings"))  # fmt: skip
    return True


async def _inbox_alerts(services: Any, inboxes: list[InboxCap], now: datetime, alerts: list[Alert]) -> None:
    """Inboxes a person paused or disabled (D1), and those InboxHealth paused or broke the circuit of."""
    for inbox in inboxes:
        if inbox.status != "active":
            why = f": {inbox.status_reason}" if inbox.status_reason else ""
            alerts.append(Alert("inbox_paused", "warning", f"Inbox {inbox.email} is {inbox.status}{why}.",
                                "/app/inboxes"))  # fmt: skip
            continue
        try:
            health = await services.inbox_health.status(inbox.id, now.timestamp())
        except Exception as exc:
            why = type(exc).__name__
            alerts.append(Alert("unavailable", "warning", f"Health of inbox {inbox.email} could not be read ({why})."))
            continue
        if health.state != "ok":
            state = health.state.replace("_", " ")
            why = f": {health.reason}" if health.reason else ""
            alerts.append(Alert("inbox_paused", "danger" if health.state == "paused" else "warning",
                                f"Inbox {inbox.email} is {state}{why}.", "/app/inboxes"))  # fmt: skip


async def _failed_task_alert(reads: D1DashboardReads, alerts: list[Alert]) -> None:
    count, latest = await reads.open_failed_tasks()
    if count:
        noun = "task has" if count == 1 else "tasks have"
        alerts.append(Alert("failed_tasks", "warning", f"{count} failed {noun} not been replayed or discarded"
                            f" (latest {latest}).", None))  # fmt: skip


async def _quota_alerts(services: Any, now: datetime, alerts: list[Alert]) -> None:
    """Providers whose daily or monthly quota is used up, or that reported themselves exhausted."""
    classes = list(PROVIDER_LIMITS)
    try:
        statuses = await services.rate_limiter.status([(PROVIDER_KEY, str(c)) for c in classes])
    except Exception as exc:
        alerts.append(Alert("unavailable", "warning", f"Provider quotas could not be read ({type(exc).__name__})."))
        return
    stamp = now.timestamp()
    midnight = _midnight(utc_days(now, 1)[0]).timestamp() + 86_400  # a reset later than this one is a month's
    for key_class, status in zip(classes, statuses, strict=False):
        exhausted = status.exhausted_until is not None and status.exhausted_until > stamp
        day_out = status.daily_quota is not None and status.quota_remaining == 0
        month_out = status.monthly_quota is not None and status.month_remaining == 0
        if exhausted or day_out or month_out:
            resets = status.exhausted_until if exhausted else None
            resets = resets or (status.quota_resets_at if day_out else status.month_resets_at)
            until = f" until {datetime.fromtimestamp(resets, UTC).isoformat()}" if resets else ""
            monthly = (resets or 0) > midnight if exhausted else month_out and not day_out
            period = "monthly" if monthly else "daily"
            name = str(key_class).removeprefix("provider:")
            alerts.append(Alert("provider_quota", "warning", f"Provider {name} is out of its {period} quota{until}.",
                                None))  # fmt: skip
