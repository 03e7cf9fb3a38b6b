"""Streaming an inbound email into D1 is crash-safe and idempotent (decision 0015), on both local D1 backends.

A message counts as stored only once `complete()` has checked that every chunk row is present; until then its row
is provisional (no digest, not readable, nothing queued). A stream that fails, or a message over the size cap,
leaves nothing behind; a redelivery completes into the stored message and drops its own copy.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator
from contextlib import aclosing
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from local.d1 import D1Database, apply_migrations
from local.email.message import LocalEmailMessage
from shared.adapters.d1.client import D1Client
from shared.adapters.d1.inbound import CHUNK_BYTES, CHUNKS_PER_BATCH, D1InboundRepository
from shared.bootstrap import Services
from shared.domain.errors import DatabaseError, ValidationFailed
from shared.domain.inbound import MAX_INBOUND_BYTES, InboundEnvelope, RawTally
from shared.messages.queues import QueueName
from shared.platform.cloudflare import raw_email_chunks
from shared.service_layer.inbound import receive_email
from tests.factories import T0
from tests.fakes import SequentialIds, fake_services

pytestmark = pytest.mark.asyncio(loop_scope="session")

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
RCPT = "inbox@jengu.test"
BIG = b"Subject: big\r\nIn-Reply-To: <sent@jengu.test>\r\n\r\n" + os.urandom(CHUNKS_PER_BATCH * CHUNK_BYTES * 2 + 99)


@pytest_asyncio.fixture(loop_scope="session")
async def db(d1: D1Database) -> D1Client:
    await apply_migrations(d1, MIGRATIONS)
    return D1Client(d1)


_deliveries = itertools.count(1)


def _services() -> Services:
    """Services whose ids differ from every other delivery's (as each invocation's time-ordered ids do)."""
    return fake_services(ids=SequentialIds(prefix=f"d{next(_deliveries)}-"))


async def _receive(repo: D1InboundRepository, message: Any, services: Services | None = None) -> str:
    s = services or _services()
    async with aclosing(raw_email_chunks(message)) as pieces:
        return await receive_email(
            mail_from=message.mail_from,
            rcpt_to=message.to,
            raw=pieces,
            inbound=repo,
            publisher=s.publisher,
            clock=s.clock,
            ids=s.ids,
            log=s.log,
        )


async def _counts(db: D1Client) -> tuple[int, int]:
    messages = await db.first("SELECT count(*) AS n FROM inbound_messages")
    chunks = await db.first("SELECT count(*) AS n FROM inbound_message_chunks")
    assert messages is not None and chunks is not None
    return int(messages["n"]), int(chunks["n"])


async def test_a_streamed_message_is_stored_whole_with_its_header_summary(db: D1Client) -> None:
    repo = D1InboundRepository(db)
    services = _services()
    inbound_id = await _receive(repo, LocalEmailMessage("a@x.test", RCPT, BIG), services)
    assert await repo.raw(inbound_id) == BIG
    assert (await repo.head(inbound_id) or b"").startswith(b"Subject: big\r\n")
    row = await db.first("SELECT raw_size, raw_chunks, subject, in_reply_to, status FROM inbound_messages")
    assert row == {
        "raw_size": len(BIG),
        "raw_chunks": -(-len(BIG) // CHUNK_BYTES),
        "subject": "big",
        "in_reply_to": "<sent@jengu.test>",
        "status": "received",
    }
    assert len(services.publisher.on(QueueName.INBOUND)) == 1  # type: ignore[attr-defined]


async def test_a_redelivery_while_streaming_completes_into_the_stored_message(db: D1Client) -> None:
    repo = D1InboundRepository(db)
    first = await _receive(repo, LocalEmailMessage("a@x.test", RCPT, BIG))
    stored = await _counts(db)
    services = _services()
    second = await _receive(repo, LocalEmailMessage("a@x.test", RCPT, BIG), services)
    assert second == first
    assert await _counts(db) == stored  # the redelivery's own rows are gone
    assert len(services.publisher.on(QueueName.INBOUND)) == 1  # type: ignore[attr-defined]
    other = await _receive(repo, LocalEmailMessage("a@x.test", "team@jengu.test", BIG))
    assert other != first  # the same bytes for another recipient are another message


async def test_a_stream_failing_midway_leaves_nothing_and_queues_nothing(db: D1Client) -> None:
    repo = D1InboundRepository(db)
    message = LocalEmailMessage("a@x.test", RCPT, BIG)
    message.raw.fail_after(CHUNKS_PER_BATCH * CHUNK_BYTES // (64 * 1024) + 3)  # after the first batch was written
    services = _services()
    with pytest.raises(Exception, match="raw stream failed"):
        await _receive(repo, message, services)
    assert message.raw.cancelled  # the reader cancelled the stream
    assert await _counts(db) == (0, 0)
    assert services.publisher.sent == []  # type: ignore[attr-defined]


async def test_a_message_over_the_cap_is_refused_midway_and_leaves_nothing(db: D1Client) -> None:
    """Email Routing caps messages at 25 MiB; a longer stream is refused as it passes the cap, after chunk rows of
    its beginning were written, and those are dropped."""
    first = b"Subject: x\r\n\r\n".ljust(CHUNKS_PER_BATCH * CHUNK_BYTES, b"a")  # a whole chunk batch
    pieces = [first, b"a" * (MAX_INBOUND_BYTES - len(first) + 1)]
    closed: list[bool] = []

    async def stream() -> AsyncIterator[bytes]:
        try:
            for piece in pieces:
                yield piece
        finally:
            closed.append(True)

    services = _services()
    written: list[int] = []
    counting = _CountingClient(db, written)
    with pytest.raises(ValidationFailed):
        async with aclosing(stream()) as raw:
            await receive_email(
                mail_from="a@x.test", rcpt_to=RCPT, raw=raw, inbound=D1InboundRepository(counting),
                publisher=services.publisher, clock=services.clock, ids=services.ids, log=services.log,
            )  # fmt: skip
    assert written[0] == 1 + CHUNKS_PER_BATCH  # the beginning reached D1 before the cap was passed
    assert closed == [True]
    assert await _counts(db) == (0, 0)
    assert services.publisher.sent == []  # type: ignore[attr-defined]


class _CountingClient(D1Client):
    """The same database, counting the statements of each batch."""

    def __init__(self, db: D1Client, sizes: list[int]) -> None:
        super().__init__(db._db)
        self._sizes = sizes

    async def batch(self, queries):  # type: ignore[no-untyped-def]
        self._sizes.append(len(queries))
        return await super().batch(queries)


async def test_a_crash_midway_leaves_a_provisional_row_nobody_reads(db: D1Client) -> None:
    """The isolate dies after some chunk batches (no discard): nothing is queued and the row is not a message."""
    repo = D1InboundRepository(db)
    writer = repo.open(InboundEnvelope("crashed", "a@x.test", RCPT, T0, "t"))
    await writer.write(BIG[: CHUNKS_PER_BATCH * CHUNK_BYTES + 10])  # one batch reaches D1, then the crash
    assert (await _counts(db))[1] == CHUNKS_PER_BATCH
    assert await repo.raw("crashed") is None and await repo.head("crashed") is None
    again = await _receive(repo, LocalEmailMessage("a@x.test", RCPT, BIG))  # the sender retries
    assert again != "crashed" and await repo.raw(again) == BIG


async def test_completion_refuses_a_message_with_a_missing_chunk(db: D1Client) -> None:
    repo = D1InboundRepository(db)
    writer = repo.open(InboundEnvelope("holey", "a@x.test", RCPT, T0, "t"))
    tally = RawTally()
    tally.add(BIG)
    await writer.write(BIG)
    await db.run("DELETE FROM inbound_message_chunks WHERE inbound_id = ? AND seq = 1", "holey")
    with pytest.raises(DatabaseError, match="not stored"):
        await writer.complete(tally.facts())
    assert await _counts(db) == (0, 0)  # the same batch dropped the provisional row and its chunks


async def test_a_small_message_is_one_batch(db: D1Client) -> None:
    batches: list[int] = []
    repo = D1InboundRepository(_CountingClient(db, batches))
    inbound_id = await _receive(repo, LocalEmailMessage("a@x.test", RCPT, b"Subject: hi\r\n\r\nshort\r\n"))
    assert batches == [6]  # row, chunk, completion, two guarded drops, the lookup
    assert await repo.raw(inbound_id) == b"Subject: hi\r\n\r\nshort\r\n"


async def test_the_integrity_sweep_drops_only_abandoned_provisional_rows(db: D1Client) -> None:
    """A handler that died mid-stream leaves a provisional row and some chunks; the nightly sweep drops those once
    they are a day old, and never a message still streaming or one stored."""
    repo = D1InboundRepository(db)
    stored = await _receive(repo, LocalEmailMessage("a@x.test", RCPT, b"Subject: kept\r\n\r\nhello\r\n"))
    for inbound_id, received_at in (("old", T0), ("fresh", T0 + timedelta(hours=23))):
        writer = repo.open(InboundEnvelope(inbound_id, "a@x.test", RCPT, received_at, "t"))
        await writer.write(BIG[: CHUNKS_PER_BATCH * CHUNK_BYTES + 10])  # one batch reaches D1, then the crash
    assert await _counts(db) == (3, 1 + 2 * CHUNKS_PER_BATCH)

    assert await repo.drop_abandoned(T0 + timedelta(hours=1), limit=1) == 1
    left = await db.all("SELECT id FROM inbound_messages ORDER BY id")
    assert {row["id"] for row in left} == {stored, "fresh"}
    assert await _counts(db) == (2, 1 + CHUNKS_PER_BATCH)  # the old row's chunks went with it
    assert await repo.drop_abandoned(T0 + timedelta(hours=1)) == 0  # nothing else is that old
    assert await repo.raw(stored) == b"Subject: kept\r\n\r\nhello\r\n"
