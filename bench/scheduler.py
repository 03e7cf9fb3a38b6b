"""Scheduler and composition benchmarks on the local runtime (SQLite D1).

- One sending tick over 1,000,000 enrollments of which 1,000 are due: wall time, the time spent inside D1 calls,
  the D1 statements it sent, and the rows its due read visits (SQLite VM steps of that statement) against a read of
  the same due set without the index (a full scan) — work must follow the due set, not the table.
- Template composition: drafts per second through render + clean + validate (the compose consumer's CPU part), with
  the ratio to `str.format` of the same text as the raw baseline.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from local.clock import ManualClock
from local.runtime import LocalRuntime
from shared.adapters.d1.sql_enrollments import DUE
from shared.bootstrap import bootstrap

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)  # a Wednesday
PROSPECTS = 1_000
CAMPAIGNS = 1_000  # 1,000 x 1,000 = 1,000,000 enrollments
DUE_ROWS = 1_000


class _TimedD1:
    """Wraps the local D1 binding: time spent awaiting it, and statements sent."""

    def __init__(self, inner: Any) -> None:
        self._inner, self.seconds, self.statements = inner, 0.0, 0

    def prepare(self, sql: str) -> Any:
        return _TimedStatement(self, self._inner.prepare(sql))

    async def batch(self, statements: list[Any]) -> Any:
        started = time.perf_counter()
        try:
            return await self._inner.batch([s.inner for s in statements])
        finally:
            self.seconds += time.perf_counter() - started
            self.statements += len(statements)


class _TimedStatement:
    def __init__(self, owner: _TimedD1, inner: Any) -> None:
        self._owner, self.inner = owner, inner

    def bind(self, *params: Any) -> _TimedStatement:
        return _TimedStatement(self._owner, self.inner.bind(*params))

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.inner, name)

        async def timed(*args: Any) -> Any:
            started = time.perf_counter()
            try:
                return await method(*args)
            finally:
                self._owner.seconds += time.perf_counter() - started
                self._owner.statements += 1

        return timed


SEED = """
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {count} - 1) {body}
"""


async def _seed(runtime: LocalRuntime, services: Any) -> str:
    db = runtime.env.DB  # type: ignore[union-attr]
    now = NOW.isoformat()
    await db.exec(" ".join(SEED.format(count=PROSPECTS, body=f"""
        INSERT INTO prospects (id, first_name, contact_name, email, email_normalized, company_name, city, country,
                               sort_name, created_at, updated_at)
        SELECT printf('p%06d', i), 'Anna', 'Anna Keller', printf('anna%d@hotel%d.example', i, i),
               printf('anna%d@hotel%d.example', i, i), printf('Hotel %d', i), 'London', 'GB', 'anna', '{now}', '{now}'
        FROM n""").split()))  # fmt: skip
    from shared.domain.campaigns.models import CampaignCreate
    from shared.domain.inboxes.models import InboxCreate

    inbox = await services.inbox_service.create(InboxCreate.model_validate({
        "email": "bench@jengu-demo.test", "postal_address": "1 Bench Street, London", "daily_cap": 10_000,
        "hourly_cap": 1_000, "warmup": {"enabled": False, "target": 10_000},
        "send_window": {"start": "00:00", "end": "23:59"},
    }), actor="bench")  # fmt: skip
    inbox_id = inbox.inbox.id
    step = {"kind": "template", "variants": [{"key": "A", "subject": "Hi {{ first_name }}", "body": "Hello."}]}
    campaign = await services.campaign_service.create(CampaignCreate.model_validate({
        "name": "bench", "inbox_ids": [inbox_id], "steps": [step],
        "settings": {"timezone": "UTC", "window": {"weekdays": ["mon", "tue", "wed", "thu", "fri"],
                                                   "start": "00:00", "end": "24:00"}},
    }))  # fmt: skip
    await db.exec(f"UPDATE campaigns SET status = 'active' WHERE id = '{campaign.id}'")
    clones = f"""INSERT INTO campaigns (id, name, status, settings, inbox_ids, created_at, updated_at)
        SELECT printf('c%06d', i), 'clone', 'active', settings, inbox_ids, created_at, updated_at
        FROM n, (SELECT * FROM campaigns WHERE id = '{campaign.id}') WHERE i > 0"""
    await db.exec(" ".join(SEED.format(count=CAMPAIGNS, body=clones).split()))
    due_at, later = "2026-12-02T09:00:00+00:00", "2027-06-01T09:00:00+00:00"
    enroll = f"""INSERT INTO enrollments (id, campaign_id, prospect_id, status, next_step, next_due_at, created_at,
                                          updated_at)
        SELECT printf('e%07d', c.rowid * {PROSPECTS} + p.rowid), c.id, p.id, 'active', 1,
               CASE WHEN c.id = '{campaign.id}' THEN '{due_at}' ELSE '{later}' END, '{now}', '{now}'
        FROM campaigns c, prospects p"""
    await db.exec(" ".join(enroll.split()))
    return str(campaign.id)


def _vm_steps(path: Path, sql: str, params: tuple[Any, ...]) -> tuple[int, int]:
    """(rows returned, VM instructions executed) of one statement, counted by a progress handler."""
    conn = sqlite3.connect(path)
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    conn.set_progress_handler(count, 1)
    rows = conn.execute(sql, params).fetchall()
    conn.close()
    return len(rows), steps


async def run(tmp: Path, figure: Callable[[str], None]) -> None:
    state = tmp / "scheduler-state"
    runtime = await LocalRuntime(
        ROOT, state_dir=state, clock=ManualClock(NOW), extra_vars={"LOG_LEVEL": "error", "APP_ENV": "test"}
    ).start(migrate=True)
    try:
        timed = _TimedD1(runtime.env.DB)  # type: ignore[union-attr]
        services = bootstrap(runtime.env)
        campaign_id = await _seed(runtime, services)
        count = (await runtime.env.DB.prepare("SELECT count(*) AS n FROM enrollments").first())["n"]  # type: ignore[union-attr]
        path = state / "d1" / "jengu" / "d1.sqlite"  # the local runtime's SQLite D1 (local/d1/__init__.py)
        due_sql = DUE.replace("?1", "?").replace("?2", "?")
        returned, indexed = _vm_steps(path, due_sql, (NOW.isoformat(), DUE_ROWS * 4))
        _, scan = _vm_steps(path, "SELECT count(*) FROM enrollments NOT INDEXED WHERE status = 'active' "
                                  "AND next_due_at <= ?", (NOW.isoformat(),))  # fmt: skip
        runtime.env.DB = timed  # type: ignore[union-attr]
        services = bootstrap(
            runtime.env, settings=services.settings.model_copy(update={"scheduler_max_per_tick": 1000})
        )
        started = time.perf_counter()
        report = await services.send_tick.run(NOW)
        wall = time.perf_counter() - started
        figure(f"tick over {count:,} enrollments ({DUE_ROWS:,} due): {wall * 1000:7.1f} ms wall, "
               f"{timed.seconds * 1000:6.1f} ms in D1, {timed.statements} D1 statements; "
               f"enqueued {report.enqueued}, due read {report.due}")  # fmt: skip
        figure(f"tick due read: {returned} rows, {indexed:,} VM steps vs full scan {scan:,} "
               f"(ratio {indexed / scan:.4f}: follows the due set, not the table)")  # fmt: skip
        assert campaign_id
    finally:
        await runtime.close()
    figure(_composition_rate())


def _composition_rate() -> str:
    from shared.domain.composition.context import build_context
    from shared.domain.composition.templates import render
    from shared.domain.composition.validation import clean_output, validate_draft

    subject = "A question for {{ hotel or 'your hotel' }}"
    body = ("Hi {{ first_name or 'there' }},\n\nI noticed {{ hotel }} in {{ city or 'your city' }}. Could we help you "
            "fill shoulder-season rooms with direct bookings?\n\nBest,\n{{ sender.name }}")  # fmt: skip
    prospect = {"first_name": "Anna", "company_name": "Hotel Sonnenhof", "property_name": "Hotel Sonnenhof",
                "city": "Munich", "country": "DE"}  # fmt: skip
    sender = {"display_name": "Maya", "email": "maya@jengu-demo.test"}
    n = 2000
    started = time.perf_counter()
    for _ in range(n):
        context = build_context(prospect, sender, {"name": "Winter"})
        s, b = clean_output(render(subject, context), render(body, context))
        validate_draft(s, b, context=context)
    rate = n / (time.perf_counter() - started)
    plain = body.replace("{{ first_name or 'there' }}", "{0}").replace("{{ hotel }}", "{1}")
    plain = plain.replace("{{ city or 'your city' }}", "{2}").replace("{{ sender.name }}", "{3}")
    started = time.perf_counter()
    for _ in range(n):
        plain.format("Anna", "Hotel Sonnenhof", "Munich", "Maya")
    raw = n / (time.perf_counter() - started)
    return (
        f"template composition {rate:8.0f} drafts/s (render+clean+validate; "
        f"str.format {raw:,.0f}/s, ratio {rate / raw:.4f})"
    )
