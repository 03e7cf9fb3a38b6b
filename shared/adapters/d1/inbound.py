"""D1 repository for inbound email: one metadata row plus the raw bytes as base64 chunks, written atomically.

Memory (decision 0015): a 25 MiB message must fit a 128 MB isolate, so the bytes are never copied whole. Each chunk
is encoded from a zero-copy slice of the message (the base64 text of all chunks, 4/3 of the message, is what the
atomic batch must hold at once), and reading decodes chunk by chunk, dropping each row's text as it goes.
"""

from __future__ import annotations

import base64

from shared.adapters.d1 import sql
from shared.adapters.d1.client import D1Client, Query
from shared.domain.errors import DatabaseError
from shared.domain.inbound import InboundEmail

CHUNK_CHARS = 700_000  # base64 characters per row: well under D1's per-row and per-value caps
CHUNK_BYTES = CHUNK_CHARS // 4 * 3  # a multiple of 3: every chunk but the last encodes without padding


def _chunks(raw: bytes) -> list[str]:
    """The message as base64 text in CHUNK_CHARS pieces (the same text as encoding it whole and cutting that)."""
    view = memoryview(raw)
    chunks = [base64.b64encode(view[i : i + CHUNK_BYTES]).decode("ascii") for i in range(0, len(raw), CHUNK_BYTES)]
    return chunks or [""]


def _decode(rows: list[dict[str, object]]) -> bytes:
    """The chunks' bytes, joined; each row's text is released once decoded."""
    rows.reverse()
    pieces: list[bytes] = []
    while rows:
        pieces.append(base64.b64decode(str(rows.pop()["data"])))
    return b"".join(pieces)


class D1InboundRepository:
    def __init__(self, db: D1Client) -> None:
        self._db = db

    async def store(self, email: InboundEmail) -> str:
        chunks = _chunks(email.raw)
        digest = email.sha256
        queries = [
            Query(
                sql.INSERT_INBOUND,
                (
                    email.id,
                    email.received_at.isoformat(),
                    email.mail_from,
                    email.rcpt_to,
                    len(email.raw),
                    digest,
                    len(chunks),
                    email.trace_id,
                ),
            ),
            *(Query(sql.INSERT_INBOUND_CHUNK, (email.id, seq, data, email.id)) for seq, data in enumerate(chunks)),
            Query(sql.FIND_INBOUND_BY_SHA, (digest, email.rcpt_to)),
        ]
        results = await self._db.batch(queries)
        found = results[-1]
        if not found:
            raise DatabaseError("inbound message was not stored")
        return str(found[0]["id"])

    async def raw(self, inbound_id: str) -> bytes | None:
        meta = await self._db.first(sql.GET_INBOUND_META, inbound_id)
        if meta is None:
            return None
        rows = await self._db.all(sql.GET_INBOUND_CHUNKS, inbound_id)
        if len(rows) != int(meta["raw_chunks"]):
            raise DatabaseError(f"inbound {inbound_id}: {len(rows)} of {meta['raw_chunks']} chunks present")
        return _decode(rows)

    async def mark_parsed(self, inbound_id: str, *, message_id: str | None, subject: str | None) -> None:
        await self._db.run(sql.MARK_INBOUND_PARSED, message_id, subject, inbound_id)
