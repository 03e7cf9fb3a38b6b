"""The code's tables agree with wrangler.toml: queues, retry policies, producer bindings, crons, DO bindings, and
the migrations the code expects agree with migrations/."""

from __future__ import annotations

import tomllib
from pathlib import Path

from scheduler.jobs import CRON_JOBS
from shared.adapters.d1.schema import EXPECTED_MIGRATIONS
from shared.messages.durable import DURABLE_OBJECT_BINDINGS
from shared.messages.queues import DEAD_LETTER_QUEUE, PRODUCER_BINDINGS, RETRY_POLICIES, QueueName

ROOT = Path(__file__).resolve().parents[2]
WRANGLER = tomllib.loads((ROOT / "wrangler.toml").read_text())


def test_every_queue_has_a_producer_and_a_consumer_with_the_same_retry_count() -> None:
    producers = {p["binding"]: p["queue"] for p in WRANGLER["queues"]["producers"]}
    consumers = {c["queue"]: c for c in WRANGLER["queues"]["consumers"]}
    assert producers == {binding: queue.value for queue, binding in PRODUCER_BINDINGS.items()}
    assert set(consumers) == {q.value for q in QueueName}
    for queue in QueueName:
        assert consumers[queue.value]["max_retries"] == RETRY_POLICIES[queue].max_retries, queue


def test_every_queue_but_the_dlq_dead_letters_into_the_dlq() -> None:
    for consumer in WRANGLER["queues"]["consumers"]:
        if consumer["queue"] == DEAD_LETTER_QUEUE.value:
            assert "dead_letter_queue" not in consumer
        else:
            assert consumer["dead_letter_queue"] == DEAD_LETTER_QUEUE.value


def test_retry_table_from_the_brief() -> None:
    expected = {"enrich": 5, "compose": 3, "send": 2, "inbound": 1, "events": 1}
    assert {q.value: RETRY_POLICIES[q].max_retries for q in QueueName if q.value in expected} == expected
    assert RETRY_POLICIES[QueueName.ENRICH].backoff == "exponential"
    assert RETRY_POLICIES[QueueName.SEND].backoff == "linear"


def test_cron_table_matches_triggers() -> None:
    assert list(CRON_JOBS) == WRANGLER["triggers"]["crons"]


def test_durable_object_bindings_match_and_are_sqlite_classes() -> None:
    bindings = {b["name"]: b["class_name"] for b in WRANGLER["durable_objects"]["bindings"]}
    assert bindings == DURABLE_OBJECT_BINDINGS
    sqlite_classes = [c for m in WRANGLER["migrations"] for c in m.get("new_sqlite_classes", [])]
    assert sorted(sqlite_classes) == sorted(DURABLE_OBJECT_BINDINGS.values())


def test_expected_migrations_are_the_files_in_migrations_dir() -> None:
    files = sorted(p.name for p in (ROOT / "migrations").glob("*.sql"))
    assert list(EXPECTED_MIGRATIONS) == files


def test_python_313_compatibility() -> None:
    assert "python_workers" in WRANGLER["compatibility_flags"]
    assert WRANGLER["compatibility_date"] >= "2026-05-26"
    assert WRANGLER["main"] == ".bundle/entry.py"
