"""`make bench`: the local runtime's hot paths, with ratios to the raw operation underneath.

- HTTP: /live and /health latency (p50/p95) through the dev server's ASGI app and the Worker's fetch.
- Queues: envelopes/s through the durable broker and the real consumer dispatch, vs the broker alone.
- D1: rows/s written through the D1 adapter (chunked batches under the 100-parameter cap) vs sqlite3 executemany.
- Import jobs: 100,000 CSV rows as a background job vs raw executemany, D1 statements per 1,000 rows
  (bench/import_jobs.py); list/search latency over those prospects (bench/prospects.py).
- Sending: emails/s through tick + compose + send to the local SMTP sink vs a plain SMTP loop (bench/sending.py).
- Enrichment: 200 hotels imported and enriched against the local fakes, provider calls and cost per prospect, coverage
  against what the world allows, vs the same HTTP round trips sent directly with httpx (bench/enrichment.py).
- Inbound: messages parsed and classified per second over the test corpora vs the stdlib parser (bench/inbound.py).
- Scheduler: one sending tick over 1,000,000 enrollments (1,000 due) and template drafts/s (bench/scheduler.py).
- Startup: CPU time of importing the bundle's entry module from source vs `import fastapi` (bench/startup.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import platform
import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import httpx

from bench import enrichment, import_jobs, inbound, prospects, scheduler, sending, startup
from bench.stats import percentile, timed
from local.clock import ManualClock
from local.d1 import LocalD1
from local.queues import MessageBatch
from local.runtime import LocalRuntime
from local.server import create_dev_app
from shared.adapters.d1.client import D1Client, Query
from shared.messages.envelope import Envelope

ROOT = Path(__file__).resolve().parent.parent
FIGURES: list[str] = []


def figure(line: str) -> None:
    FIGURES.append(line)


async def bench_http(runtime: LocalRuntime) -> None:
    transport = httpx.ASGITransport(app=create_dev_app(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8787") as client:
        await client.get("/live")
        for path, n in (("/live", 500), ("/health", 200)):
            samples = await timed(n, partial(client.get, path))
            p50, p95 = percentile(samples, 0.5), percentile(samples, 0.95)
            figure(f"http {path:8} n={n:4}  p50 {p50:6.2f} ms  p95 {p95:6.2f} ms")


def envelope(n: int) -> str:
    return Envelope(
        id=f"bench-{n}",
        type="inbound.received",
        version=1,
        trace_id="bench",
        created_at=datetime(2026, 1, 5, tzinfo=UTC),
        payload={"inbound_id": f"missing-{n}"},
    ).encode()


async def bench_queues(runtime: LocalRuntime) -> None:
    assert runtime.env is not None and runtime.broker is not None
    n = 2000
    # Baseline: the broker alone, with a consumer that only acks.
    for i in range(n):
        await runtime.env.EVENTS_QUEUE.send(envelope(i))

    async def ack_all(batch: MessageBatch) -> None:
        batch.ackAll()

    started = time.perf_counter()
    while await runtime.broker.deliver_due(ack_all, flush=True):
        pass
    raw_rate = n / (time.perf_counter() - started)
    # Through the Worker: decode, dispatch, record a failed task in D1 (one write per message), ack.
    for i in range(n):
        await runtime.env.DLQ_QUEUE.send(envelope(i))
    started = time.perf_counter()
    await runtime.drain()
    worker_rate = n / (time.perf_counter() - started)
    figure(f"queue broker only (ack)      {raw_rate:9.0f} msg/s")
    figure(f"queue dlq -> failed_tasks     {worker_rate:9.0f} msg/s  (ratio to broker {worker_rate / raw_rate:.2f})")


async def bench_d1(tmp: Path) -> None:
    rows = [(f"id-{i}", "q", 1, "error text", f"2026-01-05T09:{i % 60:02d}:00") for i in range(20_000)]
    sql = "INSERT INTO t (id, queue, attempts, last_error, failed_at) VALUES "
    ddl = "CREATE TABLE t (id TEXT PRIMARY KEY, queue TEXT, attempts INTEGER, last_error TEXT, failed_at TEXT)"

    raw = sqlite3.connect(tmp / "raw.sqlite")
    raw.execute(ddl)
    started = time.perf_counter()
    with raw:
        raw.executemany(sql + "(?, ?, ?, ?, ?)", rows)
    raw_rate = len(rows) / (time.perf_counter() - started)
    raw.close()

    db = LocalD1(tmp / "d1.sqlite")
    await db.exec(ddl)
    client = D1Client(db)
    per_statement = 100 // 5  # rows per INSERT under the 100-parameter cap
    started = time.perf_counter()
    queries = [
        Query(sql + ", ".join(["(?, ?, ?, ?, ?)"] * len(chunk)), tuple(v for row in chunk for v in row))
        for chunk in (rows[i : i + per_statement] for i in range(0, len(rows), per_statement))
    ]
    for i in range(0, len(queries), 50):  # 50 statements (1,000 rows) per atomic batch
        await client.batch(queries[i : i + 50])
    d1_rate = len(rows) / (time.perf_counter() - started)
    await db.close()
    figure(f"d1 sqlite executemany        {raw_rate:9.0f} rows/s")
    figure(f"d1 adapter, chunked batches  {d1_rate:9.0f} rows/s  (ratio to executemany {d1_rate / raw_rate:.2f})")


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        runtime = await LocalRuntime(ROOT, state_dir=Path(tmp) / "state", clock=ManualClock()).start(migrate=True)
        try:
            with contextlib.redirect_stdout(io.StringIO()):  # the Worker's JSON logs would bury the figures
                await bench_http(runtime)
                await bench_queues(runtime)
        finally:
            await runtime.close()
        await bench_d1(Path(tmp))
        with contextlib.redirect_stdout(io.StringIO()):
            await import_jobs.run(Path(tmp), figure)  # leaves 100,000 prospects for the list benchmarks
            await prospects.run(Path(tmp), figure)
            await scheduler.run(Path(tmp), figure)
            await sending.run(Path(tmp), figure)
            await enrichment.run(Path(tmp), figure)
        inbound.run(figure)
    startup.run(figure)  # fresh interpreters, after the rest so their load does not skew it
    print("\n".join(FIGURES))
    print(f"(python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cpus)")


if __name__ == "__main__":
    asyncio.run(main())
