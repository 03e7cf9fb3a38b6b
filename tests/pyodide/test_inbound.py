"""Inbound email streamed through the real SDK in real Pyodide into the D1 store (decision 0015).

The message (2.5 MB, five chunk rows) arrives as the runtime's ReadableStream of 64 KiB Uint8Array pieces; the
store writes a batch of chunk rows while the stream is still being read and completes the row only at the end.
"""

from __future__ import annotations

import hashlib
from typing import Any

from shared.adapters.d1.inbound import CHUNK_BYTES, CHUNKS_PER_BATCH
from shared.adapters.d1.sql_inbound import PARTIAL_PREFIX
from tests.pyodide.cases.inbound import FAIL_AFTER_PIECES, MESSAGE, PIECE_BYTES, STORED_ID

CHUNKS = -(-len(MESSAGE) // CHUNK_BYTES)
FIRST_BATCH = ["insert_row", *["insert_chunk"] * CHUNKS_PER_BATCH]
DISCARD = ["drop_chunks", "drop_row"]


def test_a_multi_chunk_message_is_stored_byte_for_byte_while_it_streams(pyodide: Any) -> None:
    result = pyodide.run("inbound", "streamed")
    assert "error" not in result, result["error"]
    assert CHUNKS > CHUNKS_PER_BATCH  # the case needs a batch written mid-stream
    assert result["pieces_read"] == -(-len(MESSAGE) // PIECE_BYTES)
    assert result["batches"] == [
        FIRST_BATCH,
        [*["insert_chunk"] * (CHUNKS - CHUNKS_PER_BATCH), "complete", *DISCARD, "find_stored"],
    ]
    assert result["chunk_seqs"] == list(range(CHUNKS))
    assert result["chunk_types"] == ["string"]  # base64 text binds as a JS string (bytes would be an Array)
    assert (result["stored_size"], result["stored_sha256"]) == (len(MESSAGE), hashlib.sha256(MESSAGE).hexdigest())
    sha = hashlib.sha256(MESSAGE).hexdigest()
    # size, digest, chunk count, the header summary; then the guards: the provisional row, every chunk present.
    stored = [len(MESSAGE), sha, CHUNKS, "<s1@hotel.example>", None, "streamed"]
    guards = [STORED_ID, PARTIAL_PREFIX + STORED_ID, STORED_ID, CHUNKS, sha]
    assert result["complete_args"] == [stored + guards]
    assert result["facts"] == {"size": len(MESSAGE), "sha256": sha, "subject": "streamed"}
    assert result["queue_sends"] == [[{"t": "string", "v": STORED_ID}, {"t": "undefined"}]]
    assert result["stream_cancels"] == []


def test_a_stream_error_midway_discards_what_was_written_and_queues_nothing(pyodide: Any) -> None:
    result = pyodide.run("inbound", "stream_fails_midway")
    assert result["error"]["type"] == "JsException" and "the raw stream failed" in result["error"]["message"]
    assert FAIL_AFTER_PIECES * PIECE_BYTES > CHUNKS_PER_BATCH * CHUNK_BYTES  # a chunk batch had reached D1
    assert result["batches"] == [FIRST_BATCH, DISCARD]
    assert result["complete_args"] == []
    assert result["queue_sends"] == []
    assert result["pieces_read"] == FAIL_AFTER_PIECES
    assert result["log"] == ["inbound email not stored"]


def test_a_d1_failure_cancels_the_stream_and_queues_nothing(pyodide: Any) -> None:
    result = pyodide.run("inbound", "d1_fails_first_batch")
    assert result["error"]["type"] == "DatabaseUnavailable"
    # The batch failed at its first statement (D1 rolls it back whole); its answer could have been lost after a
    # commit, so the writer still sends the guarded discard.
    assert result["batches"] == [["insert_row"], DISCARD]
    assert result["queue_sends"] == []
    assert len(result["stream_cancels"]) == 1  # the reader cancelled the runtime's stream
    assert result["pieces_read"] < -(-len(MESSAGE) // PIECE_BYTES)
