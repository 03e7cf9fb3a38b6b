"""Prospect list benchmarks at 100,000 prospects on the local runtime (SQLite D1): a filtered + sorted list page
and a full-text search page through the API, p50/p95, and the ratio to the same SQL run directly on SQLite.

The 100,000 prospects are those `bench/import_jobs.py` imported (its state directory is reused; run alone, this
imports them first). The import's own figures are that module's.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import httpx

from bench import import_jobs
from bench.stats import percentile, timed
from local.clock import ManualClock
from local.runtime import LocalRuntime
from local.server import create_dev_app
from shared.adapters.d1.prospect_queries import build_list_query
from shared.domain.prospect_query import ProspectQuery, SortKey, search_terms
from shared.domain.prospects import Stage

ROOT = Path(__file__).resolve().parent.parent
KEY = "bench_key_0123456789"


async def run(tmp: Path, figure: Callable[[str], None]) -> None:
    if not (tmp / import_jobs.STATE_DIR).exists():
        await import_jobs.run(tmp, lambda _line: None)
    runtime = await LocalRuntime(
        ROOT, state_dir=tmp / import_jobs.STATE_DIR, clock=ManualClock(),
        extra_vars={"API_KEY": KEY, "RATE_LIMIT_ENABLED": "false", "ENRICH_ON_CREATE": "false", "LOG_LEVEL": "error",
                    "APP_ENV": "test"},
    ).start(migrate=True)  # fmt: skip
    auth = {"Authorization": f"Bearer {KEY}"}
    try:
        transport = httpx.ASGITransport(app=create_dev_app(runtime))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8787", timeout=None) as client:
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
