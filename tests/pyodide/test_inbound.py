"""Inbound email streamed through the real SDK in real Pyodide into the D1 store (decision 0015).

The message (2.5 MB, five chunk rows) arrives as the runtime's ReadableStream of 64 KiB Uint8Array pieces; the
store writes a batch of chunk rows while the stream is still being read and completes the row only at the end.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest

from shared.adapters.d1.inbound import CHUNK_BYTES, CHUNK_CHARS, CHUNKS_PER_BATCH
from shared.adapters.d1.sql_inbound import PARTIAL_PREFIX
from tests.pyodide.cases.inbound import FAIL_AFTER_PIECES, MESSAGE, PIECE_BYTES, STORED_ID, pattern_message

CHUNKS = -(-len(MESSAGE) // CHUNK_BYTES)
FIRST_BATCH = ["insert_row", *["insert_chunk"] * CHUNKS_PER_BATCH]
DISCARD = ["drop_chunks", "drop_row"]


def _batches_while_streaming(bytes_read: int) -> list[list[str]]:
    """The chunk batches written once `bytes_read` bytes have streamed in: one per CHUNKS_PER_BATCH whole chunks."""
    full = bytes_read // CHUNK_BYTES // CHUNKS_PER_BATCH
    return [FIRST_BATCH] + [["insert_chunk"] * CHUNKS_PER_BATCH] * (full - 1) if full else []


# Peaks over a 25 MiB message in real Pyodide (decision 0015): measured 0.10x (Python, tracemalloc) and 0.73x (JS:
# V8 heap + external memory, live after a collection at every D1 statement, on Node 20 without pointer compression).
# Binding the chunk text as a str instead of bytes measures ~1.2x here, every chunk in one batch ~30x.
PYODIDE_PYTHON_PEAK = 0.15
PYODIDE_JS_PEAK = 0.9


def test_a_multi_chunk_message_is_stored_byte_for_byte_while_it_streams(pyodide: Any) -> None:
    result = pyodide.run("inbound", "streamed")
    assert "error" not in result, result["error"]
    assert CHUNKS > CHUNKS_PER_BATCH  # the case needs a batch written mid-stream
    assert result["pieces_read"] == -(-len(MESSAGE) // PIECE_BYTES)
    assert CHUNKS % CHUNKS_PER_BATCH  # so the completion batch carries the last chunk(s)
    last = CHUNKS // CHUNKS_PER_BATCH * CHUNKS_PER_BATCH
    assert result["batches"] == [
        *_batches_while_streaming(last * CHUNK_BYTES),
        [*["insert_chunk"] * (CHUNKS - last), "complete", *DISCARD, "find_stored"],
    ]
    assert result["chunk_seqs"] == list(range(CHUNKS))
    # The base64 text crosses as its ASCII bytes, which workerd's bind() makes an Array of byte values; the SQL
    # stores it as TEXT (CAST), the row format of every chunk.
    assert result["chunk_data"] == [{"t": "Array", "n": CHUNK_CHARS}] * (CHUNKS - 1) + [
        {"t": "Array", "n": len(base64.b64encode(MESSAGE)) - (CHUNKS - 1) * CHUNK_CHARS}
    ]
    assert result["stored_sha256"] == hashlib.sha256(MESSAGE).hexdigest()  # every chunk, in order
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
    assert result["batches"] == [*_batches_while_streaming(FAIL_AFTER_PIECES * PIECE_BYTES), DISCARD]
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


@pytest.mark.parametrize("case", ["streamed_25_mib", "streamed_25_mib_in_one_piece"])
def test_a_25_mib_message_streams_with_a_few_chunks_held_in_either_heap(pyodide: Any, case: str) -> None:
    """Both heaps in real Pyodide: the message is never held whole by Python, and the JS side holds no more than the
    runtime's own piece beyond a few chunks (decision 0015 has the figures)."""
    result = pyodide.run("inbound", case)
    size = result["size"]
    expected = pattern_message(size)
    assert result["stored_sha256"] == hashlib.sha256(expected).hexdigest()  # every chunk, in order, byte for byte
    assert result["facts"]["subject"] == "big"
    assert result["pieces_read"] == -(-size // result["piece_bytes"])  # 400 pieces of 64 KiB, or one
    chunks = -(-size // CHUNK_BYTES)
    assert result["chunks"] == chunks
    assert result["batches"] == -(-chunks // CHUNKS_PER_BATCH)  # the last chunks travel with the completion
    print(f"python {result['python_peak'] / size:.3f}x, js {result['js_peak'] / size:.3f}x of {size} bytes")
    assert result["python_peak"] <= PYODIDE_PYTHON_PEAK * size, result["python_peak"] / size
    # The runtime's own piece (the mock copies it out of its source) is the JS side's business, on top of that.
    assert result["js_peak"] <= result["piece_bytes"] + PYODIDE_JS_PEAK * size, result["js_peak"] / size
