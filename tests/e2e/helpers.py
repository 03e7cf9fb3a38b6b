"""Small helpers for end-to-end tests: query the runtime's D1 and build envelopes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from local.runtime import LocalRuntime
from shared.messages.envelope import Envelope


async def rows(runtime: LocalRuntime, sql: str, *params: Any) -> list[dict[str, Any]]:
    assert runtime.env is not None
    stmt = runtime.env.DB.prepare(sql)
    result = await (stmt.bind(*params) if params else stmt).all()
    return [dict(r) for r in result["results"]]


def envelope(type_: str, payload: dict[str, Any], *, id_: str = "env-1", trace_id: str = "trace-e2e") -> Envelope:
    return Envelope(
        id=id_,
        type=type_,
        version=1,
        trace_id=trace_id,
        created_at=datetime(2026, 1, 5, tzinfo=UTC),
        payload=payload,
    )
