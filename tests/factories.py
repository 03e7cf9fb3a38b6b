"""Test data builders with readable, deterministic ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.domain.failed_tasks import FailedTask

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def failed_task(n: int, **changes: object) -> FailedTask:
    """Task number `n`: id `msg-00n`, failed `n` seconds after T0 (so a higher n is newer)."""
    fields: dict[str, object] = {
        "id": f"msg-{n:03d}",
        "queue": "inbound",
        "type": "inbound.received",
        "version": 1,
        "attempts": 2,
        "last_error": "NotFound: gone",
        "payload": {"inbound_id": f"in-{n}"},
        "raw_body": None,
        "trace_id": f"trace-{n}",
        "failed_at": T0 + timedelta(seconds=n),
    }
    fields.update(changes)
    return FailedTask.model_validate(fields)
