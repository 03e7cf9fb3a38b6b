"""Cron Triggers emulation for the local runtime: which `triggers.crons` entries are due, evaluated in UTC.

Cloudflare parses crons with its Quartz-like `saffron` library: five fields, month and weekday names, `L`/`W`/`#`
extensions, and — unlike Unix cron — **numeric weekdays 1-7 with 1 = Sunday** (its docs: `0 17 * * 1` runs on
Sunday, `10 7 * * 2-6` on weekdays; 0 is rejected). `parse_cron` turns such an expression into the equivalent
`cronsim` one (explicit value lists, weekdays renumbered 0-6) so `cronsim` does the calendar work. Also as in
saffron: `?` means `*`, ranges may wrap (`FRI-MON`, `22-2`), `L` alone in the weekday field is Saturday, and
day-of-month and day-of-week are OR-ed when both are restricted (anything but a bare `*`). Not supported
locally (ValueError): `15W`, `L-3`, `L-3W`.

`CronSchedule.due()` returns the fire times in (last_checked, now] and persists `last_checked` in a tiny SQLite
file. The first start does not back-fill; a restart resumes from the stored value but never back-fills more
than `max_catch_up` seconds (default 60: at most the minute that was missed while restarting), so nothing fires
twice and a long outage is not replayed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from os import PathLike

from cronsim import CronSim, CronSimError

from local.clock import Clock, utc
from local.kv import open_sqlite

DAY_NAMES = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


@dataclass(frozen=True)
class _Field:
    name: str
    lo: int
    hi: int
    names: tuple[str, ...] = ()


_MINUTE = _Field("minute", 0, 59)
_HOUR = _Field("hour", 0, 23)
_DOM = _Field("day-of-month", 1, 31)
_MONTH = _Field("month", 1, 12, MONTH_NAMES)
_DOW = _Field("day-of-week", 1, 7, DAY_NAMES)  # Cloudflare numbering: 1 = SUN ... 7 = SAT


def _value(token: str, field: _Field) -> int:
    if token in field.names:
        return field.names.index(token) + field.lo
    if token.isdigit() and field.lo <= int(token) <= field.hi:
        return int(token)
    raise ValueError(f"bad {field.name} value {token!r} (allowed {field.lo}-{field.hi})")


def _expand_term(term: str, field: _Field) -> list[int]:
    """`*`, `a`, `a-b`, `*/s`, `a/s`, `a-b/s`; a range with a > b wraps around, as in saffron."""
    base, slash, step_text = term.partition("/")
    step = 1
    if slash:
        if not step_text.isdigit() or not 1 <= int(step_text) <= field.hi - field.lo:
            raise ValueError(f"bad {field.name} step {step_text!r}")
        step = int(step_text)
    if base == "*":
        start, end = field.lo, field.hi
    elif "-" in base:
        first, _, last = base.partition("-")
        start, end = _value(first, field), _value(last, field)
    else:
        start = _value(base, field)
        end = field.hi if slash else start
    values = range(start, end + 1) if start <= end else [*range(start, field.hi + 1), *range(field.lo, end + 1)]
    return list(values)[::step]


def _translate(text: str, field: _Field) -> str:
    if text in ("*", "?"):
        return "*"
    if field is _DOM and ("L" in text or "W" in text):
        return text  # L and LW are cronsim's too; other forms fail in cronsim and are reported as invalid
    if field is _DOW and ("L" in text or "#" in text):
        if text == "L":
            return "6"  # saffron: a bare L in the weekday field is Saturday
        day, sep, rest = text.partition("#") if "#" in text else (text.removesuffix("L"), "L", "")
        return f"{_value(day, field) - 1}{sep}{rest}"
    values = sorted({v for term in text.split(",") for v in _expand_term(term, field)})
    shift = -1 if field is _DOW else 0
    return ",".join(str(v + shift) for v in values)


@dataclass(frozen=True)
class CronExpression:
    """A validated Cloudflare cron expression; `normalized` is the equivalent cronsim expression."""

    expression: str
    normalized: str

    def iter_after(self, ts: float) -> Iterator[float]:
        """Fire times (epoch seconds, UTC) strictly after `ts`, ascending."""
        for dt in CronSim(self.normalized, utc(ts)):  # cronsim stops after 50 years without a match
            yield dt.timestamp()

    def next_after(self, ts: float) -> float | None:
        return next(self.iter_after(ts), None)

    def matches(self, ts: float) -> bool:
        """Whether the minute containing `ts` is a fire time."""
        minute = ts - ts % 60
        return self.next_after(minute - 1) == minute


def parse_cron(expression: str) -> CronExpression:
    """Validate a Cloudflare cron expression; ValueError (naming it) if Cloudflare or this emulation rejects it."""
    parts = expression.upper().split()
    try:
        if len(parts) != 5:
            raise ValueError(f"expected 5 fields, got {len(parts)}")
        fields = (_MINUTE, _HOUR, _DOM, _MONTH, _DOW)
        normalized = " ".join(_translate(part, field) for part, field in zip(parts, fields, strict=True))
        CronSim(normalized, datetime(2000, 1, 1, tzinfo=UTC))
    except (ValueError, CronSimError) as exc:
        raise ValueError(f"invalid cron expression {expression!r}: {exc}") from exc
    return CronExpression(expression, normalized)


_SCHEMA = "CREATE TABLE IF NOT EXISTS cron_state (id INTEGER PRIMARY KEY CHECK (id = 1), last_checked REAL NOT NULL)"


class CronSchedule:
    """The Worker's `triggers.crons`; `due()` says which fired since the last call."""

    def __init__(
        self,
        expressions: Sequence[str],
        clock: Clock,
        state_path: str | PathLike[str],
        *,
        max_catch_up: float = 60.0,
    ) -> None:
        self._clock = clock
        self._crons = [parse_cron(e) for e in dict.fromkeys(expressions)]
        self._db = open_sqlite(state_path)
        self._db.execute(_SCHEMA)
        now = clock.now()
        row = self._db.execute("SELECT last_checked FROM cron_state WHERE id = 1").fetchone()
        self._last = now if row is None else max(row[0], now - max_catch_up)
        self._save()

    @property
    def expressions(self) -> list[str]:
        return [c.expression for c in self._crons]

    @property
    def last_checked(self) -> float:
        return self._last

    def close(self) -> None:
        self._db.close()

    def due(self) -> list[tuple[str, float]]:
        """Every (expression, scheduled_time) with scheduled_time in (last_checked, now], in time order
        (ties in config order); then last_checked = now. A clock that went backwards yields nothing."""
        now = self._clock.now()
        if now <= self._last:
            return []
        fired: list[tuple[str, float]] = []
        for cron in self._crons:
            for ts in cron.iter_after(self._last):
                if ts > now:
                    break
                fired.append((cron.expression, ts))
        fired.sort(key=lambda item: item[1])
        self._last = now
        self._save()
        return fired

    def next_fire_time(self) -> float | None:
        """The earliest fire time after last_checked (≤ now means `due()` has something); None if never."""
        times = [t for c in self._crons if (t := c.next_after(self._last)) is not None]
        return min(times, default=None)

    def _save(self) -> None:
        self._db.execute(
            "INSERT INTO cron_state (id, last_checked) VALUES (1, ?) "
            "ON CONFLICT (id) DO UPDATE SET last_checked = excluded.last_checked",
            (self._last,),
        )
