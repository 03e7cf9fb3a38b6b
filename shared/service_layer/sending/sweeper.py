"""Brings queued emails back to the `send` queue: those parked until a `retry_at` that has come (capacity, a soft
bounce, an unhealthy inbox, the emergency stop), and those whose send message seems lost (queued or `sending` for
longer than STALE_AFTER with nothing scheduled: a crashed consumer, a dead-lettered message). Runs in the sending
tick. Re-queuing is harmless: the send consumer is idempotent (guarded status moves, the unique send key), and a
`sending` email is reconciled, never sent again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from shared.adapters.d1 import sql_sending as sql
from shared.adapters.d1.client import bound_text
from shared.messages.payloads import SendRequested
from shared.messages.queues import QueueName
from shared.service_layer.envelopes import new_envelope

STALE_AFTER = timedelta(minutes=15)
BATCH = 200


@dataclass(frozen=True)
class SendSweeper:
    services: Any  # shared.bootstrap.Services

    async def run(self, now: datetime) -> int:
        s = self.services
        due = await s.db.all(sql.DUE_RETRIES, now.isoformat(), BATCH)
        stale = await s.db.all(sql.STALE, (now - STALE_AFTER).isoformat(), BATCH)
        rows = list({r["id"]: r for r in [*due, *stale]}.values())
        if not rows:
            return 0
        await s.db.run(sql.TOUCH, now.isoformat(), bound_text(json.dumps([r["id"] for r in rows])))
        envelopes = [
            new_envelope(
                SendRequested(email_id=r["id"], send_key=r["send_key"]),
                trace_id=s.ids.new_id(),
                clock=s.clock,
                ids=s.ids,
            )
            for r in rows
        ]
        await s.publisher.publish_many(QueueName.SEND, envelopes)
        return len(rows)
