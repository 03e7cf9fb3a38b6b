"""D1 repository for inbound email: one metadata row plus the raw bytes as base64 chunk rows, written as they stream.

Memory (decision 0015): a 25 MiB message must fit a 128 MB isolate that Pyodide shares, so it is never held whole.
`open()` gives a writer; each piece of the stream is encoded in aligned slices of CHUNK_BYTES (the same 700,000
base64 characters per row as encoding the whole message and cutting the text, so rows written before read back
unchanged) and every CHUNKS_PER_BATCH chunk rows go to D1 in one batch: at most that many chunks are held, in
Python and on the JS side. The base64 text is bound as ASCII bytes and stored as TEXT (`sql_inbound`): Pyodide
turns a str into a JS rope of ~20-32 bytes per character, bytes into an Array of byte values (4-8 bytes each).
Crash safety: the message row is provisional (`sql_inbound.PARTIAL_PREFIX` digest, no chunks counted) until
`complete()`, whose one batch writes the last chunks, checks that every chunk row is present and either marks the
row stored (digest, size, chunk count, header summary) or, for a redelivery, drops it in favour of the stored one.
A message of fewer than CHUNKS_PER_BATCH chunks is one batch, as before.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import datetime

from shared.adapters.d1 import sql, sql_inbound
from shared.adapters.d1.client import D1Client, Query
from shared.domain.errors import DatabaseError
from shared.domain.inbound import InboundEmail, InboundEnvelope, RawFacts, RawTally

CHUNK_CHARS = 700_000  # base64 characters per row: well under D1's 2 MB per-value and per-row caps
# MAX_HEADER_BYTES (256 KiB) < CHUNK_BYTES, so `head()` finds the whole header block in chunk 0.
CHUNK_BYTES = CHUNK_CHARS // 4 * 3  # a multiple of 3: every chunk but the last encodes without padding
CHUNKS_PER_BATCH = 2  # the JS side holds each chunk's bound value (~8 MB on Node) until D1 reads it: decision 0015


class ChunkEncoder:
    """Stream pieces in, base64 chunk texts (ASCII bytes) out: the whole message's encoding cut every CHUNK_CHARS,
    however the stream is split. Holds less than one chunk of bytes between pieces."""

    def __init__(self) -> None:
        self._pending = bytearray()
        self.count = 0

    def feed(self, data: bytes) -> Iterator[bytes]:
        view = memoryview(data)
        if self._pending:
            taken = CHUNK_BYTES - len(self._pending)
            self._pending += view[:taken]
            view = view[taken:]
            if len(self._pending) < CHUNK_BYTES:
                return
            yield self._encode(self._pending)
            self._pending.clear()
        while len(view) >= CHUNK_BYTES:
            yield self._encode(view[:CHUNK_BYTES])
            view = view[CHUNK_BYTES:]
        self._pending += view

    def finish(self) -> Iterator[bytes]:
        """The last, possibly short, chunk; an empty message is one empty chunk (as it always was)."""
        if self._pending or self.count == 0:
            yield self._encode(self._pending)
            self._pending.clear()

    def _encode(self, data: bytes | bytearray | memoryview) -> bytes:
        self.count += 1
        return base64.b64encode(data)


def _decode(rows: list[dict[str, object]]) -> bytes:
    """The chunks' bytes, joined; each row's text is released once decoded."""
    rows.reverse()
    pieces: list[bytes] = []
    while rows:
        pieces.append(base64.b64decode(str(rows.pop()["data"])))
    return b"".join(pieces)


class D1InboundWriter:
    """Writes one streamed message: `await write(piece)` as bytes arrive, then `complete(facts)` or `discard()`."""

    def __init__(self, db: D1Client, envelope: InboundEnvelope) -> None:
        self._db = db
        self._id = envelope.id
        self._rcpt_to = envelope.rcpt_to
        self._partial = sql_inbound.PARTIAL_PREFIX + envelope.id
        self._encoder = ChunkEncoder()
        self._row_written = False
        self._pending_chunks = 0
        self._queries: list[Query] = [
            Query(
                sql.INSERT_INBOUND,
                (
                    envelope.id,
                    envelope.received_at.isoformat(),
                    envelope.mail_from,
                    envelope.rcpt_to,
                    0,
                    self._partial,
                    0,
                    envelope.trace_id,
                ),
            )
        ]

    def _add_chunk(self, text: bytes) -> None:
        seq = self._encoder.count - 1
        self._queries.append(Query(sql_inbound.INSERT_CHUNK_TEXT, (self._id, seq, text, self._id)))
        self._pending_chunks += 1

    async def write(self, data: bytes) -> None:
        for text in self._encoder.feed(data):
            self._add_chunk(text)
            if self._pending_chunks >= CHUNKS_PER_BATCH:
                await self._flush()

    async def _flush(self) -> None:
        queries, self._queries, self._pending_chunks = self._queries, [], 0
        self._row_written = True  # before the call: a batch whose answer is lost may still have committed
        await self._db.batch(queries)

    async def complete(self, facts: RawFacts) -> str:
        """Mark the message stored (or find the stored copy of a redelivery) in one batch; returns its id."""
        for text in self._encoder.finish():
            self._add_chunk(text)
        headers = facts.headers
        queries, self._queries, self._pending_chunks = self._queries, [], 0
        queries += [
            Query(
                sql_inbound.COMPLETE_INBOUND,
                (
                    facts.size,
                    facts.sha256,
                    self._encoder.count,
                    headers.message_id,
                    headers.in_reply_to,
                    headers.subject,
                    self._id,
                    self._partial,
                    self._id,
                    self._encoder.count,
                    facts.sha256,
                ),
            ),
            Query(sql_inbound.DROP_PARTIAL_CHUNKS, (self._id, self._id, self._partial)),
            Query(sql_inbound.DROP_PARTIAL, (self._id, self._partial)),
            Query(sql_inbound.FIND_STORED, (facts.sha256, self._rcpt_to)),
        ]
        results = await self._db.batch(queries)
        self._row_written = False  # stored, or dropped by the same batch
        found = results[-1]
        if not found:
            raise DatabaseError(f"inbound message {self._id} was not stored (chunks missing)")
        return str(found[0]["id"])

    async def discard(self) -> None:
        """Drop what was written of a message that will not be completed (a stream error, a refused size)."""
        self._queries, self._pending_chunks = [], 0
        if self._row_written:
            await self._db.batch(
                [
                    Query(sql_inbound.DROP_PARTIAL_CHUNKS, (self._id, self._id, self._partial)),
                    Query(sql_inbound.DROP_PARTIAL, (self._id, self._partial)),
                ]
            )
            self._row_written = False


class D1InboundRepository:
    def __init__(self, db: D1Client) -> None:
        self._db = db

    def open(self, envelope: InboundEnvelope) -> D1InboundWriter:
        """A writer for one message whose bytes are about to stream in (nothing is written yet)."""
        return D1InboundWriter(self._db, envelope)

    async def store(self, email: InboundEmail) -> str:
        """Store a message already held whole (tests, tools): the streamed path with the bytes as one piece."""
        tally = RawTally()
        tally.add(email.raw)
        writer = self.open(InboundEnvelope(email.id, email.mail_from, email.rcpt_to, email.received_at, email.trace_id))
        try:
            await writer.write(email.raw)
            return await writer.complete(tally.facts())
        except BaseException:
            await writer.discard()
            raise

    async def drop_abandoned(self, received_before: datetime, *, limit: int = 200) -> int:
        """Drop up to `limit` provisional messages received before `received_before` (their handler died mid-stream;
        nothing was queued for them). Returns how many were dropped; a row completed meanwhile is kept."""
        bounds = (sql_inbound.PARTIAL_PREFIX, sql_inbound.PARTIAL_UPPER)
        rows = await self._db.all(sql_inbound.ABANDONED_PARTIALS, *bounds, received_before.isoformat(), limit)
        if not rows:
            return 0
        ids = json.dumps([str(row["id"]) for row in rows])
        changes = await self._db.batch_changes(
            [
                Query(sql_inbound.DROP_ABANDONED_CHUNKS, (ids, *bounds)),
                Query(sql_inbound.DROP_ABANDONED, (ids, *bounds)),
            ]
        )
        return changes[-1]

    async def _stored_meta(self, inbound_id: str) -> dict[str, object] | None:
        meta = await self._db.first(sql.GET_INBOUND_META, inbound_id)
        if meta is None or str(meta["raw_sha256"]).startswith(sql_inbound.PARTIAL_PREFIX):
            return None  # a provisional row is not a stored message
        return meta

    async def raw(self, inbound_id: str) -> bytes | None:
        meta = await self._stored_meta(inbound_id)
        if meta is None:
            return None
        rows = await self._db.all(sql.GET_INBOUND_CHUNKS, inbound_id)
        if len(rows) != int(str(meta["raw_chunks"])):
            raise DatabaseError(f"inbound {inbound_id}: {len(rows)} of {meta['raw_chunks']} chunks present")
        return _decode(rows)

    async def head(self, inbound_id: str) -> bytes | None:
        """The message's first chunk (CHUNK_BYTES, more than MAX_HEADER_BYTES): its header block without the rest."""
        if await self._stored_meta(inbound_id) is None:
            return None
        row = await self._db.first(sql_inbound.GET_FIRST_CHUNK, inbound_id)
        if row is None:
            raise DatabaseError(f"inbound {inbound_id}: its first chunk is missing")
        return base64.b64decode(str(row["data"]))

    async def mark_parsed(self, inbound_id: str, *, message_id: str | None, subject: str | None) -> None:
        await self._db.run(sql.MARK_INBOUND_PARSED, message_id, subject, inbound_id)


# --- The inbound API: reading the stored rows and recording a person's correction (workers/api/routes/inbound.py).


async def list_inbound(
    db: D1Client,
    *,
    equals: dict[str, str],
    matched: bool | None,
    since: datetime | None,
    until: datetime | None,
    after: tuple[str, str] | None,
    limit: int,
) -> list[dict[str, object]]:
    """Stored messages, newest first by (received_at, id); `equals` maps classification / intent / campaign_id /
    prospect_id to a value; `matched` keeps those matched (or not) to a prospect or one of our emails."""
    where: list[str] = []
    params: list[str] = []
    for column, value in equals.items():
        where.append(sql_inbound.LIST_INBOUND_EQUALS[column])
        params.append(value)
    if matched is not None:
        where.append(sql_inbound.LIST_INBOUND_MATCHED if matched else sql_inbound.LIST_INBOUND_UNMATCHED)
    if since is not None:
        where.append(sql_inbound.LIST_INBOUND_SINCE)
        params.append(since.isoformat())
    if until is not None:
        where.append(sql_inbound.LIST_INBOUND_UNTIL)
        params.append(until.isoformat())
    if after is not None:
        where.append(sql_inbound.LIST_INBOUND_AFTER)
        params += [after[0], after[1]]
    clause = "".join(f" AND {condition}" for condition in where)
    query = f"{sql_inbound.LIST_INBOUND_FROM}{clause} {sql_inbound.LIST_INBOUND_ORDER}"
    return await db.all(query, *params, limit)


async def inbound_detail(db: D1Client, inbound_id: str) -> dict[str, object] | None:
    """One stored message's row (its JSON columns as text), or None."""
    return await db.first(sql_inbound.GET_INBOUND_DETAIL, inbound_id)


async def record_correction(
    db: D1Client, inbound_id: str, *, classification: str | None, intent: str | None, correction: dict[str, object]
) -> bool:
    """Set the corrected verdict and append `correction` to the row's `corrections`; False when no such message."""
    changed = await db.run(
        sql_inbound.RECORD_CORRECTION, inbound_id, classification, intent, json.dumps(correction, sort_keys=True)
    )
    return changed == 1
