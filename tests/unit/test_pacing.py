"""Inbox pacing: slots spread evenly with bounded deterministic jitter, and 5-minute ticks that follow them within the
daily allowance and the hourly cap, across DST days, date lines and half-hour zones."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from durable_objects.warmup.logic import hour_start
from shared.domain.campaigns.pacing import PacingWindow, due_now, slot_times
from shared.domain.campaigns.schedule import END_OF_DAY

BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = PacingWindow(time(9), time(17))
ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "Pacific/Apia",
    "Asia/Kolkata",
    "America/Santiago",
    "UTC",
]
DST_DAYS = [
    date(2026, 3, 29),
    date(2026, 10, 25),
    date(2026, 3, 8),
    date(2026, 11, 1),
    date(2026, 4, 5),
    date(2026, 10, 4),
    date(2026, 9, 6),
    date(2011, 12, 29),
    date(2011, 12, 30),
    date(2011, 12, 31),
]
TICK = timedelta(minutes=5)
MICROSECOND = timedelta(microseconds=1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def first_reading(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """Brute force, minute by minute: the first instant whose local reading is `day` `wall` or later."""
    target = datetime.combine(day, wall) if wall != END_OF_DAY else datetime.combine(day + timedelta(days=1), time(0))
    instant = target.replace(tzinfo=UTC) - timedelta(hours=15)  # every zone is within UTC-12..+14
    while instant.astimezone(tz).replace(tzinfo=None) < target:
        instant += timedelta(minutes=1)
    return instant


def brute_interval(day: date, window: PacingWindow, tz: ZoneInfo) -> tuple[datetime, datetime]:
    return first_reading(day, window.start, tz), first_reading(day, window.end, tz)


@st.composite
def pacing_windows(draw: st.DrawFn) -> PacingWindow:
    start = draw(st.integers(0, 1439))
    end = draw(st.integers(start + 1, 1440))
    as_time = lambda m: END_OF_DAY if m == 1440 else time(m // 60, m % 60)  # noqa: E731
    return PacingWindow(as_time(start), as_time(end))


days = st.one_of(st.sampled_from(DST_DAYS), st.dates(date(2015, 1, 1), date(2035, 12, 31)))


# -- slot_times -------------------------------------------------------------------------------------------------------


def test_slots_sit_near_the_centre_of_equal_shares() -> None:
    slots = slot_times(8, date(2026, 6, 8), window=OFFICE, zone="Europe/Berlin", seed="inbox-1")
    assert len(slots) == 8
    for hour, slot in enumerate(slots):
        centre = utc(2026, 6, 8, 7 + hour, 30)  # 09:30 CEST + hour: the share is one hour
        assert abs(slot - centre) <= timedelta(minutes=24)  # 40 % of an hour
    assert len({slot.minute for slot in slots}) > 1  # jittered, not a metronome


def test_slots_are_deterministic_per_seed_and_day() -> None:
    day = date(2026, 6, 8)
    first = slot_times(30, day, window=OFFICE, zone="Europe/Berlin", seed="inbox-1")
    assert slot_times(30, day, window=OFFICE, zone="Europe/Berlin", seed="inbox-1") == first
    assert slot_times(30, day, window=OFFICE, zone="Europe/Berlin", seed="inbox-2") != first
    next_day = slot_times(30, day + timedelta(days=1), window=OFFICE, zone="Europe/Berlin", seed="inbox-1")
    assert [s - timedelta(days=1) for s in next_day] != first  # a new day, new jitter


def test_no_allowance_no_slots() -> None:
    assert slot_times(0, date(2026, 6, 8), window=OFFICE, zone="Europe/Berlin", seed="s") == []
    with pytest.raises(ValueError, match=">= 0"):
        slot_times(-1, date(2026, 6, 8), window=OFFICE, zone="Europe/Berlin", seed="s")
    with pytest.raises(ValueError, match="before or when it starts"):
        PacingWindow(time(17), time(9))
    with pytest.raises(ValueError, match="unknown time zone"):
        slot_times(3, date(2026, 6, 8), window=OFFICE, zone="Nowhere/Town", seed="s")


def test_dst_days_spread_over_the_real_length_of_the_window() -> None:
    night = PacingWindow(time(1), time(4))
    spring = slot_times(4, date(2026, 3, 29), window=night, zone="Europe/Berlin", seed="s")
    assert all(utc(2026, 3, 29, 0) <= s < utc(2026, 3, 29, 2) for s in spring)  # 01:00 CET .. 04:00 CEST: 2 hours
    autumn = slot_times(4, date(2026, 10, 25), window=night, zone="Europe/Berlin", seed="s")
    assert all(utc(2026, 10, 24, 23) <= s < utc(2026, 10, 25, 3) for s in autumn)  # 01:00 CEST .. 04:00 CET: 4 hours
    assert autumn[3] - autumn[0] > timedelta(hours=2)
    # A window wholly inside the gap has no time at all that day.
    in_the_gap = PacingWindow(time(2), time(2, 45))
    assert slot_times(5, date(2026, 3, 29), window=in_the_gap, zone="Europe/Berlin", seed="s") == []
    assert slot_times(5, date(2011, 12, 30), window=OFFICE, zone="Pacific/Apia", seed="s") == []  # a skipped day


@settings(max_examples=200, deadline=None)
@given(
    allowance=st.integers(0, 500),
    window=pacing_windows(),
    zone=st.sampled_from(ZONES),
    day=days,
    seed=st.text(max_size=20),
)
def test_slots_are_exactly_the_allowance_inside_the_window_sorted_and_distinct(
    allowance: int, window: PacingWindow, zone: str, day: date, seed: str
) -> None:
    tz = ZoneInfo(zone)
    slots = slot_times(allowance, day, window=window, zone=zone, seed=seed)
    opens, closes = brute_interval(day, window, tz)
    if closes == opens:  # the window lies wholly in a DST gap (or a skipped day) that day
        assert slots == []
        return
    assert len(slots) == allowance
    assert all(a < b for a, b in pairwise(slots))
    assert all(opens <= slot < closes for slot in slots)
    assert all(slot.astimezone(tz).date() == day for slot in slots)
    span = (closes - opens) // MICROSECOND
    for index, slot in enumerate(slots):  # exact, in microseconds from the opening
        at = (slot - opens) // MICROSECOND
        share = Fraction(span, allowance)
        assert share * index - 1 < at < share * (index + 1)  # inside its own share (µs rounding down)
        assert abs(at - share * (2 * index + 1) / 2) <= share * Fraction(2, 5) + 1  # within 40 % of the centre
    assert slot_times(allowance, day, window=window, zone=zone, seed=seed) == slots


# -- due_now ----------------------------------------------------------------------------------------------------------


def owed(
    allowance: int,
    used_today: int,
    now: datetime,
    *,
    hourly_cap: int | None = None,
    used_this_hour: int = 0,
    window: PacingWindow = OFFICE,
    zone: str = "Europe/Berlin",
    seed: str = "s",
) -> int:
    return due_now(
        allowance,
        used_today,
        now,
        window=window,
        zone=zone,
        seed=seed,
        hourly_cap=hourly_cap,
        used_this_hour=used_this_hour,
    )


def test_due_now_follows_the_slots() -> None:
    slots = slot_times(16, date(2026, 6, 8), window=OFFICE, zone="Europe/Berlin", seed="s")
    assert owed(16, 0, utc(2026, 6, 8, 6, 59)) == 0  # before the window
    assert owed(16, 0, slots[0]) == 1  # a slot is due at its instant
    assert owed(16, 0, slots[0] - timedelta(microseconds=1)) == 0
    assert owed(16, 1, slots[1]) == 1
    assert owed(16, 2, slots[1]) == 0
    assert owed(16, 9, slots[1]) == 0  # used more than is due: never negative
    assert owed(16, 3, utc(2026, 6, 8, 20)) == 13  # the window closed at 17:00: what is owed is caught up that day
    assert owed(16, 0, utc(2026, 6, 8, 22, 1)) == 0  # 00:01 the next day, before its window
    assert owed(0, 0, utc(2026, 6, 8, 12)) == 0


def test_due_now_catches_up_within_the_hourly_cap() -> None:
    noon = utc(2026, 6, 8, 10)  # 12:00 CEST: 3 of 8 hours of a 48-a-day plan are due (about 18)
    assert 16 <= owed(48, 0, noon) <= 20
    assert owed(48, 0, noon, hourly_cap=6) == 6
    assert owed(48, 0, noon, hourly_cap=6, used_this_hour=4) == 2
    assert owed(48, 0, noon, hourly_cap=6, used_this_hour=9) == 0
    assert owed(48, 0, noon, hourly_cap=0) == 0
    with pytest.raises(ValueError, match="aware"):
        owed(48, 0, datetime(2026, 6, 8, 12))


@settings(max_examples=200, deadline=None)
@given(
    allowance=st.integers(0, 500),
    window=pacing_windows(),
    zone=st.sampled_from(ZONES),
    day=days,
    offset=st.floats(0, 1),
)
def test_due_now_counts_the_slots_at_or_before_now(
    allowance: int, window: PacingWindow, zone: str, day: date, offset: float
) -> None:
    tz = ZoneInfo(zone)
    slots = slot_times(allowance, day, window=window, zone=zone, seed="inbox")
    start, end = first_reading(day, time(0), tz), first_reading(day, END_OF_DAY, tz)
    now = start + (end - start) * offset
    if now >= end:
        return
    found = due_now(allowance, 0, now, window=window, zone=zone, seed="inbox", hourly_cap=None, used_this_hour=0)
    assert found == sum(slot <= now for slot in slots)


@settings(max_examples=150, deadline=None)
@given(
    allowance=st.integers(0, 500),
    window=pacing_windows(),
    zone=st.sampled_from(ZONES),
    day=days,
    hourly_cap=st.one_of(st.none(), st.integers(0, 60)),
    seed=st.text(max_size=8),
)
def test_five_minute_ticks_reserve_the_allowance_within_the_caps(
    allowance: int, window: PacingWindow, zone: str, day: date, hourly_cap: int | None, seed: str
) -> None:
    tz = ZoneInfo(zone)
    slots = slot_times(allowance, day, window=window, zone=zone, seed=seed)
    day_starts, day_ends = first_reading(day, time(0), tz), first_reading(day, END_OF_DAY, tz)
    tick = day_starts + (-(day_starts - datetime(2000, 1, 1, tzinfo=UTC)) % TICK)  # the cron's 5-minute UTC grid
    used_today = 0
    per_hour: Counter[float] = Counter()
    ticks: list[tuple[float, int]] = []  # (clock hour, slots due by the tick)
    while tick < day_ends:
        hour = hour_start(tick.timestamp(), tz)  # WarmupManager's hourly counter key
        granted = owed(
            allowance,
            used_today,
            tick,
            hourly_cap=hourly_cap,
            used_this_hour=per_hour[hour],
            window=window,
            zone=zone,
            seed=seed,
        )
        assert granted >= 0
        used_today += granted
        per_hour[hour] += granted
        due = sum(slot <= tick for slot in slots)
        assert used_today <= due  # never ahead of the slots
        assert hourly_cap is None or per_hour[hour] <= hourly_cap
        ticks.append((hour, due))
        tick += TICK
    # What the caps permit, hour by hour: each clock hour catches up to the slots due by its last tick, up to the cap.
    permitted = 0
    last_due_per_hour: dict[float, int] = {}
    for hour, due in ticks:
        last_due_per_hour[hour] = due
    for hour in sorted(last_due_per_hour):
        catch_up = last_due_per_hour[hour] - permitted
        permitted += catch_up if hourly_cap is None else min(hourly_cap, catch_up)
    assert used_today == min(allowance, permitted)
    if hourly_cap is None:
        # Only slots after the day's last tick (the last minutes before local midnight) can be left over.
        last_tick = tick - TICK
        assert used_today == sum(slot <= last_tick for slot in slots)
        if window.end != END_OF_DAY and window.end <= time(23, 55) and zone != "Pacific/Apia":
            assert used_today == allowance or not ticks


def test_a_day_of_ticks_spreads_sends_evenly_without_bursts() -> None:
    # 50 a day over 8 office hours, cap 10/hour: ticks hand out 6-7 an hour, never a burst, all 50 by 17:05.
    day, zone = date(2026, 6, 8), "Europe/Berlin"
    tick, used, per_hour = utc(2026, 6, 7, 22), 0, Counter[float]()
    while tick < utc(2026, 6, 8, 22):
        hour = hour_start(tick.timestamp(), BERLIN)
        granted = owed(50, used, tick, hourly_cap=10, used_this_hour=per_hour[hour], zone=zone, seed="inbox-7")
        assert granted <= 2  # at most two slots fall in 5 minutes when a share is 9.6 minutes
        used += granted
        per_hour[hour] += granted
        tick += TICK
    assert used == 50
    busy = {h: n for h, n in per_hour.items() if n}
    assert len(busy) in (8, 9) and max(busy.values()) <= 8
    office_hours = [per_hour[hour_start(utc(2026, 6, 8, 7 + n).timestamp(), BERLIN)] for n in range(8)]
    assert min(office_hours) >= 5
    assert slot_times(50, day, window=OFFICE, zone=zone, seed="inbox-7")[-1] < utc(2026, 6, 8, 15)
