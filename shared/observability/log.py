"""One JSON log line per event: level, message, component, trace_id, span, duration_ms, error (+ extra fields).

Workers Logs parses JSON lines written to stdout; the local runtime prints the same lines. A `Logger` is cheap and
immutable: `bind()` returns a copy with more context (another component, a trace id), so the trace id travels from
the HTTP request into the envelope, the consumer, the Durable Object call and every line in between.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

LEVELS = {"debug": 10, "info": 20, "warning": 30, "error": 40}

Sink = Callable[[str], None]


def _stdout(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class Logger:
    def __init__(
        self,
        component: str,
        *,
        trace_id: str | None = None,
        level: str = "info",
        sink: Sink = _stdout,
        fields: dict[str, Any] | None = None,
    ) -> None:
        self.component = component
        self.trace_id = trace_id
        self.level = level if level in LEVELS else "info"
        self._sink = sink
        self._fields = dict(fields or {})

    def bind(self, component: str | None = None, trace_id: str | None = None, **fields: Any) -> Logger:
        return Logger(
            component or self.component,
            trace_id=trace_id or self.trace_id,
            level=self.level,
            sink=self._sink,
            fields={**self._fields, **fields},
        )

    def log(self, level: str, message: str, **fields: Any) -> None:
        if LEVELS.get(level, 20) < LEVELS[self.level]:
            return
        record: dict[str, Any] = {
            "ts": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "level": level,
            "message": message,
            "component": self.component,
            "trace_id": self.trace_id,
        }
        extra = {**self._fields, **fields}
        record.update((k, v) for k, v in extra.items() if k not in record)  # the schema's keys cannot be overwritten
        self._sink(json.dumps(record, default=str, separators=(",", ":")))

    def debug(self, message: str, **fields: Any) -> None:
        self.log("debug", message, **fields)

    def info(self, message: str, **fields: Any) -> None:
        self.log("info", message, **fields)

    def warning(self, message: str, **fields: Any) -> None:
        self.log("warning", message, **fields)

    def error(self, message: str, **fields: Any) -> None:
        self.log("error", message, **fields)

    @asynccontextmanager
    async def span(self, name: str, **fields: Any) -> AsyncIterator[dict[str, Any]]:
        """Time a unit of work; logs one line at the end with duration_ms, and error if it raised.

        The yielded dict collects extra fields to add to the closing line.
        """
        extra: dict[str, Any] = {}
        started = time.perf_counter()
        try:
            yield extra
        except BaseException as exc:
            self.error(
                f"{name} failed",
                span=name,
                duration_ms=round((time.perf_counter() - started) * 1000, 3),
                error=f"{type(exc).__name__}: {exc}",
                **fields,
                **extra,
            )
            raise
        self.info(
            f"{name} done",
            span=name,
            duration_ms=round((time.perf_counter() - started) * 1000, 3),
            **fields,
            **extra,
        )
