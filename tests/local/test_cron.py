"""Cron triggers: Cloudflare's cron dialect (weekday names, 1 = Sunday), due() on a manual clock, restarts."""

from __future__ import annotations

import tomllib
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from local.clock import ManualClock
from local.cron import CronSchedule, parse_cron

WRANGLER_CRONS: list[str] = tomllib.loads((Path(__file__).parents[2] / "wrangler.toml").read_text())["triggers"][
    "crons"
]
PY_WEEKDAYS = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]  # datetime.weekday() order


def ts(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> float:
    return datetime(year, month, day, hour, minute, tzinfo=UTC).timestamp()


def simple_match(expression: str, when: datetime) -> bool:
    """Independent matcher for plain expressions: *, */n, a-b, lists, weekday names (no L/W/#, no wrapping)."""

    def values(text: str, lo: int, hi: int, names: list[str] | None = None) -> set[int]:
        def number(token: str) -> int:
            return names.index(token) if names and token in names else int(token)

        out: set[int] = set()
        for term in text.split(","):
            base, _, step = term.partition("/")
            first, last = (
                (lo, hi) if base == "*" else map(number, base.split("-")) if "-" in base else (number(base),) * 2
            )
            out.update(range(first, last + 1, int(step or 1)))
        return out

    minute, hour, dom, month, dow = expression.split()
    return (
        when.minute in values(minute, 0, 59)
        and when.hour in values(hour, 0, 23)
        and when.day in values(dom, 1, 31)
        and when.month in values(month, 1, 12)
        and when.weekday() in values(dow, 0, 6, PY_WEEKDAYS)
    )


def brute_force(expressions: list[str], start: float, end: float) -> list[tuple[str, float]]:
    """Every (expression, minute) in (start, end], minute by minute, in time then config order."""
    fires = []
    minute = datetime.fromtimestamp(start - start % 60, tz=UTC) + timedelta(minutes=1)
    while minute.timestamp() <= end:
        fires += [(e, minute.timestamp()) for e in expressions if simple_match(e, minute)]
        minute += timedelta(minutes=1)
    return fires


@pytest.fixture
def open_schedule(tmp_path: Path) -> Iterator[Callable[..., CronSchedule]]:
    opened: list[CronSchedule] = []

    def open_(expressions: list[str], clock: ManualClock, **kwargs: float) -> CronSchedule:
        opened.append(CronSchedule(expressions, clock, tmp_path / "cron.sqlite", **kwargs))
        return opened[-1]

    yield open_
    for schedule in opened:
        schedule.close()


# ---- the dialect


def test_weekday_names_and_cloudflare_numbering() -> None:
    mon_sat = parse_cron("*/5 * * * MON-SAT")
    assert mon_sat.matches(ts(2026, 1, 10, 12, 5))  # Saturday
    assert not mon_sat.matches(ts(2026, 1, 11, 12, 5))  # Sunday
    assert mon_sat.matches(ts(2026, 1, 12, 0, 0))  # Monday
    assert not mon_sat.matches(ts(2026, 1, 12, 0, 3))

    sunday = parse_cron("0 17 * * 1")  # Cloudflare: 1 = Sunday
    assert sunday.matches(ts(2026, 1, 11, 17, 0))
    assert not sunday.matches(ts(2026, 1, 12, 17, 0))
    assert parse_cron("0 17 * * sun").normalized == sunday.normalized
    weekdays = parse_cron("10 7 * * 2-6")
    assert weekdays.normalized == parse_cron("10 7 * * mon-fri").normalized
    assert weekdays.next_after(ts(2026, 1, 9, 8, 0)) == ts(2026, 1, 12, 7, 10)  # Friday → Monday


def test_steps_ranges_and_lists() -> None:
    off_hours = parse_cron("*/30 0-5,22-23 * * *")
    fires = []
    for t in off_hours.iter_after(ts(2026, 1, 5) - 1):
        if t >= ts(2026, 1, 6):
            break
        fires.append(datetime.fromtimestamp(t, tz=UTC).strftime("%H:%M"))
    assert fires == [f"{h:02d}:{m:02d}" for h in (0, 1, 2, 3, 4, 5, 22, 23) for m in (0, 30)]
    assert parse_cron("15 * * * *").next_after(ts(2026, 1, 5, 9, 15)) == ts(2026, 1, 5, 10, 15)
    assert parse_cron("0 0 * * FRI-MON").normalized == "0 0 * * 0,1,5,6"  # wraps, as in Cloudflare


def test_quartz_extensions() -> None:
    jan_1 = ts(2026, 1, 1)
    assert parse_cron("0 18 * * 6L").next_after(jan_1) == ts(2026, 1, 30, 18, 0)  # last Friday
    assert parse_cron("0 18 * * friL").next_after(jan_1) == ts(2026, 1, 30, 18, 0)
    assert parse_cron("59 23 LW * *").next_after(jan_1) == ts(2026, 1, 30, 23, 59)  # 31st is a Saturday
    assert parse_cron("0 9 * * 2#1").next_after(ts(2026, 1, 6)) == ts(2026, 2, 2, 9, 0)  # first Monday
    both = parse_cron("0 0 13 * FRI")  # day-of-month OR day-of-week when both are restricted
    assert both.next_after(jan_1) == ts(2026, 1, 2)
    assert both.next_after(ts(2026, 1, 12)) == ts(2026, 1, 13)


@pytest.mark.parametrize(
    "expression",
    ["* * * *", "* * * * * *", "60 * * * *", "* 24 * * *", "* * * * 0", "* * * * 8", "*/0 * * * *", "x * * * *"],
)
def test_invalid_expressions_name_themselves(expression: str) -> None:
    with pytest.raises(ValueError, match="invalid cron expression '" + expression.replace("*", r"\*")):
        parse_cron(expression)


def test_schedule_rejects_an_invalid_expression(open_schedule: Callable[..., CronSchedule]) -> None:
    with pytest.raises(ValueError, match="61 1"):
        open_schedule(["* * * * *", "61 1 * * *"], ManualClock())


# ---- due()


def test_due_over_a_simulated_weekend_matches_brute_force(open_schedule: Callable[..., CronSchedule]) -> None:
    clock = ManualClock(datetime(2026, 1, 9, 23, 59, 20, tzinfo=UTC))  # Friday night
    start = clock.now()
    schedule = open_schedule(WRANGLER_CRONS, clock)
    got: list[tuple[str, float]] = []
    while clock.now() < start + 2 * 86_400:
        clock.advance(433)  # irregular steps: several fires per call, never aligned to minutes
        got += schedule.due()
    expected = brute_force(WRANGLER_CRONS, start, clock.now())
    assert got == expected
    sends_per_weekday = Counter(datetime.fromtimestamp(t, tz=UTC).weekday() for e, t in got if e.startswith("*/5"))
    assert sends_per_weekday[5] == 24 * 12  # all of Saturday
    assert sends_per_weekday[6] == 0  # nothing on Sunday
    assert sends_per_weekday[0] > 0  # the last step ran into Monday morning


def test_one_big_jump_returns_everything_in_order(open_schedule: Callable[..., CronSchedule]) -> None:
    clock = ManualClock()  # Monday 09:00
    schedule = open_schedule(["0 7 * * *", "15 * * * *", "*/30 0-5,22-23 * * *"], clock)
    start = clock.now()
    clock.advance(86_400)
    got = schedule.due()
    assert got == brute_force(schedule.expressions, start, clock.now())
    assert [t for _, t in got] == sorted(t for _, t in got)
    assert ("0 7 * * *", ts(2026, 1, 6, 7, 0)) in got
    assert schedule.due() == []


def test_ties_keep_config_order(open_schedule: Callable[..., CronSchedule]) -> None:
    clock = ManualClock(datetime(2026, 1, 5, 6, 59, 30, tzinfo=UTC))
    schedule = open_schedule(["* * * * *", "0 7 * * *"], clock)
    clock.advance(30)
    assert schedule.due() == [("* * * * *", ts(2026, 1, 5, 7, 0)), ("0 7 * * *", ts(2026, 1, 5, 7, 0))]


def test_first_start_does_not_back_fill(open_schedule: Callable[..., CronSchedule]) -> None:
    clock = ManualClock(datetime(2026, 1, 5, 9, 0, 0, tzinfo=UTC))
    schedule = open_schedule(["* * * * *"], clock)
    assert schedule.due() == []  # 09:00 itself is not in (09:00, 09:00]
    assert schedule.next_fire_time() == ts(2026, 1, 5, 9, 1)
    clock.advance(60)
    assert schedule.due() == [("* * * * *", ts(2026, 1, 5, 9, 1))]


def test_restart_does_not_fire_twice(open_schedule: Callable[..., CronSchedule]) -> None:
    clock = ManualClock(datetime(2026, 1, 5, 9, 0, 30, tzinfo=UTC))
    first = open_schedule(["* * * * *"], clock)
    clock.advance(60)
    assert first.due() == [("* * * * *", ts(2026, 1, 5, 9, 1))]
    first.close()

    second = open_schedule(["* * * * *"], clock)  # restarted within the same minute
    assert second.due() == []
    clock.advance(60)
    assert second.due() == [("* * * * *", ts(2026, 1, 5, 9, 2))]


def test_restart_catches_up_only_the_last_minute(open_schedule: Callable[..., CronSchedule]) -> None:
    clock = ManualClock(datetime(2026, 1, 5, 9, 0, 30, tzinfo=UTC))
    open_schedule(["* * * * *"], clock).close()

    clock.advance(40)  # a quick restart: the 09:01 fire happened while down and is caught up
    assert open_schedule(["* * * * *"], clock).due() == [("* * * * *", ts(2026, 1, 5, 9, 1))]

    clock.advance(600)  # a long outage: only the last minute is caught up, not ten
    restarted = open_schedule(["* * * * *"], clock)
    assert restarted.due() == [("* * * * *", ts(2026, 1, 5, 9, 11))]


def test_next_fire_time(open_schedule: Callable[..., CronSchedule]) -> None:
    clock = ManualClock(datetime(2026, 1, 5, 9, 2, 0, tzinfo=UTC))
    schedule = open_schedule(["*/5 * * * MON-SAT", "0 3 * * *"], clock)
    assert schedule.next_fire_time() == ts(2026, 1, 5, 9, 5)
    clock.advance(180)
    assert schedule.next_fire_time() == ts(2026, 1, 5, 9, 5)  # ≤ now: due() has something
    assert schedule.due() == [("*/5 * * * MON-SAT", ts(2026, 1, 5, 9, 5))]
    assert schedule.next_fire_time() == ts(2026, 1, 5, 9, 10)
