"""What the CLI prints: Rich tables for people, the API's JSON for scripts (`--json`), one-line errors, progress.

Results go to stdout; errors and progress to stderr (so `--json` output stays parseable while a bar runs). Colours
and control characters only reach a terminal: a stream that is not a TTY, or `NO_COLOR` set, gets plain text, and
progress becomes periodic lines such as `import: 1200/5000 rows (24%), 830 rows/s, ETA 5 s`.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol, TextIO

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

from cli.client import CliError

Clock = Callable[[], float]
PLAIN_WIDTH = 160  # tables written to a file or pipe are this wide (COLUMNS overrides)
ID = re.compile(r"^[0-9a-f]{32}$")  # Jengu's ids: the `id` column is not wrapped, so an id can be copied...
WHOLE_IDS_FROM = 100  # ...on a console at least this wide (narrower, every column folds anyway)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return ", ".join(cell(v) for v in value) or "-"
    if isinstance(value, dict):
        return ", ".join(f"{k}={cell(v)}" for k, v in value.items()) or "-"
    return str(value)


def duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def size(n: float) -> str:
    for unit in ("B", "KiB", "MiB"):
        if n < 1024 or unit == "MiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"  # pragma: no cover


class Reporter(Protocol):
    def update(self, done: float, total: float | None = None) -> None: ...
    def close(self) -> None: ...


class PlainProgress:
    """Periodic plain lines: at most one per `every_s` of the clock, plus the first and the last."""

    def __init__(self, stream: TextIO, label: str, unit: str, clock: Clock, *, every_s: float = 2.0,
                 formatter: Callable[[float], str] | None = None) -> None:  # fmt: skip
        self._stream, self._label, self._unit, self._clock, self._every = stream, label, unit, clock, every_s
        self._fmt = formatter or (lambda n: f"{n:.0f}")
        self._start: tuple[float, float] | None = None
        self._last_line_at: float | None = None
        self._last: tuple[float, float | None] | None = None
        self._printed: tuple[float, float | None] | None = None

    def line(self, done: float, total: float | None, now: float) -> str:
        unit = f" {self._unit}" if self._unit else ""
        text = f"{self._label}: {self._fmt(done)}"
        text += f"/{self._fmt(total)}{unit} ({min(100, int(100 * done / total))}%)" if total else unit
        assert self._start is not None
        elapsed, moved = now - self._start[0], done - self._start[1]
        if elapsed > 0 and moved > 0:
            rate = moved / elapsed
            text += f", {self._fmt(rate)}{unit}/s"
            if total and done < total:
                text += f", ETA {duration((total - done) / rate)}"
        return text

    def update(self, done: float, total: float | None = None) -> None:
        now = self._clock()
        if self._start is None:
            self._start = (now, done)
        self._last = (done, total)
        due = self._last_line_at is None or now - self._last_line_at >= self._every or bool(total and done >= total)
        if due and self._printed != self._last:
            self._stream.write(self.line(done, total, now) + "\n")
            self._stream.flush()
            self._printed, self._last_line_at = self._last, now

    def close(self) -> None:
        if self._last is not None and self._printed != self._last:
            self._stream.write(self.line(*self._last, self._clock()) + "\n")
            self._stream.flush()


class RichProgress:
    """A live bar on a terminal: done/total, rate and time left."""

    def __init__(self, console: Console, label: str, unit: str, clock: Clock) -> None:
        self._progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), TaskProgressColumn(),
            TextColumn("{task.fields[count]}"), TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(), console=console, get_time=clock, transient=False,
        )  # fmt: skip
        self._unit, self._clock = unit, clock
        self._task = self._progress.add_task(label, total=None, rate="", count="")
        self._start: tuple[float, float] | None = None
        self._progress.start()

    def update(self, done: float, total: float | None = None) -> None:
        now = self._clock()
        self._start = self._start or (now, done)
        elapsed, moved = now - self._start[0], done - self._start[1]
        rate = f"{moved / elapsed:,.0f} {self._unit}/s" if elapsed > 0 and moved > 0 else ""
        count = f"{done:,.0f}/{total:,.0f} {self._unit}" if total else f"{done:,.0f} {self._unit}"
        self._progress.update(self._task, completed=done, total=total, rate=rate, count=count.strip())

    def close(self) -> None:
        self._progress.stop()


class Output:
    """Where one invocation prints. `json_mode`: results as JSON, exactly what the API answered."""

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None, *, json_mode: bool = False,
                 env: Mapping[str, str] | None = None, clock: Clock | None = None) -> None:  # fmt: skip
        import time

        env = os.environ if env is None else env
        self.out, self.err = out or sys.stdout, err or sys.stderr
        self.json_mode = json_mode
        self.clock: Clock = clock or time.monotonic
        no_color = bool(env.get("NO_COLOR"))
        width = int(env["COLUMNS"]) if env.get("COLUMNS", "").isdigit() else None
        self.console = self._console(self.out, no_color, width)
        self.err_console = self._console(self.err, no_color, width)

    @staticmethod
    def _console(stream: TextIO, no_color: bool, width: int | None) -> Console:
        tty = _isatty(stream)
        return Console(
            file=stream, force_terminal=tty, no_color=no_color or not tty, color_system="auto" if tty else None,
            highlight=False, emoji=False, width=width or (None if tty else PLAIN_WIDTH), soft_wrap=not tty,
        )  # fmt: skip

    # -- results -------------------------------------------------------------------------------------------------
    def json(self, data: Any) -> None:
        self.out.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
        self.out.flush()

    def text(self, message: str) -> None:
        self.console.print(message, markup=False)

    def note(self, message: str) -> None:
        """Something for the person running the command, never part of the result (stderr)."""
        self.err_console.print(message, markup=False)

    def table(self, columns: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str | None = None) -> None:
        table = Table(title=title, title_justify="left", header_style="bold")
        texts = [[cell(v) for v in row] for row in rows]
        for index, name in enumerate(columns):
            values = [row[index] for row in texts if index < len(row) and row[index] != "-"]
            ids = (
                name == "id"
                and self.console.width >= WHOLE_IDS_FROM
                and bool(values)
                and all(ID.match(v) for v in values)
            )
            table.add_column(name, overflow="fold", no_wrap=ids, min_width=32 if ids else None)
        for row in texts:
            table.add_row(*row)
        self.console.print(table)

    def fields(self, pairs: Iterable[tuple[str, Any]], *, title: str | None = None) -> None:
        table = Table(title=title, title_justify="left", show_header=False)
        table.add_column(style="bold")
        table.add_column(overflow="fold")
        for name, value in pairs:
            table.add_row(name, cell(value))
        self.console.print(table)

    def result(self, data: Any, render: Callable[[], None]) -> None:
        """`--json`: the API's JSON; otherwise `render()`."""
        if self.json_mode:
            self.json(data)
        else:
            render()

    # -- errors and progress -------------------------------------------------------------------------------------
    def error(self, error: CliError) -> None:
        self.err.write(error.line() + "\n")
        self.err.flush()

    def progress(self, label: str, unit: str, *, formatter: Callable[[float], str] | None = None,
                 every_s: float = 2.0) -> Reporter:  # fmt: skip
        if _isatty(self.err):
            return RichProgress(self.err_console, label, unit, self.clock)
        return PlainProgress(self.err, label, unit, self.clock, every_s=every_s, formatter=formatter)
