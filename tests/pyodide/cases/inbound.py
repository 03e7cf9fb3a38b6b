"""Inbound email streamed through the real SDK in real Pyodide into the D1 store (decision 0015).

The email handler does what `workers/entry.py` does up to the queue: `raw_email_chunks(message)` under `aclosing`
(the reader over the runtime's ReadableStream of Uint8Array pieces) into `store_streamed_email` ->
`D1InboundRepository` -> `D1Client` -> the SDK's D1 wrapper -> the mock `D1Database` (workerd's `bind()`). It then
sends the stored id on the `inbound` queue, as `receive_email` publishes only after the store returned (the
publisher's envelope is pydantic, out of this tier). Each case reports what crossed to D1 and to the queue.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

# More than CHUNKS_PER_BATCH chunks of 525,000 bytes: a batch during the stream, the rest with the completion.
MESSAGE = b"Subject: streamed\r\nMessage-ID: <s1@hotel.example>\r\n\r\n" + bytes(range(256)) * 10_000
PIECE_BYTES = 65_536
FAIL_AFTER_PIECES = 36  # 2.36 MB: after chunk batches reached D1, before the last chunk
STORED_ID = "in-streamed"


def _entrypoint(js_env: Any) -> tuple[Any, dict[str, Any]]:
    import jengu_mocks
    from workers import WorkerEntrypoint

    seen: dict[str, Any] = {}

    class Default(WorkerEntrypoint):
        async def email(self, message: Any, env: Any = None, ctx: Any = None) -> None:
            from contextlib import aclosing

            from shared.adapters.d1.client import D1Client
            from shared.adapters.d1.inbound import D1InboundRepository
            from shared.domain.inbound import InboundEnvelope
            from shared.observability.log import Logger
            from shared.platform.cloudflare import email_recipient, email_sender, raw_email_chunks
            from shared.service_layer.inbound_store import store_streamed_email

            envelope = InboundEnvelope(
                STORED_ID, email_sender(message), email_recipient(message), datetime(2026, 1, 5, tzinfo=UTC), "t-1"
            )
            repo = D1InboundRepository(D1Client(self.env.DB))
            log = Logger("email", sink=seen.setdefault("log", []).append)
            async with aclosing(raw_email_chunks(message)) as raw:
                inbound_id, facts = await store_streamed_email(envelope, raw, inbound=repo, log=log)
            seen["facts"] = {"size": facts.size, "sha256": facts.sha256, "subject": facts.headers.subject}
            await self.env.INBOUND_QUEUE.send(inbound_id)

    return Default(jengu_mocks.ExecutionContext.new(), js_env), seen


def _batches(calls: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The D1 statements, grouped by the batch that carried them."""
    batches: list[list[dict[str, Any]]] = []
    for call in calls:
        if call["binding"] == "DB" and call["method"] == "batch":
            batches.append([])
        elif call["binding"] == "DB" and call["method"] == "query":
            batches[-1].append(call)
    return batches


def _kind(sql: str) -> str:
    words = " ".join(sql.split())
    for marker, kind in [
        ("INSERT INTO inbound_messages ", "insert_row"),
        ("INSERT INTO inbound_message_chunks", "insert_chunk"),
        ("UPDATE inbound_messages", "complete"),
        ("DELETE FROM inbound_message_chunks", "drop_chunks"),
        ("DELETE FROM inbound_messages", "drop_row"),
        ("SELECT id FROM inbound_messages", "find_stored"),
    ]:
        if words.startswith(marker):
            return kind
    return words[:40]


async def _deliver(*, fail_after: int | None = None, d1_error: str | None = None) -> dict[str, Any]:
    import jengu_mocks
    from pyodide.ffi import to_js
    from runtime.workerd import call, calls

    env = jengu_mocks.makeEnv()
    stored = json.dumps({"results": [{"id": STORED_ID}]})
    env.DB.answerMatching("SELECT id FROM inbound_messages WHERE raw_sha256", stored)
    if d1_error is not None:
        env.DB.queueError(d1_error)
    entry, seen = _entrypoint(env)
    message = jengu_mocks.makeStreamedEmail(
        "hannah@hotel.example", "in@jengu.example", to_js(MESSAGE), PIECE_BYTES, fail_after
    )
    out: dict[str, Any] = {}
    try:
        await call(entry, "email", message)
    except Exception as exc:
        out["error"] = {"type": type(exc).__name__, "message": str(exc)}
    recorded = calls()
    batches = _batches(recorded)
    chunks = [q["args"] for batch in batches for q in batch if _kind(q["sql"]) == "insert_chunk"]
    report = json.loads(env.DB.chunkReport())
    completes = [q["args"] for batch in batches for q in batch if _kind(q["sql"]) == "complete"]
    out |= {
        "batches": [[_kind(q["sql"]) for q in batch] for batch in batches],
        "chunk_seqs": [args[1]["v"] for args in chunks],
        "chunk_data": [args[2] for args in chunks],
        "stored_sha256": report["sha256"],
        "complete_args": [[arg.get("v") for arg in args] for args in completes],
        "queue_sends": [c["args"] for c in recorded if c["binding"] == "INBOUND_QUEUE"],
        "stream_cancels": [c["args"] for c in recorded if c["method"] == "raw.cancel"],
        "pieces_read": int(message.piecesRead()),
        "facts": seen.get("facts"),
        "log": [json.loads(line)["message"] for line in seen.get("log", [])],
    }
    return out


async def streamed() -> dict[str, Any]:
    return await _deliver()


async def stream_fails_midway() -> dict[str, Any]:
    return await _deliver(fail_after=FAIL_AFTER_PIECES)


async def d1_fails_first_batch() -> dict[str, Any]:
    return await _deliver(d1_error="D1_ERROR: Network connection lost.")


BIG_HEADER = b"Subject: big\r\nMessage-ID: <big@hotel.example>\r\n\r\n"


def pattern_message(size: int) -> bytes:
    """The bytes `jengu_mocks.patternMessage(size)` streams: byte i is i % 251, under a header block."""
    body = (bytes(range(251)) * (size // 251 + 1))[:size]
    return BIG_HEADER + body[len(BIG_HEADER) :]


async def streamed_25_mib() -> dict[str, Any]:
    """A 25 MiB message through the same path, with both heaps measured: tracemalloc for Python inside Pyodide, V8's
    heap plus external memory (less the WebAssembly memory) sampled at every D1 statement for the JS side."""
    return await _big(PIECE_BYTES)


async def streamed_25_mib_in_one_piece() -> dict[str, Any]:
    """The same message handed over as one 25 MiB Uint8Array (a runtime free to choose its piece size)."""
    from shared.domain.inbound import MAX_INBOUND_BYTES

    return await _big(MAX_INBOUND_BYTES)


async def _big(piece_bytes: int) -> dict[str, Any]:
    import tracemalloc

    import jengu_mocks
    from runtime.workerd import call, calls

    from shared.domain.inbound import MAX_INBOUND_BYTES

    env = jengu_mocks.makeEnv()
    env.DB.answerMatching("SELECT id FROM inbound_messages WHERE raw_sha256", json.dumps({"results": [{"id": "big"}]}))
    env.DB.sampleHeap()
    entry, seen = _entrypoint(env)
    source = jengu_mocks.patternMessage(MAX_INBOUND_BYTES)
    message = jengu_mocks.makeStreamedEmail("hannah@hotel.example", "in@jengu.example", source, piece_bytes, None)
    del source
    jengu_mocks.collectGarbage()
    js_before = int(jengu_mocks.jsHeapBytes())
    tracemalloc.start()
    try:
        await call(entry, "email", message)
        python_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    jengu_mocks.collectGarbage()
    js_after = int(jengu_mocks.jsHeapBytes())  # the source message is still referenced: a second baseline
    report = json.loads(env.DB.chunkReport())
    recorded = calls()
    return {
        "size": MAX_INBOUND_BYTES,
        "piece_bytes": piece_bytes,
        "python_peak": python_peak,
        # Against the lower baseline: garbage left before the run that a later collection frees cannot hide a peak.
        "js_peak": report["heapPeak"] - min(js_before, js_after),
        "js_baselines": [js_before, js_after],
        "stored_sha256": report["sha256"],
        "chunks": report["chunks"],
        "batches": sum(1 for c in recorded if c["method"] == "batch"),
        "pieces_read": int(message.piecesRead()),
        "facts": seen.get("facts"),
    }
