"""Background import of 100,000 CSV rows on the local runtime (SQLite D1), beside a like-for-like raw baseline.

- The job: `POST /api/imports` (staging) plus every slice through the `imports` queue, rows/s end to end; the D1
  statements and round trips per 1,000 rows, counted in the D1 binding; `/live` latency while the slices run.
- The baseline: plain sqlite3 `executemany` of the same rows, already turned into columns, with their tag rows
  and timeline rows, into the same schema (indexes and FTS triggers), with the same id scheme as the job.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import random
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench.stats import percentile
from local.clock import ManualClock
from local.runtime import LocalRuntime
from local.server import create_dev_app
from shared.adapters.d1.sql_prospects import INSERT_PROSPECT, PROSPECT_COLUMNS
from shared.adapters.system import TimeOrderedIds
from shared.domain.normalize import fold
from shared.domain.prospect_records import new_record
from shared.domain.prospects import ProspectCreate

ROOT = Path(__file__).resolve().parent.parent
ROWS = 100_000
KEY = "bench_key_0123456789"
STATE_DIR = "jobs-state"  # bench/prospects.py reuses the imported prospects
CITIES = [("Munich", "Germany"), ("Florence", "Italy"), ("Valencia", "Spain"), ("Vienna", "Austria"),
          ("Lyon", "France"), ("Porto", "Portugal"), ("Cork", "Ireland"), ("Zurich", "Switzerland")]  # fmt: skip
TITLES = ["General Manager", "Director of Sales", "Owner", "Revenue Manager", "Front Office Manager", "Marketing Lead"]
FIRST = ["Anna", "Marco", "Elena", "James", "Sofia", "Lukas", "Chloé", "João", "Aoife", "Jonas"]
LAST = ["Fischer", "Rossi", "García", "O'Connor", "Dubois", "Silva", "Bauer", "Murphy", "Keller", "Moreau"]
INSERT_ACTIVITY = (
    "INSERT INTO activities (id, prospect_id, type, summary, data, actor, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
)
TAGS = ["spa", "golf", "boutique", "family", "city", "resort"]


def csv_lines(n: int, seed: int = 7) -> Iterator[str]:
    rng = random.Random(seed)
    yield "first_name,last_name,job_title,company_name,company_website,email,linkedin_profile_url,location,tags\r\n"
    for i in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        city, country = rng.choice(CITIES)
        company = f"Hotel {rng.choice(['Alpen', 'Mar', 'Sole', 'Park', 'Grand', 'Royal'])} {i}"
        domain = f"hotel{i}.example"
        tags = ";".join(rng.sample(TAGS, 2))
        yield (
            f"{first},{last},{rng.choice(TITLES)},{company},https://{domain},{fold(first)}.{i}@{domain},"
            f'https://www.linkedin.com/in/{fold(first)}-{i},"{city}, {country}",{tags}\r\n'
        )


async def upload(n: int, chunk_bytes: int = 256 * 1024) -> AsyncIterator[bytes]:
    buffer: list[str] = []
    size = 0
    for line in csv_lines(n):
        buffer.append(line)
        size += len(line)
        if size >= chunk_bytes:
            yield "".join(buffer).encode()
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode()


def generation_seconds(n: int) -> float:
    """CPU seconds spent making the upload's text, which the job's figure includes (the body is generated as sent)."""
    started = time.process_time()
    for _ in csv_lines(n):
        pass
    return time.process_time() - started


def executemany_rate(tmp: Path, n: int) -> tuple[float, float]:
    """The same rows as columns, tag rows and timeline rows, written by sqlite3.executemany (one transaction)."""
    db = sqlite3.connect(tmp / "raw-import.sqlite")
    for migration in sorted((ROOT / "migrations").glob("*.sql")):
        db.executescript(migration.read_text())
    now = datetime.fromtimestamp(ManualClock().now(), UTC)
    ids = TimeOrderedIds()  # the id scheme the job uses (bootstrap's IdFactory)
    prospects: list[tuple[object, ...]] = []
    tags: list[tuple[str, str]] = []
    activities: list[tuple[object, ...]] = []
    for row in csv.DictReader(io.StringIO("".join(csv_lines(n)))):
        city, _, country = row["location"].partition(", ")
        record = new_record(
            ProspectCreate(first_name=row["first_name"], last_name=row["last_name"], job_title=row["job_title"],
                           company_name=row["company_name"], website=row["company_website"], email=row["email"],
                           linkedin_url=row["linkedin_profile_url"], city=city, country=country,
                           tags=row["tags"].split(";")),
            prospect_id=ids.new_id(), now=now,
        )  # fmt: skip
        values = record.columns()
        values["tags"] = json.dumps(values["tags"])
        values["email_is_role"] = int(values["email_is_role"])
        values["archived"] = int(values["archived"])
        prospects.append((*(values[c] for c in PROSPECT_COLUMNS), f"import:job:{len(prospects)}"))
        tags += [(tag, record.id) for tag in record.tags]
        activities.append((ids.new_id(), record.id, "imported", "Imported from CSV", "{}", None, now.isoformat()))
    started, cpu = time.perf_counter(), time.process_time()
    with db:
        db.executemany(INSERT_PROSPECT, prospects)
        db.executemany("INSERT OR IGNORE INTO prospect_tags (tag, prospect_id) VALUES (?, ?)", tags)
        db.executemany(INSERT_ACTIVITY, activities)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    db.close()
    return n / elapsed, n / cpu


async def run(tmp: Path, figure: Callable[[str], None], rows: int = ROWS) -> None:
    runtime = await LocalRuntime(
        ROOT, state_dir=tmp / STATE_DIR, clock=ManualClock(),
        extra_vars={"API_KEY": KEY, "RATE_LIMIT_ENABLED": "false", "MAX_IMPORT_BYTES": str(200 * 1024 * 1024),
                    "LOG_LEVEL": "error", "APP_ENV": "test", "ENRICH_ON_CREATE": "false"},
    ).start(migrate=True)  # fmt: skip
    auth = {"Authorization": f"Bearer {KEY}"}
    try:
        assert runtime.env is not None
        counts = runtime.env.DB.counts
        transport = httpx.ASGITransport(app=create_dev_app(runtime))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8787", timeout=None) as client:
            await client.get("/live")
            before = (counts.statements, counts.round_trips)
            started, cpu = time.perf_counter(), time.process_time()
            response = await client.post(
                "/api/imports", content=upload(rows), headers={**auth, "Content-Type": "text/csv"}
            )
            staged = time.perf_counter() - started
            job_id = response.json()["id"]
            drain = asyncio.create_task(runtime.drain(max_rounds=100_000))
            live: list[float] = []
            while not drain.done():
                t0 = time.perf_counter()
                await client.get("/live")
                live.append((time.perf_counter() - t0) * 1000)
                await asyncio.sleep(0.05)
            await drain
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            statements, trips = counts.statements - before[0], counts.round_trips - before[1]
            report = (await client.get(f"/api/imports/{job_id}", headers=auth)).json()
    finally:
        await runtime.close()
    rate, cpu_rate = rows / elapsed, rows / cpu
    raw_rate, raw_cpu_rate = executemany_rate(tmp, rows)
    generated = generation_seconds(rows)
    figure(
        f"import job {rows:,} rows         {rate:9.0f} rows/s  ({elapsed:.1f} s, staging {staged:.1f} s; "
        f"{report['state']}, created {report['created']:,}); per CPU second {cpu_rate:.0f} rows"
    )
    figure(f"  of which generating the upload's CSV text: {generated:.1f} s of CPU (counted against the job)")
    figure(
        f"  raw executemany (+tags, +activities) {raw_rate:7.0f} rows/s; per CPU second {raw_cpu_rate:.0f} rows"
        f"  (job/raw ratio {rate / raw_rate:.2f}; by CPU time {cpu_rate / raw_cpu_rate:.2f})"
    )
    figure(
        f"  D1 per 1,000 rows: {statements * 1000 / rows:.1f} statements, {trips * 1000 / rows:.1f} round trips"
        f"  (staging and slices; {statements:,} statements in all)"
    )
    if live:
        p50, p99 = percentile(live, 0.5), percentile(live, 0.99)
        figure(f"  /live during the job: n={len(live)} p50 {p50:.1f} ms  p99 {p99:.1f} ms  max {max(live):.1f} ms")
