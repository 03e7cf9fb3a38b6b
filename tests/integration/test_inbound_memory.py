"""A 25 MiB inbound email is stored (and read back) with a bounded number of copies (decision 0015).

tracemalloc measures the Python heap from the moment the handler holds the message's bytes: the storing path
(receive_email -> D1InboundRepository.store -> one D1 batch, on the local SQLite D1) may allocate at most
STORE_PEAK_MULTIPLE times the message on top of it: the base64 chunk text the atomic batch must hold (4/3), plus one
chunk in flight and bookkeeping. Reading it back (the consumer) may peak at READ_PEAK_MULTIPLE: the rows' text as
D1 returns it (4/3), released chunk by chunk while the bytes (1) are rebuilt, then joined (1 more, briefly).
"""

from __future__ import annotations

import os
import tracemalloc
from pathlib import Path

import pytest

from local.d1 import LocalD1, apply_migrations
from shared.adapters.d1.client import D1Client
from shared.adapters.d1.inbound import CHUNK_CHARS, D1InboundRepository, _chunks
from shared.domain.inbound import MAX_INBOUND_BYTES
from shared.service_layer.inbound import receive_email
from tests.fakes import fake_services

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
STORE_PEAK_MULTIPLE = 1.5
READ_PEAK_MULTIPLE = 2.1


async def test_a_25_mib_message_is_stored_and_read_with_bounded_copies(tmp_path: Path) -> None:
    db = LocalD1(tmp_path / "d1.sqlite")
    try:
        await apply_migrations(db, MIGRATIONS)
        repo = D1InboundRepository(D1Client(db))
        services = fake_services()
        raw = b"Subject: big\r\n\r\n" + os.urandom(MAX_INBOUND_BYTES - 16)
        assert len(raw) == MAX_INBOUND_BYTES
        tracemalloc.start()
        try:
            inbound_id = await receive_email(
                mail_from="a@example.com",
                rcpt_to="inbox@jengu.test",
                raw=raw,
                inbound=repo,
                publisher=services.publisher,
                clock=services.clock,
                ids=services.ids,
                log=services.log,
            )
            store_peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.reset_peak()
            back = await repo.raw(inbound_id)
            read_peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert back == raw
        assert store_peak <= STORE_PEAK_MULTIPLE * len(raw), store_peak / len(raw)
        assert read_peak <= READ_PEAK_MULTIPLE * len(raw), read_peak / len(raw)
    finally:
        await db.close()


@pytest.mark.parametrize("size", [0, 1, 2, 3, CHUNK_CHARS // 4 * 3 - 1, CHUNK_CHARS // 4 * 3, CHUNK_CHARS + 7])
def test_chunks_are_the_whole_encoding_cut_into_pieces(size: int) -> None:
    """Rows written before the slice-by-slice encoder read back the same: the stored text did not change."""
    import base64

    raw = os.urandom(size)
    whole = base64.b64encode(raw).decode("ascii")
    assert _chunks(raw) == ([whole[i : i + CHUNK_CHARS] for i in range(0, len(whole), CHUNK_CHARS)] or [""])
