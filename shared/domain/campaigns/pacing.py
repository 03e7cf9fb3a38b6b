"""Inbox pacing: each inbox's daily allowance spread evenly over its sending hours, with bounded deterministic jitter.

The inbox's hours (in its own zone) are one interval of real time per local date, resolved like send windows
(`schedule.day_interval`: a DST gap opens at the transition, the repeated fall-back hour counts once, in real time).
The interval is cut into `allowance` equal shares; slot i sits at the centre of share i, moved by a jitter of at most
±40 % of a share derived from sha256(seed, day, i). Never random: the same inbox (seed), day and allowance always
give the same slots, and since a slot never leaves its own share, two slots never swap or collide.

`due_now` turns slots into what a tick may reserve: the slots due by `now`, minus what the inbox used today (sent +
reserved, as WarmupManager counts them), clamped to what the hourly cap leaves this hour. A slot a late tick missed
stays owed for the rest of the local day (catch-up), but never faster than the hourly cap.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from shared.domain.campaigns.schedule import as_utc, check_hours, day_interval, zone_info

_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class PacingWindow:
    """The inbox's own sending hours, in the inbox's timezone, every day (`schedule.END_OF_DAY` for 24:00)."""

    start: time
    end: time

    def __post_init__(self) -> None:
        check_hours(self.start, self.end)


def _micros(span: timedelta) -> int:
    return span // _MICROSECOND


def _jitter(seed: str, day: date, index: int, reach: int) -> int:
    """A deterministic offset in [-reach, reach] microseconds for slot `index` of `day`."""
    digest = hashlib.sha256(f"{seed}\x1f{day.isoformat()}\x1f{index}".encode()).digest()
    return (int.from_bytes(digest[:8], "big") * (2 * reach + 1) >> 64) - reach


class _Slots:
    """The slots of one day as offsets (µs) from the window's opening; computed one at a time, on demand."""

    __slots__ = ("count", "day", "opens", "seed", "span")

    def __init__(self, allowance: int, day: date, window: PacingWindow, tz: tzinfo, seed: str) -> None:
        if isinstance(allowance, bool) or not isinstance(allowance, int) or allowance < 0:
            raise ValueError(f"an allowance is a whole number >= 0, got {allowance!r}")
        self.opens, closes = day_interval(day, window.start, window.end, tz)
        self.span = max(_micros(closes - self.opens), 0)
        self.count = min(allowance, self.span)  # a share is at least 1 µs (only a window DST shrank to ~0 is short)
        self.day, self.seed = day, seed

    def offset(self, index: int) -> int:
        span, count = self.span, self.count
        low, high = span * index // count, span * (index + 1) // count  # share `index` is [low, high)
        centre = span * (2 * index + 1) // (2 * count)
        reach = span * 2 // (5 * count)  # 40 % of a share
        return min(max(centre + _jitter(self.seed, self.day, index, reach), low), high - 1)

    def at(self, index: int) -> datetime:
        return self.opens + timedelta(microseconds=self.offset(index))

    def due_by(self, instant: datetime) -> int:
        """How many slots lie at or before `instant` (slots are increasing: a bisection, log2(count) hashes)."""
        low, high = 0, self.count  # slots [0, low) are due, [high, count) are not
        while low < high:
            middle = (low + high) // 2
            if self.at(middle) <= instant:
                low = middle + 1
            else:
                high = middle
        return low


def slot_times(allowance: int, day: date, *, window: PacingWindow, zone: str, seed: str) -> list[datetime]:
    """`allowance` UTC instants on local date `day`, sorted and distinct, inside the window's interval [opens,
    closes). Fewer only when the window has fewer microseconds than that (none when DST removes it entirely)."""
    slots = _Slots(allowance, day, window, zone_info(zone), seed)
    return [slots.at(index) for index in range(slots.count)]


def due_now(
    allowance: int,
    used_today: int,
    now: datetime,
    *,
    window: PacingWindow,
    zone: str,
    seed: str,
    hourly_cap: int | None,
    used_this_hour: int,
) -> int:
    """How many sends the inbox may reserve at `now` (aware): slots due by now on its local date, minus `used_today`
    (sent + reserved), clamped to what `hourly_cap` (None: no cap) leaves after `used_this_hour`; never negative."""
    instant = as_utc(now, "now")
    tz = zone_info(zone)
    slots = _Slots(allowance, instant.astimezone(tz).date(), window, tz, seed)
    owed = slots.due_by(instant) - max(used_today, 0)
    if hourly_cap is not None:
        owed = min(owed, hourly_cap - max(used_this_hour, 0))
    return max(owed, 0)
