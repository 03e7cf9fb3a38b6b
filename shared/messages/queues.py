"""Queue names, their producer bindings and their retry policies: the one table the consumers and tests read.

`wrangler.toml` declares the same queues; `tests/unit/test_config_tables.py` keeps the two in step.
"""

from __future__ import annotations

from enum import StrEnum

from shared.domain.retry import Backoff, RetryPolicy


class QueueName(StrEnum):
    ENRICH = "enrich"
    COMPOSE = "compose"
    SEND = "send"
    INBOUND = "inbound"
    EVENTS = "events"
    IMPORTS = "imports"
    DLQ = "dlq"


PRODUCER_BINDINGS: dict[QueueName, str] = {
    QueueName.ENRICH: "ENRICH_QUEUE",
    QueueName.COMPOSE: "COMPOSE_QUEUE",
    QueueName.SEND: "SEND_QUEUE",
    QueueName.INBOUND: "INBOUND_QUEUE",
    QueueName.EVENTS: "EVENTS_QUEUE",
    QueueName.IMPORTS: "IMPORTS_QUEUE",
    QueueName.DLQ: "DLQ_QUEUE",
}

# enrichment 5 retries exponential, compose 3, send 2 linear, inbound 1, events 1 (docs/decisions/0004).
RETRY_POLICIES: dict[QueueName, RetryPolicy] = {
    QueueName.ENRICH: RetryPolicy(max_retries=5, base_delay_seconds=30, backoff=Backoff.EXPONENTIAL),
    QueueName.COMPOSE: RetryPolicy(max_retries=3, base_delay_seconds=30, backoff=Backoff.EXPONENTIAL),
    QueueName.SEND: RetryPolicy(max_retries=2, base_delay_seconds=120, backoff=Backoff.LINEAR),
    QueueName.INBOUND: RetryPolicy(max_retries=1, base_delay_seconds=30),
    QueueName.EVENTS: RetryPolicy(max_retries=1, base_delay_seconds=30),
    # import slices (docs/decisions/0013): idempotent, so retried generously; a slice that keeps failing fails its job.
    QueueName.IMPORTS: RetryPolicy(max_retries=5, base_delay_seconds=10, backoff=Backoff.EXPONENTIAL),
    # The DLQ has nothing behind it: retry for days (the cap is 12 h per delay), then log the letter in full.
    QueueName.DLQ: RetryPolicy(max_retries=100, base_delay_seconds=60, backoff=Backoff.EXPONENTIAL),
}

DEAD_LETTER_QUEUE = QueueName.DLQ
