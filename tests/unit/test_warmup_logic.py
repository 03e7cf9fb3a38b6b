"""WarmupManager logic with a fake storage and injected times: ramp maths, local days (timezones, DST), rollover,
hourly cap, reservations (commit / release / expiry by alarm) and the never-over-grant property."""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from durable_objects.warmup.logic import ALARM_KEY, RES_PREFIX, STATE_KEY, WarmupLogic, day_plan, hour_start
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


class FakeStorage:
    """A dict behind the `Storage` port; values take a JSON round trip like the real one."""

    def __init__(self) -> None:
        self.data: dict[str, str] = {}
        self.alarm: float | None = None

    async def get(self, key: str) -> Any:
        raw = self.data.get(key)
        return None if raw is None else json.loads(raw)

    async def put(self, key: str, value: Any) -> None:
        self.data[key] = json.dumps(value)

    async def delete(self, keys: list[str]) -> Any:
        return sum(self.data.pop(k, None) is not None for k in keys)

    async def list(self, options: dict[str, Any]) -> Mapping[str, Any]:
        prefix = options.get("prefix", "")
        after = options.get("startAfter")
        names = sorted(k for k in self.data if k.startswith(prefix) and (after is None or k > after))
        return {k: json.loads(self.data[k]) for k in names[: options.get("limit", len(names))]}

    async def getAlarm(self) -> float | None:
        return self.alarm

    async def setAlarm(self, scheduled_time: float) -> None:
        self.alarm = scheduled_time


def ts(text: str) -> float:
    """ISO time → epoch seconds; naive means UTC."""
    moment = datetime.fromisoformat(text)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


async def setup(**plan: Any) -> tuple[WarmupLogic, FakeStorage]:
    storage = FakeStorage()
    logic = WarmupLogic(storage)
    await logic.configure(ConfigureRequest(plan=WarmupPlan(**plan)))
    return logic, storage


async def reserve(logic: WarmupLogic, now: float, count: int = 1, **kw: Any) -> ReserveReply:
    return await logic.reserve(ReserveRequest(count=count, now=now, **kw))


async def status(logic: WarmupLogic, now: float) -> StatusReply:
    return await logic.status(StatusRequest(now=now))


async def commit(logic: WarmupLogic, token: str | None, count: int | None = None) -> TokenReply:
    assert token is not None
    return await logic.commit(TokenRequest(token=token, count=count))


async def release(logic: WarmupLogic, token: str | None) -> TokenReply:
    assert token is not None
    return await logic.release(TokenRequest(token=token))


START = date(2026, 1, 5)  # a Monday


@pytest.mark.parametrize(
    ("day_index", "limit", "week"),
    [(0, 5, 1), (6, 5, 1), (7, 10, 2), (13, 10, 2), (14, 15, 3), (21, 18, 4), (27, 18, 4), (28, 20, 5), (400, 20, 58)],
)
def test_default_ramp_by_week(day_index: int, limit: int, week: int) -> None:
    day = date.fromordinal(START.toordinal() + day_index)
    assert day_plan(WarmupPlan(), START, day) == (limit, day_index, week, week <= 4)


def test_ramp_is_capped_by_target_and_daily_cap_and_zero_before_start() -> None:
    assert day_plan(WarmupPlan(target=12), START, date(2026, 1, 26))[0] == 12  # week 4's 18 capped at 12
    assert day_plan(WarmupPlan(daily_cap=7), START, date(2026, 1, 12))[0] == 7
    assert day_plan(WarmupPlan(), START, date(2026, 1, 4)) == (0, -1, None, False)
    assert day_plan(WarmupPlan(ramp=(1, 2)), START, date(2026, 1, 19))[0] == 20  # week 3: past a short ramp


async def test_reserve_grants_up_to_the_day_limit_then_zero_with_retry_at_next_local_midnight() -> None:
    logic, _ = await setup(start_date=START)
    now = ts("2026-01-05T09:00:00")
    first = await reserve(logic, now, 3)
    second = await reserve(logic, now, 3)
    third = await reserve(logic, now, 1)
    assert (first.granted, second.granted, third.granted) == (3, 2, 0)
    assert first.token and second.token and first.token != second.token
    assert first.expires_at == now + 600
    assert second.limited_by == "day" and second.remaining_day == 0
    assert third.token is None and third.expires_at is None
    assert third.retry_at == ts("2026-01-06T00:00:00")


async def test_timezone_where_the_local_day_differs_from_utc() -> None:
    logic, _ = await setup(start_date=START, timezone="Asia/Tokyo")
    # 2026-01-11 20:00 UTC is 2026-01-12 05:00 in Tokyo: day 7, week 2
    reply = await reserve(logic, ts("2026-01-11T20:00:00"), 50)
    assert (reply.date, reply.granted) == ("2026-01-12", 10)
    await commit(logic, reply.token)
    # 14:59 UTC is still the 12th in Tokyo (23:59): nothing left
    assert (await reserve(logic, ts("2026-01-12T14:59:00"))).granted == 0
    # 15:00 UTC is midnight of the 13th in Tokyo: a fresh day
    reply = await reserve(logic, ts("2026-01-12T15:00:00"), 50)
    assert (reply.date, reply.granted) == ("2026-01-13", 10)
    # before the start date locally (Jan 4, 23:00 in Tokyo = Jan 4 14:00 UTC) nothing is granted
    logic2, _ = await setup(start_date=START, timezone="Asia/Tokyo")
    early = await reserve(logic2, ts("2026-01-04T14:00:00"))
    assert early.granted == 0 and early.retry_at == ts("2026-01-05T00:00:00+09:00")


async def test_dst_transition_day_counts_as_one_day() -> None:
    # Europe/Berlin springs forward on Sunday 2026-03-29 (23 hours long); start Monday 2026-03-23: day 6, week 1
    logic, _ = await setup(start_date=date(2026, 3, 23), timezone="Europe/Berlin")
    early = await reserve(logic, ts("2026-03-28T23:30:00"), 3)  # 00:30 CET on the 29th
    await commit(logic, early.token)
    late = await reserve(logic, ts("2026-03-29T21:30:00"), 3)  # 23:30 CEST on the 29th
    assert (early.date, late.date) == ("2026-03-29", "2026-03-29")
    assert (early.granted, late.granted) == (3, 2)
    nxt = await reserve(logic, ts("2026-03-29T22:30:00"), 20)  # 00:30 CEST on the 30th: day 7, week 2
    assert (nxt.date, nxt.granted) == ("2026-03-30", 10)
    assert late.retry_at == ts("2026-03-29T22:00:00")  # local midnight of the 30th
    st_ = await status(logic, ts("2026-03-29T22:30:00"))
    assert (st_.day_index, st_.week, st_.day_limit, st_.reserved) == (7, 2, 10, 10)


def test_hour_start_keeps_dst_fall_back_hours_apart_and_half_hour_zones() -> None:
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")  # 2026-10-25 02:00-03:00 local happens twice
    assert hour_start(ts("2026-10-25T00:30:00"), berlin) == ts("2026-10-25T00:00:00")
    assert hour_start(ts("2026-10-25T01:30:00"), berlin) == ts("2026-10-25T01:00:00")
    kolkata = ZoneInfo("Asia/Kolkata")
    assert hour_start(ts("2026-01-05T04:45:00"), kolkata) == ts("2026-01-05T04:30:00")


async def test_day_rollover_resets_counters_and_keeps_one_state_key() -> None:
    logic, storage = await setup(start_date=START, warmup=False, target=4)
    day1 = ts("2026-01-05T10:00:00")
    r = await reserve(logic, day1, 4)
    await commit(logic, r.token)
    assert (await status(logic, day1)).sent == 4
    day2 = ts("2026-01-06T10:00:00")
    s = await status(logic, day2)
    assert (s.date, s.sent, s.reserved, s.remaining_day) == ("2026-01-06", 0, 0, 4)
    assert (await reserve(logic, day2, 9)).granted == 4
    assert [k for k in storage.data if k == STATE_KEY] == [STATE_KEY]
    assert json.loads(storage.data[STATE_KEY])["date"] == "2026-01-06"


async def test_commit_of_yesterdays_reservation_does_not_touch_today() -> None:
    logic, _ = await setup(start_date=START, warmup=False, target=4)
    r = await reserve(logic, ts("2026-01-05T23:58:00"), 2)
    await reserve(logic, ts("2026-01-06T00:01:00"), 1)
    assert (await commit(logic, r.token)).outcome == "committed"
    s = await status(logic, ts("2026-01-06T00:02:00"))
    assert (s.sent, s.reserved) == (0, 1)


async def test_hourly_cap() -> None:
    logic, _ = await setup(start_date=START, warmup=False, target=10, hourly_cap=3)
    now = ts("2026-01-05T09:10:00")
    r = await reserve(logic, now, 5)
    assert (r.granted, r.limited_by, r.remaining_hour) == (3, "hour", 0)
    assert r.retry_at == ts("2026-01-05T10:00:00")
    await commit(logic, r.token)
    assert (await reserve(logic, ts("2026-01-05T09:59:59"))).granted == 0
    nxt = await reserve(logic, ts("2026-01-05T10:00:00"), 5)
    assert nxt.granted == 3
    s = await status(logic, ts("2026-01-05T10:00:00"))
    assert (s.sent, s.reserved, s.hour_sent, s.hour_reserved, s.remaining_hour, s.remaining_day) == (3, 3, 0, 3, 0, 4)


async def test_reservation_expiry_by_alarm_returns_capacity() -> None:
    logic, storage = await setup(start_date=START)
    now = ts("2026-01-05T09:00:00")
    r = await reserve(logic, now, 5)
    assert r.expires_at == now + 600
    assert storage.alarm == math.ceil((now + 600) * 1000)
    assert (await status(logic, now + 599)).remaining_day == 0
    assert await logic.alarm() == 1  # no clock: the alarm sweeps at the stored time
    s = await status(logic, now + 601)
    assert (s.reserved, s.remaining_day) == (0, 5)
    assert (await commit(logic, r.token)).outcome == "expired"
    assert (await release(logic, r.token)).outcome == "expired"
    assert (await status(logic, now + 601)).sent == 0


async def test_overdue_expiry_is_applied_by_reserve_before_the_alarm_runs() -> None:
    logic, _ = await setup(start_date=START)
    now = ts("2026-01-05T09:00:00")
    await reserve(logic, now, 5, ttl_s=60)
    assert (await reserve(logic, now + 61, 5)).granted == 5


async def test_alarm_reschedules_for_later_reservations_and_purges_after_retention() -> None:
    logic, storage = await setup(start_date=START)
    now = ts("2026-01-05T09:00:00")
    a = await reserve(logic, now, 1)
    b = await reserve(logic, now + 300, 1)
    assert b.expires_at == now + 900
    await commit(logic, a.token)
    assert await logic.alarm() == 0  # a committed: nothing expires at its time
    assert json.loads(storage.data[ALARM_KEY]) == now + 900  # b's expiry
    assert await logic.alarm() == 1
    assert (await status(logic, now + 901)).reserved == 0
    # committed and expired records stay a day for idempotency, then go
    assert (await commit(logic, a.token)).outcome == "already_committed"
    while ALARM_KEY in storage.data:
        await logic.alarm()
    assert not [k for k in storage.data if k.startswith(RES_PREFIX)]
    assert (await commit(logic, a.token)).outcome == "unknown"


async def test_commit_is_idempotent_and_release_after_commit_does_nothing() -> None:
    logic, _ = await setup(start_date=START)
    now = ts("2026-01-05T09:00:00")
    r = await reserve(logic, now, 2)
    assert (await commit(logic, r.token)).model_dump() == {"token": r.token, "outcome": "committed", "sent": 2}
    assert (await commit(logic, r.token)).outcome == "already_committed"
    assert (await release(logic, r.token)).outcome == "already_committed"
    s = await status(logic, now)
    assert (s.sent, s.reserved, s.remaining_day) == (2, 0, 3)
    assert (await commit(logic, "w999")).outcome == "unknown"


async def test_release_gives_capacity_back_once() -> None:
    logic, _ = await setup(start_date=START)
    now = ts("2026-01-05T09:00:00")
    r = await reserve(logic, now, 5)
    assert (await release(logic, r.token)).outcome == "released"
    assert (await release(logic, r.token)).outcome == "already_released"
    assert (await commit(logic, r.token)).outcome == "released"
    assert (await status(logic, now)).remaining_day == 5


async def test_partial_commit_gives_the_rest_back() -> None:
    logic, _ = await setup(start_date=START)
    now = ts("2026-01-05T09:00:00")
    r = await reserve(logic, now, 4)
    assert (await commit(logic, r.token, count=1)).sent == 1
    s = await status(logic, now)
    assert (s.sent, s.reserved, s.remaining_day) == (1, 0, 4)


async def test_warmup_off_sends_the_target_every_day() -> None:
    logic, _ = await setup(start_date=START, warmup=False, target=30, daily_cap=25)
    assert (await reserve(logic, ts("2026-01-05T09:00:00"), 100)).granted == 25
    s = await status(logic, ts("2026-01-05T09:00:00"))
    assert (s.warming_up, s.day_limit, s.week) == (False, 25, 1)


async def test_unconfigured_inbox_starts_its_ramp_on_first_reservation() -> None:
    storage = FakeStorage()
    logic = WarmupLogic(storage)
    s = await status(logic, ts("2026-02-01T12:00:00"))
    assert (s.configured, s.day_index, s.day_limit, s.plan.start_date) == (False, 0, 5, None)
    assert (await reserve(logic, ts("2026-02-01T12:00:00"), 9)).granted == 5
    s = await status(logic, ts("2026-02-08T12:00:00"))
    assert (s.plan.start_date, s.day_index, s.week, s.day_limit) == (date(2026, 2, 1), 7, 2, 10)


async def test_lagging_caller_clock_never_resets_the_day() -> None:
    logic, _ = await setup(start_date=START, warmup=False, target=3)
    await reserve(logic, ts("2026-01-06T00:05:00"), 3)
    assert (await reserve(logic, ts("2026-01-05T23:59:00"), 3)).granted == 0


def test_plan_rejects_unknown_timezones() -> None:
    with pytest.raises(ValueError, match="timezone"):
        WarmupPlan(timezone="Mars/Olympus")


# -- property: any interleaving never over-grants -----------------------------------------------------------------

OPS = st.lists(
    st.one_of(
        st.tuples(st.just("reserve"), st.integers(0, 8), st.integers(0, 5400)),
        st.tuples(st.just("commit"), st.integers(0, 40), st.one_of(st.none(), st.integers(0, 8))),
        st.tuples(st.just("release"), st.integers(0, 40), st.none()),
        st.tuples(st.just("expire"), st.integers(0, 1200), st.none()),
    ),
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(
    ops=OPS,
    hourly_cap=st.one_of(st.none(), st.integers(0, 6)),
    tz=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"]),
)
def test_any_interleaving_never_grants_more_than_capacity(
    ops: list[tuple[str, int, int | None]], hourly_cap: int | None, tz: str
) -> None:
    asyncio.run(_interleave(ops, hourly_cap, tz))


async def _interleave(ops: list[tuple[str, int, int | None]], hourly_cap: int | None, tz: str) -> None:
    storage = FakeStorage()
    logic = WarmupLogic(storage)
    plan = WarmupPlan(start_date=date(2026, 3, 23), timezone=tz, hourly_cap=hourly_cap, reservation_ttl_s=900)
    await logic.configure(ConfigureRequest(plan=plan))
    now = ts("2026-03-28T20:00:00")  # across Berlin's DST night
    tokens: list[str] = []
    granted_by_day: dict[str, int] = {}
    for op, a, b in ops:
        if op == "reserve":
            now += b or 0
            r = await reserve(logic, now, a)
            if r.token:
                tokens.append(r.token)
                granted_by_day[r.date] = granted_by_day.get(r.date, 0) + r.granted
        elif op in ("commit", "release") and tokens:
            token = tokens[a % len(tokens)]
            if op == "commit":
                await logic.commit(TokenRequest(token=token, count=b))
            else:
                await release(logic, token)
        elif op == "expire":
            now += a
            await logic.sweep(now)
        s = await status(logic, now)
        assert s.sent + s.reserved <= s.day_limit
        if hourly_cap is not None:
            assert s.hour_sent + s.hour_reserved <= hourly_cap
        assert s.remaining_day == s.day_limit - s.sent - s.reserved
        # reserved is exactly the pending reservations of the day
        pending = [json.loads(v) for k, v in storage.data.items() if k.startswith(RES_PREFIX)]
        assert s.reserved == sum(p["count"] for p in pending if p["status"] == "pending" and p["date"] == s.date)
        assert s.sent == sum(p["sent"] for p in pending if p["status"] == "committed" and p["date"] == s.date)
