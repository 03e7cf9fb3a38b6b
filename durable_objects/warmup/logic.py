"""WarmupManager logic: one inbox's warmup plan, today's send capacity and its reservations. Pure: a storage port,
no clock (every time is the caller's `now`, or the time the alarm was scheduled for).

Days are the inbox's local dates (its IANA timezone, via zoneinfo), so a DST day of 23 or 25 hours is still one day
and no reset cron is needed: the first operation of a new local date starts fresh counters. The hourly cap counts
per local clock hour (keyed by the hour's start in epoch seconds, so the repeated hour of a DST fall-back is two
hours, and half-hour zones get their own boundaries).

Storage (KV, one object per inbox):

- `plan` → `{"plan": WarmupPlan (JSON), "configured": bool}`; a plan without a start date is anchored on the
  local date of its first reservation.
- `state` → today's counters `{"date", "sent", "reserved", "hour", "hour_sent", "hour_reserved"}`; one key, replaced
  when a new day starts, so old days' counters never pile up.
- `seq` → the last reservation number; tokens are `w<seq>` (deterministic, never reused).
- `res:<token>` → `{"count", "date", "hour", "expires_at", "purge_at", "status", "sent"}` with status
  pending → committed | released | expired. Finished records are kept `RETENTION_S` past their expiry so `commit`
  stays idempotent, then deleted by the sweep.
- `alarm:at` → the time the alarm is set for, which is also the time the sweep uses: the alarm handler needs no
  clock. The sweep expires pending reservations due by then (their capacity goes back to their day and hour), deletes
  records past retention and schedules the next alarm. `reserve`/`status` run the same sweep with their own `now`
  when the alarm is overdue, so capacity comes back even before the alarm fires.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from durable_objects.storage import Storage
from shared.messages.warmup import (
    ConfigureRequest,
    ReserveReply,
    ReserveRequest,
    StatusReply,
    StatusRequest,
    TokenReply,
    TokenRequest,
    WarmupPlan,
)

PLAN_KEY = "plan"
STATE_KEY = "state"
SEQ_KEY = "seq"
ALARM_KEY = "alarm:at"
RES_PREFIX = "res:"
RETENTION_S = 86_400.0
LIST_PAGE = 512
DELETE_BATCH = 128  # Durable Object storage takes at most 128 keys per call
HOUR_S = 3600.0


# -- calendar maths (pure) ------------------------------------------------------------------------------------------


def local_date(now: float, tz: ZoneInfo) -> date:
    return datetime.fromtimestamp(now, tz).date()


def hour_start(now: float, tz: ZoneInfo) -> float:
    """Epoch seconds of the start of the local clock hour holding `now` (fold kept: DST's repeated hour is two)."""
    local = datetime.fromtimestamp(now, tz)
    return local.replace(minute=0, second=0, microsecond=0).timestamp()


def day_start(day: date, tz: ZoneInfo) -> float:
    """Epoch seconds of local midnight starting `day` (a skipped midnight resolves to the day's first instant)."""
    return datetime.combine(day, time(0), tzinfo=tz).timestamp()


def day_plan(plan: WarmupPlan, start: date, day: date) -> tuple[int, int, int | None, bool]:
    """(limit, day index, 1-based week or None before the start, still warming up) for the local date `day`."""
    index = (day - start).days
    if index < 0:
        return 0, index, None, False
    week = index // 7 + 1
    if not plan.warmup:
        limit, warming = plan.target, False
    elif week <= len(plan.ramp):
        limit, warming = min(plan.ramp[week - 1], plan.target), True
    else:
        limit, warming = plan.target, False
    if plan.daily_cap is not None:
        limit = min(limit, plan.daily_cap)
    return limit, index, week, warming


def _fresh(day: date, hour: float) -> dict[str, Any]:
    return {"date": day.isoformat(), "sent": 0, "reserved": 0, "hour": hour, "hour_sent": 0, "hour_reserved": 0}


def _int(value: Any) -> int:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


class WarmupLogic:
    def __init__(self, storage: Storage, *, retention_s: float = RETENTION_S) -> None:
        self._storage = storage
        self._retention_s = retention_s

    # -- plan ---------------------------------------------------------------------------------------------------

    async def _plan(self) -> tuple[WarmupPlan, bool]:
        raw = await self._storage.get(PLAN_KEY)
        if isinstance(raw, Mapping) and isinstance(raw.get("plan"), Mapping):
            return WarmupPlan.model_validate(dict(raw["plan"])), bool(raw.get("configured"))
        return WarmupPlan(), False

    async def _save_plan(self, plan: WarmupPlan, configured: bool) -> None:
        await self._storage.put(PLAN_KEY, {"plan": plan.model_dump(mode="json"), "configured": configured})

    async def configure(self, request: ConfigureRequest) -> dict[str, Any]:
        """Replace the plan. Today's counters stay; the new limits apply to what is left of today."""
        await self._save_plan(request.plan, True)
        return {"plan": request.plan.model_dump(mode="json"), "configured": True}

    # -- today's counters ---------------------------------------------------------------------------------------

    async def _state(self, now: float, tz: ZoneInfo) -> dict[str, Any]:
        """Counters of the day and hour holding `now`. A caller whose clock lags the stored day/hour counts against
        the stored (later) one: never a reset by an old clock."""
        today, hour = local_date(now, tz), hour_start(now, tz)
        raw = await self._storage.get(STATE_KEY)
        if not isinstance(raw, Mapping) or not isinstance(raw.get("date"), str) or raw["date"] < today.isoformat():
            return _fresh(today, hour)
        state: dict[str, Any] = {k: _int(raw.get(k)) for k in ("sent", "reserved", "hour_sent", "hour_reserved")}
        state["date"] = raw["date"]
        stored_hour = float(raw.get("hour") or 0.0)
        if stored_hour < hour:
            state.update(hour=hour, hour_sent=0, hour_reserved=0)
        else:
            state["hour"] = stored_hour
        return state

    # -- reservations -------------------------------------------------------------------------------------------

    async def reserve(self, request: ReserveRequest) -> ReserveReply:
        now = request.now
        plan, configured = await self._plan()
        tz = ZoneInfo(plan.timezone)
        if plan.start_date is None:  # the ramp starts with the inbox's first reservation
            plan = plan.model_copy(update={"start_date": local_date(now, tz)})
            await self._save_plan(plan, configured)
        assert plan.start_date is not None
        await self._sweep_if_due(now)
        state = await self._state(now, tz)
        day = date.fromisoformat(state["date"])
        limit = day_plan(plan, plan.start_date, day)[0]
        day_left = max(0, limit - state["sent"] - state["reserved"])
        hour_left = (
            None if plan.hourly_cap is None else max(0, plan.hourly_cap - state["hour_sent"] - state["hour_reserved"])
        )
        granted = min(request.count, day_left, request.count if hour_left is None else hour_left)
        limited_by: str | None = None
        retry_at: float | None = None
        if granted < request.count:
            if hour_left is not None and hour_left < day_left:
                limited_by, retry_at = "hour", float(state["hour"]) + HOUR_S
            else:
                limited_by = "day"
                retry_day = max(day + timedelta(days=1), plan.start_date)
                retry_at = day_start(retry_day, tz)
        token: str | None = None
        expires_at: float | None = None
        if granted > 0:
            seq = _int(await self._storage.get(SEQ_KEY)) + 1
            token = f"w{seq}"
            expires_at = now + (request.ttl_s if request.ttl_s is not None else plan.reservation_ttl_s)
            state["reserved"] += granted
            state["hour_reserved"] += granted
            # counters first: a failure before the record leaks capacity until the day ends, never over-grants
            await self._storage.put(SEQ_KEY, seq)
            await self._storage.put(STATE_KEY, state)
            await self._storage.put(
                RES_PREFIX + token,
                {
                    "count": granted,
                    "date": state["date"],
                    "hour": state["hour"],
                    "expires_at": expires_at,
                    "purge_at": expires_at + self._retention_s,
                    "status": "pending",
                    "sent": 0,
                },
            )
            await self._schedule(expires_at)
        return ReserveReply(
            token=token,
            requested=request.count,
            granted=granted,
            expires_at=expires_at,
            date=state["date"],
            remaining_day=day_left - granted,
            remaining_hour=None if hour_left is None else hour_left - granted,
            limited_by=limited_by,  # type: ignore[arg-type]
            retry_at=retry_at,
        )

    def _give_back(self, state: dict[str, Any] | None, record: Mapping[str, Any], sent: int) -> bool:
        """Turn a pending reservation's count into `sent` sends plus returned capacity on its own day and hour (if
        those counters are still the current ones). Returns whether `state` changed."""
        if state is None or state.get("date") != record.get("date"):
            return False  # its day is over: those counters are gone
        count = _int(record.get("count"))
        state["reserved"] = max(0, state["reserved"] - count)
        state["sent"] += sent
        if state.get("hour") == record.get("hour"):
            state["hour_reserved"] = max(0, state["hour_reserved"] - count)
            state["hour_sent"] += sent
        return True

    async def _stored_state(self) -> dict[str, Any] | None:
        raw = await self._storage.get(STATE_KEY)
        return dict(raw) if isinstance(raw, Mapping) else None

    async def _finish(self, request: TokenRequest, *, commit: bool) -> TokenReply:
        key = RES_PREFIX + request.token
        raw = await self._storage.get(key)
        if not isinstance(raw, Mapping):
            return TokenReply(token=request.token, outcome="unknown", sent=0)
        record = dict(raw)
        status = record.get("status")
        if status == "committed":
            return TokenReply(token=request.token, outcome="already_committed", sent=_int(record.get("sent")))
        if status == "released":
            outcome = "released" if commit else "already_released"
            return TokenReply(token=request.token, outcome=outcome, sent=0)  # type: ignore[arg-type]
        if status != "pending":
            return TokenReply(token=request.token, outcome="expired", sent=0)
        count = _int(record.get("count"))
        sent = 0
        if commit:
            sent = count if request.count is None else min(request.count, count)
        state = await self._stored_state()
        if self._give_back(state, record, sent):
            await self._storage.put(STATE_KEY, state)
        record.update(status="committed" if commit else "released", sent=sent)
        await self._storage.put(key, record)
        return TokenReply(token=request.token, outcome="committed" if commit else "released", sent=sent)

    async def commit(self, request: TokenRequest) -> TokenReply:
        """Reserved → sent (idempotent). `count` below the granted number gives the rest back."""
        return await self._finish(request, commit=True)

    async def release(self, request: TokenRequest) -> TokenReply:
        """Give a pending reservation's capacity back; nothing after a commit."""
        return await self._finish(request, commit=False)

    # -- expiry -------------------------------------------------------------------------------------------------

    async def _schedule(self, at: float) -> None:
        current = await self._storage.get(ALARM_KEY)
        if isinstance(current, (int, float)) and current <= at:
            return
        await self._storage.put(ALARM_KEY, at)
        await self._storage.setAlarm(math.ceil(at * 1000))

    async def _sweep_if_due(self, now: float) -> None:
        at = await self._storage.get(ALARM_KEY)
        if isinstance(at, (int, float)) and at <= now:
            await self.sweep(now)

    async def alarm(self) -> int:
        """The alarm handler: sweep at the time the alarm was scheduled for (stored), no clock needed."""
        at = await self._storage.get(ALARM_KEY)
        if not isinstance(at, (int, float)):
            return 0
        return await self.sweep(float(at))

    async def sweep(self, at: float) -> int:
        """Expire pending reservations due by `at` (their capacity goes back), delete records past retention and
        schedule the next alarm. Returns how many reservations expired."""
        records: dict[str, Any] = {}
        start_after: str | None = None
        while True:
            options: dict[str, Any] = {"prefix": RES_PREFIX, "limit": LIST_PAGE}
            if start_after is not None:
                options["startAfter"] = start_after
            page = dict(await self._storage.list(options))
            records.update(page)
            if len(page) < LIST_PAGE:
                break
            start_after = max(page)
        state = await self._stored_state()
        state_changed = False
        expired = 0
        doomed: list[str] = []
        next_at: float | None = None
        for name, raw in records.items():
            record = dict(raw) if isinstance(raw, Mapping) else {}
            expires_at = record.get("expires_at")
            purge_at = record.get("purge_at")
            if not isinstance(expires_at, (int, float)) or not isinstance(purge_at, (int, float)):
                doomed.append(name)  # unreadable
                continue
            if record.get("status") == "pending":
                if expires_at <= at:
                    state_changed |= self._give_back(state, record, 0)
                    record["status"] = "expired"
                    expired += 1
                    if purge_at > at:
                        await self._storage.put(name, record)
                else:
                    next_at = expires_at if next_at is None else min(next_at, expires_at)
            if purge_at <= at:
                doomed.append(name)
            else:
                next_at = purge_at if next_at is None else min(next_at, purge_at)
        if state_changed:
            await self._storage.put(STATE_KEY, state)
        for i in range(0, len(doomed), DELETE_BATCH):
            await self._storage.delete(doomed[i : i + DELETE_BATCH])
        if next_at is None:
            await self._storage.delete([ALARM_KEY])
        else:
            await self._storage.put(ALARM_KEY, next_at)
            await self._storage.setAlarm(math.ceil(next_at * 1000))
        return expired

    # -- status -------------------------------------------------------------------------------------------------

    async def status(self, request: StatusRequest) -> StatusReply:
        now = request.now
        plan, configured = await self._plan()
        tz = ZoneInfo(plan.timezone)
        await self._sweep_if_due(now)
        state = await self._state(now, tz)
        day = date.fromisoformat(state["date"])
        limit, index, week, warming = day_plan(plan, plan.start_date or day, day)
        hour_limit = plan.hourly_cap
        return StatusReply(
            plan=plan,
            configured=configured,
            date=state["date"],
            day_index=index,
            week=week,
            warming_up=warming,
            day_limit=limit,
            sent=state["sent"],
            reserved=state["reserved"],
            remaining_day=max(0, limit - state["sent"] - state["reserved"]),
            hour_start=float(state["hour"]),
            hour_limit=hour_limit,
            hour_sent=state["hour_sent"],
            hour_reserved=state["hour_reserved"],
            remaining_hour=None
            if hour_limit is None
            else max(0, hour_limit - state["hour_sent"] - state["hour_reserved"]),
        )
