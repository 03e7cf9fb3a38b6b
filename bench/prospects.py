"""Prospect benchmarks at 100,000 prospects on the local runtime (SQLite D1):

- CSV import of 100,000 rows through the API: rows/s, and the ratio to a plain `executemany` of the same rows
  into the same table (the database's raw write speed).
- A filtered + sorted list page and a full-text search page through the API: p50/p95, and the ratio to the same
  SQL run directly on SQLite.
"""

from __future__ import annotations

import csv
import io
import random
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import httpx

from bench.stats import percentile, timed
from local.clock import ManualClock
from local.runtime import LocalRuntime
from local.server import create_dev_app
from shared.adapters.d1.prospect_queries import build_list_query
from shared.adapters.d1.sql_prospects import INSERT_PROSPECT, PROSPECT_COLUMNS
from shared.domain.normalize import fold
from shared.domain.prospect_query import ProspectQuery, SortKey, search_terms
from shared.domain.prospect_records import new_record
from shared.domain.prospects import ProspectCreate, Stage

ROOT = Path(__file__).resolve().parent.parent
ROWS = 100_000
KEY = "bench_key_0123456789"
CITIES = [("Munich", "Germany"), ("Florence", "Italy"), ("Valencia", "Spain"), ("Vienna", "Austria"),
          ("Lyon", "France"), ("Porto", "Portugal"), ("Cork", "Ireland"), ("Zurich", "Switzerland")]  # fmt: skip
TITLES = ["General Manager", "Director of Sales", "Owner", "Revenue Manager", "Front Office Manager", "Marketing Lead"]
FIRST = ["Anna", "Marco", "Elena", "James", "Sofia", "Lukas", "Chloé", "João", "Aoife", "Jonas"]
LAST = ["Fischer", "Rossi", "García", "O'Connor", "Dubois", "Silva", "Bauer", "Murphy", "Keller", "Moreau"]


def csv_lines(n: int, seed: int = 7) -> Iterator[str]:
    rng = random.Random(seed)
    yield "first_name,last_name,job_title,company_name,company_website,email,linkedin_profile_url,location\r\n"
    for i in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        city, country = rng.choice(CITIES)
        company = f"Hotel {rng.choice(['Alpen', 'Mar', 'Sole', 'Park', 'Grand', 'Royal'])} {i}"
        domain = f"hotel{i}.example"
        yield (
            f"{first},{last},{rng.choice(TITLES)},{company},https://{domain},{fold(first)}.{i}@{domain},"
            f'https://www.linkedin.com/in/{fold(first)}-{i},"{city}, {country}"\r\n'
        )


def body_chunks(n: int, chunk_bytes: int = 256 * 1024) -> Iterator[bytes]:
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


async def upload(n: int) -> AsyncIterator[bytes]:
    for chunk in body_chunks(n):
        yield chunk


def executemany_rate(tmp: Path, n: int) -> float:
    """The same rows, already turned into columns, written by sqlite3.executemany into the same schema."""
    db = sqlite3.connect(tmp / "raw.sqlite")
    for migration in sorted((ROOT / "migrations").glob("*.sql")):
        db.executescript(migration.read_text())
    reader = csv.DictReader(io.StringIO("".join(csv_lines(n))))
    now = datetime.fromtimestamp(ManualClock().now(), UTC)
    rows = []
    for i, row in enumerate(reader):
        city, _, country = row["location"].partition(", ")
        record = new_record(
            ProspectCreate(first_name=row["first_name"], last_name=row["last_name"], job_title=row["job_title"],
                           company_name=row["company_name"], website=row["company_website"], email=row["email"],
                           linkedin_url=row["linkedin_profile_url"], city=city, country=country),
            prospect_id=f"p{i}", now=now,
        )  # fmt: skip
        values = record.columns()
        values["tags"] = "[]"
        values["email_is_role"] = int(values["email_is_role"])
        values["archived"] = int(values["archived"])
        rows.append((*(values[c] for c in PROSPECT_COLUMNS), "t"))
    started = time.perf_counter()
    with db:
        db.executemany(INSERT_PROSPECT, rows)
    elapsed = time.perf_counter() - started
    db.close()
    return n / elapsed


async def run(tmp: Path, figure: Callable[[str], None]) -> None:
    runtime = await LocalRuntime(
        ROOT, state_dir=tmp / "state", clock=ManualClock(),
        extra_vars={"API_KEY": KEY, "RATE_LIMIT_ENABLED": "false", "MAX_IMPORT_BYTES": str(200 * 1024 * 1024),
                    "LOG_LEVEL": "error", "APP_ENV": "test"},
    ).start(migrate=True)  # fmt: skip
    auth = {"Authorization": f"Bearer {KEY}"}
    try:
        transport = httpx.ASGITransport(app=create_dev_app(runtime))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8787", timeout=None) as client:
            started = time.perf_counter()
            response = await client.post(
                "/api/prospects/import", content=upload(ROWS), headers={**auth, "Content-Type": "text/csv"}
            )
            elapsed = time.perf_counter() - started
            report = response.json()
            rate = ROWS / elapsed
            raw_rate = executemany_rate(tmp, ROWS)
            figure(
                f"import {ROWS:,} rows via API    {rate:9.0f} rows/s  ({elapsed:.1f} s; created {report['created']:,})"
            )
            figure(f"  plain executemany          {raw_rate:9.0f} rows/s  (import/raw ratio {rate / raw_rate:.2f})")

            db_path = runtime.state_dir / "d1" / "jengu" / "d1.sqlite"
            direct = sqlite3.connect(db_path)
            cases: list[tuple[str, dict[str, str | int], ProspectQuery]] = [
                ("filter+sort", {"stage": "new", "country": "DE", "sort": "-score", "limit": 50},
                 ProspectQuery(stages=(Stage.NEW,), countries=("DE",), sort=SortKey.SCORE_DESC, limit=50)),
                ("search", {"q": "sofia munich", "limit": 50},
                 ProspectQuery(search_terms=search_terms("sofia munich"), limit=50)),
            ]  # fmt: skip
            for name, params, query in cases:
                api = await timed(200, partial(client.get, "/api/prospects", params=params, headers=auth))
                built = build_list_query(query)
                sql_samples = []
                for _ in range(200):
                    t0 = time.perf_counter()
                    direct.execute(built.sql, built.params).fetchall()
                    sql_samples.append((time.perf_counter() - t0) * 1000)
                a50, a95 = percentile(api, 0.5), percentile(api, 0.95)
                s50, s95 = percentile(sql_samples, 0.5), percentile(sql_samples, 0.95)
                figure(f"list {name:12} API p50 {a50:6.2f} ms p95 {a95:6.2f} ms | SQLite p50 {s50:6.2f} ms "
                       f"p95 {s95:6.2f} ms | p95 ratio {a95 / max(s95, 1e-6):.1f}x")  # fmt: skip
            for name, _, query in cases:
                built = build_list_query(query)
                plan = "; ".join(str(r[-1]) for r in direct.execute("EXPLAIN QUERY PLAN " + built.sql, built.params))
                figure(f"  plan {name}: {plan}")
            direct.close()
    finally:
        await runtime.close()
